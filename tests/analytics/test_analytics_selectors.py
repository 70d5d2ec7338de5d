"""Analytics aggregates against hand-made publications with known numbers: totals (real and
sandbox never mixed), over time in the brand's zone, best topics, the best-hours heatmap (the
scheduler's numbers), per platform, the posting-frequency rule, and the staff totals."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from apps.analytics.selectors import reports as selectors
from apps.publishing.selectors import best_time_suggestions
from tests.analytics.analytics_data import NOW, published, trend, utc
from tests.factories import BrandFactory, InfluencerFactory

pytestmark = pytest.mark.django_db
NEW_YORK = ZoneInfo("America/New_York")


@pytest.fixture
def brand():
    return BrandFactory(timezone="America/New_York")


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def window(days=30, data="real"):
    return selectors.analytics_window(days=days, data=data, now=NOW)


# --- the window ------------------------------------------------------------------------------------


def test_an_unknown_period_or_dataset_falls_back_to_30_days_of_real_posts():
    w = selectors.analytics_window(days="12", data="everything", now=NOW)
    assert (w.days, w.data, w.start, w.end) == (30, "real", NOW - timedelta(days=30), NOW)
    assert selectors.analytics_window(days="oops", data=None, now=NOW).days == 30
    assert selectors.analytics_window(days="90", data="sandbox", now=NOW).bucket == "week"


def test_the_default_dataset_is_the_sandbox_until_the_brand_publishes_for_real(brand):
    published(brand, at=NOW - timedelta(days=1), platform="sandbox")
    assert selectors.brand_default_dataset(brand=brand) == "sandbox"
    published(brand, at=NOW - timedelta(days=100), platform="linkedin")
    assert selectors.brand_default_dataset(brand=brand) == "real"


# --- totals -----------------------------------------------------------------------------------------


@pytest.fixture
def mixed(brand):
    """Four real posts in the last 30 days (one not measured yet) and, around them, posts that
    must not count: a sandbox one, one 40 days old, a failed one, another brand's."""
    day = timedelta(days=1)
    published(
        brand,
        at=NOW - day,
        rate=0.02,
        reward=1.0,
        likes=10,
        comments=2,
        shares=1,
        bookmarks=1,
        impressions=700,
    )
    published(
        brand,
        at=NOW - 2 * day,
        rate=0.04,
        reward=3.0,
        likes=20,
        comments=4,
        shares=3,
        quotes=1,
        impressions=1000,
        final=True,
    )
    published(
        brand,
        at=NOW - 3 * day,
        platform="linkedin",
        rate=0.06,
        reward=2.0,
        likes=30,
        comments=6,
        impressions=600,
    )
    published(brand, at=NOW - timedelta(hours=2), rate=None)
    published(brand, at=NOW - day, platform="sandbox", rate=0.5, reward=5.0, likes=999, impressions=2000)
    published(brand, at=NOW - 40 * day, rate=0.9, reward=5.0, likes=5000, impressions=5000)
    published(brand, at=NOW - day, rate=0.9, reward=5.0, status="failed")
    published(BrandFactory(), at=NOW - day, rate=0.9, reward=5.0, likes=5000, impressions=5000)
    return brand


def test_totals_count_the_real_posts_of_the_period_and_average_the_measured_ones(mixed):
    totals = selectors.brand_totals(brand=mixed, window=window())
    assert totals.posts == 4
    assert totals.measured == 3
    assert totals.impressions == 700 + 1000 + 600
    assert totals.engagements == (10 + 2 + 1 + 1) + (20 + 4 + 3 + 1) + (30 + 6)
    assert totals.engagement_rate == pytest.approx(0.04)  # (0.02 + 0.04 + 0.06) / 3
    assert totals.reward == pytest.approx(2.0)  # (1 + 3 + 2) / 3
    assert totals.final == 1


