"""API of engagement tracking: a post's metrics over time (GET /api/v1/posts/{id}/metrics) and a
brand's analytics (GET /api/v1/brands/{id}/analytics). A brand's learned model is apps.learning's."""

from datetime import date, datetime

from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from apps.accounts.access import api_require_role
from apps.accounts.models import Role
from apps.brands.selectors import brand_get_for_user
from apps.posts.selectors import post_get_for_user

from .selectors.metrics import post_metrics

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


# --- a brand's analytics --------------------------------------------------------------------------


class TotalsOut(Schema):
    posts: int = Field(description="Publications (a post on X and on LinkedIn counts once per platform).")
    measured: int = Field(description="Publications with metrics fetched.")
    impressions: int
    engagements: int = Field(description="likes + comments + shares + quotes + bookmarks")
    engagement_rate: float | None = Field(description="Mean of the publications' engagement rates.")
    reward: float | None = Field(description="Mean reward (0–5).")
    final: int = Field(description="Publications whose reward is final.")


class TimePointOut(Schema):
    start: date = Field(description="The day, or the Monday of the week, in the brand's time zone.")
    posts: int
    engagement_rate: float | None
    reward: float | None


class TopicOut(Schema):
    label: str
    category: str
    posts: int
    engagement_rate: float | None
    reward: float | None
    trend_id: int | None


class PlatformOut(Schema):
    platform: str
    posts: int
    impressions: int
    engagement_rate: float | None
    reward: float | None


class SlotOut(Schema):
    weekday: int = Field(description="0 = Monday, brand-local.")
    hour: int
    posts: int
    score: float | None = Field(description="Mean engagement rate shrunk toward the brand's mean.")


class BestHoursOut(Schema):
    platform: str
    posts: int
    from_history: bool = Field(description="False: too few posts, the platform's default best times.")
    slots: list[SlotOut] = Field(description="Every weekday × hour with at least one post.")
    suggestions: list[SlotOut] = Field(description="The scheduler's best-time suggestions, best first.")


class FrequencyOut(Schema):
    sentence: str
    trend: str = Field(description="rising, falling, steady or unknown")
    per_week: float
    suggested: int | None
    recent_rate: float | None
    previous_rate: float | None
    change: float | None


class AnalyticsOut(Schema):
    brand_id: int
    days: int
    data: str = Field(description="real (X and LinkedIn) or sandbox (simulated, never mixed in).")
    start: datetime
    end: datetime
    bucket: str = Field(description="day or week")
    time_zone: str
    totals: TotalsOut
    over_time: list[TimePointOut]
    categories: list[TopicOut]
    trends: list[TopicOut]
    platforms: list[PlatformOut]
    best_hours: list[BestHoursOut]
    frequency: FrequencyOut


def _brand_for(request, brand_id: int):
    return brand_get_for_user(user=api_require_role(request, Role.BRAND), brand_id=brand_id)


@router.get("/brands/{brand_id}/analytics", response=AnalyticsOut)
def brand_analytics_get(request, brand_id: int, days: int = Query(30), data: str = Query("real")):
    """The numbers of the brand's analytics page for the last `days` (7, 30 or 90) days of its
    real or sandbox publications."""
    from .selectors.reports import DATASETS, PERIOD_DAYS, analytics_window, brand_analytics_report

    brand = _brand_for(request, brand_id)
    if days not in PERIOD_DAYS:
        raise HttpError(422, f"days: use one of {', '.join(map(str, PERIOD_DAYS))}.")
    if data not in DATASETS:
        raise HttpError(422, f"data: use one of {', '.join(DATASETS)}.")
    report = brand_analytics_report(brand=brand, window=analytics_window(days=days, data=data))
    window = report.window
    return {
        "brand_id": brand.pk,
        "days": window.days,
        "data": window.data,
        "start": window.start,
        "end": window.end,
        "bucket": window.bucket,
        "time_zone": report.zone,
        "totals": report.totals,
        "over_time": report.over_time,
        "categories": report.categories,
        "trends": report.trends,
        "platforms": report.platforms,
        "best_hours": [
            {
                "platform": heatmap.platform,
                "posts": heatmap.posts,
                "from_history": heatmap.from_history,
                "slots": [cell for row in heatmap.rows for cell in row if cell.posts],
                "suggestions": heatmap.suggestions,
            }
            for heatmap in report.heatmaps
        ],
        "frequency": report.frequency,
    }
