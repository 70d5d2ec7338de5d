"""The trend job's steps: fetch every source, normalise, deduplicate (canonical URL, then
embedding similarity), and store trends, their mentions and a snapshot per refresh.

Deduplication: items with the same canonical URL are one story; then stories whose embeddings'
cosine similarity is at least settings.TREND_DEDUPE_COSINE (0.8) merge, and a story matches an
active trend when it shares a canonical URL with one of the trend's mentions or its embedding is
that close to the trend's. 0.8 keeps retellings of one story together (0.85-0.95 with
all-MiniLM-L6-v2) and related but distinct stories apart (0.3-0.6). Discussions (hashtags, X
trends, Reddit threads, bare titles) join the nearest story with articles at
settings.TREND_ATTACH_COSINE (0.55): on the offline demo set that attaches 60 of 146, 57 of them
to the right story; the rest stay trends of their own.

Momentum: m = (v - p) / (v + p) in [-1, 1], with v this refresh's volume and p the mean volume of
up to three previous snapshots; a trend's first snapshot has momentum 0 ("new"). A trend seen in
the last 48 hours that no source mentions this time gets a snapshot of volume 0 (it is fading),
but only when every source that carried it last time answered this refresh: a source that
failed or was skipped says nothing about its trends.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import numpy as np
from django.conf import settings
from django.db import transaction

from apps.brands.models import Industry
from apps.integrations.http import ServiceError
from apps.integrations.sources.base import (
    SourceItem,
    SourceNotConfigured,
    TrendSource,
    industry_queries,
    title_without_publisher,
)

from .categories import CATEGORY_DESCRIPTIONS
from .embeddings import embed_texts
from .models import SentimentLabel, Trend, TrendMention, TrendSnapshot, TrendSourceStatus, vector_to_bytes
from .scoring import CATEGORIES, INDUSTRY_COSINE, THIN_TEXT_WORDS

logger = logging.getLogger(__name__)

MAX_ITEM_AGE = timedelta(days=7)
FADING_WINDOW = timedelta(hours=48)
MOMENTUM_LOOKBACK = 3
TRACKING_PARAMS = re.compile(r"^(utm_|fbclid$|gclid$|mc_|ref$|ref_src$|cmpid$|s$|ncid$|ocid$|smid$)", re.I)


def canonical_url(url: str) -> str:
    """The URL with what doesn't change the page removed: scheme, www., tracking parameters,
    fragment, default ports, trailing slash. '' when it isn't an http(s) URL."""
    url = (url or "").strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return ""
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return ""
    host = parts.hostname.lower().removeprefix("www.")
    if parts.port and parts.port not in (80, 443):
        host = f"{host}:{parts.port}"
    query = urlencode(sorted((k, v) for k, v in parse_qsl(parts.query) if not TRACKING_PARAMS.match(k)))
    path = re.sub(r"/+$", "", parts.path) or ""
    return urlunsplit(("", host, path, query, ""))[2:]


def _humanise_tag(title: str) -> str:
    """'#OpenBanking' → 'Open Banking', so hashtags embed like the words they stand for."""
    if not title.startswith("#"):
        return title
    words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|_", " ", title[1:])
    return words.strip() or title


DISCUSSION_SOURCES = frozenset({"x", "reddit"})


def is_discussion(item: SourceItem) -> bool:
    """A hashtag, a community thread or a bare title, rather than an article that tells a story."""
    return item.source in DISCUSSION_SOURCES or item.title.startswith("#") or not item.summary


def is_thin_text(title: str, summary: str) -> bool:
    """A bare hashtag or short title with no summary: a word or two, not a story."""
    return not (summary or "").strip() and len(_humanise_tag(title or "").split()) <= THIN_TEXT_WORDS


def item_text(item: SourceItem) -> str:
    summary = item.summary[:300]
    title = _humanise_tag(item.title)
    return f"{title}. {summary}" if summary else title