def test_sandbox_totals_hold_only_the_sandbox_posts(mixed):
    totals = selectors.brand_totals(brand=mixed, window=window(data="sandbox"))
    assert (totals.posts, totals.impressions, totals.engagements) == (1, 2000, 999)
    assert totals.engagement_rate == pytest.approx(0.5)
    assert totals.reward == pytest.approx(5.0)


def test_a_seven_day_period_leaves_out_older_posts(mixed):
    published(mixed, at=NOW - timedelta(days=8), rate=0.1, reward=4.0)
    assert selectors.brand_totals(brand=mixed, window=window(days=7)).posts == 4
    assert selectors.brand_totals(brand=mixed, window=window(days=30)).posts == 5


# --- over time ------------------------------------------------------------------------------------------


def test_over_time_groups_by_the_brands_local_day_with_every_day_present(brand):
    published(brand, at=utc(2026, 3, 12, 3, 0), rate=0.02, reward=1.0)  # Wed 11 Mar, 23:00 in New York
    published(brand, at=utc(2026, 3, 11, 15, 0), rate=0.04, reward=2.0)  # Wed 11 Mar, 11:00
    published(brand, at=utc(2026, 3, 14, 12, 0), rate=0.10, reward=4.0)
    published(brand, at=utc(2026, 3, 13, 12, 0), platform="sandbox", rate=0.9, reward=5.0)
    points = selectors.brand_over_time(brand=brand, window=window(days=7))
    assert [p.start for p in points] == [date(2026, 3, d) for d in range(9, 17)]
    by_day = {p.start.day: p for p in points}
    assert (by_day[11].posts, by_day[14].posts, by_day[13].posts, by_day[12].posts) == (2, 1, 0, 0)
    assert by_day[11].engagement_rate == pytest.approx(0.03)
    assert by_day[11].reward == pytest.approx(1.5)
    assert by_day[14].reward == pytest.approx(4.0)
    assert by_day[13].engagement_rate is None and by_day[13].reward is None


def test_ninety_days_are_grouped_by_the_brands_local_week_from_monday(brand):
    published(brand, at=utc(2026, 3, 12, 3, 0), rate=0.02, reward=1.0)  # Wed 11 Mar local: week of 9 Mar
    published(
        brand, at=utc(2026, 3, 16, 3, 0), rate=0.04, reward=3.0
    )  # Sun 15 Mar 23:00 local: week of 9 Mar
    published(brand, at=utc(2026, 3, 16, 5, 0), rate=0.06, reward=5.0)  # Mon 16 Mar 01:00 local
    points = selectors.brand_over_time(brand=brand, window=window(days=90))
    assert points[0].start == date(2025, 12, 15) and points[-1].start == date(2026, 3, 16)
    assert len(points) == 14 and all(p.start.weekday() == 0 for p in points)
    assert (points[-2].posts, points[-1].posts) == (2, 1)
    assert points[-2].reward == pytest.approx(2.0)
    assert points[-1].engagement_rate == pytest.approx(0.06)


# --- best topics ------------------------------------------------------------------------------------------


def test_best_topics_rank_categories_and_trends_by_average_reward(brand):
    phone, rules, chip = trend("Phone ships"), trend("New rules", "regulation"), trend("Chip launch")
    at = NOW - timedelta(days=2)
    published(brand, at=at, topic=phone, rate=0.05, reward=4.0)
    published(brand, at=at, topic=phone, rate=0.03, reward=2.0)
    published(brand, at=at, topic=rules, rate=0.01, reward=1.0)
    published(brand, at=at, topic=rules, rate=None)  # counted, not yet averaged
    published(brand, at=at, topic=chip, rate=0.07, reward=5.0)
    published(brand, at=at, rate=0.02, reward=2.5)
    published(brand, at=at, topic=chip, platform="sandbox", rate=0.9, reward=0.0)  # not real

    categories = selectors.brand_best_categories(brand=brand, window=window())
    assert [(c.label, c.posts) for c in categories] == [
        ("Product launches", 3),
        ("Your own topics (no trend)", 1),
        ("Regulation & policy", 2),
    ]
    assert categories[0].reward == pytest.approx(11 / 3)
    assert categories[0].engagement_rate == pytest.approx(0.05)
    assert categories[2].reward == pytest.approx(1.0)

    trends = selectors.brand_best_trends(brand=brand, window=window())
    assert [(t.label, t.posts, t.category) for t in trends] == [
        ("Chip launch", 1, "Product launches"),
        ("Phone ships", 2, "Product launches"),
        ("New rules", 2, "Regulation & policy"),
    ]
    assert [t.reward for t in trends] == pytest.approx([5.0, 3.0, 1.0])
    assert trends[0].trend_id == chip.pk


