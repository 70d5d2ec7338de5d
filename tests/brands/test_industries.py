"""Two dozen industries to pick from (found by typing), the brand's own words for its industry,
and the old four kept for the brands that chose them."""

import importlib

import pytest
from django.apps import apps as django_apps
from django.urls import reverse

from apps.brands import services
from apps.brands.forms import IndustryForm
from apps.brands.models import Brand, Industry
from apps.posts.prompts import system_prompt
from apps.trends.services import brand_profile_text
from tests.factories import BrandFactory

pytestmark = pytest.mark.django_db

INDUSTRIES = importlib.import_module("apps.brands.migrations.0006_industries_two_dozen")


def seeded():
    """The migration's list (transactional tests before this one may have flushed the rows)."""
    INDUSTRIES.seed(django_apps, None)
    return {i.slug: i for i in Industry.objects.all()}


def step_url(brand, step=2):
    return reverse("brands:onboarding_step", args=[brand.pk, step])


@pytest.fixture
def owner_client(client, brand_user):
    client.force_login(brand_user)
    return client


def test_two_dozen_industries_are_offered_each_with_a_description():
    industries = seeded()
    assert len([s for s in industries if s != "other"]) >= 24
    assert all(len(i.description) > 40 for i in industries.values())
    assert "food-beverage" in industries and "retail" in industries and "healthcare" in industries


def test_other_is_listed_last():
    seeded()
    assert list(Industry.objects.filter(is_active=True))[-1].slug == "other"


def test_the_old_four_keep_their_rows_so_brands_that_chose_them_keep_their_industry():
    old = Industry.objects.update_or_create(slug="fintech", defaults={"name": "Fintech"})[0]
    brand = BrandFactory(industry=old)
    seeded()
    brand.refresh_from_db()
    assert brand.industry_id == old.pk and brand.industry.name == "Fintech"
    assert brand.industry.description.startswith("Payments, banking, lending")


def test_undoing_the_list_moves_brands_in_new_industries_to_other_with_their_industrys_name():
    industries = seeded()
    brand = BrandFactory(industry=industries["food-beverage"])
    INDUSTRIES.unseed(django_apps, None)
    brand = Brand.objects.get(pk=brand.pk)
    assert brand.industry.slug == "other" and brand.industry_description == "Food & beverage"
    assert not Industry.objects.filter(slug="food-beverage").exists()


def test_a_typed_industry_name_picks_that_industry(brand_user):
    industries = seeded()
    brand = BrandFactory()
    form = IndustryForm({"industry": "  food & Beverage "}, brand=brand)
    assert form.is_valid() and form.cleaned_data["industry"] == industries["food-beverage"].pk


def test_a_typed_name_that_is_no_industry_is_refused_next_to_the_field(owner_client, brand):
    seeded()
    response = owner_client.post(step_url(brand), {"industry": "Coffee"})
    assert response.status_code == 200
    assert "Choose your industry." in response.content.decode()
    assert Brand.objects.get(pk=brand.pk).industry_id is None


def test_the_industry_step_saves_the_brands_own_words(owner_client, brand):
    industries = seeded()
    owner_client.post(
        step_url(brand),
        {
            "industry": industries["other"].pk,
            "industry_description": "  Specialty coffee   roasting for offices ",
        },
    )
    brand = Brand.objects.get(pk=brand.pk)
    assert brand.industry.slug == "other"
    assert brand.industry_description == "Specialty coffee roasting for offices"


def test_the_industry_step_has_a_search_box_that_shows_only_with_javascript(owner_client, brand):
    seeded()
    content = owner_client.get(step_url(brand)).content.decode()
    assert '<div class="industry-search" data-industry-search hidden>' in content
    assert 'data-industry-text="food &amp; beverage food-beverage food and drink brands, coffee' in content
    assert "js/industry-search.js" in content
    assert 'name="industry_description"' in content


def test_own_words_describe_the_brand_for_scoring_instead_of_the_industrys_name():
    industries = seeded()
    brand = BrandFactory(
        industry=industries["other"],
        industry_description="Specialty coffee roasting",
        pillars=["Fresh beans every week"],
    )
    assert brand_profile_text(brand).startswith("Specialty coffee roasting. Fresh beans every week.")
    listed = BrandFactory(industry=industries["retail"], pillars=["Fresh beans every week"])
    assert brand_profile_text(listed).startswith("Retail & e-commerce. ")


def test_other_is_never_named_as_the_brands_industry_in_the_copy_prompt():
    industries = seeded()
    brand = BrandFactory(
        name="Bean There", industry=industries["other"], industry_description="Coffee roasting"
    )
    prompt = system_prompt(brand=brand)
    assert "other brand" not in prompt.lower()
    assert "You write social media posts for Bean There." in prompt
    assert "Industry, in the brand's words: Coffee roasting." in prompt


def test_an_overlong_own_description_is_refused(brand):
    industries = seeded()
    with pytest.raises(Exception, match="under 300 characters"):
        services.brand_set_industry(brand=brand, industry_id=industries["other"].pk, description="x" * 301)


def onboarded(brand, industry):
    services.brand_set_industry(brand=brand, industry_id=industry.pk)
    services.brand_set_pillars(brand=brand, pillars=["Great coffee for busy teams"])
    services.brand_set_audience(brand=brand, roles=["Office manager"], geographies=[], company_sizes=[])
    return services.brand_set_preferences(
        brand=brand,
        posts_per_week=3,
        preferred_days=[0],
        time_windows=["09:00-11:00"],
        timezone_name="UTC",
        default_tone="friendly",
    )


def test_settings_offer_the_same_search_and_save_new_own_words(owner_client, brand):
    industries = seeded()
    onboarded(brand, industries["other"])
    url = reverse("brands:settings_section", args=[brand.pk, "industry"])
    page = owner_client.get(reverse("brands:settings", args=[brand.pk])).content.decode()
    assert "data-industry-search hidden" in page and 'name="industry_description"' in page
    owner_client.post(
        url,
        {"action": "save", "industry": "Food & beverage", "industry_description": "Coffee roasting"},
        HTTP_HX_REQUEST="true",
    )
    brand = Brand.objects.get(pk=brand.pk)
    assert (brand.industry.slug, brand.industry_description) == ("food-beverage", "Coffee roasting")
