"""Everything that changes trend state: a refresh run end to end, brand embeddings, scoring
every trend for every brand into BrandTrendScore, and dismissing a trend for a brand."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from datetime import datetime

import numpy as np
from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from apps.accounts.models import User
from apps.brands.models import Brand, ConnectionStatus, Industry, SocialConnection
from apps.core.vocabulary import PLATFORM_FORMAT_PAIRS
from apps.integrations.sources.base import sources_enabled
from apps.integrations.sources.offline import OfflineFixtureSource
from apps.notifications.models import Level, Notification
from apps.notifications.services import notification_create

from . import cache as trend_cache
from . import events, progress
from .embeddings import embed_texts
from .models import (
    EMBEDDING_DIM,
    BrandEmbedding,
    BrandTrendScore,
    Decision,
    RunStatus,
    Trend,
    TrendDismissal,
    TrendMention,
    TrendRefreshRun,
    vector_from_bytes,
    vector_to_bytes,
)
from .pipeline import (
    FetchOutcome,
    is_thin_text,
    normalise_items,
    source_fetch,
    stories_from_items,
    stories_store,
    text_digest,
)
from .rerank import rerank_scores
from .scoring import (
    CATEGORY_INDEX,
    RECOMMEND,
    SKIP,
    VOLUME_KINDS,
    VOLUME_KINDS_DEFAULT,
    BrandBatch,
    BrandVectors,
    TrendBatch,
    brand_past_rewards,
    platform_mask,
    score,
    score_in_slices,
)

logger = logging.getLogger(__name__)

# Scores kept per brand (the best ones); the rest of a brand's non-skipped trends are not stored.
SCORES_KEPT_PER_BRAND = 50
# A brand's rescore reports its progress after every this many trends.
PROGRESS_TRENDS_PER_STEP = 100
ScoreProgress = Callable[[str, int, int], None]  # (stage, trends done, trends in all)
BRAND_CHUNK = 500


# --- Refresh runs -------------------------------------------------------------------------


def trend_refresh_request(*, user=None, trigger: str = TrendRefreshRun.Trigger.MANUAL) -> TrendRefreshRun:
    """Queue a refresh; at most one runs or waits at a time (a second request returns the first)."""
    from .tasks import trends_refresh

    with transaction.atomic():
        pending = (
            TrendRefreshRun.objects.select_for_update()
            .filter(status__in=[RunStatus.QUEUED, RunStatus.RUNNING])
            .first()
        )
        if pending and not _stale(pending):
            return pending
        run = TrendRefreshRun.objects.create(trigger=trigger, triggered_by=user, stage="Waiting for a worker")
        transaction.on_commit(lambda: trends_refresh.delay(run.pk))
    return run


def _stale(run: TrendRefreshRun) -> bool:
    """A run stuck for 2 hours died with its worker; a new request replaces it."""
    since = run.started_at or run.created_at
    return (timezone.now() - since).total_seconds() > 2 * 3600


def _run_update(run: TrendRefreshRun, **fields) -> None:
    for name, value in fields.items():
        setattr(run, name, value)
    run.save(update_fields=[*fields, "updated_at"])
    events.run_progress(run)


def trend_refresh_execute(
    *, run: TrendRefreshRun, sources=None, now: datetime | None = None
) -> TrendRefreshRun:
    """The whole job: fetch → normalise → deduplicate → store with snapshots → score every brand.

    Silence is not news: when no source answered with items (no keys, no network), the run fails
    with the reason, the trends and scores stay as they were and staff are told; with
    settings.TREND_OFFLINE_FALLBACK the offline demo set stands in instead. A trend fades only
    when every source that carried it last time answered this time."""

    now = now or timezone.now()
    sources = sources_enabled() if sources is None else sources
    _run_update(
        run, status=RunStatus.RUNNING, started_at=timezone.now(), stage="Fetching sources", progress=2
    )
    try:
        outcomes: list[FetchOutcome] = []
        for index, source in enumerate(sources):
            _run_update(run, stage=f"Fetching {source.label or source.name}")
            outcomes.append(source_fetch(source, now=now))
            _run_update(
                run,
                source_results=[o.as_result() for o in outcomes],
                items_fetched=sum(len(o.items) for o in outcomes),
                progress=2 + int(38 * (index + 1) / max(len(sources), 1)),
            )
        answered = [o for o in outcomes if o.status == "ok" and o.items]
        problem = _sources_problem(outcomes)
        # The sources whose silence about a trend means something this time.
        heard = {o.name for o in answered} | {i.source for o in answered for i in o.items}
        if not answered:
            problem = "No source returned anything (" + (problem or "no sources are switched on") + ")."
            if not settings.TREND_OFFLINE_FALLBACK:
                return _run_fail_quietly(run, reason=problem + " The trends were left as they were.")
            _run_update(run, stage="Fetching the offline demo set")
            fallback = source_fetch(OfflineFixtureSource(now=now), now=now)
            outcomes.append(fallback)
            _run_update(
                run, source_results=[o.as_result() for o in outcomes], items_fetched=len(fallback.items)
            )
            if not fallback.items:
                return _run_fail_quietly(run, reason=f"{problem} The offline demo set failed too.")
            answered, heard = [fallback], set()  # the demo set says nothing about live trends
            problem += " The offline demo set stood in."
            _staff_alert(
                title="Trend sources are not answering",
                body=f"{problem} Recommendations keep coming from the demo set until a source answers.",
                level=Level.WARNING,
            )
        items = normalise_items([i for o in answered for i in o.items], now=now)
        _run_update(run, stage=f"Merging duplicates among {len(items)} items", progress=45)
        stories = stories_from_items(items, threshold=settings.TREND_DEDUPE_COSINE)
        _run_update(run, stage=f"Saving {len(stories)} stories as trends", progress=55)
        stored = stories_store(
            stories,
            now=now,
            run=run,
            threshold=settings.TREND_DEDUPE_COSINE,
            heard=heard,
            progress=lambda pct: _throttled_progress(run, 55 + int(pct * 0.2)),
        )
        _run_update(
            run,
            trends_created=stored.created,
            trends_updated=stored.updated,
            stage="Scoring brands",
            progress=78,
        )
        scored = trends_score_brands(now=now, run=run)
        _run_update(
            run,
            status=RunStatus.PARTIAL if problem else RunStatus.SUCCEEDED,
            error=problem,
            finished_at=timezone.now(),
            progress=100,
            stage="Done",
            brands_scored=scored["brands"],
            recommendations=scored["recommendations"],
        )
    except Exception as exc:
        logger.exception("trend refresh %s failed", run.pk)
        _run_update(
            run,
            status=RunStatus.FAILED,
            finished_at=timezone.now(),
            stage="Failed",
            error=f"{exc.__class__.__name__}: {exc}"[:2000],
        )
        raise
    return run


def _sources_problem(outcomes: Sequence[FetchOutcome]) -> str:
    """The sources that failed, were skipped or returned nothing, in one line ('' when none failed
    and at least one answered: a skipped source beside answering ones is just not configured)."""
    failed = [o for o in outcomes if o.status == "failed"]
    if any(o.status == "ok" and o.items for o in outcomes):
        return "; ".join(_outcome_said(o) for o in failed)[:1500]
    return "; ".join(_outcome_said(o) for o in outcomes)[:1500]


def _outcome_said(outcome: FetchOutcome) -> str:
    """'NewsAPI skipped: NEWSAPI_KEY is not set', or the error alone when it names its source
    ("Reddit failed (503): …")."""
    if outcome.status == "ok":
        return f"{outcome.label} returned no items"
    message = outcome.message or "no reason given"
    if message.lower().startswith((outcome.name.lower(), outcome.label.lower())):
        return message
    return f"{outcome.label} {outcome.status}: {message}"


def _run_fail_quietly(run: TrendRefreshRun, *, reason: str) -> TrendRefreshRun:
    """End a run that learned nothing: failed, with the reason, trends untouched, staff told."""
    logger.warning("trend refresh %s: %s", run.pk, reason)
    _run_update(run, status=RunStatus.FAILED, finished_at=timezone.now(), stage="Failed", error=reason)
    _staff_alert(title="Trend refresh found nothing", body=reason)
    return run


def _staff_alert(*, title: str, body: str, level: str = Level.ERROR) -> None:
    """Tell every active staff user, once: not again while the same alert is still unread."""
    url = reverse("trends:operations")
    for user in User.objects.filter(is_staff=True, is_active=True):
        if not Notification.objects.filter(user=user, title=title, read_at__isnull=True).exists():
            notification_create(user=user, title=title, body=body, url=url, level=level)


def _throttled_progress(run: TrendRefreshRun, progress: int) -> None:
    if progress - run.progress >= 4:
        _run_update(run, progress=progress)


# --- Brand embeddings ----------------------------------------------------------------------


def brand_profile_text(brand: Brand) -> str:
    parts = []
    own = brand_own_industry(brand)
    if own:
        parts.append(f"{own}.")
    elif brand.industry_id and brand.industry.slug != Industry.OTHER:
        parts.append(f"{brand.industry.name}.")
    parts.append("; ".join(brand.pillars) + ".")
    audience = [*brand.audience_roles, *brand.audience_geographies, *brand.audience_company_sizes]
    if audience:
        parts.append("Audience: " + ", ".join(audience) + ".")
    return " ".join(parts)


def brand_own_industry(brand: Brand) -> str:
    """The brand's industry in its own words ('' when it gave none)."""
    return " ".join((brand.industry_description or "").split()).rstrip(".")


