"""Reads of engagement tracking: a post's publications with their metrics over time (the post
page's Metrics card and GET /api/v1/posts/{id}/metrics), in two queries however many snapshots."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Prefetch
from django.utils import timezone

from apps.analytics.models import MetricsSnapshot
from apps.analytics.rewards import FIRST_FETCH_AFTER, REWARD_FINAL_AFTER
from apps.core import vocabulary
from apps.publishing.models import Publication, PublicationStatus

# Which numbers each platform has, in the platform's own words (LinkedIn: reactions and reposts;
# X: replies and reposts). LinkedIn and the sandbox have no quotes or bookmarks.
COLUMNS: dict[str, list[tuple[str, str]]] = {
    "x": [
        ("impressions", "Impressions"),
        ("likes", "Likes"),
        ("comments", "Replies"),
        ("shares", "Reposts"),
        ("quotes", "Quotes"),
        ("bookmarks", "Bookmarks"),
    ],
    "linkedin": [
        ("impressions", "Impressions"),
        ("likes", "Reactions"),
        ("comments", "Comments"),
        ("shares", "Reposts"),
    ],
    "sandbox": [
        ("impressions", "Impressions"),
        ("likes", "Likes"),
        ("comments", "Replies"),
        ("shares", "Reposts"),
    ],
}
TABLE_ROWS = 6  # the latest fetches shown at once; older ones fold into "All fetches"
SPARK_W, SPARK_H = 160, 36


@dataclass
class Cell:
    label: str
    value: int
    estimated: bool


@dataclass
class SnapshotRow:
    snapshot: MetricsSnapshot
    cells: list[Cell]


@dataclass
class PublicationMetrics:
    publication: Publication
    platform_label: str
    columns: list[tuple[str, str]]
    rows: list[SnapshotRow]  # newest first
    latest: list[Cell]
    reward: float | None
    reward_final: bool
    final_at: datetime | None
    spark_points: str = ""  # SVG polyline points of impressions over time
    spark_title: str = ""
    snapshots: list[MetricsSnapshot] = field(default_factory=list)

    @property
    def recent_rows(self) -> list[SnapshotRow]:
        return self.rows[:TABLE_ROWS]

    @property
    def older_rows(self) -> list[SnapshotRow]:
        return self.rows[TABLE_ROWS:]

    @property
    def is_sandbox(self) -> bool:
        return self.publication.platform == "sandbox"

    @property
    def first_fetch_at(self) -> datetime | None:
        """When a post with no numbers yet gets its first ones (15 minutes after publishing)."""
        published_at = self.publication.published_at
        return published_at + FIRST_FETCH_AFTER if published_at and not self.rows else None


def post_metrics_publications(*, post_id: int) -> list[Publication]:
    """The post's published publications with their snapshots (oldest first): two queries."""
    snapshots = MetricsSnapshot.objects.order_by("fetched_at", "pk")
    return list(
        Publication.objects.filter(post_id=post_id, status=PublicationStatus.PUBLISHED)
        .select_related("connection")
        .prefetch_related(Prefetch("snapshots", queryset=snapshots))
        .order_by("published_at", "pk")
    )


def _sparkline(values: list[int]) -> str:
    if len(values) < 2:
        return ""
    top = max(values) or 1
    step = SPARK_W / (len(values) - 1)
    return " ".join(
        f"{i * step:.1f},{SPARK_H - 2 - (v / top) * (SPARK_H - 4):.1f}" for i, v in enumerate(values)
    )


def post_metrics(*, post_id: int) -> list[PublicationMetrics]:
    """What the post page shows for each published publication: its numbers over time (as the
    platform gives them, estimated ones marked), a sparkline of impressions and the reward."""
    result = []
    for pub in post_metrics_publications(post_id=post_id):
        columns = COLUMNS.get(pub.platform, COLUMNS["x"])
        snapshots = list(pub.snapshots.all())
        rows = [
            SnapshotRow(
                snapshot=s,
                cells=[Cell(label, getattr(s, name), name in (s.estimated or [])) for name, label in columns],
            )
            for s in reversed(snapshots)
        ]
        latest = [
            Cell(label, getattr(pub, name), name in (pub.metrics_estimated or [])) for name, label in columns
        ]
        impressions = [s.impressions for s in snapshots]
        result.append(
            PublicationMetrics(
                publication=pub,
                platform_label=vocabulary.platform_label(pub.platform),
                columns=columns,
                rows=rows,
                latest=latest,
                reward=pub.reward,
                reward_final=pub.reward_final,
                final_at=pub.published_at + REWARD_FINAL_AFTER if pub.published_at else None,
                spark_points=_sparkline(impressions),
                spark_title=(
                    f"Impressions from {impressions[0]:,} to {impressions[-1]:,} over {len(impressions)} fetches"
                    if len(impressions) >= 2
                    else ""
                ),
                snapshots=snapshots,
            )
        )
    return result


def metrics_next_fetch(now: datetime | None = None) -> datetime:
    """When the 4-hourly fetch runs next (its crontab: minute 17 of every fourth hour, UTC)."""
    from datetime import UTC, timedelta

    now = (now or timezone.now()).astimezone(UTC)
    candidate = now.replace(minute=17, second=0, microsecond=0, hour=now.hour - now.hour % 4)
    while candidate <= now:
        candidate += timedelta(hours=4)
    return candidate


def brand_published_count(brand_id: int) -> int:
    """How many publications the brand has ever published (the Learning page's empty state asks,
    through apps.learning.selectors' registered provider)."""
    return Publication.objects.filter(brand_id=brand_id, status=PublicationStatus.PUBLISHED).count()
