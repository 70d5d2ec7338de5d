"""Engagement tracking: every 4 hours, the numbers of every post published in the last 30 days,
one MetricsSnapshot per fetch, the latest numbers and the reward on the Publication (SPEC
section 7). A new post does not wait up to 4 hours for its first numbers: a short periodic run
fetches every post never fetched yet once it is FIRST_FETCH_AFTER (15 minutes) old.

- X: GET /2/tweets with up to 100 ids a request (public_metrics), per account; a 429 stops that
  account's requests until the window's reset (x-rate-limit-reset, kept in the cache) and its
  posts keep their old numbers: they are simply fetched on the next run. When a batch says
  x-rate-limit-remaining is 0, the account's later batches wait for the reset the same way.
- LinkedIn: memberCreatorPostAnalytics when the app may read it, else socialActions with shares
  and impressions estimated (apps.analytics.rewards, "LinkedIn estimate"); a 429 blocks the account
  until midnight UTC (LinkedIn's limits are daily).
- Sandbox: the sandbox plug-in's engagement model at `now` (replies are comments, reposts are
  shares; the sandbox has no quotes or bookmarks).

Every platform is read through the social interface (`fetch_metrics` of the client registered in
settings.SOCIAL_PUBLISHERS), which returns raw numbers; the LinkedIn estimate is applied here.

A thread (several part_ids) counts as one post: its numbers are the sums over its parts (every
part's likes, replies … and impressions), so its reward is the thread's as a whole. A part the
platform no longer has counts as nothing; a post none of whose parts it has gets no snapshot.

The reward is final once a fetch happens 7 days or more after publishing; a final reward is never
changed afterwards (the update is compare-and-set on reward_final=False). The numbers and the
engagement rate keep being fetched until the post is 30 days old, so analytics and the post's page
show them growing; each later snapshot carries the reward of its own numbers, while the post's
reward (the one the learning loop and A/B tests use) stays the one fixed at 7 days.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from apps.brands.connections import connection_access_token
from apps.brands.models import Platform
from apps.integrations.http import ServiceError
from apps.integrations.social.base import MetricsAuthError, MetricsRateLimited, PostMetrics, PublishAccount
from apps.integrations.social.registry import publisher_for
from apps.learning.services import reward_record_upsert
from apps.publishing.models import Publication, PublicationStatus

from .models import MetricsSnapshot
from .rewards import (
    FIRST_FETCH_AFTER,
    METRIC_NAMES,
    METRICS_WINDOW,
    REWARD_FINAL_AFTER,
    engagement_rate_of,
    linkedin_estimate,
    reward_of,
)

logger = logging.getLogger(__name__)

# A run that follows another within this long does not fetch the same posts again (a task
# delivered twice stores one snapshot, not two).
REFETCH_AFTER = timedelta(minutes=30)


@dataclass
class MetricsFetchSummary:
    """What one run did, per outcome; `problems` says in words why accounts were skipped."""

    due: int = 0
    fetched: int = 0
    finalized: int = 0
    missing: int = 0  # the platform no longer has the post
    rate_limited: int = 0  # posts left for the next run because of a rate limit
    skipped: int = 0  # posts of accounts we could not ask (sign-in, errors)
    requests: int = 0
    handled: int = 0  # stored or found missing (the others were left for a later run)
    problems: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


def _blocked_key(platform: str, connection_id: int | None) -> str:
    return f"analytics:metrics-blocked:{platform}:{connection_id}"


def metrics_blocked_until(
    *, platform: str, connection_id: int | None, now: datetime | None = None
) -> datetime | None:
    """When an account's earlier 429 stops blocking its metrics requests (None: not blocked)."""
    until = cache.get(_blocked_key(platform, connection_id))
    return until if until and until > (now or timezone.now()) else None


def _block(platform: str, connection_id: int | None, until: datetime | None, now: datetime) -> None:
    # No reset given: nothing is blocked; the next run (4 hours later) simply tries again.
    if until is None or until <= now:
        return
    cache.set(_blocked_key(platform, connection_id), until, timeout=int((until - now).total_seconds()) + 1)


def metrics_due(*, now: datetime, first_only: bool = False) -> list[Publication]:
    """Published in the last 30 days and not fetched in the last half hour; with `first_only`,
    only the posts never fetched that are at least FIRST_FETCH_AFTER old."""
    published = Publication.objects.filter(
        status=PublicationStatus.PUBLISHED,
        published_at__gte=now - METRICS_WINDOW,
        published_at__lte=now - FIRST_FETCH_AFTER if first_only else now,
    )
    if first_only:
        published = published.filter(metrics_fetched_at__isnull=True)
    return list(
        published.exclude(metrics_fetched_at__gt=now - REFETCH_AFTER)
        .select_related("connection", "connection__social_account", "post")
        .order_by("published_at", "pk")
    )