def _own_industry_vector(embedding: BrandEmbedding) -> np.ndarray:
    vector = vector_from_bytes(embedding.industry_vector)
    return vector if vector is not None else np.zeros(EMBEDDING_DIM, dtype=np.float32)


def brand_negatives(brand: Brand) -> list[str]:
    """What the brand is not about: its negative topics, then its banned topics, each once."""
    seen, topics = set(), []
    for topic in [*(brand.negative_topics or []), *(brand.banned_topics or [])]:
        text = " ".join(str(topic).split())
        if text and text.lower() not in seen:
            seen.add(text.lower())
            topics.append(text)
    return topics


def brand_embeddings_ensure(brands: Sequence[Brand], *, force: bool = False) -> dict[int, BrandEmbedding]:
    """Every brand's embedding, computed (in one batch) where missing or out of date."""
    current = {e.brand_id: e for e in BrandEmbedding.objects.filter(brand__in=brands)}
    stale = []
    for brand in brands:
        digest = text_digest(
            brand_profile_text(brand), json.dumps(brand.pillars), json.dumps(brand_negatives(brand))
        )
        embedding = current.get(brand.pk)
        if force or embedding is None or embedding.text_digest != digest:
            stale.append((brand, digest))
    if stale:
        texts = [brand_profile_text(b) for b, _ in stale]
        pillar_texts = [p for b, _ in stale for p in b.pillars]
        own_texts = [brand_own_industry(b) for b, _ in stale if brand_own_industry(b)]
        negative_texts = [t for b, _ in stale for t in brand_negatives(b)]
        vectors = iter(embed_texts(texts + pillar_texts + own_texts + negative_texts))
        profile = [next(vectors) for _ in texts]
        pillars = [np.vstack([next(vectors) for _ in b.pillars]) if b.pillars else None for b, _ in stale]
        own = [next(vectors) if brand_own_industry(b) else None for b, _ in stale]
        negatives = [[next(vectors) for _ in brand_negatives(b)] for b, _ in stale]
        now = timezone.now()
        for k, (brand, digest) in enumerate(stale):
            embedding, _ = BrandEmbedding.objects.update_or_create(
                brand=brand,
                defaults={
                    "vector": vector_to_bytes(profile[k]),
                    "industry_vector": vector_to_bytes(own[k]) if own[k] is not None else b"",
                    "pillar_vectors": vector_to_bytes(pillars[k]) if pillars[k] is not None else b"",
                    "pillars": list(brand.pillars),
                    "negative_vectors": vector_to_bytes(np.vstack(negatives[k])) if negatives[k] else b"",
                    "negatives": brand_negatives(brand),
                    "text_digest": digest,
                    "computed_at": now,
                },
            )
            current[brand.pk] = embedding
    return current


