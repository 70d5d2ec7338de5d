"""Publishing actions: put approved posts on the calendar (now, at a time, in the queue), move
or cancel them, dispatch due publications to workers, publish each exactly once under its retry
rules, keep the post's status in step, and tell the brand what happened.

Exactly-once (SPEC section 6): a worker works on a row only while it holds the row's current
claim token (every write is a compare-and-set on id, token and status). Before each platform
call it commits an attempt and `needs_reconcile = True`; after the call it commits the platform's
id and clears the flag. A row that comes back with the flag set (the worker died, or the call
timed out after the platform may have received it) is looked up on the platform before anything
is sent again. Parts already sent (`part_ids`) are never sent again.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone
from django.utils.timesince import timesince

from apps.brands.connections import (
    connection_access_token,
    connection_mark_needs_reconnect,
    connection_refresh,
)
from apps.brands.models import BrandMembership, ConnectionStatus, Platform, SocialConnection
from apps.core.zones import zone
from apps.integrations.social.base import (
    CreatedPost,
    MediaItem,
    PublishAccount,
    PublishError,
    PublishErrorKind,
    RateInfo,
)
from apps.integrations.social.registry import publisher_for
from apps.notifications.services import notification_create
from apps.posts.models import Post, PostFormat, PostStatus
from apps.posts.services import (
    post_approve,
    post_history_record,
    post_mark_scheduled,
    post_reject,
    post_status_set_from_publications,
)

from .models import PENDING, AttemptOutcome, Publication, PublicationStatus, PublishAttempt

logger = logging.getLogger(__name__)
S = PublicationStatus
WORKER = f"{socket.gethostname()}:{os.getpid()}"
SCHEDULABLE = (PostStatus.APPROVED, PostStatus.SCHEDULED, PostStatus.FAILED, PostStatus.EXPIRED)
# X accepts up to 4 images on a post; LinkedIn up to 20 on a multi-image post.
MEDIA_LIMITS = {"x": 4, "linkedin": 20, "sandbox": 4}


def _label(platform: str) -> str:
    return dict(Platform.choices).get(platform, platform)


def _platforms_label(publications) -> str:
    """Each platform once, in order ("LinkedIn, Sandbox, X"). The sandbox's label says it is the
    sandbox, so nothing is added to it (a " (sandbox)" suffix made "Sandbox (sandbox)")."""
    return ", ".join(sorted({_label(p.platform) for p in publications}))


# --- planning: targets, scheduling, the queue, rescheduling, retry -------------------------------


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
                        "accounts": f"{_label(c.platform)} @{c.handle} needs to be reconnected before it can publish."
                    }
                )
            if not c.is_sandbox and c.platform not in copies:
                raise ValidationError(
                    {
                        "accounts": f"This post has no {_label(c.platform)} copy; generate one or pick another account."
                    }
                )
        return chosen
    real = [
        c
        for c in connections
        if not c.is_sandbox and c.platform in copies and c.status == ConnectionStatus.CONNECTED
    ]
    return real or [c for c in connections if c.is_sandbox]


def _copy_platform(connection: SocialConnection, copies: set[str]) -> str:
    if connection.is_sandbox:
        return "x" if "x" in copies else sorted(copies)[0]
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
    locked = Post.objects.select_for_update().get(pk=post.pk)
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
    existing = {p.connection_id: p for p in locked.publications.exclude(status=S.CANCELLED)}
    busy = [p for p in existing.values() if p.status in (S.QUEUED, S.SENDING)]
    if busy:
        raise ValidationError({"at": "This post is being published right now; wait for the outcome."})
    target_ids = {c.pk for c in targets}
    for connection_id, publication in existing.items():
        # accounts no longer chosen: their waiting publication is cancelled; what happened on them
        # (published, failed, expired) stays as the record
        if connection_id not in target_ids and publication.status == S.SCHEDULED:
            publication.status = S.CANCELLED
            publication.save(update_fields=["status", "updated_at"])
    publications = []
    for connection in targets:
        publication = existing.get(connection.pk)
        if publication is not None and publication.status == S.PUBLISHED:
            continue  # already out on this account: never again
        if publication is None:
            publication = Publication(
                post=locked,
                brand_id=locked.brand_id,
                connection=connection,
                platform=connection.platform,
                copy_platform=_copy_platform(connection, copies),
                created_by=user,
            )
        publication.status = S.SCHEDULED
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
        note=f"{how}{when} on " + ", ".join(_label(p.platform) for p in publications),
    )
    if at <= now + timedelta(seconds=settings.PUBLISH_DISPATCH_EVERY):
        transaction.on_commit(_dispatch_soon)
    post.refresh_from_db()
    return publications


def _dispatch_soon() -> None:
    """Publishing now should not wait for the next dispatcher tick."""
    from .tasks import publications_dispatch_task

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
    from .timing import next_free_slot

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
    waiting = locked.publications.filter(status=S.SCHEDULED)
    if locked.publications.filter(status__in=(S.QUEUED, S.SENDING)).exists():
        raise ValidationError("This post is being published right now; it can no longer be unscheduled.")
    if not waiting.exists() and locked.status != PostStatus.EXPIRED:
        raise ValidationError("This post is not scheduled.")
    waiting.update(status=S.CANCELLED, updated_at=timezone.now())
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
    if locked.status != S.FAILED:
        raise ValidationError("Only a failed publication can be retried.")
    connection = locked.connection
    if connection is None:
        raise ValidationError("The account was disconnected; schedule the post on another account.")
    if connection.status != ConnectionStatus.CONNECTED:
        raise ValidationError(
            f"Reconnect {_label(connection.platform)} @{connection.handle} first, then retry."
        )
    now = timezone.now()
    locked.status, locked.due_at = S.SCHEDULED, now
    locked.scheduled_for = max(locked.scheduled_for, now - timedelta(minutes=1))  # a retry is not "late"
    locked.rate_limited = locked.network_failures = 0
    locked.claim_token, locked.lease_until, locked.error_kind = "", None, ""
    locked.save()
    post_status_sync(post_id=locked.post_id)
    post_history_record(post_id=locked.post_id, user=user, field="retry", platform=locked.platform)
    transaction.on_commit(_dispatch_soon)
    publication.refresh_from_db()
    return publication


BATCH_ACTIONS = ("approve", "reject", "schedule", "queue", "publish")


@dataclass
class BatchResult:
    action: str
    done: list[Post]
    failed: list[tuple[Post, ValidationError]]

    @property
    def summary(self) -> str:
        verb = {
            "approve": "approved",
            "reject": "rejected",
            "schedule": "scheduled",
            "queue": "added to the queue",
            "publish": "sent to publish now",
        }[self.action]
        text = f"{len(self.done)} {'post' if len(self.done) == 1 else 'posts'} {verb}"
        if self.failed:
            reasons = "; ".join(f"#{post.pk}: {' '.join(_messages(exc))}" for post, exc in self.failed)
            text += f"; {len(self.failed)} could not be: {reasons}"
        return text + "."


def _messages(exc: ValidationError) -> list[str]:
    if hasattr(exc, "message_dict"):
        return [m for msgs in exc.message_dict.values() for m in msgs]
    return list(exc.messages)


def posts_batch(
    *,
    brand,
    user,
    action: str,
    post_ids: list[int],
    at: datetime | None = None,
    reason: str = "",
    connection_ids: list[int] | None = None,
) -> BatchResult:
    """One request, many posts: approve, reject, schedule (all at `at`), queue (each in the next
    free slot) or publish now. Drafts are approved on the way when they are scheduled, queued or
    published. Each post stands alone: one that cannot (copy over a limit, wrong status) does not
    stop the others. Another brand's ids are ignored as if they did not exist."""
    if action not in BATCH_ACTIONS:
        raise ValidationError({"action": "Pick approve, reject, schedule, queue or publish."})
    if not post_ids:
        raise ValidationError({"posts": "Tick the posts first."})
    if action == "schedule" and at is None:
        raise ValidationError({"at": "Pick a date and time to schedule them."})
    if action == "reject" and not reason.strip():
        raise ValidationError({"reason": "Say why you reject them, so the next versions can do better."})
    result = BatchResult(action=action, done=[], failed=[])
    posts = Post.objects.filter(brand=brand, pk__in=post_ids).prefetch_related("copies").order_by("pk")
    for post in posts:
        try:
            with transaction.atomic():
                if action == "reject":
                    post_reject(post=post, user=user, reason=reason)
                elif action == "approve" or post.status == PostStatus.DRAFT:
                    post_approve(post=post, user=user)
                if action == "schedule":
                    post_schedule(post=post, user=user, at=at, connection_ids=connection_ids)
                elif action == "queue":
                    post_queue(post=post, user=user, connection_ids=connection_ids)
                elif action == "publish":
                    post_publish_now(post=post, user=user, connection_ids=connection_ids)
            result.done.append(post)
        except ValidationError as exc:
            post.refresh_from_db()
            result.failed.append((post, exc))
    return result


