"""The onboarding wizard through its pages: each step saves and moves on, bad input saves nothing
and says why next to the field, the wizard resumes where the brand left it, and it is 404 for
anyone outside the brand."""

import html
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from apps.brands import services
from apps.brands.models import Brand, Industry, OnboardingStep, Tone
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

VOICE_SAMPLES = [
    "We just shipped faster month-end close for finance teams! 🚀 #fintech #closing",
    "Finance teams deserve better tools. Month-end close in days, not weeks. #fintech",
    "How does your finance team handle month-end close? Tell us below. #fintech",
]


def step_url(brand, step):
    return reverse("brands:onboarding_step", args=[brand.pk, step])


def industry(slug):
    """A seeded industry (a data migration adds them; transactional tests may have flushed it)."""
    return Industry.objects.get_or_create(slug=slug, defaults={"name": slug.title()})[0]


def fresh(brand):
    return Brand.objects.get(pk=brand.pk)


def png(color=(30, 64, 175), size=(64, 64), name="logo.png"):
    buffer = io.BytesIO()
    image = Image.new("RGB", size, (255, 255, 255))
    image.paste(color, (8, 8, size[0] - 8, size[1] - 8))
    image.save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def at_step(brand, step):
    """The brand as if the wizard had reached `step` (with the required steps before it done)."""
    if step >= OnboardingStep.PREFERENCES:
        brand.industry = industry("fintech")
        brand.pillars, brand.audience_roles = ["Close the books faster"], ["CFO"]
    brand.onboarding_step = step
    brand.save()
    return brand


def onboarded(brand):
    services.brand_set_industry(brand=brand, industry_id=industry("fintech").pk)
    services.brand_set_pillars(brand=brand, pillars=["Close the books faster"])
    services.brand_set_audience(brand=brand, roles=["CFO"], geographies=["Germany"], company_sizes=[])
    services.brand_set_voice_samples(brand=brand, samples=VOICE_SAMPLES)
    return services.brand_set_preferences(
        brand=brand,
        posts_per_week=3,
        preferred_days=[1, 3],
        time_windows=["09:00-11:00"],
        timezone_name="Europe/Berlin",
        default_tone=Tone.FRIENDLY,
    )


@pytest.fixture
def owner_client(client, brand_user):
    client.force_login(brand_user)
    return client


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


# --- Entering the wizard ---------------------------------------------------------------------------


def test_creating_a_brand_leads_into_the_wizard_at_the_industry_step(owner_client, brand_user):
    response = owner_client.post(reverse("brands:create"), {"name": "Northwind"})
    brand = Brand.objects.get(memberships__user=brand_user)
    assert response.status_code == 302
    assert response["Location"] == step_url(brand, 2)


def test_the_wizard_address_opens_the_furthest_step_reached(owner_client, brand):
    at_step(brand, OnboardingStep.PILLARS)
    response = owner_client.get(reverse("brands:onboarding", args=[brand.pk]))
    assert response["Location"] == step_url(brand, 4)


def test_a_later_step_by_url_redirects_back_to_the_furthest_step(owner_client, brand):
    response = owner_client.get(step_url(brand, 6))
    assert response.status_code == 302
    assert response["Location"] == step_url(brand, 2)


def test_an_earlier_step_can_be_revisited(owner_client, brand):
    at_step(brand, OnboardingStep.AUDIENCE)
    response = owner_client.get(step_url(brand, 1))
    assert response.status_code == 200
    assert response.context["step"].number == 1


def test_a_step_that_does_not_exist_is_404(owner_client, brand):
    assert owner_client.get(step_url(brand, 9)).status_code == 404


def test_progress_links_only_the_steps_reached(owner_client, brand):
    at_step(brand, OnboardingStep.IDENTITY)
    content = owner_client.get(step_url(brand, 3)).content.decode()
    assert f'href="{step_url(brand, 2)}"' in content
    assert "Step 3</strong> of 8" in content
    assert f'href="{step_url(brand, 4)}"' not in content
    assert f'href="{step_url(brand, 8)}"' not in content


