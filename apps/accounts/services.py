"""Account actions: API token issue, use and revocation; profile updates."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import zoneinfo
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from .models import ApiToken, User

MAX_ACTIVE_TOKENS = 20
# last_used_at is informative: write it at most once a minute, not on every request.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def _token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def api_token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """Issue a token; returns the row and the raw token, which is never retrievable again."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Give the token a name, so you can recognise it later."})
    if user.api_tokens.filter(revoked_at__isnull=True).count() >= MAX_ACTIVE_TOKENS:
        raise ValidationError(
            {"name": f"You already have {MAX_ACTIVE_TOKENS} active tokens. Revoke one first."}
        )
    prefix = secrets.token_hex(4)
    raw = f"{settings.API_TOKEN_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(user=user, name=name[:80], prefix=prefix, token_hash=_token_hash(raw))
    return token, raw


def api_token_revoke(*, token: ApiToken) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at", "updated_at"])
    return token


def api_token_authenticate(*, raw: str) -> User | None:
    """The active user a raw token belongs to, or None. Constant-time comparison."""
    parts = raw.strip().split("_", 2)  # the secret itself may contain "_"
    if len(parts) != 3 or parts[0] != settings.API_TOKEN_PREFIX:
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(prefix=parts[1], revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None or not hmac.compare_digest(token.token_hash, _token_hash(raw.strip())):
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


@transaction.atomic
def user_update_profile(
    *, user: User, display_name: str, email_notifications: bool, timezone_name: str | None = None
) -> User:
    user.display_name = display_name.strip()[:80]
    user.email_notifications = email_notifications
    fields = ["display_name", "email_notifications"]
    if timezone_name is not None:
        if timezone_name not in zoneinfo.available_timezones():
            raise ValidationError({"timezone": "Choose a time zone from the list."})
        user.timezone = timezone_name
        fields.append("timezone")
    user.save(update_fields=fields)
    return user
