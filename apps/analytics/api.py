"""API of engagement tracking: a post's metrics over time (GET /api/v1/posts/{id}/metrics)."""

from datetime import datetime

from ninja import Field, Router, Schema

from apps.accounts.access import api_require_role
from apps.accounts.models import Role
from apps.posts.selectors import post_get_for_user

from .metrics_selectors import post_metrics

router = Router(tags=["analytics"])


class MetricsOut(Schema):
    likes: int = Field(description="Likes (LinkedIn: reactions).")
    comments: int = Field(description="Comments or replies.")
    shares: int = Field(description="Shares or reposts.")
    quotes: int
    bookmarks: int
    impressions: int


class SnapshotOut(MetricsOut):
    fetched_at: datetime
    age_hours: float = Field(description="Hours since the publication went live.")
    estimated: list[str] = Field(description="Numbers the platform did not give (estimated by rule).")
    engagement_rate: float
    reward: float
    final: bool


class PublicationMetricsOut(Schema):
    id: int
    platform: str = Field(description="x, linkedin or sandbox (simulated, never real).")
    sandbox: bool
    published_at: datetime | None
    external_url: str
    parts: int = Field(description="A thread's parts; its numbers are the sums over them.")
    latest: MetricsOut | None = Field(description="The latest numbers; null until the first fetch.")
    estimated: list[str]
    engagement_rate: float | None
    reward: float | None = Field(description="min(100·(likes + 3·comments + 5·shares)/impressions, 5).")
    reward_final: bool = Field(description="7 days after publishing the reward no longer changes.")
    final_at: datetime | None
    snapshots: list[SnapshotOut] = Field(description="Every fetch, oldest first.")


class PostMetricsOut(Schema):
    post_id: int
    publications: list[PublicationMetricsOut]


_NUMBERS = ("likes", "comments", "shares", "quotes", "bookmarks", "impressions")


@router.get("/posts/{post_id}/metrics", response=PostMetricsOut)
def post_metrics_get(request, post_id: int):
    """Each published publication of the post: its metrics at every fetch (every 4 hours for 30
    days), the latest numbers, and its reward (final 7 days after publishing)."""
    user = api_require_role(request, Role.BRAND)
    post = post_get_for_user(user=user, post_id=post_id)
    publications = []
    for pm in post_metrics(post_id=post.pk):
        pub = pm.publication
        publications.append(
            {
                "id": pub.pk,
                "platform": pub.platform,
                "sandbox": pub.platform == "sandbox",
                "published_at": pub.published_at,
                "external_url": pub.external_url,
                "parts": max(1, len(pub.part_ids or [])),
                "latest": {n: getattr(pub, n) for n in _NUMBERS} if pub.metrics_fetched_at else None,
                "estimated": list(pub.metrics_estimated or []),
                "engagement_rate": pub.engagement_rate,
                "reward": pub.reward,
                "reward_final": pub.reward_final,
                "final_at": pm.final_at,
                "snapshots": pm.snapshots,
            }
        )
    return {"post_id": post.pk, "publications": publications}