@dataclass
class Story:
    """Items from one or more sources about the same thing, in this refresh."""

    items: list[SourceItem] = field(default_factory=list)
    vector: np.ndarray | None = None
    urls: set[str] = field(default_factory=set)

    @property
    def volume(self) -> int:
        return sum(max(item.volume, 0) for item in self.items)

    @property
    def is_discussion(self) -> bool:
        """Only people talking (hashtags, tags, Reddit threads) or bare titles: no article."""
        return all(is_discussion(item) for item in self.items)

    def headline(self) -> SourceItem:
        # A news headline names a trend better than a thread or a hashtag: articles first, then
        # items with a summary, then volume.
        return max(
            self.items,
            key=lambda i: (not is_discussion(i), bool(i.summary), not i.title.startswith("#"), i.volume),
        )


def normalise_items(items: Sequence[SourceItem], *, now: datetime) -> list[SourceItem]:
    """Trim, take the outlet's name off headlines (" - Reuters"), drop empty or stale items, and
    collapse exact repeats from one source."""
    seen: set[tuple[str, str]] = set()
    kept = []
    for item in items:
        item.title = title_without_publisher(re.sub(r"\s+", " ", item.title or "").strip(), item.source_name)
        item.title = item.title[:300]
        item.summary = re.sub(r"\s+", " ", item.summary or "").strip()[:1000]
        if not item.title:
            continue
        if item.published_at and item.published_at < now - MAX_ITEM_AGE:
            continue
        key = (item.source, canonical_url(item.url) or item.title.lower())
        if key in seen:
            continue
        seen.add(key)
        kept.append(item)
    return kept


def stories_from_items(items: Sequence[SourceItem], *, threshold: float) -> list[Story]:
    """Group by canonical URL, embed each group, then merge groups closer than `threshold`."""
    by_url: dict[str, Story] = {}
    stories: list[Story] = []
    for item in items:
        url = canonical_url(item.url)
        story = by_url.get(url) if url else None
        if story is None:
            story = Story()
            stories.append(story)
            if url:
                by_url[url] = story
        story.items.append(item)
        if url:
            story.urls.add(url)
    if not stories:
        return []
    vectors = embed_texts([item_text(s.headline()) for s in stories])
    # Greedy single pass: each story joins the first earlier cluster it is close enough to.
    similarity = vectors @ vectors.T
    cluster_of = list(range(len(stories)))
    for i in range(len(stories)):
        earlier = np.nonzero(similarity[i, :i] >= threshold)[0]
        if earlier.size:
            cluster_of[i] = cluster_of[int(earlier[0])]
    merged: dict[int, Story] = {}
    members: dict[int, list[int]] = defaultdict(list)
    for i, c in enumerate(cluster_of):
        members[c].append(i)
        target = merged.setdefault(c, Story())
        target.items.extend(stories[i].items)
        target.urls |= stories[i].urls
    for c, story in merged.items():
        story.vector = _normalised(vectors[members[c]].mean(axis=0))
    return _attach_discussions(list(merged.values()), threshold=settings.TREND_ATTACH_COSINE)


def _attach_discussions(stories: list[Story], *, threshold: float) -> list[Story]:
    """A hashtag or a thread talks about a story in other words than the articles that report it,
    so it sits further from them (0.45-0.8) than two articles do (0.85+); it joins the nearest
    article story at the lower threshold instead of becoming a trend of its own."""
    rich = [s for s in stories if not s.is_discussion]
    thin = [s for s in stories if s.is_discussion]
    if not rich or not thin:
        return stories
    similarity = np.vstack([s.vector for s in thin]) @ np.vstack([s.vector for s in rich]).T
    kept = list(rich)
    for i, story in enumerate(thin):
        j = int(similarity[i].argmax())
        if similarity[i, j] >= threshold:
            rich[j].items.extend(story.items)
            rich[j].urls |= story.urls
        else:
            kept.append(story)
    return kept


def _normalised(vector: np.ndarray) -> np.ndarray:
    norm = np.linalg.norm(vector)
    return (vector / norm).astype(np.float32) if norm else vector.astype(np.float32)