def test_another_brands_wizard_is_404(owner_client, other_brand):
    assert owner_client.get(reverse("brands:onboarding", args=[other_brand.pk])).status_code == 404
    assert owner_client.get(step_url(other_brand, 2)).status_code == 404
    assert owner_client.post(step_url(other_brand, 1), {"name": "Mine now"}).status_code == 404
    assert owner_client.get(reverse("brands:onboarding_done", args=[other_brand.pk])).status_code == 404
    assert owner_client.get(reverse("brands:logo", args=[other_brand.pk])).status_code == 404
    assert owner_client.post(reverse("brands:logo_colors", args=[other_brand.pk])).status_code == 404
    assert fresh(other_brand).name != "Mine now"


def test_influencers_cannot_open_the_wizard(client, influencer, brand):
    client.force_login(influencer)
    assert client.get(step_url(brand, 2)).status_code == 403


# --- Each step: valid input saves and moves on ---------------------------------------------------


def test_name_step_saves_the_name(owner_client, brand):
    response = owner_client.post(step_url(brand, 1), {"name": "Northwind Analytics"})
    assert response["Location"] == step_url(brand, 2)
    assert fresh(brand).name == "Northwind Analytics"


def test_industry_step_offers_active_industries_as_radio_cards(owner_client, brand):
    industry("fintech")
    Industry.objects.create(slug="retired", name="Retired industry", is_active=False)
    content = owner_client.get(step_url(brand, 2)).content.decode()
    assert 'type="radio" name="industry"' in content
    assert "Fintech" in content
    assert "Retired industry" not in content


def test_industry_step_saves_and_moves_to_logo_and_colours(owner_client, brand):
    fintech = industry("fintech")
    response = owner_client.post(step_url(brand, 2), {"industry": fintech.pk})
    assert response["Location"] == step_url(brand, 3)
    brand = fresh(brand)
    assert brand.industry == fintech
    assert brand.onboarding_step == OnboardingStep.IDENTITY


def test_identity_step_saves_logo_and_colours(owner_client, brand, media):
    at_step(brand, OnboardingStep.IDENTITY)
    response = owner_client.post(
        step_url(brand, 3),
        {"logo": png(), "primary_color": "#1e40af", "secondary_color": "#F97316"},
    )
    assert response["Location"] == step_url(brand, 4)
    brand = fresh(brand)
    assert (brand.primary_color, brand.secondary_color) == ("#1E40AF", "#F97316")
    assert (media / brand.logo.name).exists()


def test_identity_step_takes_a_changed_colour_picker_when_the_hex_field_was_left_alone(owner_client, brand):
    at_step(brand, OnboardingStep.IDENTITY)
    owner_client.post(
        step_url(brand, 3),
        {
            "primary_color": brand.primary_color,
            "primary_color_picker": "#112233",
            "secondary_color": "#0EA5E9",
            "secondary_color_picker": "#0ea5e9",
        },
    )
    assert fresh(brand).primary_color == "#112233"


def test_identity_step_suggests_colours_from_the_saved_logo(owner_client, brand, media):
    at_step(brand, OnboardingStep.IDENTITY)
    services.brand_set_identity(brand=brand, primary_color="#000000", secondary_color="#000000", logo=png())
    content = owner_client.get(step_url(brand, 3)).content.decode()
    assert "Suggested from your logo" in content
    assert 'data-swatch="#1E40AF"' in content


def test_logo_colour_suggestions_come_from_the_picked_file_without_saving_it(owner_client, brand, media):
    response = owner_client.post(
        reverse("brands:logo_colors", args=[brand.pk]), {"logo": png(color=(220, 38, 38))}
    )
    content = response.content.decode()
    assert "Suggested from your logo" in content
    assert 'data-swatch="#DC2626"' in content
    assert 'hx-swap-oob="true"' in content  # the preview of the picked logo
    assert not fresh(brand).logo


def test_logo_colour_suggestions_explain_a_file_that_is_not_an_image(owner_client, brand):
    bad = SimpleUploadedFile("logo.png", b"not an image at all", content_type="image/png")
    response = owner_client.post(reverse("brands:logo_colors", args=[brand.pk]), {"logo": bad})
    assert "not an image we can read" in response.content.decode()


