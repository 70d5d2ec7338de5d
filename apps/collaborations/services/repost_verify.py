"""Checking a repost: the influencer submits the address of a post they made themselves (or the
pipeline made one for them), and the worker fetches it through the platform client and checks
that it is theirs, made after they accepted, tags the brand and links the brand's post, as the
offer asks. Every failed check is listed in plain words; the influencer can submit again."""

from __future__ import annotations

from datetime import UTC

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from apps.accounts.models import User
from apps.core.vocabulary import platform_label
from apps.integrations.social.base import FetchedPost, PublishError, PublishErrorKind
from apps.integrations.social.post_urls import post_url_parse
from apps.integrations.social.registry import publisher_for
from apps.notifications.services import notification_create

from ..models import (
    Collaboration,
    CollaborationStatus,
    InfluencerAccountStatus,
    Repost,
    RepostMethod,
    RepostStatus,
)
from ..selectors.reposts import RepostTarget, repost_target
from .accounts import (
    influencer_account_for,
    influencer_account_mark_needs_reconnect,
    influencer_publish_account,
)
from .collaboration import collaboration_advance
from .measure import repost_measure_soon
from .offers import _notify_brand, collaboration_url
from .repost_publish import _enqueue_verify, _locked_collaboration, repost_access_check, repost_open_check

VERIFY_RETRIES = 5
VERIFY_BACKOFF = [5, 30, 120, 600]  # seconds: a platform that did not answer is asked again
RATE_LIMIT_DEFAULT_WAIT = 15 * 60


def _link_account_error(platform: str) -> str:
    label = platform_label(platform)
    if platform == "sandbox":
        return "Create your Sandbox account first (Profile → Connected accounts)."
    return f"Link your {label} account first (Profile → Connected accounts), so the post can be checked as yours."


@transaction.atomic
def repost_submit_url(*, collaboration: Collaboration, user: User, url: str) -> Repost:
    """The influencer gives the address of their repost: it must be the address of a post on the
    offer's platform, and they must have linked their account there (the post is checked against
    it). The collaboration becomes reposted and the check is queued. ValidationError({field:
    message}) and nothing written when anything is wrong."""
    repost_access_check(collaboration=collaboration, user=user)
    collaboration = _locked_collaboration(collaboration)
    now = timezone.now()
    repost = Repost.objects.select_for_update().filter(collaboration=collaboration).first()
    repost_open_check(collaboration=collaboration, repost=repost, now=now)
    platform, label = collaboration.platform, platform_label(collaboration.platform)
    url = (url or "").strip()
    if not url:
        raise ValidationError({"url": f"Paste the address of your {label} post."})
    if len(url) > 500:
        raise ValidationError({"url": "That address is too long to be a post's."})
    address = post_url_parse(url, site_url=settings.SITE_URL)
    if address is None:
        raise ValidationError(
            {"url": f"That is not the address of a post. Paste the link of your {label} post."}
        )
    if address.platform != platform:
        raise ValidationError(
            {
                "url": f"This offer is for {label}: paste the address of your {label} post, not a {platform_label(address.platform)} one."
            }
        )
    account = influencer_account_for(profile=collaboration.influencer, platform=platform)
    if account is None:
        raise ValidationError({"url": _link_account_error(platform)})
    if address.handle and address.handle != account.handle.lstrip("@").lower():
        raise ValidationError(
            {
                "url": f"This post was made by another account (@{address.handle}); yours is @{account.handle.lstrip('@')}."
            }
        )
    target = repost_target(collaboration=collaboration)
    if target.external_id and address.external_id == target.external_id:
        raise ValidationError({"url": "That is the brand's own post: paste the address of your repost."})
    fields = {
        "method": RepostMethod.URL,
        "account": account,
        "platform": platform,
        "status": RepostStatus.VERIFYING,
        "text": "",
        "url": url,
        "external_id": address.external_id,
        "posted_at": None,
        "claim_token": "",
        "lease_until": None,
        "needs_reconcile": False,
        "attempts": 0,
        "last_error": "",
        "failures": [],
        "verified_at": None,
    }
    # a new go replaces every trace of the last one (a failed check, a lost send)
    repost, _ = Repost.objects.update_or_create(collaboration=collaboration, defaults=fields)
    if collaboration.status == CollaborationStatus.ACCEPTED:
        collaboration_advance(collaboration=collaboration, to=CollaborationStatus.REPOSTED)
    _enqueue_verify(repost)
    return repost


