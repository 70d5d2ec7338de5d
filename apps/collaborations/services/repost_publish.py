"""A repost through the influencer's linked account (X quote or repost, LinkedIn reshare, Sandbox
repost), sent exactly once the way publications are (apps.publishing.services.execute):

- the request stores a Repost row (queued) with a claim token and enqueues the task on commit;
- the task starts it with a compare-and-set update (queued + our token -> sending), so a second
  delivery of the message does nothing;
- `needs_reconcile` is set before the platform call and cleared with the platform's id right
  after its answer: a row that comes back with it set (the worker died, the answer was lost) is
  looked up on the platform (`find_repost`) before anything is sent again;
- 429: queued again for the time the platform's window resets; 401: an X token is refreshed once,
  then the account needs reconnecting and the influencer is told; a connection that never reached
  the platform is retried with backoff; a refusal fails with the platform's words.

After the platform has it, the collaboration becomes reposted and the verification
(repost_verify) is queued: it proves the post is live and carries what the offer asks."""

from __future__ import annotations

import logging
import re
import uuid
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from apps.accounts.models import User
from apps.core.vocabulary import platform_label
from apps.integrations.social.base import CreatedPost, PublishAccount, PublishError, PublishErrorKind
from apps.integrations.social.linkedin import linkedin_post_url
from apps.integrations.social.registry import publisher_for
from apps.posts.limits import LINKEDIN_POST_MAX, X_POST_MAX, x_weighted_length

from ..models import (
    Collaboration,
    CollaborationStatus,
    InfluencerAccount,
    InfluencerAccountStatus,
    Repost,
    RepostMethod,
    RepostStatus,
)
from ..selectors.reposts import REPOST_IN_PROGRESS, repost_can_submit, repost_target
from .accounts import (
    influencer_account_mark_needs_reconnect,
    influencer_account_refresh,
    influencer_publish_account,
)
from .collaboration import collaboration_advance

logger = logging.getLogger(__name__)

TEXT_MAX = {"x": X_POST_MAX, "linkedin": LINKEDIN_POST_MAX, "sandbox": 25_000}
CLAIM_LEASE = timedelta(minutes=2)  # queued and no worker started it: the sweep takes it again
SEND_LEASE = timedelta(minutes=2)  # sending and no outcome recorded: the sweep reconciles it
NETWORK_BACKOFF = [1, 2, 4, 8]  # seconds between the at most 5 tries
MAX_ATTEMPTS = 8  # rate limits and lost answers included: after that it fails and the influencer retries
RATE_LIMIT_DEFAULT_WAIT = 15 * 60
# A check not done by then lost its task (its longest planned wait is a 15-minute rate limit).
VERIFY_STALE_AFTER = timedelta(minutes=20)


_DUPLICATE_URN = re.compile(r"urn:li:(?:share|ugcPost):\d+")


class LostClaim(Exception):
    """The sweep took the row over (our lease ran out): stop touching it."""


def _enqueue_send(repost: Repost, *, countdown: float = 0) -> None:
    from ..tasks import repost_publish_task  # the tasks module imports this one

    pk, token = repost.pk, repost.claim_token
    transaction.on_commit(
        lambda: repost_publish_task.apply_async(args=[pk, token], countdown=max(0, countdown) or None)
    )


def _enqueue_verify(repost: Repost, *, countdown: float = 0) -> None:
    from ..tasks import repost_verify_task  # the tasks module imports this one

    pk = repost.pk
    transaction.on_commit(
        lambda: repost_verify_task.apply_async(args=[pk], countdown=max(0, countdown) or None)
    )


def repost_access_check(*, collaboration: Collaboration, user: User) -> None:
    if collaboration.influencer.user_id != user.pk:
        raise PermissionDenied("Only the influencer reposts.")


def repost_open_check(*, collaboration: Collaboration, repost: Repost | None, now) -> None:
    """What both ways require before anything is written: the step allows a repost, none is under
    way or verified, and the repost is not overdue."""
    if repost is not None and repost.status in REPOST_IN_PROGRESS:
        raise ValidationError({"__all__": "Your repost is already being published or checked."})
    if repost is not None and repost.status == RepostStatus.VERIFIED:
        raise ValidationError({"__all__": "Your repost is already verified."})
    if not repost_can_submit(collaboration=collaboration, repost=repost):
        state = collaboration.get_status_display().lower()
        raise ValidationError({"__all__": f"This collaboration is {state}: it takes no repost now."})
    if collaboration.repost_due_at <= now:
        raise ValidationError(
            {"__all__": f"The repost was due by {collaboration.repost_due_at:%d %b %Y %H:%M} UTC."}
        )


