"""Trends in the browser: staff press "Refresh trends now" and watch the run reach 100% live, then a
fintech brand opens its dashboard and finds recommendation cards with the four score parts.

This module runs a server of its own whose worker fetches from the offline demo set
(TREND_SOURCES=offline: a few hundred realistic items, no network), so the real pipeline runs:
MiniLM embeddings, dedupe, snapshots, scoring.
"""

import importlib
import re

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import expect

from apps.brands.models import Industry
from apps.trends.models import BrandTrendScore, Decision, RunStatus, TrendRefreshRun
from tests.e2e.conftest import run_site_server, screenshot
from tests.e2e.test_accounts_journeys import log_in
from tests.factories import BrandFactory, BrandUserFactory, MembershipFactory, StaffFactory

pytestmark = pytest.mark.django_db(transaction=True)

SEEDED_INDUSTRIES = importlib.import_module(
    "apps.brands.migrations.0003_seed_industries_and_sandbox"
).INDUSTRIES
# Loading the model, embedding a few hundred items and scoring: well under a minute on a laptop.
RUN_TIMEOUT_MS = 180_000


@pytest.fixture(scope="module")
def site_server(django_db_setup, django_db_blocker, tmp_path_factory, fake_oauth_server):
    """This module's own server: the same as everyone's, with the offline trend source."""
    with run_site_server(
        tmp_path_factory, fake_oauth_server, extra_env={"TREND_SOURCES": "offline"}
    ) as server:
        yield server


def fintech_brand():
    # Industries are seeded by a migration; transactional tests before this one may have flushed them.
    for slug, name, description, order in SEEDED_INDUSTRIES:
        Industry.objects.update_or_create(
            slug=slug, defaults={"name": name, "description": description, "sort_order": order}
        )
    user = BrandUserFactory(email="maya@ledgerly.example", display_name="Maya Chen")
    brand = BrandFactory(
        name="Ledgerly",
        industry=Industry.objects.get(slug="fintech"),
        pillars=[
            "Instant payments for small businesses",
            "Faster cash flow for SMEs",
            "Open banking you can trust",
        ],
        audience_roles=["CFOs", "Founders", "Finance managers"],
        audience_geographies=["Europe", "United Kingdom"],
        audience_company_sizes=["1-50 employees"],
        onboarding_completed_at=timezone.now(),
    )
    MembershipFactory(brand=brand, user=user)
    return user, brand


def test_staff_refresh_runs_live_and_the_brand_sees_scored_recommendations(new_page, site_server):
    if not settings.USE_REDIS:
        pytest.skip("needs a real worker and a channel layer shared between processes (Redis)")
    brand_user, brand = fintech_brand()
    staff = StaffFactory(email="ops@social-medai.example", display_name="Sam Ops")

    ops = new_page()
    log_in(ops, staff.email)
    ops.goto("/staff/trends/")
    expect(ops.get_by_role("heading", name="Trend operations")).to_be_visible()
    expect(ops.get_by_text("No refresh has run yet")).to_be_visible()
    ops.wait_for_selector("#trend-ops-live[data-live='open']")
    screenshot(ops, "trends-ops-empty")

    # A marker that a reload would wipe: everything below must arrive over the WebSocket.
    ops.evaluate("window.stillTheSamePage = true")
    ops.get_by_role("button", name="Refresh trends now").click()
    expect(ops.locator(".trend-current-run .flash")).to_contain_text("requested")
    run = TrendRefreshRun.objects.get()
    progress = ops.locator(f"#trend-run-{run.pk}")
    expect(progress).to_be_visible()
    expect(progress.locator(".run-stage")).not_to_have_text("Waiting for a worker", timeout=RUN_TIMEOUT_MS)
    screenshot(ops, "trends-ops-running")
    expect(progress).to_have_attribute("data-status", "succeeded", timeout=RUN_TIMEOUT_MS)
    expect(progress.locator(".run-percent")).to_have_text("100%")
    expect(progress.locator(".run-stage")).to_have_text("Done")
    assert ops.evaluate("window.stillTheSamePage") is True
    expect(progress.locator(".run-source")).to_contain_text("Offline demo set")
    expect(progress.locator(".run-source .badge")).to_have_text("ok")
    # The finished run asks for the tables again: the run and the source's health are listed.
    expect(ops.locator("#trend-ops-tables")).to_contain_text(f"#{run.pk}")
    expect(ops.locator("#trend-ops-tables")).to_contain_text("Offline demo set")
    screenshot(ops, "trends-ops-done")

    run.refresh_from_db()
    assert run.status == RunStatus.SUCCEEDED and run.items_fetched > 100 and run.trends_created > 20
    assert BrandTrendScore.objects.filter(brand=brand, decision=Decision.RECOMMEND).exists()

    page = new_page()
    log_in(page, brand_user.email)
    expect(page).to_have_url(re.compile(r"/brand/$"))
    section = page.locator("#trend-recommendations")
    expect(section.get_by_role("heading", name="Trends for Ledgerly")).to_be_visible()
    cards = section.locator(".trend-card")
    expect(cards.first).to_be_visible()
    assert 1 <= cards.count() <= 5
    first = cards.first
    for label in ("Relevance", "Opportunity", "Format fit", "Learned reward"):
        expect(first.locator(".score-parts")).to_contain_text(label)
    expect(first.locator(".trend-final")).to_have_text(re.compile(r"^0\.\d\d$"))
    expect(first.locator(".sparkline")).to_be_visible()
    expect(first.locator(".trend-links a").first).to_have_attribute("target", "_blank")
    screenshot(page, "trends-dashboard")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "trends-dashboard-phone")
    page.set_viewport_size({"width": 1280, "height": 860})

    # Not for us, then undo, without leaving the page.
    title = first.locator(".trend-title").inner_text()
    first.get_by_role("button", name=re.compile("Not for us")).click()
    expect(section.locator(".trend-undo")).to_contain_text("is hidden from Ledgerly's trends")
    expect(section.locator(".trend-title", has_text=title)).to_have_count(0)
    screenshot(page, "trends-dashboard-dismissed")
    section.locator(".trend-undo").get_by_role("button", name="Undo").click()
    expect(section.locator(".trend-title", has_text=title)).to_have_count(1)

    # The trend's own page: chart, snapshots, mentions and this brand's score.
    section.locator(".trend-title a").first.click()
    expect(page).to_have_url(re.compile(r"/trends/\d+/"))
    expect(page.locator(".snapshot-chart")).to_be_visible()
    expect(page.locator("#trend-brand-score")).to_contain_text("For Ledgerly")
    expect(page.locator("#trend-brand-score .score-parts")).to_contain_text("Learned reward")
    screenshot(page, "trends-trend-page")

    # Staff see the same trend with every brand it was scored for.
    ops.goto(page.url.split("?")[0])
    expect(ops.get_by_role("heading", name="Brands it was scored for")).to_be_visible()
    expect(ops.locator("table").last).to_contain_text("Ledgerly")
    screenshot(ops, "trends-trend-page-staff")
