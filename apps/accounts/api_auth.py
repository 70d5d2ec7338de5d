"""How the JSON API knows who is calling: a personal API token or the browser's session."""

from __future__ import annotations

from ninja.security import HttpBearer, SessionAuth

from .services import api_token_authenticate


class TokenAuth(HttpBearer):
    """`Authorization: Bearer smai_…` with a personal API token."""

    openapi_description = "A personal API token, created on the account settings page."

    def authenticate(self, request, token):
        user = api_token_authenticate(raw=token)
        if user is not None:
            request.user = user
        return user


class SessionCookieAuth(SessionAuth):
    """The browser's session (CSRF token required for unsafe methods)."""

    openapi_description = "The session cookie of a signed-in browser; send X-CSRFToken on writes."


API_AUTH = [TokenAuth(), SessionCookieAuth()]