def _part_ids(publication: Publication) -> list[str]:
    return [str(i) for i in publication.part_ids or []] or (
        [publication.external_id] if publication.external_id else []
    )


def _sum(parts: Iterable[PostMetrics]) -> PostMetrics:
    parts = list(parts)
    estimated = tuple(name for name in METRIC_NAMES if any(name in p.estimated for p in parts))
    return PostMetrics(
        likes=sum(p.likes for p in parts),
        comments=sum(p.comments for p in parts),
        shares=sum(p.shares for p in parts),
        quotes=sum(p.quotes for p in parts),
        bookmarks=sum(p.bookmarks for p in parts),
        impressions=sum(p.impressions for p in parts),
        estimated=estimated,
    )


def publication_reward_report(*, publication: Publication, reward: float, final: bool) -> None:
    """Write a publication's reward to the learning loop's ledger (apps.learning reads only its own
    tables): what the post did (tone, the platform whose copy went out, its format and learning
    state, its trend) with the reward and whether it is final."""
    post = publication.post
    reward_record_upsert(
        brand_id=publication.brand_id,
        publication_id=publication.pk,
        post_id=post.pk,
        trend_id=post.trend_id,
        tone=post.tone,
        platform=publication.copy_platform or publication.platform,
        post_format=post.post_format,
        state=post.learning_state,
        reward=reward,
        final=final,
        published_at=publication.published_at,
    )


def publication_metrics_record(
    *, publication: Publication, metrics: PostMetrics, now: datetime
) -> MetricsSnapshot | None:
    """Store one fetch: a snapshot and the latest numbers, engagement rate and reward on the
    publication. A reward that is already final is not changed; the numbers still are."""
    published_at = publication.published_at or now
    final = published_at <= now - REWARD_FINAL_AFTER
    numbers = {
        "likes": metrics.likes,
        "comments": metrics.comments,
        "shares": metrics.shares,
        "quotes": metrics.quotes,
        "bookmarks": metrics.bookmarks,
        "impressions": metrics.impressions,
    }
    reward = reward_of(
        likes=metrics.likes, comments=metrics.comments, shares=metrics.shares, impressions=metrics.impressions
    )
    rate = engagement_rate_of(**numbers)
    estimated = list(metrics.estimated)
    latest = {
        **numbers,
        "engagement_rate": rate,
        "metrics_estimated": estimated,
        "metrics_fetched_at": now,
        "updated_at": timezone.now(),
    }
    with transaction.atomic():
        updated = Publication.objects.filter(pk=publication.pk, reward_final=False).update(
            **latest, reward=reward, reward_final=final
        )
        if not updated and not Publication.objects.filter(pk=publication.pk).update(**latest):
            return None  # deleted meanwhile
        if updated:  # the reward changed (or became final): the learning loop's ledger follows
            publication_reward_report(publication=publication, reward=reward, final=final)
        snapshot = MetricsSnapshot.objects.create(
            publication=publication,
            brand_id=publication.brand_id,
            platform=publication.platform,
            fetched_at=now,
            age_hours=max(0.0, (now - published_at).total_seconds() / 3600),
            estimated=estimated,
            engagement_rate=rate,
            reward=reward,
            final=final,
            **numbers,
        )
    return snapshot


def metrics_fetch_due(*, now: datetime | None = None, first_only: bool = False) -> MetricsFetchSummary:
    """Fetch and store the numbers of every publication that is due (see the module docstring);
    with `first_only`, of the new posts due their first fetch only."""
    now = now or timezone.now()
    summary = MetricsFetchSummary()
    groups: dict[tuple[str, int | None], list[Publication]] = defaultdict(list)
    for publication in metrics_due(now=now, first_only=first_only):
        groups[(publication.platform, publication.connection_id)].append(publication)
        summary.due += 1
    for (platform, connection_id), publications in groups.items():
        if platform not in settings.SOCIAL_PUBLISHERS:
            summary.skipped += len(publications)
            continue
        blocked = (
            None
            if platform == "sandbox"
            else metrics_blocked_until(platform=platform, connection_id=connection_id, now=now)
        )
        if blocked:
            summary.rate_limited += len(publications)
            summary.problems.append(
                f"{platform} account {connection_id}: rate limited until {blocked:%Y-%m-%d %H:%M} UTC; "
                f"{len(publications)} posts wait for the next run."
            )
            continue
        handled = summary.handled
        try:
            _fetch(platform, publications, now, summary)
        except (ValidationError, MetricsAuthError, ServiceError) as exc:
            # The account cannot be asked now (reconnect needed, platform down): its posts keep
            # their numbers and are tried again on the next run.
            message = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            logger.warning("metrics: %s account %s skipped: %s", platform, connection_id, message)
            summary.problems.append(f"{platform} account {connection_id}: {message}")
            summary.skipped += len(publications) - (summary.handled - handled)
    if summary.due or not first_only:  # the every-minute first-fetch run logs only when it did something
        logger.info("metrics fetch%s: %s", " (first numbers)" if first_only else "", summary.as_dict())
    return summary


