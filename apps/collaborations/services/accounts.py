"""The accounts an influencer reposts from: their Sandbox account, their X and LinkedIn accounts
(kept in step with the accounts they linked through allauth), and the token a repost is made with."""

from __future__ import annotations

from datetime import timedelta

from allauth.socialaccount.models import SocialAccount, SocialToken
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from apps.core.crypto import decrypt
from apps.core.vocabulary import platform_label
from apps.integrations.http import ServiceError
from apps.integrations.social import x as x_api
from apps.integrations.social.base import PublishAccount
from apps.notifications.services import notification_create

from ..models import InfluencerAccount, InfluencerAccountStatus, InfluencerProfile

SANDBOX = "sandbox"
# allauth provider ids of the accounts an influencer can repost from (X: the OAuth 2.0 app, uid =
# the X user id; LinkedIn: OpenID Connect, uid = the member's `sub`).
REPOST_PROVIDERS = {"twitter_oauth2": "x", "linkedin": "linkedin", "linkedin_oauth2": "linkedin"}
REFRESH_AHEAD = timedelta(minutes=5)
PROFILE_URL = "/influencer/profile/"


def sandbox_user_id(user_id: int) -> str:
    """How the sandbox names an influencer's account (SandboxPost's author id)."""
    return f"user:{user_id}"


@transaction.atomic
def influencer_sandbox_account_create(*, profile: InfluencerProfile) -> InfluencerAccount:
    """The influencer's Sandbox account, under their profile's handle: reposts made from it are
    sandbox posts with engagement numbers, so the whole loop works without a real network. Made
    once; asking again returns it (with the handle brought up to date)."""
    account, created = InfluencerAccount.objects.select_for_update().get_or_create(
        profile=profile,
        platform=SANDBOX,
        defaults={
            "handle": profile.slug,
            "external_user_id": sandbox_user_id(profile.user_id),
            "status": InfluencerAccountStatus.CONNECTED,
        },
    )
    if not created and (
        account.handle != profile.slug or account.status != InfluencerAccountStatus.CONNECTED
    ):
        account.handle, account.status, account.last_error = (
            profile.slug,
            InfluencerAccountStatus.CONNECTED,
            "",
        )
        account.save(update_fields=["handle", "status", "last_error", "updated_at"])
    return account


def _handle(social_account: SocialAccount) -> str:
    data = social_account.extra_data or {}
    if social_account.provider == "twitter_oauth2":
        return str(data.get("username") or social_account.uid)
    claims = data.get("userinfo") or data.get("id_token") or data
    return str(claims.get("name") or claims.get("email") or social_account.uid)


@transaction.atomic
def influencer_accounts_sync(*, profile: InfluencerProfile) -> list[InfluencerAccount]:
    """InfluencerAccount rows for the X and LinkedIn accounts the influencer linked (allauth); an
    account they unlinked is marked disconnected, a relinked one connected again. Returns every
    account of the profile, sandbox included. Two queries when nothing changed."""
    linked = {
        REPOST_PROVIDERS[sa.provider]: sa
        for sa in SocialAccount.objects.filter(
            user_id=profile.user_id, provider__in=REPOST_PROVIDERS
        ).order_by("pk")
    }
    accounts = {a.platform: a for a in InfluencerAccount.objects.filter(profile=profile)}
    for platform, social_account in linked.items():
        handle, uid = _handle(social_account)[:120], str(social_account.uid)[:120]
        account = accounts.get(platform)
        if account is None:
            accounts[platform] = InfluencerAccount.objects.create(
                profile=profile,
                platform=platform,
                social_account=social_account,
                handle=handle,
                external_user_id=uid,
            )
            continue
        relinked = account.social_account_id != social_account.pk or account.external_user_id != uid
        if relinked or account.handle != handle or account.status == InfluencerAccountStatus.DISCONNECTED:
            account.social_account, account.handle, account.external_user_id = social_account, handle, uid
            if relinked or account.status == InfluencerAccountStatus.DISCONNECTED:
                account.status, account.last_error = InfluencerAccountStatus.CONNECTED, ""
            account.save()
    for platform, account in accounts.items():
        if (
            platform != SANDBOX
            and platform not in linked
            and account.status != InfluencerAccountStatus.DISCONNECTED
        ):
            account.status, account.social_account = InfluencerAccountStatus.DISCONNECTED, None
            account.save(update_fields=["status", "social_account", "updated_at"])
    return sorted(accounts.values(), key=lambda a: (a.platform, a.handle))


