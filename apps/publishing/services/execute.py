"""Publishing one claimed publication exactly once, under its retry rules (see the package docstring)."""

from __future__ import annotations

import logging
import os
import socket
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db.models import Exists, F, OuterRef
from django.utils import timezone

from apps.brands.connections import (
    connection_access_token,
    connection_mark_needs_reconnect,
    connection_refresh,
)
from apps.brands.models import ConnectionStatus, Platform
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
from apps.posts.models import PostFormat, PostStatus
from apps.posts.services import post_status_set_from_publications

from ..models import AttemptOutcome, Publication, PublicationStatus, PublishAttempt
from ..ratelimit import publish_limits_backoff, publish_limits_observe, publish_slot_take
from .labels import platform_label
from .notify import publication_live_notify_soon, publication_outcome_notify
from .status import post_status_sync

logger = logging.getLogger(__name__)
WORKER_NAME = f"{socket.gethostname()}:{os.getpid()}"
# X accepts up to 4 images on a post; LinkedIn up to 20 on a multi-image post.
MEDIA_LIMITS = {"x": 4, "linkedin": 20, "sandbox": 4}


class LostClaim(Exception):
    """Another dispatcher run took the row over (our lease ran out): stop touching it."""


def publication_execute(*, publication_id: int, claim_token: str) -> str:
    """Publish one claimed publication. Returns what happened (for logs and tests)."""
    now = timezone.now()
    lease = now + timedelta(seconds=settings.PUBLISH_SEND_LEASE)
    started = Publication.objects.filter(
        pk=publication_id, status=PublicationStatus.QUEUED, claim_token=claim_token
    ).update(status=PublicationStatus.SENDING, lease_until=lease, attempts=F("attempts") + 1, updated_at=now)
    if not started:
        return "not ours"  # a redelivered or superseded task: someone else has (or had) the row
    publication = Publication.objects.select_related(
        "post", "brand", "connection", "connection__social_account"
    ).get(pk=publication_id)
    try:
        return PublicationRun(publication).publish()
    except LostClaim:
        return "lost claim"