def embedding_rows(data, count: int) -> np.ndarray | None:
    """`count` stored vectors (pillars, negatives) as a count × D array; None when there are none."""
    vector = vector_from_bytes(data)
    if vector is None or not count or vector.size != count * EMBEDDING_DIM:
        return None
    return vector.reshape(count, EMBEDDING_DIM)


def brands_scorable() -> QuerySet[Brand]:
    """Brands with a profile to match: onboarded, or at least with pillars."""
    return Brand.objects.select_related("industry").exclude(pillars=[])


# --- Scoring -------------------------------------------------------------------------------


def trends_score_brands(
    *, brand_ids: Sequence[int] | None = None, now=None, run=None, on_progress: ScoreProgress | None = None
) -> dict:
    """Score every active trend for every (or the given) brand and store the results. `on_progress`
    hears each stage: "profile" before the embeddings, then "scoring" with n of N trends."""
    now = now or timezone.now()
    brands = brands_scorable()
    if brand_ids is not None:
        brands = brands.filter(pk__in=brand_ids)
    trends = list(
        Trend.objects.active(now).only(
            "id",
            "title",
            "summary",
            "embedding",
            "volume",
            "momentum",
            "sentiment_label",
            "category",
            "industries",
        )
    )
    totals = {"brands": 0, "recommendations": 0}
    brand_list = list(brands.order_by("pk"))
    if not brand_list:
        return totals
    industry_slugs = list(Industry.objects.exclude(slug="other").values_list("slug", flat=True))
    trend_batch = trend_batch_build(trends, industry_slugs) if trends else None
    for start in range(0, len(brand_list), BRAND_CHUNK):
        chunk = brand_list[start : start + BRAND_CHUNK]
        if on_progress is not None:
            on_progress("profile", 0, len(trends))
        embeddings = brand_embeddings_ensure(chunk)
        if trend_batch is None:
            with transaction.atomic():
                BrandTrendScore.objects.filter(brand__in=chunk).delete()
        else:
            totals["recommendations"] += _chunk_score_store(
                chunk, embeddings, trends, trend_batch, industry_slugs, now, on_progress
            )
        totals["brands"] += len(chunk)
        trend_cache.invalidate([b.pk for b in chunk])
        if run is not None:
            _throttled_progress(run, 78 + int(20 * (start + len(chunk)) / len(brand_list)))
    return totals


