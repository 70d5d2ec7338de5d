"""Putting posts on the calendar: their accounts, a time, the queue's next slot, unscheduling, retry."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from apps.brands.models import ConnectionStatus, SocialConnection
from apps.posts.approvals import schedule_refusal
from apps.posts.models import Post, PostStatus
from apps.posts.services import post_history_record, post_mark_scheduled

from ..models import PENDING, Publication, PublicationStatus
from ..timing import next_free_slot
from .labels import platform_label
from .status import post_status_sync

logger = logging.getLogger(__name__)
SCHEDULABLE = (PostStatus.APPROVED, PostStatus.SCHEDULED, PostStatus.FAILED, PostStatus.EXPIRED)


def publication_targets(*, post: Post, connection_ids: list[int] | None = None) -> list[SocialConnection]:
    """The accounts a post goes to: those asked for, or by default every connected account whose
    platform the post has copy for (the sandbox when the brand has none)."""
    copies = {c.platform for c in post.copies.all()}
    if not copies:
        raise ValidationError({"accounts": "This post has no copy to publish yet."})
    connections = list(SocialConnection.objects.filter(brand_id=post.brand_id).select_related("brand"))
    if connection_ids is not None:
        wanted = {int(i) for i in connection_ids}
        chosen = [c for c in connections if c.pk in wanted]
        if not chosen or len(chosen) != len(wanted):
            raise ValidationError({"accounts": "Choose one or more of this brand's accounts."})
        for c in chosen:
            if c.status != ConnectionStatus.CONNECTED:
                raise ValidationError(
                    {
                        "accounts": f"{platform_label(c.platform)} @{c.handle} needs to be reconnected before it can publish."
                    }
                )
            if not c.is_sandbox and c.platform not in copies:
                raise ValidationError(
                    {
                        "accounts": f"This post has no {platform_label(c.platform)} copy; generate one or pick another account."
                    }
                )
        return chosen
    real = [
        c
        for c in connections
        if not c.is_sandbox and c.platform in copies and c.status == ConnectionStatus.CONNECTED
    ]
    return real or [c for c in connections if c.is_sandbox]


def _copy_platform_for(connection: SocialConnection, copies: set[str]) -> str:
    if connection.is_sandbox:
        # The Sandbox's own copy (written in the composer) when it has one, else the X copy.
        return "sandbox" if "sandbox" in copies else "x" if "x" in copies else sorted(copies)[0]
    return connection.platform


@transaction.atomic
def post_schedule(
    *,
    post: Post,
    user,
    at: datetime,
    connection_ids: list[int] | None = None,
    queued_by: str = "time",
) -> list[Publication]:
    """Put an approved post on the calendar at `at` (aware) on its accounts. Rescheduling moves
    its waiting publications; accounts no longer chosen are cancelled."""
    now = timezone.now()
    locked = Post.objects.select_for_update(of=("self",)).select_related("brand").get(pk=post.pk)
    refusal = schedule_refusal(post=locked)
    if refusal:
        raise ValidationError({"at": refusal})
    if locked.status not in SCHEDULABLE:
        raise ValidationError(
            {"at": f"A {locked.get_status_display().lower()} post cannot be scheduled; approve it first."}
        )
    if timezone.is_naive(at):
        raise ValueError("post_schedule needs an aware datetime")
    if queued_by == "time" and at < now - timedelta(minutes=1):
        raise ValidationError(
            {"at": "That time has already passed. Pick a time in the future, or publish now."}
        )
    targets = publication_targets(post=locked, connection_ids=connection_ids)
    copies = {c.platform for c in locked.copies.all()}
    existing = {p.connection_id: p for p in locked.publications.exclude(status=PublicationStatus.CANCELLED)}
    busy = [p for p in existing.values() if p.status in (PublicationStatus.QUEUED, PublicationStatus.SENDING)]
    if busy:
        raise ValidationError({"at": "This post is being published right now; wait for the outcome."})
    target_ids = {c.pk for c in targets}
    for connection_id, publication in existing.items():
        # accounts no longer chosen: their waiting publication is cancelled; what happened on them
        # (published, failed, expired) stays as the record
        if connection_id not in target_ids and publication.status == PublicationStatus.SCHEDULED:
            publication.status = PublicationStatus.CANCELLED
            publication.save(update_fields=["status", "updated_at"])
    publications = []
    for connection in targets:
        publication = existing.get(connection.pk)
        if publication is not None and publication.status == PublicationStatus.PUBLISHED:
            continue  # already out on this account: never again
        if publication is None:
            publication = Publication(
                post=locked,
                brand_id=locked.brand_id,
                connection=connection,
                platform=connection.platform,
                copy_platform=_copy_platform_for(connection, copies),
                created_by=user,
            )
        publication.status = PublicationStatus.SCHEDULED
        publication.scheduled_for = publication.due_at = at
        publication.queued_by = queued_by
        publication.claim_token, publication.lease_until = "", None
        publication.attempts = publication.rate_limited = publication.network_failures = 0
        publication.last_error = publication.error_kind = ""
        publication.save()
        publications.append(publication)
    if not publications:
        raise ValidationError({"accounts": "This post is already published on every account you chose."})
    local = at.astimezone(ZoneInfo(locked.brand.timezone or "UTC"))
    how = {"now": "Publish now", "queue": "Queued for", "time": "Scheduled for"}.get(
        queued_by, "Scheduled for"
    )
    when = "" if queued_by == "now" else f" {local:%a %-d %b %Y, %H:%M %Z}"
    post_mark_scheduled(
        post=locked,
        at=at,
        user=user,
        note=f"{how}{when} on " + ", ".join(platform_label(p.platform) for p in publications),
    )
    if at <= now + timedelta(seconds=settings.PUBLISH_DISPATCH_EVERY):
        transaction.on_commit(_dispatch_soon)
    post.refresh_from_db()
    return publications


def _dispatch_soon() -> None:
    """Publishing now should not wait for the next dispatcher tick."""
    from ..tasks import publications_dispatch_task

    try:
        publications_dispatch_task.delay()
    except Exception:  # the periodic dispatcher picks it up anyway
        logger.warning("could not enqueue an immediate dispatch", exc_info=True)


def post_publish_now(*, post: Post, user, connection_ids: list[int] | None = None) -> list[Publication]:
    return post_schedule(
        post=post, user=user, at=timezone.now(), connection_ids=connection_ids, queued_by="now"
    )


def post_queue_slot(*, post: Post, now: datetime | None = None) -> datetime:
    """The brand's next free preferred slot for this post (at least 5 minutes ahead, away from
    its other waiting posts, within posts per week). ValueError when there is none."""
    now = now or timezone.now()
    taken = (
        Publication.objects.filter(brand_id=post.brand_id, status__in=PENDING, scheduled_for__gte=now)
        .exclude(post=post)
        .values_list("scheduled_for", flat=True)
        .distinct()
    )
    return next_free_slot(post.brand, taken=list(taken), after=now + timedelta(minutes=5))


def post_queue(*, post: Post, user, connection_ids: list[int] | None = None) -> list[Publication]:
    """Add the post to the brand's queue: its next free preferred slot."""
    try:
        slot = post_queue_slot(post=post)
    except ValueError as exc:
        raise ValidationError({"at": str(exc)}) from None
    return post_schedule(post=post, user=user, at=slot, connection_ids=connection_ids, queued_by="queue")


