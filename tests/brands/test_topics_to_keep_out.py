"""Topics to keep out (issue 18): "Not about" (negative topics) and "Never mention" (banned topics)
beside the messaging pillars, in settings and in the setup's pillars step. They save through the
pillars service, errors show next to their field with the entries kept, and a change rescores."""

import html
from unittest import mock

import pytest
from django.urls import reverse

from apps.brands import services
from apps.brands.forms import PillarsForm
from apps.brands.models import Brand
from tests.brands.test_settings_views import industry, onboarded, section_url
from tests.trends.conftest import make_trend

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner_client(client, brand_user):
    client.force_login(brand_user)
    return client


@pytest.fixture
def ready(brand):
    return onboarded(brand)


def fresh(brand):
    return Brand.objects.get(pk=brand.pk)


def save_section(client, brand, **fields):
    data = {"pillars": ["Close the books faster"], "negative_topics": "", "banned_topics": "", **fields}
    return client.post(section_url(brand, "pillars"), data)


def error_next_to(page: str, field: str) -> str:
    """The text of the error list that follows the field's input."""
    at = page.index(f'id="id_{field}"')
    start = page.index('class="errorlist field-error"', at)
    return html.unescape(page[start : page.index("</ul>", start)])


def test_settings_save_not_about_and_never_mention(owner_client, ready):
    response = save_section(
        owner_client, ready, negative_topics="sports team payrolls, NFL salary cap", banned_topics="crypto"
    )
    assert response.status_code == 302
    brand = fresh(ready)
    assert brand.negative_topics == ["sports team payrolls", "NFL salary cap"]
    assert brand.banned_topics == ["crypto"]
    assert brand.pillars == ["Close the books faster"]


def test_settings_show_the_saved_topics_in_their_fields(owner_client, ready):
    services.brand_set_pillars(
        brand=ready, pillars=ready.pillars, negative_topics=["sports team payrolls"], banned_topics=["crypto"]
    )
    page = html.unescape(owner_client.get(reverse("brands:settings", args=[ready.pk])).content.decode())
    assert "Topics to keep out" in page and 'href="#keep-out"' in page
    assert 'value="sports team payrolls"' in page and 'value="crypto"' in page
    assert "held back from your recommendations" in page and "sports team payrolls" in page


def test_more_than_five_negative_topics_are_refused_next_to_the_field(owner_client, ready):
    response = save_section(owner_client, ready, negative_topics="a1, b2, c3, d4, e5, f6")
    page = response.content.decode()
    assert response.status_code == 200
    assert "At most 5 topics; you gave 6." in error_next_to(page, "negative_topics")
    assert fresh(ready).negative_topics == []
    assert 'value="a1, b2, c3, d4, e5, f6"' in page  # kept for correcting


def test_a_negative_topic_over_120_characters_is_refused(owner_client, ready):
    response = save_section(owner_client, ready, negative_topics="x" * 121)
    assert "Keep each topic to 120 characters" in error_next_to(response.content.decode(), "negative_topics")
    assert fresh(ready).negative_topics == []


def test_more_than_ten_banned_topics_are_refused(owner_client, ready):
    words = ", ".join(f"word{i}" for i in range(11))
    response = save_section(owner_client, ready, banned_topics=words, negative_topics="payroll memes")
    assert "At most 10 topics; you gave 11." in error_next_to(response.content.decode(), "banned_topics")
    assert fresh(ready).banned_topics == [] and fresh(ready).negative_topics == []  # nothing half-saved


def test_the_service_refuses_what_the_form_would(ready):
    with pytest.raises(Exception, match="At most 5 topics"):
        services.brand_set_pillars(brand=ready, pillars=["P"], negative_topics=[f"t{i}" for i in range(6)])
    with pytest.raises(Exception, match="120 characters"):
        services.brand_set_pillars(brand=ready, pillars=["P"], banned_topics=["y" * 121])


def test_posting_only_pillars_keeps_the_topics(owner_client, ready):
    services.brand_set_pillars(brand=ready, pillars=ready.pillars, negative_topics=["sports team payrolls"])
    owner_client.post(section_url(ready, "pillars"), {"pillars": ["A new pillar"]})
    assert fresh(ready).pillars == ["A new pillar"]
    assert fresh(ready).negative_topics == ["sports team payrolls"]


def test_clearing_the_fields_clears_the_topics(owner_client, ready):
    services.brand_set_pillars(brand=ready, pillars=ready.pillars, negative_topics=["x"], banned_topics=["y"])
    save_section(owner_client, ready)
    assert fresh(ready).negative_topics == [] and fresh(ready).banned_topics == []


def test_saving_topics_asks_for_a_rescore(owner_client, ready, django_capture_on_commit_callbacks):
    make_trend("Payroll taxes change in April")  # a rescore needs an active trend to score
    with (
        mock.patch("apps.trends.tasks.brand_rescore.delay") as rescore,
        django_capture_on_commit_callbacks(execute=True),
    ):
        save_section(owner_client, ready, negative_topics="sports team payrolls")
    rescore.assert_called_once_with(ready.pk)


def test_the_setup_pillars_step_has_the_topics_too(owner_client, brand):
    services.brand_set_industry(brand=brand, industry_id=industry("fintech").pk)
    brand.onboarding_step = 4  # the pillars step (the logo and colours step is skipped here)
    brand.save(update_fields=["onboarding_step"])
    url = reverse("brands:onboarding_step", args=[brand.pk, 4])
    page = owner_client.get(url).content.decode()
    assert (
        "Topics to keep out" in page and 'name="negative_topics"' in page and 'name="banned_topics"' in page
    )
    owner_client.post(url, {"pillars": ["Payroll on time"], "negative_topics": "sports team payrolls"})
    assert fresh(brand).negative_topics == ["sports team payrolls"]


def test_the_form_reads_omitted_topic_fields_as_keep(brand):
    form = PillarsForm({"pillars": ["P"]}, brand=brand)
    assert form.is_valid()
    assert form.cleaned_data["negative_topics"] is None and form.cleaned_data["banned_topics"] is None
