"""Social connections of brands: link an OAuth account to a brand, keep its token fresh (X rotates
single-use refresh tokens: refreshes are serialised per account by a row lock), warn before
tokens that cannot be refreshed expire (LinkedIn), disconnect, and import voice samples."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from allauth.socialaccount.models import SocialAccount, SocialToken
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from apps.accounts.models import User
from apps.core.crypto import decrypt
from apps.integrations.http import ServiceError
from apps.integrations.social import x as x_api
from apps.integrations.social.base import PublishAccount
from apps.integrations.social.registry import publisher_for
from apps.notifications.services import notification_create

from .models import Brand, BrandMembership, ConnectionStatus, MembershipRole, Platform, SocialConnection

logger = logging.getLogger(__name__)

# allauth provider id of each platform
PROVIDER_IDS = {Platform.X: "twitter_oauth2", Platform.LINKEDIN: "linkedin"}
PLATFORM_BY_PROVIDER = {v: k for k, v in PROVIDER_IDS.items()}
REQUIRED_SETTINGS = {
    Platform.X: ["X_CLIENT_ID", "X_CLIENT_SECRET"],
    Platform.LINKEDIN: ["LINKEDIN_CLIENT_ID", "LINKEDIN_CLIENT_SECRET"],
}
REFRESH_AHEAD = timedelta(minutes=5)  # refresh when the access token has less than this left
EXPIRY_WARNING = timedelta(days=7)
LAST_USED_PRECISION = timedelta(minutes=5)  # "last used" to the minute is not worth a write per post


def connection_missing_settings(platform: str) -> list[str]:
    """The environment variables still needed before `platform` can be connected."""
    return [name for name in REQUIRED_SETTINGS.get(platform, []) if not getattr(settings, name, "")]


def _handle_and_name(account: SocialAccount) -> tuple[str, str]:
    data = account.extra_data or {}
    if account.provider == PROVIDER_IDS[Platform.X]:
        return data.get("username", account.uid), data.get("name", "")
    info = data.get("userinfo") or data.get("id_token") or data
    name = info.get("name") or " ".join(filter(None, [info.get("given_name"), info.get("family_name")]))
    return (info.get("email") or name or account.uid), name


def _token(account: SocialAccount, *, lock: bool = False) -> SocialToken | None:
    tokens = SocialToken.objects.filter(account=account).order_by("-id")
    return (tokens.select_for_update() if lock else tokens).first()


@transaction.atomic
def connection_link(*, brand: Brand, user: User, social_account: SocialAccount) -> SocialConnection:
    """After OAuth: the account publishes for `brand` (the user must be a member)."""
    if not BrandMembership.objects.filter(brand=brand, user=user).exists():
        raise PermissionDenied("You are not a member of this brand.")
    platform = PLATFORM_BY_PROVIDER.get(social_account.provider)
    if platform is None:
        raise ValidationError(f"{social_account.provider} accounts cannot publish for a brand.")
    handle, name = _handle_and_name(social_account)
    token = _token(social_account)
    connection, _ = SocialConnection.objects.update_or_create(
        brand=brand,
        social_account=social_account,
        defaults={
            "platform": platform,
            "handle": handle[:120],
            "display_name": name[:200],
            "status": ConnectionStatus.CONNECTED,
            "token_expires_at": token.expires_at if token else None,
            "connected_by": user,
            "last_error": "",
            "expiry_warned_at": None,
        },
    )
    return connection


@transaction.atomic
def connection_disconnect(*, connection: SocialConnection, user: User) -> None:
    """Remove the connection; the OAuth account and its tokens go too unless another brand uses them."""
    if connection.is_sandbox:
        raise ValidationError("The sandbox account is part of every brand and cannot be disconnected.")
    if not BrandMembership.objects.filter(brand=connection.brand, user=user).exists():
        raise PermissionDenied("You are not a member of this brand.")
    account = connection.social_account
    connection.delete()
    if account is not None and not SocialConnection.objects.filter(social_account=account).exists():
        account.delete()


def _owners(brand: Brand):
    return User.objects.filter(
        brand_memberships__brand=brand, brand_memberships__role=MembershipRole.OWNER, is_active=True
    )


def _mark_needs_reconnect(account: SocialAccount, reason: str) -> None:
    for connection in SocialConnection.objects.select_related("brand").filter(social_account=account):
        if connection.status == ConnectionStatus.NEEDS_RECONNECT:
            continue
        connection.status, connection.last_error = ConnectionStatus.NEEDS_RECONNECT, reason[:1000]
        connection.save(update_fields=["status", "last_error", "updated_at"])
        for owner in _owners(connection.brand):
            notification_create(
                user=owner,
                title=f"Reconnect {connection.get_platform_display()} @{connection.handle}",
                body=f"{connection.brand.name} can no longer publish there: {reason}",
                url=f"/brand/{connection.brand_id}/connections/",
                level="warning",
            )


def connection_mark_needs_reconnect(*, connection: SocialConnection, reason: str) -> None:
    """The platform refused the account's token and only the user can fix it: say so everywhere
    the account publishes, and tell the brands' owners."""
    if connection.social_account_id is not None:
        _mark_needs_reconnect(connection.social_account, reason)