def _store(publication: Publication, parts: list[PostMetrics], now: datetime, summary: MetricsFetchSummary):
    summary.handled += 1
    if not parts:
        summary.missing += 1
        return
    snapshot = publication_metrics_record(publication=publication, metrics=_sum(parts), now=now)
    if snapshot is not None:
        summary.fetched += 1
        summary.finalized += int(snapshot.final and not publication.reward_final)


def _metrics_account(publication: Publication) -> PublishAccount:
    """Who asks the platform: the account the post went out on, with a usable token (the sandbox
    needs none)."""
    if publication.platform == Platform.SANDBOX:
        return PublishAccount(access_token="", user_id="", brand_id=publication.brand_id)
    connection = publication.connection
    if connection is None:
        raise ValidationError("The account this post went out on is no longer connected.")
    return PublishAccount(
        access_token=connection_access_token(connection=connection),
        user_id=connection.social_account.uid if connection.social_account_id else "",
        handle=connection.handle,
        brand_id=connection.brand_id,
    )


def _metrics_batches(publications: list[Publication], per_request: int | None) -> list[list[Publication]]:
    """The publications in the groups asked for in one request each (all in one group without a
    limit); a thread's parts stay in one group so it is stored whole or not at all."""
    if per_request is None:
        return [publications]
    batches: list[list[Publication]] = []
    size = 0
    for publication in publications:
        n = len(_part_ids(publication))
        if not batches or size + n > per_request:
            batches.append([])
            size = 0
        batches[-1].append(publication)
        size += n
    return batches


def _estimated(metrics: PostMetrics) -> PostMetrics:
    """The numbers with those the platform could not give filled by the documented estimate rule
    (LinkedIn's, apps.analytics.rewards) and named in `estimated`."""
    if not metrics.unavailable:
        return metrics
    numbers, estimated = linkedin_estimate(
        likes=metrics.likes,
        comments=metrics.comments,
        shares=None if "shares" in metrics.unavailable else metrics.shares,
        impressions=None if "impressions" in metrics.unavailable else metrics.impressions,
    )
    return PostMetrics(**numbers, estimated=tuple(estimated))


def _fetch(
    platform: str, publications: list[Publication], now: datetime, summary: MetricsFetchSummary
) -> None:
    """One account's publications through the platform's client (the social interface's
    fetch_metrics): batched as the client takes them, stopped by a 429 or a spent rate window."""
    client = publisher_for(platform)
    account = _metrics_account(publications[0])
    connection_id = publications[0].connection_id
    per_request = client.metrics_ids_per_request
    batches = _metrics_batches(publications, per_request)
    memo: dict = {}  # what the client learns about this account during this run
    for index, batch in enumerate(batches):
        ids = [i for p in batch for i in _part_ids(p)]
        if not ids:
            for publication in batch:
                _store(publication, [], now, summary)
            continue
        if per_request is not None:
            summary.requests += -(-len(ids) // per_request)
        try:
            answer = client.fetch_metrics(account=account, ids=ids, at=now, memo=memo)
        except MetricsRateLimited as exc:
            left = sum(len(b) for b in batches[index:])
            _block(platform, connection_id, exc.reset_at, now)
            summary.rate_limited += left
            summary.problems.append(
                f"{platform} account {connection_id}: {exc} {left} posts wait for the next run."
            )
            logger.warning(
                "metrics: %s account %s rate limited; %s posts left for later", platform, connection_id, left
            )
            return
        for publication in batch:
            parts = [_estimated(answer.metrics[i]) for i in _part_ids(publication) if i in answer.metrics]
            _store(publication, parts, now, summary)
        rate = answer.rate
        if rate.remaining == 0 and index + 1 < len(batches):
            # The window is spent: asking again would only earn a 429.
            left = sum(len(b) for b in batches[index + 1 :])
            _block(platform, connection_id, rate.reset_at, now)
            summary.rate_limited += left
            summary.problems.append(
                f"{platform} account {connection_id}: no requests left in this rate-limit window; {left} posts wait."
            )
            return