def trend_batch_build(trends: Sequence[Trend], industry_slugs: Sequence[str]) -> TrendBatch:
    column = {slug: i for i, slug in enumerate(industry_slugs)}
    industries = np.zeros((len(trends), len(industry_slugs)), dtype=bool)
    for row, trend in enumerate(trends):
        for slug in trend.industries or []:
            if slug in column:
                industries[row, column[slug]] = True
    return TrendBatch(
        vectors=np.vstack([t.vector for t in trends]),
        volumes=np.array([t.volume for t in trends], dtype=np.float64),
        momenta=np.array([t.momentum for t in trends], dtype=np.float64),
        sentiments=[t.sentiment_label for t in trends],
        categories=np.array([CATEGORY_INDEX.get(t.category, 0) for t in trends], dtype=np.int64),
        industries=industries,
        thin=np.array([is_thin_text(t.title, t.summary) for t in trends], dtype=bool),
        kinds=np.array(trend_volume_kinds([t.pk for t in trends])),
    )


def trend_volume_kinds(trend_ids: Sequence[int]) -> list[str]:
    """What each trend's volume counts: the VOLUME_KINDS of its biggest source (by mentions)."""
    totals: dict[int, dict[str, int]] = {pk: {} for pk in trend_ids}
    rows = TrendMention.objects.filter(trend_id__in=trend_ids).values_list("trend_id", "source", "volume")
    for trend_id, source, volume in rows:
        kind = VOLUME_KINDS.get(source, VOLUME_KINDS_DEFAULT)
        totals[trend_id][kind] = totals[trend_id].get(kind, 0) + max(volume, 1)
    return [max(kinds, key=kinds.get) if kinds else VOLUME_KINDS_DEFAULT for kinds in totals.values()]