def post_status_sync(*, post_id: int) -> str:
    """The post's status follows its publications: any waiting → scheduled (publishing while a
    worker has one), all out → published, else failed or expired."""
    statuses = set(
        Publication.objects.filter(post_id=post_id)
        .exclude(status=S.CANCELLED)
        .values_list("status", flat=True)
    )
    if not statuses:
        new = PostStatus.APPROVED
    elif statuses & {S.QUEUED, S.SENDING}:
        new = PostStatus.PUBLISHING
    elif S.SCHEDULED in statuses:
        new = PostStatus.SCHEDULED
    elif statuses == {S.PUBLISHED}:
        new = PostStatus.PUBLISHED
    elif S.FAILED in statuses:
        new = PostStatus.FAILED
    else:
        new = PostStatus.EXPIRED if S.PUBLISHED not in statuses else PostStatus.PUBLISHED
    changed = post_status_set_from_publications(post_id=post_id, status=new)
    return new if changed else ""


# --- dispatch ----------------------------------------------------------------------------------


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
            .filter(status=S.SCHEDULED, scheduled_for__lt=cutoff, needs_reconcile=False)
            .values_list("pk", flat=True)[:1000]
        )
        if not rows:
            return 0
        Publication.objects.filter(pk__in=rows).update(
            status=S.EXPIRED,
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
            _notify(publications[0], event="expired", also=publications[1:])
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
        due = Q(status=S.SCHEDULED, due_at__lte=now_) | Q(
            status__in=(S.QUEUED, S.SENDING), lease_until__lt=now_
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
                status=S.QUEUED,
                claim_token=token,
                lease_until=now_ + timedelta(seconds=settings.PUBLISH_CLAIM_LEASE),
                updated_at=now_,
            )
            result.reclaimed += sum(1 for _, status in claimed if status != S.SCHEDULED)
            transaction.on_commit(lambda ids=ids, token=token: _enqueue(ids, token))
        result.claimed += len(ids)
        if len(ids) < batch or (clock() - started).total_seconds() > budget or now is not None:
            break
    if result.reclaimed:
        logger.warning("dispatcher reclaimed %s publications whose worker vanished", result.reclaimed)
    return result


def _enqueue(ids: list[int], token: str) -> None:
    """One task per few publications: a message costs the broker and the worker about as much as
    the database work of a publication, so chunks of PUBLISH_TASK_CHUNK (8: +20% in bench.publishing over 1) cut the overhead."""
    from .tasks import publication_publish, publications_publish

    options = {"queue": settings.PUBLISH_QUEUE} if settings.PUBLISH_QUEUE else {}
    size = max(1, settings.PUBLISH_TASK_CHUNK)
    for start in range(0, len(ids), size):
        chunk = ids[start : start + size]
        if len(chunk) == 1:
            publication_publish.apply_async(args=(chunk[0], token), **options)
        else:
            publications_publish.apply_async(args=(chunk, token), **options)


# --- one publication, exactly once -------------------------------------------------------------


class _LostClaim(Exception):
    """Another dispatcher run took the row over (our lease ran out): stop touching it."""


def publication_execute(*, publication_id: int, claim_token: str) -> str:
    """Publish one claimed publication. Returns what happened (for logs and tests)."""
    now = timezone.now()
    lease = now + timedelta(seconds=settings.PUBLISH_SEND_LEASE)
    started = Publication.objects.filter(pk=publication_id, status=S.QUEUED, claim_token=claim_token).update(
        status=S.SENDING, lease_until=lease, attempts=F("attempts") + 1, updated_at=now
    )
    if not started:
        return "not ours"  # a redelivered or superseded task: someone else has (or had) the row
    publication = Publication.objects.select_related(
        "post", "brand", "connection", "connection__social_account"
    ).get(pk=publication_id)
    try:
        return _Run(publication).go()
    except _LostClaim:
        return "lost claim"


class _Run:
    """One worker's go at a publication, from its claim to an outcome."""

    def __init__(self, publication: Publication):
        self.p = publication
        self.publisher = publisher_for(publication.platform)
        self.refreshed = False
        self.unverifiable = False  # a lookup was refused: the platform cannot tell us what it has
        self.total_parts = 0

    # compare-and-set writes: only while we still hold the claim
    def _cas(self, **fields) -> None:
        fields.setdefault("updated_at", timezone.now())
        done = Publication.objects.filter(
            pk=self.p.pk, claim_token=self.p.claim_token, status=S.SENDING
        ).update(**fields)
        if not done:
            raise _LostClaim
        for name, value in fields.items():
            if not hasattr(value, "resolve_expression"):
                setattr(self.p, name, value)

    def go(self) -> str:
        p = self.p
        now = timezone.now()
        late = now - p.scheduled_for > timedelta(hours=settings.PUBLISH_EXPIRE_AFTER_HOURS)
        if late and not p.part_ids and not p.needs_reconcile:
            return self._finish(
                S.EXPIRED,
                kind="expired",
                error=(
                    f"Not published: it was more than {settings.PUBLISH_EXPIRE_AFTER_HOURS} hours past its time "
                    "when it could go out. Reschedule it if it is still relevant."
                ),
            )
        if p.connection is None:
            return self._finish(
                S.FAILED, kind="account", error="The account was disconnected before the post went out."
            )
        try:
            account = self._account()
            parts, media = _content(p)
            self.total_parts = len(parts)
            if p.needs_reconcile:
                self._reconcile(account, parts)
            if len(p.part_ids) < len(parts) and not p.media_ids and media:
                self._upload(account, media)
            while len(p.part_ids) < len(parts):
                outcome = self._send_part(account, parts, len(p.part_ids))
                if outcome:
                    return outcome
        except ValidationError as exc:  # the account needs the user (reconnect)
            return self._finish(S.FAILED, kind="account", error=" ".join(exc.messages))
        except PublishError as exc:
            return self._failed_call(exc)
        return self._published()

    def _account(self) -> PublishAccount:

        c = self.p.connection
        if c.is_sandbox:
            return PublishAccount(access_token="", user_id=c.handle, handle=c.handle, brand_id=c.brand_id)
        token = connection_access_token(connection=c)
        uid = c.social_account.uid if c.social_account_id else ""
        return PublishAccount(access_token=token, user_id=uid, handle=c.handle, brand_id=c.brand_id)

    def _attempt(self, kind: str, part_index: int) -> PublishAttempt:
        return PublishAttempt.objects.create(
            publication=self.p, kind=kind, part_index=part_index, worker=WORKER, started_at=timezone.now()
        )

    @staticmethod
    def _close(attempt: PublishAttempt, outcome: str, *, external_id: str = "", error: str = "", status=None):
        PublishAttempt.objects.filter(pk=attempt.pk).update(
            outcome=outcome,
            external_id=external_id,
            error=error[:2000],
            http_status=status,
            finished_at=timezone.now(),
        )

    def _reconcile(self, account: PublishAccount, parts: list[str]) -> bool:
        """The last call's outcome is unknown: did the part go out? Look before sending again."""
        index = len(self.p.part_ids)
        if index >= len(parts):
            self._cas(needs_reconcile=False)
            return True
        last_send = (
            PublishAttempt.objects.filter(publication=self.p, kind="send", part_index=index)
            .order_by("-started_at")
            .values_list("started_at", flat=True)
            .first()
        )
        since = (last_send or self.p.scheduled_for) - timedelta(minutes=2)  # clocks differ a little
        attempt = self._attempt("lookup", index)
        try:
            found = self.publisher.find_post(account=account, text=parts[index], since=since)
        except PublishError as exc:
            if exc.kind in (PublishErrorKind.REJECTED, PublishErrorKind.AUTH) and exc.status == 403:
                # The app may not read the account's posts (LinkedIn's r_member_social is
                # restricted): send again and let the platform's duplicate check be the judge.
                self._close(attempt, AttemptOutcome.REJECTED, error=str(exc), status=exc.status)
                self.unverifiable = True
                self._cas(needs_reconcile=False)
                return False
            self._close(attempt, AttemptOutcome.UNKNOWN, error=str(exc), status=exc.status)
            raise PublishError(
                f"Could not check whether the post went out on {_label(self.p.platform)}: {exc}",
                kind=PublishErrorKind.UNKNOWN,
                status=exc.status,
                rate=exc.rate,
            ) from exc
        if found is None:
            self._close(attempt, AttemptOutcome.NOT_FOUND)
            self._cas(needs_reconcile=False)
            return False
        self._close(attempt, AttemptOutcome.FOUND, external_id=found.external_id)
        self._record_part(found)
        return True

    def _upload(self, account: PublishAccount, media: list[MediaItem]) -> None:
        ids = []
        for i, item in enumerate(media):
            attempt = self._attempt("media", i)
            try:
                ids.append(self.publisher.upload_media(account=account, media=item))
            except PublishError as exc:
                self._close(
                    attempt,
                    exc.kind if exc.kind in AttemptOutcome.values else AttemptOutcome.UNKNOWN,
                    error=str(exc),
                    status=exc.status,
                )
                if (
                    exc.kind == PublishErrorKind.UNKNOWN
                ):  # an unconfirmed upload is harmless: nothing is public
                    exc.kind = PublishErrorKind.NETWORK
                raise
            self._close(attempt, AttemptOutcome.SUCCEEDED, external_id=ids[-1])
        self._cas(media_ids=ids)

    def _send_part(self, account: PublishAccount, parts: list[str], index: int) -> str:
        from .ratelimit import publish_slot_take

        p = self.p
        wait = publish_slot_take(platform=p.platform, account_key=str(p.connection_id))
        if wait > 0:
            return self._later(
                seconds=wait,
                kind="throttled",
                counted=False,
                error=f"Waiting for {_label(p.platform)}'s rate limit; it goes out in {_human(wait)}.",
            )
        attempt = self._attempt("send", index)
        self._cas(
            needs_reconcile=True, lease_until=timezone.now() + timedelta(seconds=settings.PUBLISH_SEND_LEASE)
        )
        try:
            created = self.publisher.create_post(
                account=account,
                text=parts[index],
                media_ids=p.media_ids if index == 0 else None,
                reply_to=p.part_ids[-1] if index else None,
                meta=_meta(p),
            )
        except PublishError as exc:
            outcome = {
                PublishErrorKind.RATE_LIMITED: AttemptOutcome.RATE_LIMITED,
                PublishErrorKind.NETWORK: AttemptOutcome.NETWORK,
                PublishErrorKind.AUTH: AttemptOutcome.AUTH,
                PublishErrorKind.DUPLICATE: AttemptOutcome.DUPLICATE,
                PublishErrorKind.REJECTED: AttemptOutcome.REJECTED,
            }.get(exc.kind, AttemptOutcome.UNKNOWN)
            self._close(attempt, outcome, error=str(exc), status=exc.status)
            self._observe(exc.rate)
            if exc.kind != PublishErrorKind.UNKNOWN:
                self._cas(needs_reconcile=False)  # an answer: the platform did not take the post
            if exc.kind == PublishErrorKind.AUTH and not self.refreshed and p.platform == Platform.X:
                return self._after_refresh(account, parts, index)
            if exc.kind == PublishErrorKind.DUPLICATE:
                return self._after_duplicate(account, parts, index, exc)
            raise
        except Exception as exc:  # a bug or an unexpected library error: the outcome is unknown
            logger.exception("publication %s: unexpected error while sending", p.pk)
            self._close(attempt, AttemptOutcome.UNKNOWN, error=repr(exc))
            raise PublishError(
                "Something unexpected went wrong while publishing; it will be checked and retried.",
                kind=PublishErrorKind.UNKNOWN,
            ) from exc
        self._close(attempt, AttemptOutcome.SUCCEEDED, external_id=created.external_id)
        self._record_part(created)
        self._observe(created.rate)
        return ""

    def _observe(self, rate: RateInfo) -> None:
        if rate.remaining is None and rate.limit is None:
            return
        from .ratelimit import publish_limits_observe

        publish_limits_observe(
            platform=self.p.platform,
            account_key=str(self.p.connection_id),
            limit=rate.limit,
            remaining=rate.remaining,
            reset_at=rate.reset_at,
        )

    def _record_part(self, created: CreatedPost) -> None:
        """The platform's id, right after its answer; the last part also marks it published (one
        write instead of two: this runs for every post)."""
        part_ids = [*self.p.part_ids, created.external_id]
        fields = {"part_ids": part_ids, "needs_reconcile": False}
        if len(part_ids) == 1:
            fields.update(external_id=created.external_id, external_url=created.url[:500])
        if len(part_ids) >= self.total_parts:
            note = self.p.last_error if self.unverifiable else ""  # else: retries are behind it now
            fields.update(
                status=S.PUBLISHED,
                published_at=timezone.now(),
                lease_until=None,
                error_kind="",
                last_error=note,
            )
        self._cas(**fields)

    def _after_refresh(self, account: PublishAccount, parts: list[str], index: int) -> str:
        """X said 401: refresh the token once (rotating refresh token) and send again."""

        self.refreshed = True
        connection = connection_refresh(connection=self.p.connection, force=True)
        connection.refresh_from_db()  # a refused refresh marks it "needs reconnect" in the database
        if connection.status != ConnectionStatus.CONNECTED:
            raise ValidationError(
                f"X refused the token and it could not be refreshed: reconnect @{connection.handle}, then retry."
            )
        self.p.connection = connection
        fresh = self._account()
        return self._send_part(fresh, parts, index)

    def _after_duplicate(
        self, account: PublishAccount, parts: list[str], index: int, exc: PublishError
    ) -> str:
        """The platform says it already has this text: if it is ours (an earlier attempt whose
        answer we lost), record it; otherwise the brand must change the copy."""
        since = self.p.scheduled_for - timedelta(days=1)
        try:
            found = self.publisher.find_post(account=account, text=parts[index], since=since)
        except PublishError as lookup:
            if lookup.status != 403 or not self.unverifiable:
                raise
            # We sent it before without an answer and cannot read the account's posts: the
            # platform's "duplicate" is the confirmation that our earlier attempt went out.
            self._cas(
                last_error=f"{_label(self.p.platform)} confirmed the post is on the account (as a duplicate of "
                "our earlier attempt) but this app may not read its link."
            )
            self._record_part(CreatedPost(external_id="", url=""))
            return ""
        if found is not None:
            self._record_part(found)
            return ""
        self._cas(needs_reconcile=False)
        raise PublishError(
            f"{_label(self.p.platform)} refused the post as a duplicate of one already on the account. "
            "Edit the copy, then retry.",
            kind=PublishErrorKind.REJECTED,
            status=exc.status,
        )

    def _failed_call(self, exc: PublishError) -> str:
        from .ratelimit import publish_limits_backoff

        p, now = self.p, timezone.now()
        platform = _label(p.platform)
        if exc.kind == PublishErrorKind.RATE_LIMITED:
            minutes = settings.PUBLISH_RATE_LIMIT_RETRY_MINUTES
            retry_at = now + timedelta(minutes=minutes)
            publish_limits_backoff(platform=p.platform, account_key=str(p.connection_id), until=retry_at)
            if p.rate_limited >= settings.PUBLISH_RATE_LIMIT_RETRIES:
                return self._finish(
                    S.FAILED,
                    kind="rate_limited",
                    error=(
                        f"{platform} kept refusing with its rate limit: tried {p.rate_limited + 1} times, "
                        f"{minutes} minutes apart. Retry later."
                    ),
                    rate_limited=F("rate_limited") + 1,
                )
            return self._later(
                seconds=minutes * 60,
                kind="rate_limited",
                counted=True,
                field="rate_limited",
                # The brand's clock: the worker has no reader's zone active, and UTC would sit
                # unlabelled beside the panel's local times.
                error=f"{platform} is rate-limiting this account; retrying at "
                f"{timezone.localtime(retry_at, zone(self.p.brand.timezone)):%H:%M %Z}.",
            )
        if exc.kind in (PublishErrorKind.NETWORK, PublishErrorKind.UNKNOWN):
            tries = p.network_failures + 1
            backoff = settings.PUBLISH_NETWORK_BACKOFF
            if tries > len(backoff):
                return self._finish(
                    S.FAILED,
                    kind="network",
                    error=(f"Could not reach {platform} after {tries} tries: {exc}"),
                    network_failures=F("network_failures") + 1,
                )
            return self._later(
                seconds=backoff[tries - 1],
                kind=exc.kind,
                counted=True,
                field="network_failures",
                error=f"{platform} did not answer ({exc}); trying again in {backoff[tries - 1]} s.",
            )
        if exc.kind == PublishErrorKind.AUTH:
            if p.connection and p.connection.social_account_id:
                connection_mark_needs_reconnect(connection=p.connection, reason=str(exc))
            return self._finish(
                S.FAILED,
                kind="auth",
                error=(
                    f"{platform} refused the account's token: reconnect @{p.connection.handle if p.connection else ''}, then retry."
                ),
            )
        return self._finish(S.FAILED, kind="rejected", error=str(exc))

    def _later(self, *, seconds: float, kind: str, counted: bool, error: str, field: str = "") -> str:
        """Back to the schedule for another try after `seconds`."""
        fields = {
            "status": S.SCHEDULED,
            "due_at": timezone.now() + timedelta(seconds=seconds),
            "claim_token": "",
            "lease_until": None,
            "error_kind": kind,
            "last_error": error[:2000],
        }
        if field:
            fields[field] = F(field) + 1
        if not counted:
            fields["attempts"] = F("attempts") - 1
        self._cas(**fields)
        post_status_sync(post_id=self.p.post_id)
        return f"retry in {seconds:g}s ({kind})"

    def _finish(self, status: str, *, kind: str, error: str, **extra) -> str:
        self._cas(status=status, error_kind=kind, last_error=error[:2000], lease_until=None, **extra)
        post_status_sync(post_id=self.p.post_id)
        _notify(self.p, event=status)
        return status

    def _published(self) -> str:
        if self.p.status != S.PUBLISHED:  # every part was already out (a reconciled thread)
            note = self.p.last_error if self.unverifiable else ""
            self._cas(
                status=S.PUBLISHED,
                published_at=timezone.now(),
                lease_until=None,
                error_kind="",
                last_error=note,
            )
        # Usually the post's only (or last) publication: one write marks the post published.
        done = post_status_set_from_publications(
            post_id=self.p.post_id,
            status=PostStatus.PUBLISHED,
            # correlated (EXISTS), so it reads this post's rows only, not every pending one
            only_if=~Exists(
                Publication.objects.filter(
                    post_id=OuterRef("pk"),
                    status__in=(S.SCHEDULED, S.QUEUED, S.SENDING, S.FAILED, S.EXPIRED),
                )
            ),
        )
        if not done:
            post_status_sync(post_id=self.p.post_id)
        _notify_live_soon(self.p)
        return S.PUBLISHED


def _human(seconds: float) -> str:
    if seconds < 90:
        return f"{max(1, round(seconds))} s"
    if seconds < 5400:
        return f"{round(seconds / 60)} min"
    return f"{seconds / 3600:.1f} h"


def _content(publication: Publication) -> tuple[list[str], list[MediaItem]]:
    """What goes out: the parts (a thread's posts on X; one text elsewhere) and the images."""
    post = publication.post
    copy = post.copies.filter(platform=publication.copy_platform).first()
    if copy is None:
        raise PublishError(
            f"The post has no {_label(publication.copy_platform)} copy any more.",
            kind=PublishErrorKind.REJECTED,
        )
    parts = [p for p in copy.parts if p.strip()]
    threaded = publication.platform in (Platform.X, Platform.SANDBOX) and publication.copy_platform == "x"
    if post.post_format == PostFormat.CAROUSEL:
        parts = [copy.caption or (parts[0] if parts else "")] if not threaded else parts[:1]
        kinds, limit = ["carousel_slide"], MEDIA_LIMITS.get(publication.platform, 4)
    else:
        if not threaded:
            parts = ["\n\n".join(parts)]
        kinds, limit = ["post_card"], 1
    graphics = [g for g in post.graphics.all() if g.kind in kinds][:limit]
    media = []
    for graphic in graphics:
        try:
            with default_storage.open(graphic.full, "rb") as handle:
                media.append(MediaItem(data=handle.read(), mime="image/png", alt_text=graphic.alt_text))
        except OSError:
            logger.warning("graphic %s of post %s is missing; publishing without it", graphic.pk, post.pk)
    return parts, media


def _meta(publication: Publication) -> dict:
    post = publication.post
    return {
        "post_id": post.pk,
        "tone": post.tone,
        "post_format": post.post_format,
        "trend_momentum": post.trend.momentum if post.trend_id and post.trend else 0.0,
        "platform_copy": publication.copy_platform,
        "has_image": bool(publication.media_ids),
    }


LIVE_DIGEST_WAIT = 2  # seconds: posts of a brand going live together make one notification


def _digest_key(brand_id: int) -> str:
    return f"publishing:live-digest:{brand_id}"


def _notify_live_soon(publication: Publication) -> None:
    """Tell the brand its post is live, in a digest: the first post to go live starts a short
    wait, and everything of the brand that went live by then is one notification (a brand
    publishing a batch gets one toast and one email, not fifty)."""
    from django.core.cache import cache

    from .tasks import publications_notify_live

    try:
        if cache.add(_digest_key(publication.brand_id), 1, timeout=LIVE_DIGEST_WAIT * 30):
            publications_notify_live.apply_async(args=(publication.brand_id,), countdown=LIVE_DIGEST_WAIT)
    except Exception:  # cache or broker down: tell the brand now rather than never
        logger.warning(
            "live digest unavailable; notifying brand %s directly", publication.brand_id, exc_info=True
        )
        publications_notify_live_execute(brand_id=publication.brand_id)


def publications_notify_live_execute(*, brand_id: int) -> int:
    """One notification for the brand's publications that went live and were not announced yet."""
    from django.core.cache import cache

    try:
        cache.delete(_digest_key(brand_id))  # first: posts going live from now on start the next digest
    except Exception:
        logger.warning("could not clear the live digest key of brand %s", brand_id, exc_info=True)
    with transaction.atomic():
        rows = list(
            Publication.objects.select_for_update(skip_locked=True)
            .filter(brand_id=brand_id, status=S.PUBLISHED, live_notified=False)
            .order_by("published_at")[:500]
        )
        if not rows:
            return 0
        Publication.objects.filter(pk__in=[r.pk for r in rows]).update(live_notified=True)
        posts = {r.post_id for r in rows}
        if len(posts) == 1:
            _notify(rows[0], event=S.PUBLISHED, also=rows[1:])
        else:
            _notify_many(rows, posts=len(posts))
    return len(rows)


def _notify_many(rows: list[Publication], *, posts: int) -> None:

    title = f"{posts} posts are live on {_platforms_label(rows)}"
    oldest = min(r.published_at or timezone.now() for r in rows)
    when = (
        "just now" if timezone.now() - oldest < timedelta(hours=1) else f"over the last {timesince(oldest)}"
    )
    body = f"Published {when}. Open the calendar to see them."
    members = BrandMembership.objects.filter(brand_id=rows[0].brand_id, user__is_active=True).select_related(
        "user"
    )
    for membership in members:
        notification_create(
            user=membership.user,
            title=title,
            body=body,
            url=f"/brand/{rows[0].brand_id}/calendar/",
            level="success",
        )


def _notify(publication: Publication, *, event: str, also: list[Publication] = ()) -> None:
    """Tell the brand's members (in-app, live toast, email) that a post went live, failed or expired."""

    post = publication.post
    platforms = _platforms_label([publication, *also])
    first_words = ""
    copy = next((c for c in post.copies.all() if c.platform == publication.copy_platform), None)
    if copy and copy.parts:
        first_words = copy.parts[0][:80] + ("…" if len(copy.parts[0]) > 80 else "")
    if event == S.PUBLISHED:
        title, level = f"Live on {platforms}", "success"
        body = f"“{first_words}” is published."
    elif event == S.FAILED:
        title, level = f"Not published on {platforms}", "error"
        body = f"“{first_words}”: {publication.last_error} Open the post to retry."
    else:
        title, level = f"Expired on {platforms}", "warning"
        body = f"“{first_words}”: {publication.last_error}"
    members = BrandMembership.objects.filter(
        brand_id=publication.brand_id, user__is_active=True
    ).select_related("user")
    for membership in members:
        notification_create(
            user=membership.user, title=title, body=body, url=f"/posts/{post.pk}/", level=level
        )