def test_the_logo_is_served_to_members(owner_client, brand, media):
    services.brand_set_identity(brand=brand, primary_color="#000000", secondary_color="#000000", logo=png())
    response = owner_client.get(reverse("brands:logo", args=[brand.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"


def test_pillars_step_saves_one_to_five_statements(owner_client, brand):
    at_step(brand, OnboardingStep.PILLARS)
    response = owner_client.post(
        step_url(brand, 4), {"pillars": ["Close the books faster", "", "  Security built in  "]}
    )
    assert response["Location"] == step_url(brand, 5)
    assert fresh(brand).pillars == ["Close the books faster", "Security built in"]


def test_add_pillar_without_javascript_shows_another_input_and_saves_nothing(owner_client, brand):
    at_step(brand, OnboardingStep.PILLARS)
    data = {"pillars": ["One", "Two", "Three"], "action": "add"}
    response = owner_client.post(step_url(brand, 4), data)
    assert response.status_code == 200
    assert response.context["rows"] == ["One", "Two", "Three", ""]
    assert fresh(brand).pillars == []


def test_pillar_inputs_stop_at_five(owner_client, brand):
    at_step(brand, OnboardingStep.PILLARS)
    data = {"pillars": ["1", "2", "3", "4", "5"], "action": "add"}
    response = owner_client.post(step_url(brand, 4), data)
    assert len(response.context["rows"]) == 5
    assert "data-repeat-add hidden" in response.content.decode()


def test_audience_step_saves_the_tags(owner_client, brand):
    at_step(brand, OnboardingStep.AUDIENCE)
    response = owner_client.post(
        step_url(brand, 5),
        {"roles": "CFO, Finance director", "geographies": "Germany, Austria", "company_sizes": "51-200"},
    )
    assert response["Location"] == step_url(brand, 6)
    brand = fresh(brand)
    assert brand.audience_roles == ["CFO", "Finance director"]
    assert brand.audience_geographies == ["Germany", "Austria"]
    assert brand.audience_company_sizes == ["51-200"]


def test_accounts_step_shows_the_sandbox_account_and_the_connect_buttons(owner_client, brand_user):
    brand = services.brand_create(user=brand_user, name="Northwind")
    at_step(brand, OnboardingStep.ACCOUNTS)
    content = owner_client.get(step_url(brand, 6)).content.decode()
    assert f"@{brand.slug}" in content
    assert "Always connected" in content
    assert 'id="connect-buttons"' in content


def test_accounts_step_continue_moves_on_without_connecting(owner_client, brand):
    at_step(brand, OnboardingStep.ACCOUNTS)
    response = owner_client.post(step_url(brand, 6), {"action": "save"})
    assert response["Location"] == step_url(brand, 7)
    assert fresh(brand).onboarding_step == OnboardingStep.VOICE


def test_voice_step_learns_the_voice_from_past_posts(owner_client, brand):
    at_step(brand, OnboardingStep.VOICE)
    response = owner_client.post(step_url(brand, 7), {"samples": VOICE_SAMPLES})
    assert response["Location"] == step_url(brand, 8)
    brand = fresh(brand)
    assert brand.voice_samples == VOICE_SAMPLES
    assert brand.voice_profile["samples"] == 3


def test_voice_step_can_be_skipped(owner_client, brand):
    at_step(brand, OnboardingStep.VOICE)
    response = owner_client.post(step_url(brand, 7), {"samples": ["ignored"], "action": "skip"})
    assert response["Location"] == step_url(brand, 8)
    brand = fresh(brand)
    assert brand.voice_samples == []
    assert brand.onboarding_step == OnboardingStep.PREFERENCES


def test_preferences_step_offers_every_time_zone_and_asks_the_browser_for_a_new_brand(owner_client, brand):
    at_step(brand, OnboardingStep.PREFERENCES)
    content = owner_client.get(step_url(brand, 8)).content.decode()
    assert '<option value="Europe/Berlin">' in content
    assert "data-browser-timezone" in content
    assert content.count('name="default_tone"') == len(Tone.choices)


def test_preferences_step_finishes_onboarding_and_shows_the_summary(owner_client, brand):
    at_step(brand, OnboardingStep.PREFERENCES)
    response = owner_client.post(
        step_url(brand, 8),
        {
            "posts_per_week": "4",
            "preferred_days": ["1", "3"],
            "time_windows": "09:00-11:00, 14:00-15:30",
            "timezone": "Europe/Berlin",
            "default_tone": "witty",
        },
    )
    assert response["Location"] == reverse("brands:onboarding_done", args=[brand.pk])
    brand = fresh(brand)
    assert brand.is_onboarded
    assert (brand.posts_per_week, brand.preferred_days) == (4, [1, 3])
    assert brand.preferred_time_windows == ["09:00-11:00", "14:00-15:30"]
    assert (brand.timezone, brand.default_tone) == ("Europe/Berlin", "witty")


# --- Each step: bad input saves nothing and the error sits next to the field -----------------


def assert_error_next_to(response, field, text):
    assert response.status_code == 200
    assert any(text in error for error in response.context["form"].errors[field])
    content = html.unescape(response.content.decode())
    assert f'id="{field}_error"' in content or f'id="id_{field}_error"' in content
    assert text in content


def test_blank_name_is_refused(owner_client, brand):
    response = owner_client.post(step_url(brand, 1), {"name": "  "})
    assert_error_next_to(response, "name", "Enter your brand's name.")
    assert fresh(brand).name == brand.name


def test_missing_industry_is_refused(owner_client, brand):
    response = owner_client.post(step_url(brand, 2), {})
    assert_error_next_to(response, "industry", "Choose your industry.")
    assert fresh(brand).onboarding_step == OnboardingStep.INDUSTRY


def test_a_file_that_is_not_an_image_saves_nothing(owner_client, brand, media):
    at_step(brand, OnboardingStep.IDENTITY)
    bad = SimpleUploadedFile(
        "logo.png", b"<svg xmlns='http://www.w3.org/2000/svg'/>", content_type="image/png"
    )
    response = owner_client.post(
        step_url(brand, 3), {"logo": bad, "primary_color": "#112233", "secondary_color": "#445566"}
    )
    assert_error_next_to(response, "logo", "not an image")
    brand = fresh(brand)
    assert not brand.logo
    assert brand.primary_color == "#4F46E5"
    assert brand.onboarding_step == OnboardingStep.IDENTITY


def test_a_bad_colour_is_refused(owner_client, brand):
    at_step(brand, OnboardingStep.IDENTITY)
    response = owner_client.post(step_url(brand, 3), {"primary_color": "blue", "secondary_color": "#445566"})
    assert_error_next_to(response, "primary_color", "Use a colour like")
    assert fresh(brand).secondary_color == "#0EA5E9"


def test_more_than_five_pillars_are_refused(owner_client, brand):
    at_step(brand, OnboardingStep.PILLARS)
    response = owner_client.post(step_url(brand, 4), {"pillars": ["1", "2", "3", "4", "5", "6"]})
    assert_error_next_to(response, "pillars", "At most 5 pillars")
    assert fresh(brand).pillars == []


def test_no_pillars_at_all_are_refused(owner_client, brand):
    at_step(brand, OnboardingStep.PILLARS)
    response = owner_client.post(step_url(brand, 4), {"pillars": ["", " "]})
    assert_error_next_to(response, "pillars", "at least one messaging pillar")


def test_an_audience_without_roles_is_refused(owner_client, brand):
    at_step(brand, OnboardingStep.AUDIENCE)
    response = owner_client.post(step_url(brand, 5), {"roles": "", "geographies": "Germany"})
    assert_error_next_to(response, "roles", "Add at least one role")
    assert fresh(brand).audience_geographies == []


def test_more_than_five_past_posts_are_refused(owner_client, brand):
    at_step(brand, OnboardingStep.VOICE)
    response = owner_client.post(step_url(brand, 7), {"samples": [f"Post {n}" for n in range(6)]})
    assert_error_next_to(response, "samples", "At most 5 past posts")
    assert fresh(brand).voice_samples == []


def test_an_unknown_time_zone_saves_no_preference(owner_client, brand):
    at_step(brand, OnboardingStep.PREFERENCES)
    response = owner_client.post(
        step_url(brand, 8),
        {
            "posts_per_week": "5",
            "preferred_days": ["0"],
            "time_windows": "09:00-11:00",
            "timezone": "Mars/Olympus_Mons",
            "default_tone": "bold",
        },
    )
    assert_error_next_to(response, "timezone", "not a known time zone")
    brand = fresh(brand)
    assert not brand.is_onboarded
    assert (brand.posts_per_week, brand.default_tone) == (3, "professional")


def test_a_bad_time_window_is_refused(owner_client, brand):
    at_step(brand, OnboardingStep.PREFERENCES)
    response = owner_client.post(
        step_url(brand, 8),
        {
            "posts_per_week": "3",
            "preferred_days": ["0"],
            "time_windows": "11:00-09:00",
            "timezone": "UTC",
            "default_tone": "bold",
        },
    )
    assert_error_next_to(response, "time_windows", "is not a window like")


# --- htmx ---------------------------------------------------------------------------------------


def test_with_htmx_a_step_comes_as_the_wizard_panel_and_sets_the_address(owner_client, brand):
    response = owner_client.get(step_url(brand, 2), HTTP_HX_REQUEST="true")
    content = response.content.decode()
    assert "<html" not in content
    assert 'class="wizard-layout"' in content
    assert response["HX-Push-Url"] == step_url(brand, 2)


def test_with_htmx_an_error_comes_back_in_the_panel(owner_client, brand):
    response = owner_client.post(step_url(brand, 2), {}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "<html" not in response.content.decode()
    assert "Choose your industry." in response.content.decode()


def test_with_htmx_finishing_sends_the_browser_to_the_summary(owner_client, brand):
    at_step(brand, OnboardingStep.PREFERENCES)
    response = owner_client.post(
        step_url(brand, 8),
        {
            "posts_per_week": "3",
            "preferred_days": ["0"],
            "time_windows": "09:00-11:00",
            "timezone": "UTC",
            "default_tone": "bold",
        },
        HTTP_HX_REQUEST="true",
    )
    assert response["HX-Redirect"] == reverse("brands:onboarding_done", args=[brand.pk])


# --- Resuming and the summary -------------------------------------------------------------------


def test_after_logging_out_and_in_the_dashboard_points_to_the_furthest_step(client, brand_user):
    assert client.login(email=brand_user.email, password=PASSWORD)
    client.post(reverse("brands:create"), {"name": "Northwind"})
    brand = Brand.objects.get(memberships__user=brand_user)
    client.post(step_url(brand, 2), {"industry": industry("tech").pk})
    client.post(step_url(brand, 3), {"primary_color": "#112233", "secondary_color": "#445566"})
    client.logout()

    assert client.login(email=brand_user.email, password=PASSWORD)
    content = client.get(reverse("brands:dashboard")).content.decode()
    assert "Continue setup — step 4 of 8: Messaging pillars" in content
    assert f'href="{step_url(brand, 4)}"' in content
    assert client.get(reverse("brands:onboarding", args=[brand.pk]))["Location"] == step_url(brand, 4)


def test_an_onboarded_brand_has_no_setup_card_on_the_dashboard(owner_client, brand):
    onboarded(brand)
    content = owner_client.get(reverse("brands:dashboard")).content.decode()
    assert "Continue setup" not in content
    assert reverse("brands:settings", args=[brand.pk]) in content
    assert reverse("brands:members", args=[brand.pk]) in content


def test_the_summary_waits_until_setup_is_finished(owner_client, brand):
    at_step(brand, OnboardingStep.PILLARS)
    response = owner_client.get(reverse("brands:onboarding_done", args=[brand.pk]))
    assert response["Location"] == step_url(brand, 4)


def test_the_summary_shows_the_profile_and_the_voice_in_words(owner_client, brand):
    onboarded(brand)
    content = owner_client.get(reverse("brands:onboarding_done", args=[brand.pk])).content.decode()
    assert "Fintech" in content
    assert "Close the books faster" in content
    assert "#4F46E5" in content
    assert "Tuesday, Thursday" in content
    assert "Europe/Berlin" in content
    assert "Typical post: about" in content
    assert "Recurring phrases" in content


def test_the_summary_without_past_posts_invites_adding_them(owner_client, brand):
    onboarded(brand)
    services.brand_set_voice_samples(brand=brand, samples=[])
    content = owner_client.get(reverse("brands:onboarding_done", args=[brand.pk])).content.decode()
    assert "Add past posts to learn your voice" in content


def test_an_onboarded_brands_wizard_address_opens_the_summary(owner_client, brand):
    onboarded(brand)
    response = owner_client.get(reverse("brands:onboarding", args=[brand.pk]))
    assert response["Location"] == reverse("brands:onboarding_done", args=[brand.pk])