def connection_refresh(*, connection: SocialConnection, force: bool = False) -> SocialConnection:
    """Refresh an X access token. Runs under a row lock on the account's token, so two workers
    never spend the same single-use refresh token; the second one finds a fresh token and stops."""
    if connection.platform != Platform.X or connection.social_account_id is None:
        return connection
    account = connection.social_account
    with transaction.atomic():
        token = _token(account, lock=True)
        if token is None:
            _mark_needs_reconnect(account, "no token is stored for this account")
            return connection
        fresh = token.expires_at is None or token.expires_at - timezone.now() > REFRESH_AHEAD
        if fresh and not force:
            return connection
        refresh_token = decrypt(token.token_secret)
        if not refresh_token:
            _mark_needs_reconnect(account, "X gave no refresh token; connect the account again")
            return connection
        try:
            new = x_api.x_refresh_token(refresh_token=refresh_token)
        except ServiceError as exc:
            if exc.status in (400, 401):  # invalid_grant / revoked: only the user can fix this
                _mark_needs_reconnect(account, str(exc))
                return connection
            SocialConnection.objects.filter(social_account=account).update(last_error=str(exc)[:1000])
            raise
        token.token = new.access_token
        token.token_secret = new.refresh_token or refresh_token
        token.expires_at = new.expires_at
        token.save()  # encrypted by apps.accounts.signals
        SocialConnection.objects.filter(social_account=account).update(
            token_expires_at=new.expires_at,
            last_refreshed_at=timezone.now(),
            status=ConnectionStatus.CONNECTED,
            last_error="",
            updated_at=timezone.now(),
        )
    connection.refresh_from_db()
    return connection


def connection_access_token(*, connection: SocialConnection) -> str:
    """A usable access token for publishing, refreshed first when it is about to expire."""
    if connection.status == ConnectionStatus.NEEDS_RECONNECT:
        raise ValidationError(
            f"{connection.get_platform_display()} @{connection.handle} needs to be reconnected."
        )
    now = timezone.now()
    token = _token(connection.social_account)
    # A fresh token needs no lock and no refresh: one read on the hot path of every post.
    if token is None or token.expires_at is None or token.expires_at - now <= REFRESH_AHEAD:
        connection = connection_refresh(connection=connection)
        token = _token(connection.social_account)
    if token is None:
        raise ValidationError("No token is stored for this account.")
    connection_mark_used(connection=connection, at=now)
    return decrypt(token.token)


def connection_mark_used(*, connection: SocialConnection, at: datetime | None = None) -> None:
    """Record that the account was just used to publish (Linked accounts' "Last used").

    Called by whatever publishes through the account: the token lookup for X and LinkedIn, the
    sandbox when it takes a post (it needs no token). `at` is the publishing time, so back-dated
    demo history does not move "last used" backwards or to now."""
    at = at or timezone.now()
    last = connection.last_used_at
    if last is not None and at - last <= LAST_USED_PRECISION:
        return
    SocialConnection.objects.filter(pk=connection.pk).filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lt=at)
    ).update(last_used_at=at)
    if last is None or at > last:
        connection.last_used_at = at


def connections_refresh_expiring(*, within: timedelta = timedelta(hours=1)) -> int:
    """Refresh X tokens that expire soon, ahead of any publishing (periodic)."""
    due = SocialConnection.objects.filter(
        platform=Platform.X,
        status=ConnectionStatus.CONNECTED,
        token_expires_at__lt=timezone.now() + within,
    ).select_related("social_account")
    refreshed = 0
    for connection in due:
        try:
            connection_refresh(connection=connection, force=True)
            refreshed += 1
        except ServiceError:
            logger.warning("refresh of connection %s failed; retried next run", connection.pk, exc_info=True)
    return refreshed


def connections_warn_expiring() -> int:
    """Tell brand owners 7 days before a token that cannot be refreshed (LinkedIn) expires."""

    now = timezone.now()
    due = SocialConnection.objects.select_related("brand").filter(
        platform=Platform.LINKEDIN,
        status=ConnectionStatus.CONNECTED,
        token_expires_at__lt=now + EXPIRY_WARNING,
        expiry_warned_at__isnull=True,
    )
    warned = 0
    for connection in due:
        with transaction.atomic():
            locked = SocialConnection.objects.select_for_update().get(pk=connection.pk)
            if locked.expiry_warned_at is not None:
                continue
            expired = locked.token_expires_at <= now
            for owner in _owners(connection.brand):
                notification_create(
                    user=owner,
                    title=(
                        f"LinkedIn {connection.handle} has expired"
                        if expired
                        else f"LinkedIn {connection.handle} expires on {locked.token_expires_at:%b %d}"
                    ),
                    body=f"Reconnect it so {connection.brand.name} keeps publishing to LinkedIn.",
                    url=f"/brand/{connection.brand_id}/connections/",
                    level="warning",
                )
            locked.expiry_warned_at = now
            if expired:
                locked.status = ConnectionStatus.NEEDS_RECONNECT
            locked.save(update_fields=["expiry_warned_at", "status", "updated_at"])
            warned += 1
    return warned


def brand_import_voice_from_x(*, brand: Brand, connection: SocialConnection) -> list[str]:
    """Replace the brand's voice samples with the latest 5 posts of its linked X account."""
    from .services import brand_set_voice_samples

    if connection.brand_id != brand.pk or connection.platform != Platform.X:
        raise ValidationError("Choose one of this brand's X accounts.")
    account = PublishAccount(
        access_token=connection_access_token(connection=connection),
        user_id=connection.social_account.uid,
        handle=connection.handle,
        brand_id=brand.pk,
    )
    try:
        # Through the social interface: X implements latest_posts, the other platforms say Unsupported.
        posts = publisher_for(connection.platform).latest_posts(account=account)
    except ServiceError as exc:
        raise ValidationError(f"Could not read the latest posts from X: {exc}") from None
    if not posts:
        raise ValidationError(f"@{connection.handle} has no posts to learn from yet.")
    brand_set_voice_samples(brand=brand, samples=posts)
    return posts