def influencer_account_mark_needs_reconnect(*, account: InfluencerAccount, reason: str) -> None:
    """The platform refused the account's sign-in: only the influencer can fix it; tell them."""
    if account.status == InfluencerAccountStatus.NEEDS_RECONNECT:
        return
    InfluencerAccount.objects.filter(pk=account.pk).update(
        status=InfluencerAccountStatus.NEEDS_RECONNECT, last_error=reason[:1000], updated_at=timezone.now()
    )
    account.status, account.last_error = InfluencerAccountStatus.NEEDS_RECONNECT, reason[:1000]
    notification_create(
        user=account.profile.user,
        title=f"Reconnect your {platform_label(account.platform)} account @{account.handle.lstrip('@')}",
        body=f"{platform_label(account.platform)} no longer accepts its sign-in: {reason}",
        url=PROFILE_URL,
        level="warning",
    )


def _token(account: InfluencerAccount, *, lock: bool = False) -> SocialToken | None:
    tokens = SocialToken.objects.filter(account_id=account.social_account_id).order_by("-id")
    return (tokens.select_for_update() if lock else tokens).first()


def _reconnect_error(account: InfluencerAccount) -> ValidationError:
    label = platform_label(account.platform)
    return ValidationError(f"Reconnect your {label} account (@{account.handle.lstrip('@')}), then try again.")


def influencer_account_refresh(*, account: InfluencerAccount, force: bool = False) -> None:
    """Refresh an X token about to expire (or refused, with `force`), under a row lock so two
    workers never spend the same single-use refresh token. A refused refresh marks the account
    needs-reconnect. LinkedIn gives members no refresh token: nothing to do there."""
    if account.platform != "x" or account.social_account_id is None:
        return
    with transaction.atomic():
        token = _token(account, lock=True)
        if token is None:
            influencer_account_mark_needs_reconnect(account=account, reason="no token is stored for it")
            return
        fresh = token.expires_at is None or token.expires_at - timezone.now() > REFRESH_AHEAD
        if fresh and not force:
            return
        refresh_token = decrypt(token.token_secret)
        if not refresh_token:
            influencer_account_mark_needs_reconnect(account=account, reason="X gave no refresh token")
            return
        try:
            new = x_api.x_refresh_token(refresh_token=refresh_token)
        except ServiceError as exc:
            if exc.status in (400, 401):
                influencer_account_mark_needs_reconnect(account=account, reason=str(exc))
                return
            raise
        token.token, token.token_secret = new.access_token, new.refresh_token or refresh_token
        token.expires_at = new.expires_at
        token.save()  # encrypted by apps.accounts.signals


def influencer_publish_account(*, account: InfluencerAccount) -> PublishAccount:
    """Who a repost or a lookup goes out as. The sandbox needs no token; X and LinkedIn use the
    linked account's token (an X token about to expire is refreshed first). ValidationError when
    only the influencer can fix it (reconnect)."""
    if account.is_sandbox:
        return PublishAccount(access_token="", user_id=account.external_user_id, handle=account.handle)
    if account.status != InfluencerAccountStatus.CONNECTED or account.social_account_id is None:
        raise _reconnect_error(account)
    token = _token(account)
    if (
        token is not None
        and token.expires_at is not None
        and token.expires_at - timezone.now() <= REFRESH_AHEAD
    ):
        influencer_account_refresh(account=account)
        account.refresh_from_db(fields=["status"])
        token = _token(account)
    if token is None or account.status != InfluencerAccountStatus.CONNECTED:
        raise _reconnect_error(account)
    return PublishAccount(
        access_token=decrypt(token.token), user_id=account.external_user_id, handle=account.handle.lstrip("@")
    )


def influencer_account_for(*, profile: InfluencerProfile, platform: str) -> InfluencerAccount | None:
    """The influencer's connected account on `platform`, if any."""
    return InfluencerAccount.objects.filter(
        profile=profile, platform=platform, status=InfluencerAccountStatus.CONNECTED
    ).first()
