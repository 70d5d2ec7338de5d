"""The due-row dispatcher: expire what is too late, claim what is due, hand it to workers."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from ..models import Publication, PublicationStatus
from .notify import publication_outcome_notify
from .status import post_status_sync

logger = logging.getLogger(__name__)


@dataclass
class DispatchResult:
    claimed: int = 0
    expired: int = 0
    reclaimed: int = 0


def publications_expire(*, now: datetime | None = None) -> int:
    """Publications more than PUBLISH_EXPIRE_AFTER_HOURS past their time are not published late."""
    now = now or timezone.now()
    cutoff = now - timedelta(hours=settings.PUBLISH_EXPIRE_AFTER_HOURS)
    with transaction.atomic():
        rows = list(
            Publication.objects.select_for_update(skip_locked=True)
            .filter(status=PublicationStatus.SCHEDULED, scheduled_for__lt=cutoff, needs_reconcile=False)
            .values_list("pk", flat=True)[:1000]
        )
        if not rows:
            return 0
        Publication.objects.filter(pk__in=rows).update(
            status=PublicationStatus.EXPIRED,
            error_kind="expired",
            last_error=(
                f"Not published: it was more than {settings.PUBLISH_EXPIRE_AFTER_HOURS} hours past its time "
                "when it could go out, so it was not published late. Reschedule it if it is still relevant."
            ),
            updated_at=now,
        )
        expired = list(Publication.objects.filter(pk__in=rows).select_related("post", "brand", "connection"))
        for post_id in {p.post_id for p in expired}:
            post_status_sync(post_id=post_id)
        by_post: dict[int, list[Publication]] = {}
        for publication in expired:
            by_post.setdefault(publication.post_id, []).append(publication)
        for publications in by_post.values():
            publication_outcome_notify(publications[0], event="expired", also=publications[1:])
    return len(rows)


def publications_dispatch(
    *, now: datetime | None = None, batch: int | None = None, budget: float = 1.5
) -> DispatchResult:
    """Claim due publications (and ones whose worker vanished) and send each to a worker. Runs
    every few seconds; two dispatchers at once claim different rows (skip_locked)."""
    clock = timezone.now
    started = clock()
    result = DispatchResult(expired=publications_expire(now=now))
    batch = batch or settings.PUBLISH_DISPATCH_BATCH
    while True:
        now_ = now or clock()
        due = Q(status=PublicationStatus.SCHEDULED, due_at__lte=now_) | Q(
            status__in=(PublicationStatus.QUEUED, PublicationStatus.SENDING), lease_until__lt=now_
        )
        token = uuid.uuid4().hex
        with transaction.atomic():
            claimed = list(
                Publication.objects.select_for_update(skip_locked=True)
                .filter(due)
                .order_by("due_at")
                .values_list("pk", "status")[:batch]
            )
            if not claimed:
                break
            ids = [pk for pk, _ in claimed]
            Publication.objects.filter(pk__in=ids).update(
                status=PublicationStatus.QUEUED,
                claim_token=token,
                lease_until=now_ + timedelta(seconds=settings.PUBLISH_CLAIM_LEASE),
                updated_at=now_,
            )
            result.reclaimed += sum(1 for _, status in claimed if status != PublicationStatus.SCHEDULED)
            transaction.on_commit(lambda ids=ids, token=token: _claimed_enqueue(ids, token))
        result.claimed += len(ids)
        if len(ids) < batch or (clock() - started).total_seconds() > budget or now is not None:
            break
    if result.reclaimed:
        logger.warning("dispatcher reclaimed %s publications whose worker vanished", result.reclaimed)
    return result


def _claimed_enqueue(ids: list[int], token: str) -> None:
    """One task per few publications: a message costs the broker and the worker about as much as
    the database work of a publication, so chunks of PUBLISH_TASK_CHUNK (8: +20% in bench.publishing over 1) cut the overhead."""
    from ..tasks import publication_publish, publications_publish

    options = {"queue": settings.PUBLISH_QUEUE} if settings.PUBLISH_QUEUE else {}
    size = max(1, settings.PUBLISH_TASK_CHUNK)
    for start in range(0, len(ids), size):
        chunk = ids[start : start + size]
        if len(chunk) == 1:
            publication_publish.apply_async(args=(chunk[0], token), **options)
        else:
            publications_publish.apply_async(args=(chunk, token), **options)