@transaction.atomic
def post_unschedule(*, post: Post, user) -> Post:
    """Take a scheduled post off the calendar: it goes back to approved."""
    locked = Post.objects.select_for_update().get(pk=post.pk)
    waiting = locked.publications.filter(status=PublicationStatus.SCHEDULED)
    if locked.publications.filter(status__in=(PublicationStatus.QUEUED, PublicationStatus.SENDING)).exists():
        raise ValidationError("This post is being published right now; it can no longer be unscheduled.")
    if not waiting.exists() and locked.status != PostStatus.EXPIRED:
        raise ValidationError("This post is not scheduled.")
    waiting.update(status=PublicationStatus.CANCELLED, updated_at=timezone.now())
    post_status_sync(post_id=locked.pk)
    post_history_record(
        post_id=locked.pk, user=user, field="schedule", before="scheduled", after="unscheduled"
    )
    post.refresh_from_db()
    return post


@transaction.atomic
def publication_retry(*, publication: Publication, user) -> Publication:
    """Try a failed publication again now (the brand's Retry button). An unknown outcome is still
    looked up on the platform first."""
    locked = Publication.objects.select_for_update().get(pk=publication.pk)
    if locked.status != PublicationStatus.FAILED:
        raise ValidationError("Only a failed publication can be retried.")
    connection = locked.connection
    if connection is None:
        raise ValidationError("The account was disconnected; schedule the post on another account.")
    if connection.status != ConnectionStatus.CONNECTED:
        raise ValidationError(
            f"Reconnect {platform_label(connection.platform)} @{connection.handle} first, then retry."
        )
    now = timezone.now()
    locked.status, locked.due_at = PublicationStatus.SCHEDULED, now
    locked.scheduled_for = max(locked.scheduled_for, now - timedelta(minutes=1))  # a retry is not "late"
    locked.rate_limited = locked.network_failures = 0
    locked.claim_token, locked.lease_until, locked.error_kind = "", None, ""
    locked.save()
    post_status_sync(post_id=locked.post_id)
    post_history_record(post_id=locked.post_id, user=user, field="retry", platform=locked.platform)
    transaction.on_commit(_dispatch_soon)
    publication.refresh_from_db()
    return publication