@lru_cache(maxsize=1)
def _category_vectors_cached() -> tuple[np.ndarray, np.ndarray]:
    """Every description sentence's vector, and the category index of each row."""
    owners = [i for i, c in enumerate(CATEGORIES) for _ in CATEGORY_DESCRIPTIONS[c]]
    vectors = embed_texts([sentence for c in CATEGORIES for sentence in CATEGORY_DESCRIPTIONS[c]])
    return vectors, np.array(owners)


def category_of(vector: np.ndarray) -> str:
    vectors, owners = _category_vectors_cached()
    return CATEGORIES[int(owners[int((vectors @ vector).argmax())])]


@lru_cache(maxsize=8)
def _industry_vectors_cached(key: tuple[tuple[str, str], ...]) -> np.ndarray:
    return embed_texts([f"{name}: {description}" for _, name, description in key])


def _industry_vectors() -> tuple[list[str], np.ndarray]:
    rows = tuple(
        Industry.objects.filter(is_active=True)
        .exclude(slug="other")
        .values_list("slug", "name", "description")
    )
    if not rows:
        return [], np.zeros((0, 384), dtype=np.float32)
    return [r[0] for r in rows], _industry_vectors_cached(rows)


@lru_cache(maxsize=1)
def _vader():
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


def sentiment(texts: Sequence[str]) -> tuple[str, float]:
    """VADER compound score averaged over the texts, and its label (±0.05 is VADER's own cut-off)."""
    if not texts:
        return SentimentLabel.NEUTRAL, 0.0
    score = float(np.mean([_vader().polarity_scores(t)["compound"] for t in texts]))
    if score >= 0.05:
        return SentimentLabel.POSITIVE, score
    if score <= -0.05:
        return SentimentLabel.NEGATIVE, score
    return SentimentLabel.NEUTRAL, score


def momentum(volume: int, previous: Sequence[int]) -> float:
    if not previous:
        return 0.0
    p = float(np.mean(previous))
    if volume + p == 0:
        return 0.0
    return float(np.clip((volume - p) / (volume + p), -1.0, 1.0))


@dataclass
class FetchOutcome:
    name: str
    label: str
    status: str  # "ok", "skipped" or "failed"
    items: list[SourceItem] = field(default_factory=list)
    message: str = ""

    def as_result(self) -> dict:
        return {
            "name": self.name,
            "label": self.label,
            "status": self.status,
            "items": len(self.items),
            "message": self.message,
        }


def source_fetch(source: TrendSource, *, now: datetime) -> FetchOutcome:
    """Run one source, never raising: record its success, skip or error on TrendSourceStatus."""
    label = source.label or source.name
    status, _ = TrendSourceStatus.objects.get_or_create(name=source.name, defaults={"label": label})
    status.label, status.last_run_at = label, now
    try:
        source.check_configured()
        result = source.fetch(industries=industry_queries(Industry.objects.filter(is_active=True)))
    except SourceNotConfigured as exc:
        logger.info("trend source %s skipped: %s", source.name, exc)
        status.skipped_reason = str(exc)[:300]
        status.save()
        return FetchOutcome(source.name, label, "skipped", message=str(exc))
    except ServiceError as exc:
        logger.warning("trend source %s failed: %s", source.name, exc)
        status.last_error, status.last_error_at, status.skipped_reason = str(exc), now, ""
        status.save()
        return FetchOutcome(source.name, label, "failed", message=str(exc))
    except Exception as exc:  # a bug in one source must not stop the others
        logger.exception("trend source %s crashed", source.name)
        status.last_error, status.last_error_at, status.skipped_reason = (
            f"{exc.__class__.__name__}: {exc}",
            now,
            "",
        )
        status.save()
        return FetchOutcome(source.name, label, "failed", message=f"{exc.__class__.__name__}: {exc}")
    status.last_success_at, status.last_item_count, status.skipped_reason = now, len(result.items), ""
    status.rate_limit_remaining, status.rate_limit_reset_at = (
        result.rate_limit_remaining,
        result.rate_limit_reset,
    )
    message = ""
    if result.errors:
        message = "; ".join(result.errors)[:1000]
        status.last_error, status.last_error_at = message, now
    status.save()
    return FetchOutcome(source.name, label, "ok", items=list(result.items), message=message)


