"""The engagement model: deterministic per post, each factor moves the numbers the documented
way, and the numbers grow on a saturating curve."""

import math
import re
import statistics
from dataclasses import replace
from datetime import timedelta

import pytest

from apps.sandbox import engagement
from apps.sandbox.engagement import PostInputs, metrics_at_age

from .conftest import POSTED, make_post

BASE = PostInputs(
    audience=1_000_000,  # large, so rounding to whole counts does not blur the ratios
    tone="professional",
    post_format="post",
    media_count=0,
    local_hour=10.5,
    local_weekday=1,
    trend_momentum=0.0,
    thread_position=1,
    seed=12345,
)
FINAL = 1_000  # hours: long after the curve has saturated


def final(**changes) -> engagement.Metrics:
    return metrics_at_age(replace(BASE, **changes), FINAL)


def test_a_post_has_the_same_numbers_every_time_it_is_asked():
    assert metrics_at_age(BASE, 5) == metrics_at_age(BASE, 5)
    assert engagement.final_totals(BASE) == engagement.final_totals(replace(BASE))


def test_two_equal_posts_with_different_seeds_differ():
    assert final(seed=1).impressions != final(seed=2).impressions


@pytest.mark.django_db
def test_a_stored_post_reads_back_the_same_numbers(brand):
    post = make_post(brand)
    at = POSTED + timedelta(hours=7)
    first = engagement.sandbox_metrics(post, at)
    post.refresh_from_db()
    assert engagement.sandbox_metrics(post, at) == first
    assert first.impressions > 0


def test_witty_reaches_more_people_and_engages_more_than_professional():
    witty, professional = final(tone="witty"), final(tone="professional")
    assert witty.impressions == pytest.approx(professional.impressions * 1.25, rel=0.001)
    assert witty.engagement_rate == pytest.approx(professional.engagement_rate * 1.30, rel=0.01)


def test_educational_reaches_fewer_but_engages_more():
    educational, professional = final(tone="educational"), final(tone="professional")
    assert educational.impressions < professional.impressions
    assert educational.engagement_rate > professional.engagement_rate


def test_an_unknown_tone_or_format_counts_as_professional_post():
    assert final(tone="sarcastic", post_format="reel") == final()


def test_a_carousel_beats_a_plain_post():
    carousel, post = final(post_format="carousel"), final(post_format="post")
    assert carousel.impressions == pytest.approx(post.impressions * 1.20, rel=0.001)
    assert carousel.engagement_rate == pytest.approx(post.engagement_rate * 1.35, rel=0.01)


def test_an_image_adds_reach_and_engagement():
    with_image, text_only = final(media_count=1), final(media_count=0)
    assert with_image.impressions == pytest.approx(text_only.impressions * 1.25, rel=0.001)
    assert with_image.engagement_rate > text_only.engagement_rate


def test_ten_in_the_morning_beats_three_at_night():
    assert engagement.hour_factor(10) > 2.5 * engagement.hour_factor(3)
    assert final(local_hour=10).impressions > 2.5 * final(local_hour=3).impressions


def test_the_daily_curve_peaks_mid_morning_and_early_evening():
    assert engagement.hour_factor(10.5) == pytest.approx(1.10, abs=0.005)
    assert engagement.hour_factor(18) == pytest.approx(0.95, abs=0.005)
    assert engagement.hour_factor(14) < engagement.hour_factor(12) < engagement.hour_factor(10.5)
    assert engagement.hour_factor(14) < engagement.hour_factor(17.5)
    # Smooth across midnight: no jump from 23:59 to 00:00.
    assert engagement.hour_factor(23.999) == pytest.approx(engagement.hour_factor(0), abs=0.001)


def test_weekends_are_quieter_than_midweek():
    assert final(local_weekday=5).impressions < final(local_weekday=2).impressions


def test_rising_trend_momentum_triples_the_reach_of_a_fading_one():
    rising, fading, flat = final(trend_momentum=1.0), final(trend_momentum=-1.0), final(trend_momentum=0.0)
    assert rising.impressions == pytest.approx(3 * fading.impressions, rel=0.001)
    assert rising.impressions == pytest.approx(1.5 * flat.impressions, rel=0.001)
    assert engagement.momentum_factor(7) == 1.5  # clamped to [-1, 1]


def test_each_later_thread_part_is_seen_by_sixty_percent_of_the_one_before():
    first, second, third = final(thread_position=1), final(thread_position=2), final(thread_position=3)
    assert second.impressions == pytest.approx(first.impressions * 0.6, rel=0.001)
    assert third.impressions == pytest.approx(first.impressions * 0.36, rel=0.001)


def test_numbers_grow_monotonically_and_saturate_within_days():
    ages = [h / 4 for h in range(0, 4 * 24 * 4)]
    series = [metrics_at_age(BASE, age) for age in ages]
    for kind in ("impressions", "likes", "reposts", "replies", "clicks"):
        values = [getattr(m, kind) for m in series]
        assert values == sorted(values), kind
    totals = engagement.final_totals(BASE)
    assert metrics_at_age(BASE, 72).impressions == pytest.approx(totals.impressions, rel=1e-4)
    assert metrics_at_age(BASE, 6).impressions == pytest.approx(
        totals.impressions * (1 - math.exp(-1)), abs=1
    )
    assert engagement.growth(24) > 0.98


def test_nothing_before_a_post_exists():
    assert metrics_at_age(BASE, 0) == engagement.Metrics()
    assert metrics_at_age(BASE, -3) == engagement.Metrics()


def test_engagements_never_exceed_impressions_and_the_rate_adds_them_up():
    m = final(tone="witty", post_format="carousel", media_count=3)
    assert m.likes < m.impressions
    assert m.engagement_rate == pytest.approx((m.likes + m.reposts + m.replies + m.clicks) / m.impressions)


def test_the_noise_has_mean_one_and_the_documented_spread():
    draws = [engagement.noise(seed)["impressions"] for seed in range(4000)]
    assert statistics.fmean(draws) == pytest.approx(1.0, abs=0.02)
    assert statistics.stdev(math.log(d) for d in draws) == pytest.approx(
        engagement.IMPRESSIONS_SIGMA, abs=0.015
    )


def test_every_brand_has_a_fixed_audience_in_range():
    audiences = {engagement.brand_audience(i) for i in range(1, 200)}
    assert min(audiences) >= 1000 and max(audiences) <= 5000 and len(audiences) > 150
    assert engagement.brand_audience(42) == engagement.brand_audience(42)


def test_the_module_docstring_states_the_tables_the_code_uses():
    doc = engagement.__doc__
    for table in (engagement.TONES, engagement.FORMATS):
        for name, effect in table.items():
            assert re.search(rf"{name}\s+{effect.reach:.2f}\s+{effect.engagement:.2f}", doc), name
    days = ", ".join(
        f"{d} {v:.2f}" for d, v in zip(engagement.WEEKDAY_NAMES, engagement.WEEKDAYS, strict=True)
    )
    assert days in doc
    for rate in engagement.BASE_RATES.values():
        assert f"{rate * 100:g}%" in doc
