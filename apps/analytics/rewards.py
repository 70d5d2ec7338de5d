"""The reward and engagement rate of a post's numbers (SPEC section 7), and the rule that estimates
the numbers LinkedIn does not give.

Reward: R = (likes + 3·comments + 5·shares) / impressions; reward = min(R·100, 5.0); 0 when there
are no impressions. It is final `REWARD_FINAL_AFTER` (7 days) after publishing and never changes
afterwards. Engagement rate = (likes + comments + shares + quotes + bookmarks) / impressions.

LinkedIn estimate (member posts: the API's socialActions give reactions and comments only):
- shares (reposts) ≈ round(likes × SHARES_PER_LIKE) — reposts run at about one per twenty
  reactions on LinkedIn member posts;
- impressions ≈ BASE_IMPRESSIONS + IMPRESSIONS_PER_ENGAGEMENT × (likes + comments + shares),
  i.e. a baseline reach of the author's network plus about 3.3 % engagement on the extra reach
  the interactions bring, and never fewer than the interactions themselves.
A number LinkedIn did give is never replaced by an estimate; estimated numbers are listed by name
in `estimated` and shown as "est.". LinkedIn has no quotes or bookmarks: those stay 0, not estimated.
"""

from __future__ import annotations

from datetime import timedelta

from apps.core.vocabulary import REWARD_MAX

# The learning loop's rule (a reward is final 7 days after publishing), re-exported for analytics.
from apps.learning.policy import REWARD_FINAL_AFTER as REWARD_FINAL_AFTER

METRICS_WINDOW = timedelta(days=30)  # posts published longer ago are no longer fetched
# A post's first numbers are fetched this long after publishing (the every-minute first-fetch run),
# so its page and analytics are not empty for the hours until the next 4-hourly run.
FIRST_FETCH_AFTER = timedelta(minutes=15)
COMMENT_WEIGHT = 3
SHARE_WEIGHT = 5

LINKEDIN_ESTIMATE = {
    "SHARES_PER_LIKE": 0.05,
    "BASE_IMPRESSIONS": 200,
    "IMPRESSIONS_PER_ENGAGEMENT": 30,
}
METRIC_NAMES = ("likes", "comments", "shares", "quotes", "bookmarks", "impressions")


def reward_of(*, likes: int, comments: int, shares: int, impressions: int) -> float:
    """min(100 · (likes + 3·comments + 5·shares) / impressions, 5.0); 0.0 without impressions."""
    if not impressions or impressions <= 0:
        return 0.0
    r = (likes + COMMENT_WEIGHT * comments + SHARE_WEIGHT * shares) / impressions
    return min(r * 100.0, REWARD_MAX)


def engagement_rate_of(
    *, likes: int, comments: int, shares: int, quotes: int = 0, bookmarks: int = 0, impressions: int
) -> float:
    """(likes + comments + shares + quotes + bookmarks) / impressions; 0.0 without impressions."""
    if not impressions or impressions <= 0:
        return 0.0
    return (likes + comments + shares + quotes + bookmarks) / impressions


def linkedin_estimate(
    *, likes: int, comments: int, shares: int | None = None, impressions: int | None = None
) -> tuple[dict[str, int], list[str]]:
    """The LinkedIn numbers with the missing ones (None) estimated by the rule above; returns the
    numbers and the names of those estimated."""
    estimated: list[str] = []
    if shares is None:
        shares = round(likes * LINKEDIN_ESTIMATE["SHARES_PER_LIKE"])
        estimated.append("shares")
    if impressions is None:
        interactions = likes + comments + shares
        impressions = max(
            interactions,
            LINKEDIN_ESTIMATE["BASE_IMPRESSIONS"]
            + LINKEDIN_ESTIMATE["IMPRESSIONS_PER_ENGAGEMENT"] * interactions,
        )
        estimated.append("impressions")
    numbers = {
        "likes": likes,
        "comments": comments,
        "shares": shares,
        "quotes": 0,
        "bookmarks": 0,
        "impressions": impressions,
    }
    return numbers, estimated