# --- the checks -------------------------------------------------------------------------------------


def _canonical(url: str) -> str:
    url = url.strip().lower().split("#", 1)[0].split("?", 1)[0].rstrip("/")
    for prefix in ("https://", "http://"):
        url = url.removeprefix(prefix)
    url = url.removeprefix("www.").removeprefix("mobile.")
    return url.replace("twitter.com/", "x.com/", 1)


def _tags_brand(post: FetchedPost, target: RepostTarget) -> bool:
    mentions = {m.lower().lstrip("@") for m in post.mentions}
    if mentions & target.names:
        return True
    text = post.text.lower()
    return any(f"@{name}" in text for name in target.names if name)


def _links_post(post: FetchedPost, target: RepostTarget) -> bool:
    if target.external_id and target.external_id in post.referenced_ids:
        return True
    wanted = _canonical(target.url) if target.url else ""
    for url in (*post.urls, *post.text.split()):
        if wanted and _canonical(url) == wanted:
            return True
        address = post_url_parse(url, site_url=settings.SITE_URL)
        if address and target.external_id and address.external_id == target.external_id:
            return True
    return False


def repost_check(
    *, post: FetchedPost, collaboration: Collaboration, target: RepostTarget, author_id: str
) -> list[str]:
    """What the post lacks, each in one plain sentence ([] when it passes)."""
    failures = []
    offer = collaboration.offer
    if post.author_id != author_id:
        who = f"@{post.author_handle}" if post.author_handle else post.author_id
        failures.append(f"This post was made by another account ({who}), not your linked account.")
    if post.created_at is not None and post.created_at < collaboration.accepted_at:
        made = post.created_at.astimezone(UTC)
        accepted = collaboration.accepted_at.astimezone(UTC)
        failures.append(
            f"This post was made before you accepted the offer ({made:%d %b %Y %H:%M} UTC < {accepted:%d %b %Y %H:%M} UTC)."
        )
    if offer.tag_brand and not _tags_brand(post, target):
        failures.append(f"The post does not tag {target.tag or collaboration.brand.name}.")
    if offer.keep_link and not _links_post(post, target):
        failures.append("The post does not link to the brand's post.")
    return failures


def repost_failed_notify(*, repost: Repost, failures: list[str], published: bool = True) -> None:
    """Both sides are told a repost failed: the influencer with every reason, the brand in short."""
    collaboration = repost.collaboration
    url = collaboration_url(collaboration=collaboration)
    what = "check" if published else "publishing"
    notification_create(
        user=collaboration.influencer.user,
        title=f"Your repost for {collaboration.brand.name} failed the {what}",
        body=" ".join(failures)[:1000],
        url=url,
        level="warning",
    )
    _notify_brand(
        brand_id=collaboration.brand_id,
        title=f"@{collaboration.influencer.slug}'s repost failed the {what}",
        body=" ".join(failures)[:1000],
        url=url,
    )


def _verified_notify(repost: Repost) -> None:
    collaboration = repost.collaboration
    url = collaboration_url(collaboration=collaboration)
    notification_create(
        user=collaboration.influencer.user,
        title=f"Your repost for {collaboration.brand.name} is verified",
        body="Its numbers are measured from now on.",
        url=url,
    )
    _notify_brand(
        brand_id=collaboration.brand_id,
        title=f"@{collaboration.influencer.slug}'s repost is verified",
        body=repost.url,
        url=url,
    )