def brand_batch_build(
    brands: Sequence[Brand], embeddings: dict[int, BrandEmbedding], industry_slugs
) -> BrandBatch:
    column = {slug: i for i, slug in enumerate(industry_slugs)}
    platforms: dict[int, set[str]] = {b.pk: set() for b in brands}
    for brand_id, platform in SocialConnection.objects.filter(
        brand__in=brands, status=ConnectionStatus.CONNECTED
    ).values_list("brand_id", "platform"):
        platforms[brand_id].add(platform)
    pillars = [embedding_rows(embeddings[b.pk].pillar_vectors, len(embeddings[b.pk].pillars)) for b in brands]
    negatives = [
        embedding_rows(embeddings[b.pk].negative_vectors, len(embeddings[b.pk].negatives)) for b in brands
    ]
    return BrandBatch(
        vectors=np.vstack([vector_from_bytes(embeddings[b.pk].vector) for b in brands]),
        industries=np.array(
            [column.get(b.industry.slug, -1) if b.industry_id else -1 for b in brands], dtype=np.int64
        ),
        platforms=np.vstack([platform_mask(platforms[b.pk]) for b in brands]),
        past=brand_past_rewards([b.pk for b in brands]),
        own_industries=np.vstack([_own_industry_vector(embeddings[b.pk]) for b in brands]),
        pillars=BrandVectors.from_lists(pillars),
        negatives=BrandVectors.from_lists(negatives),
        dismissed=BrandVectors.from_lists(brand_dismissed_vectors([b.pk for b in brands])),
    )


# The dismissals that push look-alikes down: each brand's most recent ones.
DISMISSALS_REMEMBERED = 200


def brand_dismissed_vectors(brand_ids: Sequence[int]) -> list[np.ndarray | None]:
    """Per brand (in the given order), the embeddings of the trends it dismissed, newest first."""
    found: dict[int, list[np.ndarray]] = {pk: [] for pk in brand_ids}
    rows = (
        TrendDismissal.objects.filter(brand_id__in=brand_ids)
        .order_by("brand_id", "-created_at")
        .values_list("brand_id", "trend__embedding")
    )
    for brand_id, data in rows:
        vector = vector_from_bytes(data)
        if vector is not None and len(found[brand_id]) < DISMISSALS_REMEMBERED:
            found[brand_id].append(vector)
    return [np.vstack(found[pk]) if found[pk] else None for pk in brand_ids]


