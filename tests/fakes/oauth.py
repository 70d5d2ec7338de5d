"""A local fake of X's OAuth 2.0 (PKCE) + API v2 user endpoints and LinkedIn's OpenID Connect,
speaking their documented wire formats (paths, parameters, JSON bodies, error shapes), so the
real allauth flow and our real clients run against it in tests and browser tests.

Consent pages have "Authorize app" and "Cancel" buttons, like the real ones.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlparse

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa


@dataclass
class FakeState:
    clients: dict[str, str] = field(default_factory=dict)  # client_id -> secret
    x_user: dict = field(
        default_factory=lambda: {
            "id": "1460000000000000001",
            "name": "Northwind Analytics",
            "username": "northwind",
            "profile_image_url": "https://pbs.example/northwind.png",
            "public_metrics": {"followers_count": 4210, "following_count": 180, "tweet_count": 952},
        }
    )
    x_tweets: list[str] = field(
        default_factory=lambda: [
            "Open banking is finally boring — and that's the point. Here's what changed in 2026 🧵 #fintech",
            "We asked 300 CFOs what slows their close. The answer wasn't tools. #fintech #finops",
            "New: real-time FX exposure in your dashboard. No spreadsheets required.",
            "Trust is a feature. Our SOC 2 Type II report is live. #security",
            "What would you automate first in your finance stack? Reply and tell us.",
        ]
    )
    linkedin_user: dict = field(
        default_factory=lambda: {
            "sub": "782bbtaQ",
            "email_verified": True,
            "name": "Dana Northwind",
            "locale": {"country": "US", "language": "en"},
            "given_name": "Dana",
            "family_name": "Northwind",
            "email": "dana@northwind.example",
            "picture": "https://media.licdn.example/dana.jpg",
        }
    )
    codes: dict[str, dict] = field(default_factory=dict)
    access_tokens: dict[str, dict] = field(default_factory=dict)
    refresh_tokens: dict[str, str] = field(default_factory=dict)  # token -> platform (single use)
    token_requests: list[dict] = field(default_factory=list)
    fail_next_token: tuple[int, dict] | None = None
    x_expires_in: int = 7200
    linkedin_expires_in: int = 5183999
    lock: threading.Lock = field(default_factory=threading.Lock)


class FakeOAuthServer:
    def __init__(self):
        self.state = FakeState()
        self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self._kid = "fake-key-1"
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def start(self) -> FakeOAuthServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def add_client(self, client_id: str, secret: str) -> None:
        self.state.clients[client_id] = secret

    def issue_tokens(self, platform: str, *, expires_in: int | None = None) -> dict:
        """Tokens as if a user had just authorised (for tests that skip the browser)."""
        with self.state.lock:
            return self._new_tokens(
                platform, scope="tweet.read users.read offline.access", expires_in=expires_in
            )

    # --- internals -----------------------------------------------------------------------------

    def _new_tokens(self, platform: str, scope: str, expires_in: int | None = None) -> dict:
        expires = expires_in or (
            self.state.x_expires_in if platform == "x" else self.state.linkedin_expires_in
        )
        access = secrets.token_urlsafe(24)
        self.state.access_tokens[access] = {"platform": platform, "expires": time.time() + expires}
        body = {"token_type": "bearer", "expires_in": expires, "access_token": access, "scope": scope}
        if platform == "x" and "offline.access" in scope:
            refresh = secrets.token_urlsafe(24)
            self.state.refresh_tokens[refresh] = "x"
            body["refresh_token"] = refresh
        return body

    def id_token(self, client_id: str, nonce: str | None) -> str:
        now = int(time.time())
        claims = {
            "iss": f"{self.url}/oauth",
            "aud": client_id,
            "iat": now,
            "exp": now + 3600,
            "sub": self.state.linkedin_user["sub"],
            "name": self.state.linkedin_user["name"],
            "email": self.state.linkedin_user["email"],
            "email_verified": True,
        }
        if nonce:
            claims["nonce"] = nonce
        return jwt.encode(claims, self._key, algorithm="RS256", headers={"kid": self._kid})

    def jwks(self) -> dict:
        numbers = self._key.public_key().public_numbers()

        def b64(n: int) -> str:
            raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
            return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

        return {
            "keys": [
                {
                    "kty": "RSA",
                    "kid": self._kid,
                    "use": "sig",
                    "alg": "RS256",
                    "n": b64(numbers.n),
                    "e": b64(numbers.e),
                }
            ]
        }

    def _handler(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                return

            # helpers
            def _send(self, status: int, body, content_type="application/json", headers=None):
                data = json.dumps(body).encode() if content_type == "application/json" else body.encode()
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(data)

            def _redirect(self, location: str):
                self.send_response(302)
                self.send_header("Location", location)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def _form(self) -> dict[str, str]:
                length = int(self.headers.get("Content-Length") or 0)
                return {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}

            def _bearer(self) -> dict | None:
                auth = self.headers.get("Authorization", "")
                token = auth.removeprefix("Bearer ").strip()
                info = server.state.access_tokens.get(token)
                if info is None or info["expires"] < time.time():
                    return None
                return info

            def _rate_headers(self):
                return {
                    "x-rate-limit-limit": "900",
                    "x-rate-limit-remaining": "899",
                    "x-rate-limit-reset": str(int(time.time()) + 900),
                }

            # routes
            def do_GET(self):
                url = urlparse(self.path)
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                if url.path == "/i/oauth2/authorize":
                    return self._consent("x", query)
                if url.path == "/oauth/v2/authorization":
                    return self._consent("linkedin", query)
                if url.path == "/oauth/.well-known/openid-configuration":
                    base = server.url
                    return self._send(
                        200,
                        {
                            "issuer": f"{base}/oauth",
                            "authorization_endpoint": f"{base}/oauth/v2/authorization",
                            "token_endpoint": f"{base}/oauth/v2/accessToken",
                            "userinfo_endpoint": f"{base}/v2/userinfo",
                            "jwks_uri": f"{base}/oauth/openid/jwks",
                            "response_types_supported": ["code"],
                            "subject_types_supported": ["pairwise"],
                            "id_token_signing_alg_values_supported": ["RS256"],
                            "scopes_supported": ["openid", "profile", "email"],
                            "claims_supported": ["iss", "aud", "iat", "exp", "sub", "name", "email"],
                            "token_endpoint_auth_methods_supported": ["client_secret_post"],
                        },
                    )
                if url.path == "/oauth/openid/jwks":
                    return self._send(200, server.jwks())
                if url.path == "/v2/userinfo":
                    if self._bearer() is None:
                        return self._send(
                            401, {"serviceErrorCode": 65600, "message": "Invalid access token", "status": 401}
                        )
                    return self._send(200, server.state.linkedin_user)
                if url.path == "/2/users/me":
                    if self._bearer() is None:
                        return self._send(
                            401,
                            {
                                "title": "Unauthorized",
                                "type": "about:blank",
                                "status": 401,
                                "detail": "Unauthorized",
                            },
                        )
                    return self._send(200, {"data": server.state.x_user}, headers=self._rate_headers())
                if url.path.startswith("/2/users/") and url.path.endswith("/tweets"):
                    if self._bearer() is None:
                        return self._send(
                            401, {"title": "Unauthorized", "status": 401, "detail": "Unauthorized"}
                        )
                    count = int(query.get("max_results", 10))
                    tweets = [
                        {"id": str(1800 + i), "text": t} for i, t in enumerate(server.state.x_tweets[:count])
                    ]
                    meta = {"result_count": len(tweets)}
                    return self._send(200, {"data": tweets, "meta": meta}, headers=self._rate_headers())
                return self._send(
                    404, {"title": "Not Found Error", "status": 404, "detail": f"no route {url.path}"}
                )

            def do_POST(self):
                url = urlparse(self.path)
                if url.path in ("/i/oauth2/authorize", "/oauth/v2/authorization"):
                    return self._decision()
                if url.path == "/2/oauth2/token":
                    return self._x_token()
                if url.path == "/oauth/v2/accessToken":
                    return self._linkedin_token()
                return self._send(404, {"title": "Not Found Error", "status": 404})

            def _consent(self, platform: str, query: dict):
                client_id = query.get("client_id", "")
                if client_id not in server.state.clients:
                    return self._send(
                        400, "<h1>Something went wrong</h1><p>invalid client_id</p>", "text/html"
                    )
                if platform == "x" and query.get("code_challenge_method") != "S256":
                    return self._send(
                        400, "<h1>Something went wrong</h1><p>PKCE S256 required</p>", "text/html"
                    )
                fields = "".join(
                    f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
                    for k, v in query.items()
                )
                name = "X" if platform == "x" else "LinkedIn"
                page = (
                    f"<!doctype html><title>Authorize · {name} (fake)</title>"
                    f"<h1>{name}: social-medAI wants to access your account</h1>"
                    f'<form method="post">{fields}<input type="hidden" name="platform" value="{platform}">'
                    '<button name="decision" value="approve" id="approve">Authorize app</button> '
                    '<button name="decision" value="cancel" id="cancel">Cancel</button></form>'
                )
                return self._send(200, page, "text/html; charset=utf-8")

            def _decision(self):
                form = self._form()
                redirect_uri, state = form.get("redirect_uri", ""), form.get("state", "")
                if form.get("decision") != "approve":
                    error = {"error": "access_denied", "state": state}
                    if form.get("platform") == "linkedin":
                        error = {
                            "error": "user_cancelled_authorize",
                            "error_description": "The user cancelled",
                            "state": state,
                        }
                    return self._redirect(f"{redirect_uri}?{urlencode(error)}")
                code = secrets.token_urlsafe(16)
                with server.state.lock:
                    server.state.codes[code] = {
                        "platform": form.get("platform"),
                        "client_id": form.get("client_id"),
                        "redirect_uri": redirect_uri,
                        "challenge": form.get("code_challenge"),
                        "scope": form.get("scope", ""),
                        "nonce": form.get("nonce"),
                    }
                return self._redirect(f"{redirect_uri}?{urlencode({'code': code, 'state': state})}")

            def _client_from_basic(self) -> str | None:
                auth = self.headers.get("Authorization", "")
                if not auth.startswith("Basic "):
                    return None
                client_id, _, secret = base64.b64decode(auth[6:]).decode().partition(":")
                return client_id if server.state.clients.get(client_id) == secret else None

            def _take_failure(self):
                with server.state.lock:
                    failure, server.state.fail_next_token = server.state.fail_next_token, None
                return failure

            def _x_token(self):
                form = self._form()
                server.state.token_requests.append({"platform": "x", **form})
                failure = self._take_failure()
                if failure:
                    return self._send(*failure)
                client_id = self._client_from_basic()
                if client_id is None:
                    return self._send(
                        401,
                        {
                            "error": "unauthorized_client",
                            "error_description": "Missing valid authorization header",
                        },
                    )
                with server.state.lock:
                    if form.get("grant_type") == "authorization_code":
                        grant = server.state.codes.pop(form.get("code", ""), None)
                        verifier = form.get("code_verifier", "")
                        challenge = (
                            base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
                            .rstrip(b"=")
                            .decode()
                        )
                        if (
                            not grant
                            or grant["redirect_uri"] != form.get("redirect_uri")
                            or grant["challenge"] != challenge
                        ):
                            return self._send(
                                400,
                                {
                                    "error": "invalid_request",
                                    "error_description": "Value passed for the authorization code was invalid.",
                                },
                            )
                        return self._send(200, server._new_tokens("x", grant["scope"]))
                    if form.get("grant_type") == "refresh_token":
                        if server.state.refresh_tokens.pop(form.get("refresh_token", ""), None) != "x":
                            return self._send(
                                400,
                                {
                                    "error": "invalid_request",
                                    "error_description": "Value passed for the token was invalid.",
                                },
                            )
                        return self._send(
                            200, server._new_tokens("x", "tweet.read tweet.write users.read offline.access")
                        )
                return self._send(
                    400, {"error": "unsupported_grant_type", "error_description": "grant_type not supported"}
                )

            def _linkedin_token(self):
                form = self._form()
                server.state.token_requests.append({"platform": "linkedin", **form})
                failure = self._take_failure()
                if failure:
                    return self._send(*failure)
                client_id = form.get("client_id", "")
                if server.state.clients.get(client_id) != form.get("client_secret"):
                    return self._send(
                        401, {"error": "invalid_client", "error_description": "Client authentication failed"}
                    )
                with server.state.lock:
                    grant = server.state.codes.pop(form.get("code", ""), None)
                    if not grant or grant["redirect_uri"] != form.get("redirect_uri"):
                        return self._send(
                            400,
                            {
                                "error": "invalid_request",
                                "error_description": "Unable to retrieve access token: authorization code not found",
                            },
                        )
                    body = server._new_tokens("linkedin", "email,openid,profile,w_member_social")
                body["id_token"] = server.id_token(client_id, grant.get("nonce"))
                return self._send(200, body)

        return Handler


def oauth_env(server: FakeOAuthServer) -> dict[str, str]:
    """Environment for a server process that talks to this fake (browser tests)."""
    server.add_client("x-client", "x-secret")
    server.add_client("li-client", "li-secret")
    return {
        "X_CLIENT_ID": "x-client",
        "X_CLIENT_SECRET": "x-secret",
        "X_AUTHORIZE_URL": f"{server.url}/i/oauth2/authorize",
        "X_API_BASE_URL": server.url,
        "LINKEDIN_CLIENT_ID": "li-client",
        "LINKEDIN_CLIENT_SECRET": "li-secret",
        "LINKEDIN_OIDC_SERVER_URL": f"{server.url}/oauth",
    }
