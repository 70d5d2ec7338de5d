"""X (Twitter) API v2: OAuth 2.0 token refresh, the signed-in user, and a user's latest posts.

Endpoints and error shapes follow X's documentation: tokens at POST /2/oauth2/token (client
credentials in HTTP Basic auth for confidential clients; refresh tokens rotate and are
single-use), GET /2/users/me, GET /2/users/:id/tweets; rate limits in x-rate-limit-* headers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx
from django.conf import settings
from django.utils import timezone

from apps.integrations.http import ServiceError, send


@dataclass
class TokenSet:
    access_token: str
    refresh_token: str
    expires_at: datetime | None
    scope: str = ""


def _detail(response: httpx.Response) -> str:
    """X's error text: OAuth errors carry error_description, API problems detail or title."""
    try:
        body = response.json()
        return body.get("error_description") or body.get("detail") or body.get("title") or body.get("error")
    except (ValueError, AttributeError):
        return response.text[:200]


def _request(method: str, path: str, what: str, **kwargs) -> httpx.Response:
    return send(method, f"{settings.X_API_BASE_URL}{path}", what=f"X {what}", describe=_detail, **kwargs)


def x_refresh_token(*, refresh_token: str) -> TokenSet:
    """Trade a refresh token for new tokens. The old refresh token is dead afterwards."""
    response = _request(
        "POST",
        "/2/oauth2/token",
        "token refresh",
        data={
            "grant_type": "refresh_token",
            "refresh_token": refresh_token,
            "client_id": settings.X_CLIENT_ID,
        },
        auth=(settings.X_CLIENT_ID, settings.X_CLIENT_SECRET),
    )
    try:
        body = response.json()
        access = body["access_token"]
    except (ValueError, KeyError):
        raise ServiceError("X token refresh returned a malformed body", status=response.status_code) from None
    expires_in = body.get("expires_in")
    return TokenSet(
        access_token=access,
        refresh_token=body.get("refresh_token", ""),
        expires_at=timezone.now() + timedelta(seconds=int(expires_in)) if expires_in else None,
        scope=body.get("scope", ""),
    )


def x_me(*, access_token: str) -> dict:
    response = _request(
        "GET",
        "/2/users/me",
        "profile",
        params={"user.fields": "id,name,username,profile_image_url,public_metrics"},
        headers={"Authorization": f"Bearer {access_token}"},
    )
    return response.json().get("data", {})


def x_user_latest_posts(*, access_token: str, user_id: str, count: int = 5) -> list[str]:
    """The user's latest original posts (no reposts or replies), newest first."""
    response = _request(
        "GET",
        f"/2/users/{user_id}/tweets",
        "timeline",
        params={
            "max_results": max(5, min(count, 100)),
            "exclude": "retweets,replies",
            "tweet.fields": "text",
        },
        headers={"Authorization": f"Bearer {access_token}"},
    )
    return [t["text"] for t in response.json().get("data", []) if t.get("text")][:count]