@dataclass
class StoreOutcome:
    created: int = 0
    updated: int = 0
    faded: int = 0
    trend_ids: list[int] = field(default_factory=list)


def stories_store(
    stories: Sequence[Story],
    *,
    now: datetime,
    run=None,
    threshold: float,
    heard: set[str] | None = None,
    progress: Callable[[int], None] | None = None,
) -> StoreOutcome:
    """Match stories to active trends, create or update them, and snapshot every touched trend.

    `heard`: the sources that answered this time (None: every source a trend came from). A trend
    nobody mentions fades only when all the sources that carried it last time are among them."""
    outcome = StoreOutcome()
    active = list(Trend.objects.active(now).only("id", "embedding"))
    active_ids = [t.id for t in active]
    active_vectors = np.vstack([t.vector for t in active]) if active else np.zeros((0, 384), dtype=np.float32)
    url_owner = dict(
        TrendMention.objects.filter(trend_id__in=active_ids)
        .exclude(canonical_url="")
        .values_list("canonical_url", "trend_id")
    )
    # Which trend each story belongs to: a shared URL first, then the nearest close-enough vector.
    by_trend: dict[int | None, list[Story]] = defaultdict(list)
    story_vectors = np.vstack([s.vector for s in stories]) if stories else np.zeros((0, 384), np.float32)
    nearest = story_vectors @ active_vectors.T if active else None
    new_stories: list[Story] = []
    for i, story in enumerate(stories):
        owner = next((url_owner[u] for u in story.urls if u in url_owner), None)
        if owner is None and nearest is not None:
            j = int(nearest[i].argmax())
            if nearest[i, j] >= (settings.TREND_ATTACH_COSINE if story.is_discussion else threshold):
                owner = active_ids[j]
        if owner is None:
            new_stories.append(story)
        else:
            by_trend[owner].append(story)

    industry_slugs, industry_vectors = _industry_vectors()
    total = len(by_trend) + len(new_stories)
    done = 0

    def _tick():
        nonlocal done
        done += 1
        if progress and total:
            progress(int(100 * done / total))

    with transaction.atomic():
        existing = Trend.objects.in_bulk(list(by_trend))
        for trend_id, group in by_trend.items():
            trend = existing[trend_id]
            merged = Story(items=[i for s in group for i in s.items], vector=trend.vector)
            _trend_apply(
                trend, merged, now=now, set_category=False, industries=(industry_slugs, industry_vectors)
            )
            outcome.updated += 1
            outcome.trend_ids.append(trend.id)
            _tick()
        for story in new_stories:
            trend = Trend(first_seen_at=now, expires_at=now + timedelta(days=settings.TREND_EXPIRE_DAYS))
            trend.embedding = vector_to_bytes(story.vector)
            _trend_apply(
                trend, story, now=now, set_category=True, industries=(industry_slugs, industry_vectors)
            )
            outcome.created += 1
            outcome.trend_ids.append(trend.id)
            _tick()
        outcome.faded = _snapshot_faded(now=now, seen=set(outcome.trend_ids), run=run, heard=heard)
        _snapshots_create(outcome.trend_ids, now=now, run=run)
    return outcome


def _trend_apply(trend: Trend, story: Story, *, now, set_category: bool, industries) -> None:
    """Set a trend's text, category, industries and this refresh's figures from its story."""
    head = story.headline()
    if not trend.pk or (not is_discussion(head) and _titled_by_discussion(trend)):
        # New, or named after a thread or hashtag until an article about it came along.
        trend.title = head.title
        trend.summary = head.summary or trend.summary
    if not trend.summary:
        trend.summary = next((i.summary for i in story.items if i.summary), "")
    vector = trend.vector if trend.embedding else story.vector
    if set_category:
        trend.category = category_of(vector)
    slugs, vectors = industries
    found = {i.industry for i in story.items if i.industry and i.industry != "general"}
    if len(slugs):
        found |= {slugs[k] for k in np.nonzero(vectors @ vector >= INDUSTRY_COSINE)[0]}
    trend.industries = sorted(set(trend.industries or []) | found)
    trend.last_seen_at = now
    trend.volume = story.volume
    trend.sentiment_label, trend.sentiment_score = sentiment([item_text(i) for i in story.items])
    trend.save()
    _mentions_upsert(trend, story.items, now=now)