def _locked_collaboration(collaboration: Collaboration) -> Collaboration:
    return (
        Collaboration.objects.select_for_update(of=("self",))
        .select_related("offer", "brand", "influencer__user")
        .get(pk=collaboration.pk)
    )


def _text_clean(text: str, *, collaboration: Collaboration, target) -> str:
    text = (text or "").strip()
    offer, platform = collaboration.offer, collaboration.platform
    label = platform_label(platform)
    limit = TEXT_MAX.get(platform, 3000)
    # X weighs characters (a link counts 23, most emoji and CJK 2), as it does for the brand's posts.
    length = x_weighted_length(text) if platform == "x" else len(text)
    if length > limit:
        raise ValidationError({"text": f"{label} takes up to {limit:,} characters ({length:,} written)."})
    missing = []
    if offer.tag_brand and target.handle and target.tag.lower() not in text.lower():
        missing.append(f"tag {target.tag}")
    if offer.keep_link and target.url and target.url.rstrip("/").lower() not in text.lower():
        missing.append(f"keep the post's link ({target.url})")
    if missing:
        raise ValidationError({"text": f"The offer asks your words to {' and '.join(missing)}."})
    return text


@transaction.atomic
def repost_publish_request(*, collaboration: Collaboration, user: User, account_id, text: str) -> Repost:
    """The influencer's "Repost now": checks the account (theirs, connected, on the offer's
    platform), the words (within the platform's limit, with the tag and link the offer asks for)
    and that the brand's post is on that platform; then queues the send. ValidationError({field:
    message}) and nothing written when anything is wrong."""
    repost_access_check(collaboration=collaboration, user=user)
    collaboration = _locked_collaboration(collaboration)
    now = timezone.now()
    repost = Repost.objects.select_for_update().filter(collaboration=collaboration).first()
    repost_open_check(collaboration=collaboration, repost=repost, now=now)
    label = platform_label(collaboration.platform)
    try:
        account = InfluencerAccount.objects.get(pk=int(account_id), profile_id=collaboration.influencer_id)
    except (InfluencerAccount.DoesNotExist, TypeError, ValueError):
        raise ValidationError({"account": "Choose one of your accounts."}) from None
    if account.platform != collaboration.platform:
        raise ValidationError({"account": f"This offer is for {label}: repost from your {label} account."})
    if account.status != InfluencerAccountStatus.CONNECTED:
        raise ValidationError({"account": f"Reconnect your {label} account first."})
    target = repost_target(collaboration=collaboration)
    if not target.external_id:
        raise ValidationError(
            {"__all__": f"The brand's post is not on {label}, so it cannot be reposted there. Ask the brand."}
        )
    text = _text_clean(text, collaboration=collaboration, target=target)
    fields = {
        "method": RepostMethod.PIPELINE,
        "account": account,
        "platform": collaboration.platform,
        "status": RepostStatus.QUEUED,
        "text": text,
        "url": "",
        "external_id": "",
        "posted_at": None,
        "claim_token": str(uuid.uuid4()),
        "lease_until": now + CLAIM_LEASE,
        "needs_reconcile": False,
        "attempts": 0,
        "last_error": "",
        "failures": [],
        "verified_at": None,
    }
    # a new go replaces every trace of the last one (a failed check, a lost send)
    repost, _ = Repost.objects.update_or_create(collaboration=collaboration, defaults=fields)
    _enqueue_send(repost)
    return repost


# --- the worker's side ----------------------------------------------------------------------------


def repost_publish_execute(*, repost_id: int, claim_token: str) -> str:
    """Send one claimed repost. Returns what happened (for logs and tests)."""
    now = timezone.now()
    started = Repost.objects.filter(pk=repost_id, status=RepostStatus.QUEUED, claim_token=claim_token).update(
        status=RepostStatus.SENDING, lease_until=now + SEND_LEASE, attempts=F("attempts") + 1, updated_at=now
    )
    if not started:
        return "not ours"
    repost = Repost.objects.select_related(
        "account__profile__user",
        "collaboration__offer",
        "collaboration__brand",
        "collaboration__influencer__user",
    ).get(pk=repost_id)
    try:
        return RepostRun(repost).run()
    except LostClaim:
        return "lost claim"


