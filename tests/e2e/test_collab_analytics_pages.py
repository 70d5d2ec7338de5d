"""Delivered collaborations in the browser: the brand opens Analytics and the Collaboration ROI
section arrives by htmx with its chart drawn, follows it to set its prices (a bad one shown next to
its field); the influencer opens Analytics from the nav and sees their charts; the public profile
draws the reputation history without a script. Screenshots: test-artifacts/collab-*.png."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from apps.collaborations.models import CollaborationSettings
from tests.collaborations.measure_fixtures import delivered
from tests.e2e.conftest import screenshot
from tests.e2e.test_accounts_journeys import log_in
from tests.factories import BrandFactory, BrandUserFactory, InfluencerProfileFactory, MembershipFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def delivered_world():
    owner = BrandUserFactory(email="noor@ledgerly.example", display_name="Noor")
    brand = BrandFactory(name="Ledgerly", created_by=owner, timezone="Europe/Berlin")
    MembershipFactory(brand=brand, user=owner)
    ivy = InfluencerProfileFactory(slug="ivy", display_name="Ivy Creates")
    other = InfluencerProfileFactory(slug="omar", display_name="Omar Books")
    delivered(brand, owner, ivy, impressions=2400, likes=120, paid=True)
    delivered(brand, owner, other, impressions=900, likes=20)
    delivered(brand, owner, ivy, impressions=1800, likes=60)
    delivered(brand, owner, ivy, impressions=700, likes=30, final=False)
    return brand, owner, ivy


def test_the_brand_sees_collaboration_roi_on_its_analytics_and_sets_its_prices(new_page, delivered_world):
    brand, owner, _ = delivered_world
    page = new_page()
    log_in(page, owner.email)
    page.goto(f"/brand/{brand.pk}/analytics/")
    section = page.locator("#collaboration-roi")
    expect(section).to_be_visible()
    expect(section.locator("#ca-roi-table tbody tr")).to_have_count(4)
    expect(section.locator("[data-chart='chart-collab-roi'] canvas")).to_have_count(1)
    section.scroll_into_view_if_needed()
    screenshot(page, "collab-brand-analytics-roi")

    section.get_by_role("link", name="Set your prices").click()
    page.fill("#id_cpm", "8.005")
    page.click("button:has-text('Save prices')")
    expect(page.locator("#id_cpm_error")).to_contain_text("2 decimal places")
    expect(page.locator("#id_cpm")).to_have_value("8.005")
    screenshot(page, "collab-brand-prices-error")
    page.fill("#id_cpm", "12.00")
    page.click("button:has-text('Save prices')")
    expect(page.locator(".flash, [role=status]").first).to_contain_text("Prices saved")
    assert CollaborationSettings.objects.get(brand=brand).cpm_minor == 1200


def test_the_influencer_sees_their_analytics_and_public_reputation(new_page, delivered_world):
    _, _, ivy = delivered_world
    page = new_page()
    log_in(page, ivy.user.email)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Analytics").click()
    expect(page).to_have_url("/influencer/analytics/")
    for chart in ("chart-engagement", "chart-earnings", "chart-reputation"):
        expect(page.locator(f"[data-chart='{chart}'] canvas")).to_have_count(1)
    expect(page.locator("#ca-reposts tbody tr")).to_have_count(3)
    expect(page.locator("#ca-earnings")).to_contain_text("EUR")
    screenshot(page, "collab-influencer-analytics")

    page.goto("/influencer/@ivy/")
    expect(page.locator("#reputation-chart circle.rep-dot")).to_have_count(2)
    expect(page.locator("#delivered-list li")).to_have_count(2)
    page.locator("#reputation-chart").scroll_into_view_if_needed()
    screenshot(page, "collab-public-reputation")
