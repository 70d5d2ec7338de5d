"""Analytics in the browser: a brand user with three months of posts on X and LinkedIn (and some in
the sandbox) opens Analytics from the nav, sees the charts drawn, the heatmap and the advice,
switches the period and the sandbox view without a reload, downloads the CSV; staff open the
platform page. Screenshots: test-artifacts/analytics-*.png."""

from __future__ import annotations

import csv
import io
import random
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from apps.analytics.rewards import engagement_rate_of, reward_of
from tests.analytics.analytics_data import meme, published, trend
from tests.e2e.conftest import screenshot
from tests.e2e.test_accounts_journeys import log_in
from tests.factories import BrandFactory, BrandUserFactory, MembershipFactory, StaffFactory

pytestmark = pytest.mark.django_db(transaction=True)
ZONE = "Europe/Berlin"


def post_numbers(rng: random.Random, rate: float) -> dict:
    """Counts that give about `rate` engagement, split as platforms split them."""
    impressions = rng.randint(900, 4200)
    engagements = max(1, round(impressions * rate))
    comments, shares = round(engagements * 0.12), round(engagements * 0.08)
    bookmarks = round(engagements * 0.05)
    likes = engagements - comments - shares - bookmarks
    numbers = {
        "likes": likes,
        "comments": comments,
        "shares": shares,
        "bookmarks": bookmarks,
        "impressions": impressions,
    }
    return {
        **numbers,
        "rate": engagement_rate_of(quotes=0, **numbers),
        "reward": reward_of(likes=likes, comments=comments, shares=shares, impressions=impressions),
    }


def three_months(brand):
    """About 55 real posts and 20 sandbox ones, the last 90 days: mornings mid-week do best,
    engagement rises lately."""
    rng = random.Random(9)
    zone, now = ZoneInfo(ZONE), timezone.now()
    topics = [
        trend("EU instant payments regulation takes effect", "regulation"),
        trend("Neobank raises $200M Series D", "markets"),
        trend("How to close the books in a day", "how_to"),
        trend("Open banking API outage", "breaking"),
        trend("Payments summit opens in Amsterdam", "events"),
    ]
    for i in range(75):
        days_ago = rng.uniform(0.3, 89)
        local = (now - timedelta(days=days_ago)).astimezone(zone)
        local = local.replace(
            hour=rng.choice([8, 9, 9, 10, 10, 12, 14, 16, 18]), minute=rng.choice([0, 15, 30])
        )
        good_slot = local.weekday() in (1, 2) and local.hour in (9, 10)
        rate = rng.uniform(0.006, 0.022) * (1.6 if good_slot else 1.0) * (1.2 if days_ago < 14 else 1.0)
        platform = "sandbox" if i % 4 == 3 else rng.choice(["x", "x", "linkedin"])
        numbers = post_numbers(rng, rate)
        published(
            brand,
            at=local,
            platform=platform,
            topic=rng.choice([*topics, None]),
            final=days_ago > 7,
            tone=rng.choice(["witty", "professional", "friendly"]),
            estimated=["shares", "impressions"] if platform == "linkedin" else [],
            **numbers,
        )


def test_a_brand_reads_its_analytics_and_staff_read_the_platforms(new_page, site_server, settings, tmp_path):
    user = BrandUserFactory(email="maya@ledgerly.example", display_name="Maya Chen")
    brand = BrandFactory(name="Ledgerly", timezone=ZONE, onboarding_completed_at=timezone.now())
    MembershipFactory(brand=brand, user=user)
    three_months(brand)

    page = new_page()
    log_in(page, user.email)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Analytics").click()
    expect(page).to_have_url(f"{site_server.url}/brand/{brand.pk}/analytics/")
    expect(page.get_by_role("heading", name="Analytics", exact=True)).to_be_visible()
    # The charts are drawn by the vendored uPlot: one canvas per chart.
    expect(page.locator(".an-chart canvas")).to_have_count(3)
    expect(page.locator(".an-heat .an-cell:not(.an-cell-empty)").first).to_be_visible()
    expect(page.locator(".an-suggested").first).to_be_visible()
    expect(page.locator(".an-advice-sentence")).to_contain_text("/week")
    expect(page.locator("#an-categories tbody tr").first).to_be_visible()
    screenshot(page, "analytics-brand")

    # 90 days, by week, without a reload; the address follows.
    page.get_by_role("link", name="90 days").click()
    expect(page).to_have_url(f"{site_server.url}/brand/{brand.pk}/analytics/?days=90&data=real")
    expect(page.get_by_text("Last 90 days, by week")).to_be_visible()
    expect(page.locator(".an-chart canvas")).to_have_count(3)

    # The sandbox, labelled as simulated.
    page.get_by_role("link", name="Sandbox (simulated)").click()
    expect(page.locator(".an-sandbox-note")).to_contain_text("simulated")
    expect(page.locator('.an-heat-block[data-platform="sandbox"]')).to_be_visible()
    expect(page.locator(".an-chart canvas")).to_have_count(3)
    screenshot(page, "analytics-brand-sandbox")

    # The CSV of what is shown.
    page.goto(f"/brand/{brand.pk}/analytics/?days=30&data=real")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Export CSV").click()
    download = download_info.value
    rows = list(csv.reader(io.StringIO(Path(download.path()).read_text(encoding="utf-8"))))
    assert rows[0][:3] == ["published_at", "platform", "post_id"]
    assert len(rows) > 5 and {row[1] for row in rows[1:]} <= {"X", "LinkedIn"}

    # On a phone the page fits the screen: wide tables scroll inside their cards.
    page.set_viewport_size({"width": 390, "height": 844})
    for path in (f"/brand/{brand.pk}/analytics/?days=30&data=real", f"/brand/{brand.pk}/learning/"):
        page.goto(path)
        expect(page.locator("main h1")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, path
    page.goto(f"/brand/{brand.pk}/analytics/?days=30&data=real")
    screenshot(page, "analytics-brand-phone")

    # Staff: the platform's numbers, with memes.
    from tests.analytics.analytics_data import meme_template

    settings.MEDIA_ROOT = tmp_path
    template = meme_template(settings, tmp_path)
    now = timezone.now()
    emoji = ("laugh", "fire", "heart", "clap", "skull")
    for day in range(16):
        for i in range(day % 3 + 1):
            meme(
                template,
                at=now - timedelta(days=day, hours=2 + i),
                votes=(1, 1, -1, 1)[: (day + i) % 4 + 1],
                reactions=emoji[: (day * 3 + i) % 5],
            )
    staff = StaffFactory(email="ops@social-medai.example", display_name="Sam Ops")
    ops = new_page()
    log_in(ops, staff.email)
    ops.goto("/staff/analytics/")
    expect(ops.get_by_role("heading", name="Platform analytics")).to_be_visible()
    expect(ops.locator(".an-chart canvas")).to_have_count(3)
    expect(ops.locator("#an-top-trends tbody tr").first).to_be_visible()
    screenshot(ops, "analytics-staff")