def _titled_by_discussion(trend: Trend) -> bool:
    if trend.title.startswith("#"):
        return True
    return not trend.mentions.filter(title=trend.title).exclude(source__in=DISCUSSION_SOURCES).exists()


def _mentions_upsert(trend: Trend, items: Sequence[SourceItem], *, now) -> None:
    existing = {(m.source, m.canonical_url, m.title): m for m in trend.mentions.all()} if trend.pk else {}
    for item in items:
        url = canonical_url(item.url)
        key = (item.source, url, item.title[:300])
        mention = existing.get(key)
        if mention is None:
            mention = TrendMention(
                trend=trend,
                source=item.source,
                title=item.title[:300],
                canonical_url=url,
                first_seen_at=now,
            )
            existing[key] = mention
        mention.source_name = (item.source_name or "")[:120]
        mention.url = item.url[:1000] if url else ""
        mention.published_at = item.published_at
        mention.last_seen_at = now
        mention.volume = max(item.volume, 0)
        mention.save()


def _snapshot_faded(*, now, seen: set[int], run, heard: set[str] | None) -> int:
    """Trends seen lately that nobody mentions this time: volume 0 now. A trend whose last
    sighting came (in part) from a source that did not answer this time is left as it was: that
    source's silence says nothing about it."""
    faded = list(
        Trend.objects.active(now)
        .filter(last_seen_at__gte=now - FADING_WINDOW, last_seen_at__lt=now)
        .exclude(id__in=seen)
        .exclude(volume=0)
    )
    if heard is not None and faded:
        carriers: dict[int, set[str]] = defaultdict(set)
        last_seen = {t.id: t.last_seen_at for t in faded}
        for trend_id, source, seen_at in TrendMention.objects.filter(
            trend_id__in=list(last_seen)
        ).values_list("trend_id", "source", "last_seen_at"):
            if seen_at == last_seen[trend_id]:
                carriers[trend_id].add(source)
        faded = [t for t in faded if carriers[t.id] <= heard]
    for trend in faded:
        trend.volume = 0
        trend.save(update_fields=["volume", "updated_at"])
    _snapshots_create([t.id for t in faded], now=now, run=run)
    return len(faded)


def _snapshots_create(trend_ids: Sequence[int], *, now, run) -> None:
    if not trend_ids:
        return
    previous: dict[int, list[int]] = defaultdict(list)
    for trend_id, volume in (
        TrendSnapshot.objects.filter(trend_id__in=trend_ids, taken_at__lt=now)
        .order_by("trend_id", "-taken_at")
        .values_list("trend_id", "volume")
    ):
        if len(previous[trend_id]) < MOMENTUM_LOOKBACK:
            previous[trend_id].append(volume)
    snapshots = []
    trends = Trend.objects.in_bulk(list(trend_ids))
    mention_counts: dict[int, int] = defaultdict(int)
    sources_now: dict[int, set[str]] = defaultdict(set)
    for trend_id, source in TrendMention.objects.filter(trend_id__in=trend_ids, last_seen_at=now).values_list(
        "trend_id", "source"
    ):
        mention_counts[trend_id] += 1
        sources_now[trend_id].add(source)
    for trend_id in trend_ids:
        trend = trends[trend_id]
        trend.momentum = momentum(trend.volume, previous.get(trend_id, []))
        trend.save(update_fields=["momentum", "updated_at"])
        snapshots.append(
            TrendSnapshot(
                trend=trend,
                run=run,
                taken_at=now,
                volume=trend.volume,
                mention_count=mention_counts[trend_id],
                source_count=len(sources_now[trend_id]),
                momentum=trend.momentum,
                sentiment_label=trend.sentiment_label,
                sentiment_score=trend.sentiment_score,
            )
        )
    TrendSnapshot.objects.bulk_create(snapshots)


def text_digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()