def _chunk_score_store(brands, embeddings, trends, trend_batch, industry_slugs, now, on_progress=None) -> int:
    brand_batch = brand_batch_build(brands, embeddings, industry_slugs)
    if on_progress is None:
        scores = score(trend_batch, brand_batch)
    else:
        scores = score_in_slices(
            trend_batch,
            brand_batch,
            rows=PROGRESS_TRENDS_PER_STEP,
            progress=lambda done, total: on_progress("scoring", done, total),
        )
    rows = []
    trends_by_id = {t.pk: t for t in trends}
    for column, brand in enumerate(brands):
        decisions = scores.decision[:, column]
        kept = np.nonzero(decisions != SKIP)[0]
        if kept.size == 0:
            continue
        kept = kept[np.argsort(-scores.final[kept, column])][:SCORES_KEPT_PER_BRAND]
        embedding = embeddings[brand.pk]
        brand_rows = []
        for t in kept:
            platform, post_format = PLATFORM_FORMAT_PAIRS[int(scores.best_format[t, column])]
            is_recommended = decisions[t] == RECOMMEND
            brand_rows.append(
                BrandTrendScore(
                    brand=brand,
                    trend_id=trends[t].pk,
                    relevance=float(scores.relevance[t, column]),
                    opportunity=float(scores.opportunity[t]),
                    format_fit=float(scores.format_fit[t, column]),
                    reward=float(scores.reward[t, column]),
                    final=float(scores.final[t, column]),
                    decision=Decision.RECOMMEND if is_recommended else Decision.WATCHLIST,
                    platform=platform,
                    post_format=post_format,
                    matched_pillar=_pillar_name(embedding, int(scores.pillar[t, column])),
                    scored_at=now,
                )
            )
        # With an LLM configured, its grades of the top ~15 rerank them (one call per brand).
        rows += rerank_scores(brand, brand_rows, trends_by_id, profile_digest=embedding.text_digest)
    recommendations = sum(row.decision == Decision.RECOMMEND for row in rows)
    with transaction.atomic():
        BrandTrendScore.objects.filter(brand__in=brands).delete()
        BrandTrendScore.objects.bulk_create(rows, batch_size=2000)
    return recommendations


def _pillar_name(embedding: BrandEmbedding, index: int) -> str:
    return embedding.pillars[index][:300] if 0 <= index < len(embedding.pillars) else ""


def brand_profile_changed_rescore(sender, *, brand: Brand, **kwargs) -> None:
    """The brands app's `brand_profile_changed`: rescore the brand if it has something to match."""
    if brand.pillars and Trend.objects.active().exists():
        brand_rescore_request(brand=brand)


def brand_rescore_request(*, brand: Brand) -> None:
    """Rescore the brand in the worker after this transaction, its dashboard showing the progress
    from now on (not only once a worker takes the task)."""
    from .tasks import brand_rescore  # tasks import this module

    progress.progress_set(progress.ScoringProgress(brand.pk, progress.QUEUED))
    transaction.on_commit(lambda: brand_rescore.delay(brand.pk))


def brand_trends_rescore(*, brand: Brand) -> None:
    """After a profile change: new embedding (if the text changed) and fresh scores for this brand,
    with its progress (n of N trends scored) stored and sent live to the brand's pages."""

    def report(stage: str, done: int, total: int) -> None:
        state = progress.ScoringProgress(brand.pk, stage, done, total)
        progress.progress_set(state)
        events.brand_scoring_progress(brand, state)

    try:
        trends_score_brands(brand_ids=[brand.pk], on_progress=report)
    except Exception:
        report(progress.FAILED, 0, 0)
        raise
    total = Trend.objects.active().count()
    # After the scores are stored and the cached copy dropped: the page fetches the new cards.
    report(progress.FINISHED, total, total)


# --- Dismissal -----------------------------------------------------------------------------


def trend_dismiss(*, brand: Brand, trend: Trend, user) -> TrendDismissal:
    """ "Not for us": hide the trend from the brand's lists; kept for learning."""
    score_row = BrandTrendScore.objects.filter(brand=brand, trend=trend).first()
    dismissal, _ = TrendDismissal.objects.get_or_create(
        brand=brand,
        trend=trend,
        defaults={"dismissed_by": user, "final_at_dismissal": score_row.final if score_row else None},
    )
    transaction.on_commit(lambda: trend_cache.invalidate([brand.pk]))
    _rescore_after_feedback(brand)
    return dismissal


def _rescore_after_feedback(brand: Brand) -> None:
    """A dismissal (or its undo) moves the brand's look-alike trends: rescore it in the worker."""
    from .tasks import brand_rescore  # tasks import this module

    transaction.on_commit(lambda: brand_rescore.delay(brand.pk))


def trend_undismiss(*, brand: Brand, trend: Trend) -> None:
    TrendDismissal.objects.filter(brand=brand, trend=trend).delete()
    transaction.on_commit(lambda: trend_cache.invalidate([brand.pk]))
    _rescore_after_feedback(brand)
