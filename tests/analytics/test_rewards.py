"""The reward and engagement rate of SPEC section 7, and the LinkedIn estimate rule."""

from datetime import timedelta

import pytest

from apps.analytics.rewards import (
    LINKEDIN_ESTIMATE,
    REWARD_FINAL_AFTER,
    engagement_rate_of,
    linkedin_estimate,
    reward_of,
)


def test_reward_weights_comments_three_times_and_shares_five_times():
    # R = (10 + 3·2 + 5·1) / 1000 = 0.021 → 2.1
    assert reward_of(likes=10, comments=2, shares=1, impressions=1000) == pytest.approx(2.1)


def test_reward_is_capped_at_five():
    assert reward_of(likes=100, comments=0, shares=0, impressions=1000) == 5.0
    assert reward_of(likes=50, comments=0, shares=0, impressions=1000) == pytest.approx(5.0)


def test_reward_is_zero_without_impressions():
    assert reward_of(likes=10, comments=3, shares=2, impressions=0) == 0.0


def test_engagement_rate_counts_every_interaction_once():
    rate = engagement_rate_of(likes=10, comments=2, shares=1, quotes=3, bookmarks=4, impressions=400)
    assert rate == pytest.approx(20 / 400)
    assert engagement_rate_of(likes=1, comments=0, shares=0, impressions=0) == 0.0


def test_reward_is_final_seven_days_after_publishing():
    assert timedelta(days=7) == REWARD_FINAL_AFTER


def test_linkedin_estimate_fills_shares_and_impressions_by_the_documented_rule():
    numbers, estimated = linkedin_estimate(likes=40, comments=5)
    shares = round(40 * LINKEDIN_ESTIMATE["SHARES_PER_LIKE"])
    assert numbers["shares"] == shares == 2
    expected = LINKEDIN_ESTIMATE["BASE_IMPRESSIONS"] + LINKEDIN_ESTIMATE["IMPRESSIONS_PER_ENGAGEMENT"] * (
        40 + 5 + 2
    )
    assert numbers["impressions"] == expected == 1610
    assert estimated == ["shares", "impressions"]
    assert numbers["quotes"] == numbers["bookmarks"] == 0


def test_linkedin_estimate_keeps_what_linkedin_gave():
    numbers, estimated = linkedin_estimate(likes=40, comments=5, shares=7, impressions=3000)
    assert (numbers["shares"], numbers["impressions"], estimated) == (7, 3000, [])