# --- best hours ---------------------------------------------------------------------------------------------


def test_the_heatmap_scores_each_local_slot_as_the_scheduler_does(brand):
    published(brand, at=utc(2026, 3, 10, 13, 0), rate=0.04)  # Tue 09:00 EDT
    published(brand, at=utc(2026, 3, 3, 14, 0), rate=0.06)  # Tue 09:00 EST, before the DST change
    published(brand, at=utc(2026, 3, 11, 18, 0), rate=0.10)  # Wed 14:00 EDT
    published(brand, at=utc(2026, 3, 11, 18, 0), platform="sandbox", rate=0.9)  # another heatmap
    heat = selectors.brand_best_hours(brand=brand, platform="x")
    mean = 0.2 / 3
    tuesday, wednesday = heat.rows[1][9], heat.rows[2][14]
    assert heat.posts == 3
    assert (tuesday.posts, wednesday.posts) == (2, 1)
    assert tuesday.mean == pytest.approx(0.05) and wednesday.mean == pytest.approx(0.10)
    # score = (sum of the slot's rates + 10·mean) / (posts in the slot + 10)
    assert tuesday.score == pytest.approx((0.10 + 10 * mean) / 12)
    assert wednesday.score == pytest.approx((0.10 + 10 * mean) / 11)
    assert (wednesday.level, tuesday.level) == (1.0, 0.0)
    assert sum(cell.posts for row in heat.rows for cell in row) == 3
    # Fewer than 8 posts: the scheduler suggests X's defaults, and the heatmap marks those.
    assert not heat.from_history
    assert [b.label for b in heat.suggestions] == ["Wed 09:00", "Tue 09:00", "Thu 09:00"]
    assert heat.rows[2][9].suggested and heat.rows[1][9].suggested and not wednesday.suggested


def test_the_heatmaps_suggested_slots_are_the_schedulers_best_time_suggestions(brand):
    # Wall-clock arithmetic in the brand's zone: the same local hour across the DST change.
    for week in range(5):  # Thursdays 10:00, strong
        published(brand, at=datetime(2026, 3, 12, 10, tzinfo=NEW_YORK) - timedelta(days=7 * week), rate=0.08)
    for week in range(4):  # Mondays 16:00, weak
        published(brand, at=datetime(2026, 3, 9, 16, tzinfo=NEW_YORK) - timedelta(days=7 * week), rate=0.02)
    heat = selectors.brand_best_hours(brand=brand, platform="x")
    suggested = sorted((c.weekday, c.hour) for row in heat.rows for c in row if c.suggested)
    scheduler = best_time_suggestions(brand=brand, platform="x", now=NOW)
    assert heat.from_history
    assert (
        [b.label for b in heat.suggestions]
        == [s.label for s in scheduler]
        == ["Thu 10:00", "Mon 16:00", "Wed 09:00"]
    )
    assert suggested == [(0, 16), (2, 9), (3, 10)]
    assert heat.rows[3][10].level == 1.0 and heat.rows[0][16].level == 0.0


def test_a_brand_without_history_gets_an_empty_heatmap_and_the_platform_defaults(brand):
    heat = selectors.brand_best_hours(brand=brand, platform="linkedin")
    assert heat.posts == 0 and not heat.from_history
    assert all(cell.score is None for row in heat.rows for cell in row)
    assert [b.source for b in heat.suggestions] == ["default"] * 3