class RepostRun:
    """One worker's go at a pipeline repost, from its claim to an outcome."""

    def __init__(self, repost: Repost):
        self.repost = repost
        self.collaboration = repost.collaboration
        self.publisher = publisher_for(repost.platform)
        self.refreshed = False

    def _update_while_claimed(self, **fields) -> None:
        fields.setdefault("updated_at", timezone.now())
        done = Repost.objects.filter(
            pk=self.repost.pk, claim_token=self.repost.claim_token, status=RepostStatus.SENDING
        ).update(**fields)
        if not done:
            raise LostClaim
        for name, value in fields.items():
            setattr(self.repost, name, value)

    def run(self) -> str:
        repost = self.repost
        if repost.account is None:
            return self._fail(
                "The account was removed before the repost went out: choose another and repost."
            )
        target = repost_target(collaboration=self.collaboration)
        if not target.external_id:
            return self._fail("The brand's post is no longer on this platform.")
        try:
            account = influencer_publish_account(account=repost.account)
        except ValidationError as exc:
            return self._fail(" ".join(exc.messages))
        try:
            if repost.needs_reconcile:
                found = self._reconcile(account, target.external_id)
                if found is not None:
                    return self._record(found)
            return self._send(account, target.external_id)
        except PublishError as exc:
            return self._after_error(exc)
        except ValidationError as exc:  # the token could not be refreshed: only the influencer can fix it
            return self._fail(" ".join(exc.messages))

    def _reconcile(self, account: PublishAccount, external_id: str) -> CreatedPost | None:
        """The last send's outcome is unknown: is the repost there? Look before sending again. Any
        repost of the brand's post by this account since acceptance is ours: one per collaboration."""
        since = self.collaboration.accepted_at
        try:
            found = self.publisher.find_repost(account=account, external_id=external_id, since=since)
        except PublishError as exc:
            if exc.status != 403:
                raise
            # The app may not read the member's posts (LinkedIn's r_member_social is restricted):
            # send again and let the platform's duplicate check be the judge, as publishing does.
            found = None
        if found is None:
            self._update_while_claimed(needs_reconcile=False)
        return found

    def _send(self, account: PublishAccount, external_id: str) -> str:
        self._update_while_claimed(needs_reconcile=True, lease_until=timezone.now() + SEND_LEASE)
        followers = (self.collaboration.influencer.follower_counts.get(self.repost.platform) or {}).get(
            "count"
        )
        try:
            created = self.publisher.repost(
                account=account,
                external_id=external_id,
                text=self.repost.text,
                meta={"audience": followers or self.collaboration.influencer.followers_total or None},
            )
        except PublishError as exc:
            if exc.kind != PublishErrorKind.UNKNOWN:
                self._update_while_claimed(needs_reconcile=False)  # an answer: the platform did not take it
            if exc.kind == PublishErrorKind.AUTH and not self.refreshed and self.repost.platform == "x":
                return self._after_refresh(external_id)
            if exc.kind == PublishErrorKind.DUPLICATE:
                found = self._duplicate_of(exc, account, external_id)
                if found is not None:
                    return self._record(found)
            raise
        return self._record(created)

    def _duplicate_of(
        self, exc: PublishError, account: PublishAccount, external_id: str
    ) -> CreatedPost | None:
        """The platform already has this repost: an earlier try whose answer was lost. LinkedIn
        names it ("Content is a duplicate of urn:li:share:…"); else it is looked up. The check
        that follows proves it is the influencer's."""
        named = _DUPLICATE_URN.search(exc.body or str(exc))
        if named and self.repost.platform == "linkedin":
            return CreatedPost(external_id=named[0], url=linkedin_post_url(named[0]))
        try:
            return self.publisher.find_repost(
                account=account, external_id=external_id, since=self.collaboration.accepted_at
            )
        except PublishError:
            return None

    def _after_refresh(self, external_id: str) -> str:
        self.refreshed = True
        influencer_account_refresh(account=self.repost.account, force=True)
        self.repost.account.refresh_from_db()
        return self._send(influencer_publish_account(account=self.repost.account), external_id)

    def _record(self, created: CreatedPost) -> str:
        """The platform's id right after its answer; then the collaboration is reposted and the
        check queued, in one transaction."""
        with transaction.atomic():
            self._update_while_claimed(
                external_id=created.external_id,
                url=created.url[:500],
                posted_at=timezone.now(),
                needs_reconcile=False,
                status=RepostStatus.VERIFYING,
                lease_until=None,
                last_error="",
                failures=[],
            )
            collaboration = Collaboration.objects.get(pk=self.collaboration.pk)
            if collaboration.status == CollaborationStatus.ACCEPTED:
                collaboration_advance(collaboration=collaboration, to=CollaborationStatus.REPOSTED)
            _enqueue_verify(self.repost)
        return "reposted"

    def _after_error(self, exc: PublishError) -> str:
        kind, label = exc.kind, platform_label(self.repost.platform)
        if kind == PublishErrorKind.AUTH:
            influencer_account_mark_needs_reconnect(account=self.repost.account, reason=str(exc))
            return self._fail(
                f"{label} no longer accepts your account's sign-in: reconnect your {label} account, then repost."
            )
        if self.repost.attempts >= MAX_ATTEMPTS:
            return self._fail(f"{label} did not take the repost after {self.repost.attempts} tries: {exc}")
        if kind == PublishErrorKind.RATE_LIMITED:
            wait = exc.retry_after if exc.retry_after is not None else RATE_LIMIT_DEFAULT_WAIT
            return self._retry_later(wait, f"{exc} It goes out then.")
        if kind in (PublishErrorKind.NETWORK, PublishErrorKind.UNKNOWN):
            wait = NETWORK_BACKOFF[min(self.repost.attempts - 1, len(NETWORK_BACKOFF) - 1)]
            return self._retry_later(wait, str(exc))
        return self._fail(str(exc))

    def _retry_later(self, seconds: float, message: str) -> str:
        """Queued again under a new claim, due `seconds` from now (needs_reconcile kept as it is)."""
        token = str(uuid.uuid4())
        self._update_while_claimed(
            status=RepostStatus.QUEUED,
            claim_token=token,
            lease_until=timezone.now() + timedelta(seconds=seconds) + CLAIM_LEASE,
            last_error=message[:2000],
        )
        self.repost.claim_token = token
        _enqueue_send(self.repost, countdown=seconds)
        return "retry later"

    def _fail(self, message: str) -> str:
        from .repost_verify import repost_failed_notify

        with transaction.atomic():
            self._update_while_claimed(
                status=RepostStatus.FAILED,
                lease_until=None,
                last_error=message[:2000],
                failures=[message],
            )
            repost_failed_notify(repost=self.repost, failures=[message], published=False)
        return "failed"