class PublicationRun:
    """One worker's go at a publication, from its claim to an outcome."""

    def __init__(self, publication: Publication):
        self.publication = publication
        self.publisher = publisher_for(publication.platform)
        self.refreshed = False
        self.unverifiable = False  # a lookup was refused: the platform cannot tell us what it has
        self.total_parts = 0

    # compare-and-set writes: only while we still hold the claim
    def _update_while_claimed(self, **fields) -> None:
        fields.setdefault("updated_at", timezone.now())
        done = Publication.objects.filter(
            pk=self.publication.pk, claim_token=self.publication.claim_token, status=PublicationStatus.SENDING
        ).update(**fields)
        if not done:
            raise LostClaim
        for name, value in fields.items():
            if not hasattr(value, "resolve_expression"):
                setattr(self.publication, name, value)

    def publish(self) -> str:
        publication = self.publication
        now = timezone.now()
        late = now - publication.scheduled_for > timedelta(hours=settings.PUBLISH_EXPIRE_AFTER_HOURS)
        if late and not publication.part_ids and not publication.needs_reconcile:
            return self._finish(
                PublicationStatus.EXPIRED,
                kind="expired",
                error=(
                    f"Not published: it was more than {settings.PUBLISH_EXPIRE_AFTER_HOURS} hours past its time "
                    "when it could go out. Reschedule it if it is still relevant."
                ),
            )
        if publication.connection is None:
            return self._finish(
                PublicationStatus.FAILED,
                kind="account",
                error="The account was disconnected before the post went out.",
            )
        try:
            account = self._publish_account()
            parts, media = _publication_content(publication)
            self.total_parts = len(parts)
            if publication.needs_reconcile:
                self._reconcile(account, parts)
            if len(publication.part_ids) < len(parts) and not publication.media_ids and media:
                self._upload(account, media)
            while len(publication.part_ids) < len(parts):
                outcome = self._send_part(account, parts, len(publication.part_ids))
                if outcome:
                    return outcome
        except ValidationError as exc:  # the account needs the user (reconnect)
            return self._finish(PublicationStatus.FAILED, kind="account", error=" ".join(exc.messages))
        except PublishError as exc:
            return self._after_publish_error(exc)
        return self._mark_published()

    def _publish_account(self) -> PublishAccount:
        connection = self.publication.connection
        if connection.is_sandbox:
            return PublishAccount(
                access_token="",
                user_id=connection.handle,
                handle=connection.handle,
                brand_id=connection.brand_id,
            )
        token = connection_access_token(connection=connection)
        uid = connection.social_account.uid if connection.social_account_id else ""
        return PublishAccount(
            access_token=token, user_id=uid, handle=connection.handle, brand_id=connection.brand_id
        )

    def _attempt_start(self, kind: str, part_index: int) -> PublishAttempt:
        return PublishAttempt.objects.create(
            publication=self.publication,
            kind=kind,
            part_index=part_index,
            worker=WORKER_NAME,
            started_at=timezone.now(),
        )

    @staticmethod
    def _attempt_finish(
        attempt: PublishAttempt, outcome: str, *, external_id: str = "", error: str = "", status=None
    ):
        PublishAttempt.objects.filter(pk=attempt.pk).update(
            outcome=outcome,
            external_id=external_id,
            error=error[:2000],
            http_status=status,
            finished_at=timezone.now(),
        )

    def _reconcile(self, account: PublishAccount, parts: list[str]) -> bool:
        """The last call's outcome is unknown: did the part go out? Look before sending again."""
        index = len(self.publication.part_ids)
        if index >= len(parts):
            self._update_while_claimed(needs_reconcile=False)
            return True
        last_send = (
            PublishAttempt.objects.filter(publication=self.publication, kind="send", part_index=index)
            .order_by("-started_at")
            .values_list("started_at", flat=True)
            .first()
        )
        since = (last_send or self.publication.scheduled_for) - timedelta(minutes=2)  # clocks differ a little
        attempt = self._attempt_start("lookup", index)
        try:
            found = self.publisher.find_post(account=account, text=parts[index], since=since)
        except PublishError as exc:
            if exc.kind in (PublishErrorKind.REJECTED, PublishErrorKind.AUTH) and exc.status == 403:
                # The app may not read the account's posts (LinkedIn's r_member_social is
                # restricted): send again and let the platform's duplicate check be the judge.
                self._attempt_finish(attempt, AttemptOutcome.REJECTED, error=str(exc), status=exc.status)
                self.unverifiable = True
                self._update_while_claimed(needs_reconcile=False)
                return False
            self._attempt_finish(attempt, AttemptOutcome.UNKNOWN, error=str(exc), status=exc.status)
            raise PublishError(
                f"Could not check whether the post went out on {platform_label(self.publication.platform)}: {exc}",
                kind=PublishErrorKind.UNKNOWN,
                status=exc.status,
                rate=exc.rate,
            ) from exc
        if found is None:
            self._attempt_finish(attempt, AttemptOutcome.NOT_FOUND)
            self._update_while_claimed(needs_reconcile=False)
            return False
        self._attempt_finish(attempt, AttemptOutcome.FOUND, external_id=found.external_id)
        self._record_part(found)
        return True

    def _upload(self, account: PublishAccount, media: list[MediaItem]) -> None:
        ids = []
        for i, item in enumerate(media):
            attempt = self._attempt_start("media", i)
            try:
                ids.append(self.publisher.upload_media(account=account, media=item))
            except PublishError as exc:
                self._attempt_finish(
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
            self._attempt_finish(attempt, AttemptOutcome.SUCCEEDED, external_id=ids[-1])
        self._update_while_claimed(media_ids=ids)

    def _send_part(self, account: PublishAccount, parts: list[str], index: int) -> str:
        publication = self.publication
        wait = publish_slot_take(platform=publication.platform, account_key=str(publication.connection_id))
        if wait > 0:
            return self._retry_later(
                seconds=wait,
                kind="throttled",
                counted=False,
                error=f"Waiting for {platform_label(publication.platform)}'s rate limit; it goes out in {_duration_text(wait)}.",
            )
        attempt = self._attempt_start("send", index)
        self._update_while_claimed(
            needs_reconcile=True, lease_until=timezone.now() + timedelta(seconds=settings.PUBLISH_SEND_LEASE)
        )
        try:
            created = self.publisher.create_post(
                account=account,
                text=parts[index],
                media_ids=publication.media_ids if index == 0 else None,
                reply_to=publication.part_ids[-1] if index else None,
                meta=_publish_meta(publication),
            )
        except PublishError as exc:
            outcome = {
                PublishErrorKind.RATE_LIMITED: AttemptOutcome.RATE_LIMITED,
                PublishErrorKind.NETWORK: AttemptOutcome.NETWORK,
                PublishErrorKind.AUTH: AttemptOutcome.AUTH,
                PublishErrorKind.DUPLICATE: AttemptOutcome.DUPLICATE,
                PublishErrorKind.REJECTED: AttemptOutcome.REJECTED,
            }.get(exc.kind, AttemptOutcome.UNKNOWN)
            self._attempt_finish(attempt, outcome, error=str(exc), status=exc.status)
            self._rate_limits_observe(exc.rate)
            if exc.kind != PublishErrorKind.UNKNOWN:
                self._update_while_claimed(
                    needs_reconcile=False
                )  # an answer: the platform did not take the post
            if (
                exc.kind == PublishErrorKind.AUTH
                and not self.refreshed
                and publication.platform == Platform.X
            ):
                return self._after_refresh(account, parts, index)
            if exc.kind == PublishErrorKind.DUPLICATE:
                return self._after_duplicate(account, parts, index, exc)
            raise
        except Exception as exc:  # a bug or an unexpected library error: the outcome is unknown
            logger.exception("publication %s: unexpected error while sending", publication.pk)
            self._attempt_finish(attempt, AttemptOutcome.UNKNOWN, error=repr(exc))
            raise PublishError(
                "Something unexpected went wrong while publishing; it will be checked and retried.",
                kind=PublishErrorKind.UNKNOWN,
            ) from exc
        self._attempt_finish(attempt, AttemptOutcome.SUCCEEDED, external_id=created.external_id)
        self._record_part(created)
        self._rate_limits_observe(created.rate)
        return ""

    def _rate_limits_observe(self, rate: RateInfo) -> None:
        if rate.remaining is None and rate.limit is None:
            return
        publish_limits_observe(
            platform=self.publication.platform,
            account_key=str(self.publication.connection_id),
            limit=rate.limit,
            remaining=rate.remaining,
            reset_at=rate.reset_at,
        )

    def _record_part(self, created: CreatedPost) -> None:
        """The platform's id, right after its answer; the last part also marks it published (one
        write instead of two: this runs for every post)."""
        part_ids = [*self.publication.part_ids, created.external_id]
        fields = {"part_ids": part_ids, "needs_reconcile": False}
        if len(part_ids) == 1:
            fields.update(external_id=created.external_id, external_url=created.url[:500])
        if len(part_ids) >= self.total_parts:
            note = self.publication.last_error if self.unverifiable else ""  # else: retries are behind it now
            fields.update(
                status=PublicationStatus.PUBLISHED,
                published_at=timezone.now(),
                lease_until=None,
                error_kind="",
                last_error=note,
            )
        self._update_while_claimed(**fields)

    def _after_refresh(self, account: PublishAccount, parts: list[str], index: int) -> str:
        """X said 401: refresh the token once (rotating refresh token) and send again."""
        self.refreshed = True
        connection = connection_refresh(connection=self.publication.connection, force=True)
        connection.refresh_from_db()  # a refused refresh marks it "needs reconnect" in the database
        if connection.status != ConnectionStatus.CONNECTED:
            raise ValidationError(
                f"X refused the token and it could not be refreshed: reconnect @{connection.handle}, then retry."
            )
        self.publication.connection = connection
        fresh = self._publish_account()
        return self._send_part(fresh, parts, index)

    def _after_duplicate(
        self, account: PublishAccount, parts: list[str], index: int, exc: PublishError
    ) -> str:
        """The platform says it already has this text: if it is ours (an earlier attempt whose
        answer we lost), record it; otherwise the brand must change the copy."""
        since = self.publication.scheduled_for - timedelta(days=1)
        try:
            found = self.publisher.find_post(account=account, text=parts[index], since=since)
        except PublishError as lookup:
            if lookup.status != 403 or not self.unverifiable:
                raise
            # We sent it before without an answer and cannot read the account's posts: the
            # platform's "duplicate" is the confirmation that our earlier attempt went out.
            self._update_while_claimed(
                last_error=f"{platform_label(self.publication.platform)} confirmed the post is on the account (as a duplicate of "
                "our earlier attempt) but this app may not read its link."
            )
            self._record_part(CreatedPost(external_id="", url=""))
            return ""
        if found is not None:
            self._record_part(found)
            return ""
        self._update_while_claimed(needs_reconcile=False)
        raise PublishError(
            f"{platform_label(self.publication.platform)} refused the post as a duplicate of one already on the account. "
            "Edit the copy, then retry.",
            kind=PublishErrorKind.REJECTED,
            status=exc.status,
        )

    def _after_publish_error(self, exc: PublishError) -> str:
        publication, now = self.publication, timezone.now()
        platform = platform_label(publication.platform)
        if exc.kind == PublishErrorKind.RATE_LIMITED:
            minutes = settings.PUBLISH_RATE_LIMIT_RETRY_MINUTES
            retry_at = now + timedelta(minutes=minutes)
            publish_limits_backoff(
                platform=publication.platform, account_key=str(publication.connection_id), until=retry_at
            )
            if publication.rate_limited >= settings.PUBLISH_RATE_LIMIT_RETRIES:
                return self._finish(
                    PublicationStatus.FAILED,
                    kind="rate_limited",
                    error=(
                        f"{platform} kept refusing with its rate limit: tried {publication.rate_limited + 1} times, "
                        f"{minutes} minutes apart. Retry later."
                    ),
                    rate_limited=F("rate_limited") + 1,
                )
            return self._retry_later(
                seconds=minutes * 60,
                kind="rate_limited",
                counted=True,
                field="rate_limited",
                # The brand's clock: the worker has no reader's zone active, and UTC would sit
                # unlabelled beside the panel's local times.
                error=f"{platform} is rate-limiting this account; retrying at "
                f"{timezone.localtime(retry_at, zone(self.publication.brand.timezone)):%H:%M %Z}.",
            )
        if exc.kind in (PublishErrorKind.NETWORK, PublishErrorKind.UNKNOWN):
            tries = publication.network_failures + 1
            backoff = settings.PUBLISH_NETWORK_BACKOFF
            if tries > len(backoff):
                return self._finish(
                    PublicationStatus.FAILED,
                    kind="network",
                    error=(f"Could not reach {platform} after {tries} tries: {exc}"),
                    network_failures=F("network_failures") + 1,
                )
            return self._retry_later(
                seconds=backoff[tries - 1],
                kind=exc.kind,
                counted=True,
                field="network_failures",
                error=f"{platform} did not answer ({exc}); trying again in {backoff[tries - 1]} s.",
            )
        if exc.kind == PublishErrorKind.AUTH:
            if publication.connection and publication.connection.social_account_id:
                connection_mark_needs_reconnect(connection=publication.connection, reason=str(exc))
            return self._finish(
                PublicationStatus.FAILED,
                kind="auth",
                error=(
                    f"{platform} refused the account's token: reconnect @{publication.connection.handle if publication.connection else ''}, then retry."
                ),
            )
        return self._finish(PublicationStatus.FAILED, kind="rejected", error=str(exc))

    def _retry_later(self, *, seconds: float, kind: str, counted: bool, error: str, field: str = "") -> str:
        """Back to the schedule for another try after `seconds`."""
        fields = {
            "status": PublicationStatus.SCHEDULED,
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
        self._update_while_claimed(**fields)
        post_status_sync(post_id=self.publication.post_id)
        return f"retry in {seconds:g}s ({kind})"

    def _finish(self, status: str, *, kind: str, error: str, **extra) -> str:
        self._update_while_claimed(
            status=status, error_kind=kind, last_error=error[:2000], lease_until=None, **extra
        )
        post_status_sync(post_id=self.publication.post_id)
        publication_outcome_notify(self.publication, event=status)
        return status

    def _mark_published(self) -> str:
        if (
            self.publication.status != PublicationStatus.PUBLISHED
        ):  # every part was already out (a reconciled thread)
            note = self.publication.last_error if self.unverifiable else ""
            self._update_while_claimed(
                status=PublicationStatus.PUBLISHED,
                published_at=timezone.now(),
                lease_until=None,
                error_kind="",
                last_error=note,
            )
        # Usually the post's only (or last) publication: one write marks the post published.
        done = post_status_set_from_publications(
            post_id=self.publication.post_id,
            status=PostStatus.PUBLISHED,
            # correlated (EXISTS), so it reads this post's rows only, not every pending one
            only_if=~Exists(
                Publication.objects.filter(
                    post_id=OuterRef("pk"),
                    status__in=(
                        PublicationStatus.SCHEDULED,
                        PublicationStatus.QUEUED,
                        PublicationStatus.SENDING,
                        PublicationStatus.FAILED,
                        PublicationStatus.EXPIRED,
                    ),
                )
            ),
        )
        if not done:
            post_status_sync(post_id=self.publication.post_id)
        publication_live_notify_soon(self.publication)
        return PublicationStatus.PUBLISHED


def _duration_text(seconds: float) -> str:
    if seconds < 90:
        return f"{max(1, round(seconds))} s"
    if seconds < 5400:
        return f"{round(seconds / 60)} min"
    return f"{seconds / 3600:.1f} h"


def _publication_content(publication: Publication) -> tuple[list[str], list[MediaItem]]:
    """What goes out: the parts (a thread's posts on X; one text elsewhere) and the images."""
    post = publication.post
    copy = post.copies.filter(platform=publication.copy_platform).first()
    if copy is None:
        raise PublishError(
            f"The post has no {platform_label(publication.copy_platform)} copy any more.",
            kind=PublishErrorKind.REJECTED,
        )
    parts = [part for part in copy.parts if part.strip()]
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


def _publish_meta(publication: Publication) -> dict:
    post = publication.post
    return {
        "post_id": post.pk,
        "tone": post.tone,
        "post_format": post.post_format,
        "trend_momentum": post.trend.momentum if post.trend_id and post.trend else 0.0,
        "platform_copy": publication.copy_platform,
        "has_image": bool(publication.media_ids),
    }
