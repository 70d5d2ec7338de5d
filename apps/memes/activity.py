"""Meme activity over a period, for the staff analytics page: memes made, votes and reactions per
UTC day (per week over 90 days), with the chart data its section draws. The section is this app's
fragment (memes:staff_activity); analytics' page fetches it, so neither app imports the other."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.db.models import Count, Q
from django.db.models.functions import TruncDate, TruncWeek
from django.utils import timezone

from .models import Meme, MemeReaction, MemeVote

PERIOD_DAYS = (7, 30, 90)  # the staff analytics page's periods
DEFAULT_DAYS = 30
WEEKLY_FROM_DAYS = 90  # periods this long are counted by week, shorter ones by day
COLORS = {"memes": "#4f46e5", "votes": "#0d9488", "reactions": "#db2777"}  # the analytics palette


@dataclass
class MemePoint:
    start: date
    memes: int = 0
    public: int = 0
    votes: int = 0
    up: int = 0
    down: int = 0
    reactions: int = 0


@dataclass
class MemeActivity:
    days: int
    bucket: str  # "day" or "week"
    points: list[MemePoint]

    def _sum(self, name: str) -> int:
        return sum(getattr(p, name) for p in self.points)

    @property
    def memes(self) -> int:
        return self._sum("memes")

    @property
    def public(self) -> int:
        return self._sum("public")

    @property
    def votes(self) -> int:
        return self._sum("votes")

    @property
    def up(self) -> int:
        return self._sum("up")

    @property
    def down(self) -> int:
        return self._sum("down")

    @property
    def reactions(self) -> int:
        return self._sum("reactions")

    @property
    def per_day(self) -> float:
        return self.memes / max(1, len(self.points))


def _days(value) -> int:
    try:
        days = int(value) if value is not None else DEFAULT_DAYS
    except (TypeError, ValueError):
        return DEFAULT_DAYS
    return days if days in PERIOD_DAYS else DEFAULT_DAYS


def _as_date(value) -> date:
    return value.date() if isinstance(value, datetime) else value


def meme_activity(*, days: str | int | None, now: datetime | None = None) -> MemeActivity:
    """Memes made, votes and reactions per UTC day (week over 90 days) in the last `days` days
    (7, 30 or 90; anything else is 30). Three queries."""
    days = _days(days)
    end = now or timezone.now()
    start = end - timedelta(days=days)
    bucket = "week" if days >= WEEKLY_FROM_DAYS else "day"
    trunc = TruncWeek if bucket == "week" else TruncDate
    period = Q(created_at__gte=start, created_at__lte=end)

    def per_bucket(model, **aggregates):
        return {
            _as_date(row.pop("bucket")): row
            for row in model.objects.filter(period)
            .annotate(bucket=trunc("created_at", tzinfo=UTC))
            .values("bucket")
            .annotate(**aggregates)
            .order_by("bucket")
        }

    memes = per_bucket(Meme, memes=Count("id"), public=Count("id", filter=Q(is_public=True)))
    votes = per_bucket(
        MemeVote,
        votes=Count("id"),
        up=Count("id", filter=Q(value=MemeVote.UP)),
        down=Count("id", filter=Q(value=MemeVote.DOWN)),
    )
    reactions = per_bucket(MemeReaction, reactions=Count("id"))
    first, last = start.astimezone(UTC).date(), end.astimezone(UTC).date()
    step = timedelta(days=1)
    if bucket == "week":
        first, step = first - timedelta(days=first.weekday()), timedelta(days=7)
    starts = []
    while first <= last:
        starts.append(first)
        first += step
    return MemeActivity(
        days=days,
        bucket=bucket,
        points=[
            MemePoint(start=s, **memes.get(s, {}), **votes.get(s, {}), **reactions.get(s, {})) for s in starts
        ],
    )


def meme_activity_chart(activity: MemeActivity) -> dict:
    """The chart for static/js/analytics-charts.js: x as unix seconds (UTC midnights), one list of
    values per series."""
    series = [("Memes made", "memes"), ("Votes", "votes"), ("Reactions", "reactions")]
    return {
        "x": [int(datetime.combine(p.start, time(), tzinfo=UTC).timestamp()) for p in activity.points],
        "tz": "UTC",
        "bucket": activity.bucket,
        "kind": "line",
        "series": [
            {
                "label": label,
                "color": COLORS[field],
                "format": "number",
                "values": [getattr(p, field) for p in activity.points],
            }
            for label, field in series
        ],
    }
