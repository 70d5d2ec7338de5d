"""Topics to keep out in the browser (issue 18): the owner adds a "Not about" topic in settings and
sees it saved, then tries one too many and sees the error next to the field, the entries kept."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from apps.brands.models import Brand, Industry
from tests.e2e.conftest import screenshot
from tests.e2e.test_accounts_journeys import log_in
from tests.e2e.test_onboarding import tags_entry
from tests.factories import BrandFactory, BrandUserFactory, MembershipFactory

pytestmark = pytest.mark.django_db(transaction=True)


def payroll_brand():
    user = BrandUserFactory(email="rosa@payfold.example", display_name="Rosa Lind")
    industry, _ = Industry.objects.get_or_create(slug="hr", defaults={"name": "HR and people"})
    brand = BrandFactory(
        name="Payfold",
        industry=industry,
        pillars=["Payroll that runs itself", "Tax filings without the stress"],
        audience_roles=["HR leads", "Founders"],
        onboarding_completed_at=timezone.now(),
    )
    MembershipFactory(brand=brand, user=user)
    return user, brand


def test_the_owner_adds_a_negative_topic_in_settings_and_sees_it_saved(page, site_server):
    user, brand = payroll_brand()
    log_in(page, user.email)
    page.goto(f"/brand/{brand.pk}/settings/")
    page.get_by_role("link", name="Topics to keep out").click()
    section = page.locator("section#pillars")
    expect(section.get_by_role("group", name="Topics to keep out")).to_be_visible()

    entry = tags_entry(page, "id_negative_topics")
    entry.fill("sports team payrolls")
    entry.press("Enter")
    expect(section.locator(".tag-chip", has_text="sports team payrolls")).to_be_visible()
    section.get_by_role("button", name="Save pillars and topics").click()
    expect(section).to_contain_text("Messaging pillars saved.")
    assert Brand.objects.get(pk=brand.pk).negative_topics == ["sports team payrolls"]

    page.reload()
    chip = page.locator("section#pillars .tag-chip", has_text="sports team payrolls")
    expect(chip).to_be_visible()
    screenshot(page, "settings-topics-to-keep-out")

    # One too many: the error sits next to "Not about" and the chips are all still there.
    entry = tags_entry(page, "id_negative_topics")
    for topic in ("NFL salary cap", "football transfers", "player wages", "team budgets", "club finances"):
        entry.fill(topic)
        entry.press("Enter")
    page.locator("section#pillars").get_by_role("button", name="Save pillars and topics").click()
    field = page.locator(".field", has=page.locator("#id_negative_topics"))
    expect(field.locator(".field-error")).to_contain_text("At most 5 topics; you gave 6.")
    expect(field.locator(".tag-chip")).to_have_count(6)
    assert Brand.objects.get(pk=brand.pk).negative_topics == ["sports team payrolls"]