# --- per platform ------------------------------------------------------------------------------------------


def test_per_platform_rows_keep_x_linkedin_and_the_sandbox_apart(brand):
    at = NOW - timedelta(days=3)
    published(brand, at=at, rate=0.02, reward=1.0, impressions=100)
    published(brand, at=at, rate=0.04, reward=3.0, impressions=300)
    published(brand, at=at, platform="sandbox", rate=0.5, reward=5.0, impressions=50)
    published(brand, at=NOW - timedelta(days=60), platform="linkedin", rate=0.1, reward=4.0)
    rows = selectors.brand_platforms(brand=brand, window=window())
    assert [(r.label, r.posts, r.impressions) for r in rows] == [
        ("X", 2, 400),
        ("LinkedIn", 0, 0),
        ("Sandbox", 1, 50),
    ]
    assert rows[0].engagement_rate == pytest.approx(0.03) and rows[0].reward == pytest.approx(2.0)
    assert rows[1].engagement_rate is None and rows[1].reward is None
    assert rows[2].is_sandbox and rows[2].engagement_rate == pytest.approx(0.5)


# --- suggested posting frequency -------------------------------------------------------------------------


def two_windows(brand, *, previous: list[float], recent: list[float], platform="x"):
    for i, rate in enumerate(previous):
        published(brand, at=NOW - timedelta(days=15 + i), rate=rate, platform=platform)
    for i, rate in enumerate(recent):
        published(brand, at=NOW - timedelta(days=1 + i, hours=i), rate=rate, platform=platform)


def test_rising_engagement_per_post_suggests_one_more_post_a_week(brand):
    two_windows(brand, previous=[0.05] * 4, recent=[0.059] * 6)
    advice = selectors.brand_posting_frequency(brand=brand, data="real", now=NOW)
    assert advice.sentence == "Engagement per post is rising 18 % while you post 3×/week: try 4×/week."
    assert (advice.trend, advice.suggested, advice.per_week) == ("rising", 4, 3.0)
    assert advice.change == pytest.approx(0.18)


def test_falling_engagement_per_post_suggests_one_fewer(brand):
    two_windows(brand, previous=[0.05] * 4, recent=[0.0425] * 10)
    advice = selectors.brand_posting_frequency(brand=brand, data="real", now=NOW)
    assert advice.sentence == (
        "Engagement per post is falling 15 % while you post 5×/week: try 4×/week — fewer, stronger posts."
    )
    assert (advice.trend, advice.suggested) == ("falling", 4)


def test_steady_engagement_keeps_the_pace(brand):
    two_windows(brand, previous=[0.05] * 4, recent=[0.0515] * 6)
    advice = selectors.brand_posting_frequency(brand=brand, data="real", now=NOW)
    assert advice.sentence == "Engagement per post is steady (+3 %) at 3×/week: keep 3×/week."
    assert (advice.trend, advice.suggested) == ("steady", 3)


def test_too_few_measured_posts_say_so_and_keep_the_brands_plan(brand):
    two_windows(brand, previous=[0.05] * 4, recent=[0.08])
    advice = selectors.brand_posting_frequency(brand=brand, data="real", now=NOW)
    assert advice.trend == "unknown" and advice.suggested == brand.posts_per_week == 3
    assert advice.sentence.startswith("Not enough posts yet to read a trend")


def test_the_frequency_of_real_posts_ignores_the_sandbox(brand):
    two_windows(brand, previous=[0.05] * 4, recent=[0.059] * 6)
    two_windows(brand, previous=[0.5] * 4, recent=[0.1] * 6, platform="sandbox")
    assert selectors.brand_posting_frequency(brand=brand, data="real", now=NOW).trend == "rising"
    assert selectors.brand_posting_frequency(brand=brand, data="sandbox", now=NOW).trend == "falling"


# --- staff ----------------------------------------------------------------------------------------------------


