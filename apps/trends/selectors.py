"""Read queries for trends: a brand's recommendations and watchlist (cached), a trend's page,
the refresh runs and the sources' health."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone

from apps.brands.models import Brand
from apps.core.vocabulary import platform_label

from . import cache as trend_cache
from .models import (
    BrandTrendScore,
    Decision,
    Trend,
    TrendDismissal,
    TrendMention,
    TrendRefreshRun,
    TrendSnapshot,
    TrendSourceStatus,
)
from .scoring import RELEVANCE_GATE, WEIGHTS

TOP_COUNT = 5
WATCHLIST_COUNT = 10
VOLUME_POINTS = 12  # snapshots in a card's volume chart
SOURCE_LINKS = 5

SOURCE_LABELS = {
    "x": "X",
    "newsapi": "NewsAPI",
    "reddit": "Reddit",
    "rss": "RSS",
    "mastodon": "Mastodon",
    "offline": "Demo set",
}


def _join(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def why_line(score: BrandTrendScore, *, momentum_label: str, sources: list[str]) -> str:
    """One sentence a marketer can check: what it matched, how it moves, where, and how to post it."""
    if not score.matched_pillar:
        matched = "Close to your profile"
    elif score.relevance >= RELEVANCE_GATE:
        matched = f"Matches your pillar “{score.matched_pillar}”"
    else:  # on the watchlist below the relevance gate: the pillar it came nearest, not a match
        matched = f"Closest to your pillar “{score.matched_pillar}”"
    movement = {"rising": "rising", "falling": "cooling off", "steady": "steady", "new": "new"}[
        momentum_label
    ]
    seen = f"{movement} on {_join(sources)}" if sources else movement
    platform = platform_label(score.platform)
    article = "an" if platform == "X" else "a"
    return f"{matched}; {seen}; best as {article} {platform} {score.post_format}."


def trend_momentum_label(trend: Trend, snapshot_count: int) -> str:
    return trend.momentum_label if snapshot_count > 1 else "new"


def source_labels(mentions) -> list[str]:
    return [SOURCE_LABELS.get(s, s) for s in sorted({m.source for m in mentions})]


def trend_why(*, score: BrandTrendScore, trend: Trend, detail: dict) -> str:
    """The why-line for a trend page, from its trend_detail()."""
    return why_line(
        score,
        momentum_label=trend_momentum_label(trend, len(detail["snapshots"])),
        sources=source_labels(detail["mentions"]),
    )


def _card(score: BrandTrendScore) -> dict:
    trend = score.trend
    snapshots = list(trend.recent_snapshots)[-VOLUME_POINTS:]
    mentions = list(trend.all_mentions)
    sources = source_labels(mentions)
    momentum_label = trend_momentum_label(trend, len(snapshots))
    return {
        "trend_id": trend.pk,
        "title": trend.title,
        "summary": trend.summary,
        "category": trend.category,
        "category_label": trend.get_category_display(),
        "final": round(score.final, 3),
        "parts": {
            "relevance": round(score.relevance, 3),
            "opportunity": round(score.opportunity, 3),
            "format_fit": round(score.format_fit, 3),
            "reward": round(score.reward, 3),
        },
        "weights": WEIGHTS,
        "decision": score.decision,
        "platform": score.platform,
        "post_format": score.post_format,
        "why": why_line(score, momentum_label=momentum_label, sources=sources),
        "sentiment_label": trend.sentiment_label,
        "sentiment_score": round(trend.sentiment_score, 3),
        "momentum": round(trend.momentum, 3),
        "momentum_label": momentum_label,
        "volume": trend.volume,
        "volumes": [s.volume for s in snapshots],
        "sources": sources,
        "links": [
            {
                "source": SOURCE_LABELS.get(m.source, m.source),
                "name": m.source_name,
                "title": m.title,
                "url": m.url,
            }
            for m in mentions
            if m.url
        ][:SOURCE_LINKS],
        "first_seen_at": trend.first_seen_at.isoformat(),
        "last_seen_at": trend.last_seen_at.isoformat(),
        "scored_at": score.scored_at.isoformat(),
    }


def _scores(brand: Brand, decision: str, limit: int, order: tuple[str, ...] = ("-final",)) -> list[dict]:
    now = timezone.now()
    rows = (
        BrandTrendScore.objects.filter(brand=brand, decision=decision, trend__expires_at__gt=now)
        .exclude(trend__dismissals__brand=brand)
        .select_related("trend")
        .prefetch_related(
            Prefetch(
                "trend__snapshots",
                queryset=TrendSnapshot.objects.order_by("taken_at"),
                to_attr="recent_snapshots",
            ),
            Prefetch(
                "trend__mentions",
                queryset=TrendMention.objects.order_by("-volume", "source"),
                to_attr="all_mentions",
            ),
        )
        .order_by(*order)[:limit]
    )
    return [_card(row) for row in rows]


def brand_recommendations(*, brand: Brand) -> dict:
    """{"top": the brand's best 5 recommended trends by final score, "watchlist": the next ones};
    cached. The watchlist holds the close calls (below the relevance gate, or on-topic with too low a
    final score), so the most on-topic come first there: by relevance, then final score."""
    cached = trend_cache.get(brand.pk)
    if cached is not None:
        return cached
    value = {
        "top": _scores(brand, Decision.RECOMMEND, TOP_COUNT),
        "watchlist": _scores(brand, Decision.WATCHLIST, WATCHLIST_COUNT, order=("-relevance", "-final")),
    }
    trend_cache.put(brand.pk, value)
    return value


def trend_get(*, trend_id: int) -> Trend:
    """An active trend, else 404."""
    trend = Trend.objects.active().filter(pk=trend_id).first()
    if trend is None:
        raise Http404("No such trend.")
    return trend


def trend_detail(*, trend: Trend) -> dict:
    snapshots = list(trend.snapshots.order_by("taken_at"))
    mentions = list(trend.mentions.order_by("-volume", "source"))
    return {"trend": trend, "snapshots": snapshots, "mentions": mentions}


def trend_score_for_brand(*, trend: Trend, brand: Brand) -> BrandTrendScore | None:
    return BrandTrendScore.objects.filter(trend=trend, brand=brand).first()


def trend_is_dismissed(*, trend: Trend, brand: Brand) -> bool:
    return TrendDismissal.objects.filter(trend=trend, brand=brand).exists()


def trend_brand_scores(*, trend: Trend) -> QuerySet[BrandTrendScore]:
    """Every brand's score for the trend (staff)."""
    return trend.brand_scores.select_related("brand").order_by("-final")


def refresh_runs(*, limit: int = 10) -> list[TrendRefreshRun]:
    return list(TrendRefreshRun.objects.select_related("triggered_by")[:limit])


def refresh_run_get(*, run_id: int) -> TrendRefreshRun:
    run = TrendRefreshRun.objects.filter(pk=run_id).first()
    if run is None:
        raise Http404("No such run.")
    return run


def source_statuses() -> list[TrendSourceStatus]:
    return list(TrendSourceStatus.objects.all())