def reposts_resume_stalled(*, now=None, batch: int = 200) -> int:
    """Reposts whose worker vanished: queued past their claim lease (the message was lost) or
    sending past their send lease (the worker died mid-call). Each is claimed again under a new
    token and sent; one that was sending keeps needs_reconcile, so it is looked up first. Rows
    another transaction holds are skipped. Safe to run twice."""
    now = now or timezone.now()
    resumed = 0
    with transaction.atomic():
        stalled = list(
            Repost.objects.select_for_update(skip_locked=True)
            .filter(
                method=RepostMethod.PIPELINE,
                status__in=(RepostStatus.QUEUED, RepostStatus.SENDING),
                lease_until__lte=now,
            )
            .order_by("lease_until")[:batch]
        )
        for repost in stalled:
            if repost.status == RepostStatus.SENDING and repost.external_id == "":
                repost.needs_reconcile = True  # it may have reached the platform
            repost.status, repost.claim_token = RepostStatus.QUEUED, str(uuid.uuid4())
            repost.lease_until = now + CLAIM_LEASE
            repost.save(
                update_fields=["status", "claim_token", "lease_until", "needs_reconcile", "updated_at"]
            )
            _enqueue_send(repost)
            resumed += 1
        verifying = Repost.objects.filter(
            status=RepostStatus.VERIFYING, updated_at__lte=now - VERIFY_STALE_AFTER
        ).values_list("pk", flat=True)[:batch]
        for pk in verifying:
            transaction.on_commit(lambda pk=pk: _verify_later(pk))
    return resumed


def _verify_later(pk: int) -> None:
    from ..tasks import repost_verify_task  # the tasks module imports this one

    repost_verify_task.delay(pk)