def _fail(repost: Repost, failures: list[str]) -> str:
    with transaction.atomic():
        updated = Repost.objects.filter(pk=repost.pk, status=RepostStatus.VERIFYING).update(
            status=RepostStatus.FAILED,
            failures=failures,
            last_error=" ".join(failures)[:2000],
            updated_at=timezone.now(),
        )
        if updated:
            repost.status, repost.failures = RepostStatus.FAILED, failures
            repost_failed_notify(repost=repost, failures=failures)
    return "failed"


def _retry(repost: Repost, seconds: float, message: str) -> str:
    Repost.objects.filter(pk=repost.pk, status=RepostStatus.VERIFYING).update(
        last_error=message[:2000], attempts=repost.attempts + 1, updated_at=timezone.now()
    )
    _enqueue_verify(repost, countdown=seconds)
    return "retry later"


def repost_verify_execute(*, repost_id: int) -> str:
    """Fetch the repost through the platform client and check it. Safe to run twice: only a
    repost being checked is looked at, and its outcome is written with a compare-and-set."""
    repost = (
        Repost.objects.select_related(
            "account__profile__user",
            "collaboration__offer",
            "collaboration__brand",
            "collaboration__influencer__user",
        )
        .filter(pk=repost_id)
        .first()
    )
    if repost is None or repost.status != RepostStatus.VERIFYING:
        return "not verifying"
    collaboration, label = repost.collaboration, platform_label(repost.platform)
    account = repost.account
    if account is None or account.status != InfluencerAccountStatus.CONNECTED:
        return _fail(repost, [_link_account_error(repost.platform)])
    try:
        publish_account = influencer_publish_account(account=account)
        post = publisher_for(repost.platform).get_post(
            account=publish_account, external_id=repost.external_id
        )
    except ValidationError as exc:
        return _fail(repost, [" ".join(exc.messages)])
    except PublishError as exc:
        if exc.kind == PublishErrorKind.NOT_FOUND:
            return _fail(repost, [f"{label} has no post at this address (deleted, private or never made)."])
        if exc.kind == PublishErrorKind.AUTH:
            influencer_account_mark_needs_reconnect(account=account, reason=str(exc))
            return _fail(
                repost,
                [f"{label} no longer accepts your account's sign-in: reconnect it, then submit again."],
            )
        if repost.attempts >= VERIFY_RETRIES:
            return _fail(
                repost, [f"{label} could not be asked about the post ({exc}). Submit it again later."]
            )
        if exc.kind == PublishErrorKind.RATE_LIMITED:
            wait = exc.retry_after if exc.retry_after is not None else RATE_LIMIT_DEFAULT_WAIT
            return _retry(repost, wait, str(exc))
        if exc.kind in (PublishErrorKind.NETWORK, PublishErrorKind.UNKNOWN):
            return _retry(repost, VERIFY_BACKOFF[min(repost.attempts, len(VERIFY_BACKOFF) - 1)], str(exc))
        return _fail(repost, [f"{label} would not show the post: {exc}"])
    target = repost_target(collaboration=collaboration)
    failures = repost_check(
        post=post, collaboration=collaboration, target=target, author_id=account.external_user_id
    )
    if failures:
        return _fail(repost, failures)
    now = timezone.now()
    with transaction.atomic():
        updated = Repost.objects.filter(pk=repost.pk, status=RepostStatus.VERIFYING).update(
            status=RepostStatus.VERIFIED,
            verified_at=now,
            posted_at=post.created_at or repost.posted_at or now,
            url=(repost.url or post.url)[:500],
            failures=[],
            last_error="",
            updated_at=now,
        )
        if not updated:
            return "not verifying"
        repost.url = repost.url or post.url
        locked = Collaboration.objects.select_for_update(of=("self",)).get(pk=collaboration.pk)
        if locked.status == CollaborationStatus.ACCEPTED:
            locked = collaboration_advance(collaboration=locked, to=CollaborationStatus.REPOSTED)
        if locked.status == CollaborationStatus.REPOSTED:
            collaboration_advance(collaboration=locked, to=CollaborationStatus.VERIFIED)
        _verified_notify(repost)
        repost_measure_soon(repost.pk)  # its first numbers now, not at the next 4-hourly run
    return "verified"