def test_platform_totals_count_everyone_and_keep_sandbox_engagement_apart(brand, frozen):
    InfluencerFactory()
    InfluencerFactory()
    InfluencerFactory(is_active=False)
    other = BrandFactory()
    at = NOW - timedelta(days=2)
    published(brand, at=at, rate=0.02, reward=1.0)
    published(other, at=at, platform="linkedin", rate=0.04, reward=3.0)
    published(brand, at=at, platform="sandbox", rate=0.5, reward=5.0)
    published(brand, at=NOW - timedelta(days=60), rate=0.9, reward=5.0)
    published(brand, at=at, status="failed", rate=None)
    totals = selectors.platform_totals(window=window(days=30))
    assert (totals.brands, totals.influencers) == (2, 2)
    assert totals.posts_generated == 5
    assert (totals.published_real, totals.published_sandbox) == (3, 1)
    assert (totals.published_real_in_window, totals.published_sandbox_in_window) == (2, 1)
    assert totals.rate_real == pytest.approx(0.03) and totals.reward_real == pytest.approx(2.0)
    assert totals.rate_sandbox == pytest.approx(0.5) and totals.reward_sandbox == pytest.approx(5.0)


def test_top_trends_rank_by_posts_made_with_real_and_sandbox_rewards_apart(brand, frozen):
    phone, rules = trend("Phone ships"), trend("New rules", "regulation")
    trend("Nobody wrote about this")
    at = NOW - timedelta(days=1)
    published(brand, at=at, topic=phone, rate=0.02, reward=1.0)
    published(brand, at=at, topic=phone, platform="linkedin", rate=0.04, reward=3.0)
    published(brand, at=at, topic=phone, platform="sandbox", rate=0.5, reward=5.0)
    published(brand, at=at, topic=rules, rate=0.01, reward=0.5)
    rows = selectors.platform_top_trends(window=window(days=7))
    assert [(r.trend.title, r.posts, r.published) for r in rows] == [
        ("Phone ships", 3, 3),
        ("New rules", 1, 1),
    ]
    assert rows[0].reward_real == pytest.approx(2.0) and rows[0].reward_sandbox == pytest.approx(5.0)
    assert rows[1].reward_sandbox is None and rows[1].category == "Regulation & policy"


def test_recent_totals_prefer_real_posts_and_fall_back_to_the_sandbox(brand):
    published(brand, at=NOW - timedelta(days=2), platform="sandbox", rate=0.08, reward=4.0, impressions=100)
    data, totals = selectors.brand_recent_totals(brand=brand, now=NOW)
    assert data == "sandbox" and totals.posts == 1 and totals.reward == pytest.approx(4.0)

    published(
        brand, at=NOW - timedelta(days=3), platform="x", rate=0.02, reward=1.0, impressions=400, likes=8
    )
    published(brand, at=NOW - timedelta(days=4), platform="linkedin", rate=0.04, reward=3.0, impressions=600)
    published(brand, at=NOW - timedelta(days=5), platform="x", rate=None, reward=None, impressions=0)
    published(brand, at=NOW - timedelta(days=40), platform="x", rate=0.5, reward=5.0, impressions=9999)
    data, totals = selectors.brand_recent_totals(brand=brand, now=NOW)
    assert data == "real"
    assert (totals.posts, totals.measured, totals.impressions, totals.engagements) == (3, 2, 1000, 8)
    assert totals.engagement_rate == pytest.approx(0.03) and totals.reward == pytest.approx(2.0)
    # The same as the analytics page's totals for 30 days of real posts.
    page = selectors.brand_totals(
        brand=brand, window=selectors.analytics_window(days=30, data="real", now=NOW)
    )
    assert (page.posts, page.impressions, page.engagements) == (
        totals.posts,
        totals.impressions,
        totals.engagements,
    )
    assert page.engagement_rate == pytest.approx(totals.engagement_rate) and page.reward == pytest.approx(
        totals.reward
    )
