"""A local fake of X API v2 for publishing, speaking its documented wire format, so XPublisher
and the token refresh run for real against it:

- POST /2/tweets                       {"text", "reply": {"in_reply_to_tweet_id"}, "media":
                                       {"media_ids"}, "quote_tweet_id"} -> 201 {"data": {"id", "text",
                                       "edit_history_tweet_ids"}}
- POST /2/users/:id/retweets           {"tweet_id"} -> 200 {"data": {"retweeted": true}} (the retweet's
                                       own id is only on the timeline; retweeting twice changes nothing)
- GET  /2/tweets/:id                   tweet.fields (author_id, created_at, entities, referenced_tweets),
                                       expansions=author_id -> {"data", "includes": {"users"}}; a post it
                                       does not have: 200 {"errors": [Not Found Error]}
- GET  /2/users/:id/tweets             start_time, end_time, max_results (5-100), exclude,
                                       pagination_token, tweet.fields; newest first
- GET  /2/users/me
- GET  /2/tweets?ids=<1-100 ids>&tweet.fields=public_metrics
                                       {"data": [{"id", "text", "public_metrics": {like_count, reply_count,
                                       retweet_count, quote_count, bookmark_count, impression_count}}],
                                       "errors": [Not Found Error per deleted/unknown id]}; set_metrics()
- POST /2/media/upload/initialize      {"media_type", "total_bytes", "media_category"}
- POST /2/media/upload/:id/append      multipart: media (bytes), segment_index
- POST /2/media/upload/:id/finalize    processing_info while "processing" (see processing_polls)
- GET  /2/media/upload?command=STATUS&media_id=
- POST /2/media/metadata               {"id", "metadata": {"alt_text": {"text"}}}
- POST /2/oauth2/token                 grant_type=refresh_token; client credentials in HTTP Basic;
                                       refresh tokens rotate and are single-use

Like X: tokens are checked (401 problem body), every authenticated answer carries
x-rate-limit-limit/-remaining/-reset for its user and endpoint (429 when spent), a post longer than
280 weighted characters is refused (400), a reply to an unknown post too (403), identical text
from the same author as an earlier post is a duplicate (403), and the text X gives back has its
links rewritten to t.co, &, < and > as HTML entities and a t.co link to the media at the end.

Tests script it: `fail_next("429", "timeout_after_create", ...)` queues failures for the next
requests (optionally only those to one endpoint, `on="POST /2/tweets"`); `latency` delays every
answer; `rate_limit` (or `rate_limits` per endpoint) sets the window. `tweets` and `requests`
record what happened, so a test can assert a post was created exactly once.
"""

from __future__ import annotations

import base64
import json
import re
import secrets
import socket
import struct
import threading
import time
import unicodedata
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlparse

from tests.fakes._server import LocalServer, QuietHandler, multipart_parts

CLIENT_ID = "fake-x-client-id"
CLIENT_SECRET = "fake-x-client-secret"
USER_ID = "1460000000000000001"
HANDLE = "northwind"

# What `fail_next` understands. The first four answer in the platform's own error shape; the
# others are what goes wrong on a network: the platform creates the post and the answer is lost.
FAILURES = ("429", "401", "500", "503", "timeout_after_create", "reset_before", "reset_after_create")

PROBLEM_INVALID = "https://api.twitter.com/2/problems/invalid-request"
DUPLICATE_DETAIL = "You are not allowed to create a Tweet with duplicate content."
REPLY_NOT_VISIBLE = "You attempted to reply to a Tweet that is deleted or not visible to you."
QUOTE_NOT_VISIBLE = "You attempted to quote a Tweet that is deleted or not visible to you."
MENTION = re.compile(r"(?<![\w@])@([A-Za-z0-9_]{1,15})")
TOO_LONG = (
    "Your Tweet text is too long. For more information on how X determines text length see "
    "https://github.com/twitter/twitter-text."
)
IMAGE_TYPES = {"image/jpeg", "image/png", "image/gif", "image/webp", "image/bmp", "image/tiff"}
IMAGE_MAX_BYTES = 5 * 1024 * 1024
# twitter-text v3: these code points weigh 1, every other 2; a link always weighs 23; limit 280.
LIGHT_RANGES = ((0, 4351), (8192, 8205), (8208, 8223), (8242, 8247))
LINK = re.compile(
    r"https?://[^\s<>\"]+[^\s<>\".,;:!?)\]'’]|\b(?:[a-z0-9-]+\.)+(?:com|org|net|io|co|ai|dev|app)\b(?:/[^\s<>\"]*)?",
    re.IGNORECASE,
)


def weighted_length(text: str) -> int:
    text = unicodedata.normalize("NFC", text)
    total, last = 0, 0
    for match in LINK.finditer(text):
        total += _weigh(text[last : match.start()]) + 23
        last = match.end()
    return total + _weigh(text[last:])


def _weigh(text: str) -> int:
    return sum(1 if any(lo <= ord(c) <= hi for lo, hi in LIGHT_RANGES) else 2 for c in text)


def problem(status: int, title: str, detail: str, type_: str = "about:blank") -> dict:
    return {"title": title, "detail": detail, "type": type_, "status": status}


def invalid_request(message: str, parameters: dict | None = None) -> dict:
    error: dict[str, Any] = {"message": message}
    if parameters:
        error["parameters"] = parameters
    return {
        "errors": [error],
        "title": "Invalid Request",
        "detail": "One or more parameters to your request was invalid.",
        "type": PROBLEM_INVALID,
    }


def rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def parse_rfc3339(value: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo else None


PUBLIC_METRICS = (
    "retweet_count",
    "reply_count",
    "like_count",
    "quote_count",
    "bookmark_count",
    "impression_count",
)
LOOKUP_MAX_IDS = 100
PROBLEM_NOT_FOUND = "https://api.twitter.com/2/problems/resource-not-found"

parse_multipart = multipart_parts  # (the name the rest of this module uses)


# --- what both publishing fakes share ----------------------------------------------------------------


class Record:
    """A recorded thing readable both ways: `tweet.text` or `tweet["text"]`, `request.get("status")`."""

    def __getitem__(self, name: str):
        try:
            return getattr(self, name)
        except AttributeError:
            raise KeyError(name) from None

    def get(self, name: str, default=None):
        return getattr(self, name, default)

    def keys(self) -> list[str]:
        return [f.name for f in fields(self)]


@dataclass
class FakeRequest(Record):
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]  # lower-cased names
    body: bytes = b""
    raw_query: str = ""
    failure: str | None = None  # the scripted failure this request got, if any
    status: int | None = None  # the answer's status (None: the connection was dropped instead)

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    @property
    def json(self) -> Any:
        try:
            return json.loads(self.body)
        except ValueError:
            return None

    @property
    def bearer(self) -> str | None:
        value = self.header("Authorization") or ""
        return value[7:].strip() if value[:7].lower() == "bearer " else None


@dataclass
class Answer:
    status: int
    body: Any = b""
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/json; charset=utf-8"


class PublishingFake(LocalServer):
    """A platform fake's plumbing: the request log, scripted failures, latency, rate windows.
    Subclasses answer in `_route(request)` and `_failure_answer(behaviour, request)`."""

    default_rate_limit = (200, 900)

    def __init__(self):
        self.lock = threading.RLock()
        self._released = threading.Event()
        self.latency = 0.0  # seconds added to every answer (slept outside any lock)
        self.hold_seconds = 5.0  # how long "timeout_after_create" holds its answer back
        self.rate_limit: tuple[int, int] = self.default_rate_limit  # (requests, window seconds)
        self.rate_limits: dict[str, tuple[int, int]] = {}  # per endpoint, e.g. {"POST /2/tweets": (5, 900)}
        self.requests: list[FakeRequest] = []
        self._failures: deque[tuple[str, str | None]] = deque()
        self._windows: dict[tuple[str, str], list[int]] = {}  # (user, endpoint) -> [window start, count]
        self._serve(self._handler())
        # Stop within 50 ms rather than serve_forever's default half second (a fresh fake per test).
        self._thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        # A deeper accept backlog than socketserver's 5, for benchmarks with many requests at once.
        self.httpd.socket.listen(1024)

    def stop(self) -> None:
        self._released.set()
        super().stop()

    # --- scripting ---------------------------------------------------------------------------------

    def fail_next(self, *behaviours: str, on: str | None = None) -> None:
        """Queue failures for the next requests, one each, in order; `on` ("POST /2/tweets")
        keeps them for requests whose method and path start with it."""
        for behaviour in behaviours:
            if behaviour not in FAILURES:
                raise ValueError(f"Unknown failure {behaviour!r}; one of {', '.join(FAILURES)}")
        with self.lock:
            self._failures.extend((b, on) for b in behaviours)

    @property
    def pending_failures(self) -> list[str]:
        with self.lock:
            return [b for b, _ in self._failures]

    def requests_to(self, method: str, path_prefix: str = "") -> list[FakeRequest]:
        with self.lock:
            return [r for r in self.requests if r.method == method and r.path.startswith(path_prefix)]

    def _take_failure(self, method: str, path: str) -> str | None:
        target = f"{method} {path}"
        with self.lock:
            for i, (behaviour, on) in enumerate(self._failures):
                if on is None or target.startswith(on):
                    del self._failures[i]
                    return behaviour
        return None

    def _rate_window(self, user: str, endpoint: str, *, count: bool = True) -> tuple[int, int, int, bool]:
        """(limit, remaining, reset epoch, allowed) for one request of `user` to `endpoint`."""
        limit, window = self.rate_limits.get(endpoint, self.rate_limit)
        now = int(time.time())
        with self.lock:
            state = self._windows.get((user, endpoint))
            if state is None or now >= state[0] + window:
                state = self._windows[(user, endpoint)] = [now, 0]
            allowed = state[1] < limit
            if allowed and count:
                state[1] += 1
            return limit, max(0, limit - state[1]), state[0] + window, allowed

    def _route(self, request: FakeRequest) -> Answer:
        raise NotImplementedError

    def _failure_answer(self, behaviour: str, request: FakeRequest) -> Answer:
        raise NotImplementedError

    # --- HTTP --------------------------------------------------------------------------------------

    def _handler(self):
        server = self

        class Handler(QuietHandler):
            # Keep-alive, like the real APIs: a benchmark must not measure a TCP handshake per post.
            protocol_version = "HTTP/1.1"

            def do_GET(self):
                self._dispatch("GET")

            def do_POST(self):
                self._dispatch("POST")

            def do_PUT(self):
                self._dispatch("PUT")

            def do_DELETE(self):
                self._dispatch("DELETE")

            def _dispatch(self, method: str):
                url = urlparse(self.path)
                failure = server._take_failure(method, url.path)
                if failure == "reset_before":
                    return self._reset()  # before reading the request: nothing was done
                length = int(self.headers.get("Content-Length") or 0)
                request = FakeRequest(
                    method=method,
                    path=url.path,
                    query={k: v[-1] for k, v in parse_qs(url.query, keep_blank_values=True).items()},
                    headers={k.lower(): v for k, v in self.headers.items()},
                    body=self.rfile.read(length) if length else b"",
                    raw_query=url.query,
                    failure=failure,
                )
                with server.lock:
                    server.requests.append(request)
                if server.latency:
                    time.sleep(server.latency)
                if failure in ("429", "401", "500", "503"):
                    answer = server._failure_answer(failure, request)
                else:
                    answer = server._route(request)
                if failure == "timeout_after_create":
                    server._released.wait(server.hold_seconds)  # the client has given up by then
                if failure == "reset_after_create":
                    return self._reset()
                request.status = answer.status
                self._send(answer.status, answer.body, answer.content_type, answer.headers)

            def _reset(self):
                # Close with RST (linger 0) and no answer: the client sees the connection drop.
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                self.close_connection = True

        return Handler


# --- X -----------------------------------------------------------------------------------------------


@dataclass
class XToken(Record):
    user_id: str
    handle: str
    expires_at: float


@dataclass
class Tweet(Record):
    id: str
    author_id: str
    text: str  # as it was sent
    display_text: str  # as X gives it back
    created_at: datetime
    reply_to: str | None = None
    media_ids: list[str] = field(default_factory=list)
    deleted: bool = False
    quote_of: str | None = None
    retweet_of: str | None = None
    # public_metrics as X gives them (GET /2/tweets); `set_metrics` changes them
    metrics: dict[str, int] = field(default_factory=lambda: dict.fromkeys(PUBLIC_METRICS, 0))


@dataclass
class Upload(Record):
    id: str
    owner: str
    media_type: str
    total_bytes: int
    category: str
    chunks: dict[int, bytes] = field(default_factory=dict)
    finalized: bool = False
    state: str = ""  # "", pending, in_progress, succeeded, failed
    polls_left: int = 0
    alt_text: str = ""

    @property
    def data(self) -> bytes:
        return b"".join(self.chunks[i] for i in sorted(self.chunks))

    @property
    def media_key(self) -> str:
        return f"3_{self.id}"


class FakeX(PublishingFake):
    def __init__(self, *, client_id: str | None = None, client_secret: str | None = None):
        # The app's credentials the token endpoint wants in HTTP Basic; None: any client's.
        self.client_id, self.client_secret = client_id, client_secret
        self.tweets: list[Tweet] = []
        # Indexes, so a benchmark's thousands of posts stay cheap to check and look up.
        self._by_id: dict[str, Tweet] = {}
        self._by_author: dict[str, list[Tweet]] = {}
        self._by_text: dict[tuple[str, str], list[Tweet]] = {}
        self.media: dict[str, Upload] = {}
        self.tokens: dict[str, XToken] = {}
        self.refresh_tokens: dict[str, tuple[str, str]] = {}  # token -> (user id, handle); single use
        self.token_requests: list[FakeRequest] = []
        self.handles: dict[str, str] = {USER_ID: HANDLE}  # user id -> username, for includes.users
        self.duplicate_window: timedelta | None = None  # None: the same text as any earlier post
        self.processing_polls = 0  # STATUS answers saying "in_progress" before an upload succeeds
        self.check_after_secs = 1
        self.processing_fails = False
        self.access_expires_in = 7200
        self._next_id = 1_850_000_000_000_000_000
        super().__init__()

    # --- test helpers ----------------------------------------------------------------------------

    def issue_token(
        self, *, user_id: str = USER_ID, handle: str = HANDLE, expires_in: int | None = None
    ) -> tuple[str, str]:
        """An access and a refresh token, as if the user had just authorised the app."""
        with self.lock:
            return self._new_tokens(user_id, handle, expires_in)

    def expire_token(self, access_token: str) -> None:
        with self.lock:
            if access_token in self.tokens:
                self.tokens[access_token].expires_at = 0

    def add_tweet(
        self,
        text: str,
        *,
        user_id: str = USER_ID,
        created_at: datetime | None = None,
        age_days: float = 0,
        reply_to: str | None = None,
        quote_of: str | None = None,
        retweet_of: str | None = None,
    ) -> Tweet:
        """A post the account already has (published before, or by hand): `quote_of` makes it a
        quote post, `retweet_of` a plain repost."""
        created_at = created_at or datetime.now(UTC) - timedelta(days=age_days)
        with self.lock:
            tweet = self._create(user_id, text, reply_to, [], created_at)
            tweet.quote_of, tweet.retweet_of = quote_of, retweet_of
            return tweet

    def revoke_refresh_token(self, refresh_token: str) -> None:
        with self.lock:
            self.refresh_tokens.pop(refresh_token, None)

    def delete_tweet(self, tweet_id: str) -> None:
        with self.lock:
            if tweet_id in self._by_id:
                self._by_id[tweet_id].deleted = True

    def tweets_by(self, user_id: str = USER_ID) -> list[Tweet]:
        with self.lock:
            return [t for t in self._by_author.get(user_id, []) if not t.deleted]

    def set_metrics(self, tweet_id: str, **counts: int) -> None:
        """A post's public_metrics from now on: like_count=…, reply_count=…, retweet_count=…,
        quote_count=…, bookmark_count=…, impression_count=…."""
        unknown = set(counts) - set(PUBLIC_METRICS)
        if unknown:
            raise ValueError(f"Unknown public metrics {sorted(unknown)}")
        with self.lock:
            self._by_id[tweet_id].metrics.update(counts)

    def tweet(self, tweet_id: str) -> Tweet | None:
        with self.lock:
            return self._by_id.get(tweet_id)

    # --- state -----------------------------------------------------------------------------------

    def _id(self) -> str:
        self._next_id += secrets.randbelow(1_000_000) + 1
        return str(self._next_id)

    def _new_tokens(self, user_id: str, handle: str, expires_in: int | None) -> tuple[str, str]:
        access, refresh = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        self.tokens[access] = XToken(user_id, handle, time.time() + (expires_in or self.access_expires_in))
        self.handles.setdefault(user_id, handle)
        self.refresh_tokens[refresh] = (user_id, handle)
        return access, refresh

    def _display(self, text: str, media_ids: list[str]) -> str:
        shown = LINK.sub(lambda m: f"https://t.co/{secrets.token_urlsafe(7)[:10]}", text)
        shown = shown.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        if media_ids:
            shown = f"{shown} https://t.co/{secrets.token_urlsafe(7)[:10]}".lstrip()
        return shown

    def _create(self, user_id: str, text: str, reply_to, media_ids, created_at: datetime) -> Tweet:
        tweet = Tweet(
            id=self._id(),
            author_id=user_id,
            text=text,
            display_text=self._display(text, media_ids),
            created_at=created_at,
            reply_to=reply_to,
            media_ids=list(media_ids),
        )
        self.tweets.append(tweet)
        self._by_id[tweet.id] = tweet
        self._by_author.setdefault(user_id, []).append(tweet)
        self._by_text.setdefault((user_id, text), []).append(tweet)
        return tweet

    # --- answers ---------------------------------------------------------------------------------

    def _failure_answer(self, behaviour: str, request: FakeRequest) -> Answer:
        token = self.tokens.get(request.bearer or "")
        if behaviour == "429":
            headers = {}
            if token:
                limit, _, reset, _ = self._rate_window(token.user_id, _endpoint(request), count=False)
                headers = _rate_headers(limit, 0, reset)
            return Answer(429, problem(429, "Too Many Requests", "Too Many Requests"), headers)
        if behaviour == "401":
            return Answer(401, problem(401, "Unauthorized", "Unauthorized"))
        title = "Internal Server Error" if behaviour == "500" else "Service Unavailable"
        return Answer(int(behaviour), problem(int(behaviour), title, title))

    def _route(self, request: FakeRequest) -> Answer:
        if request.method == "POST" and request.path == "/2/oauth2/token":
            return self._token(request)
        with self.lock:
            token = self.tokens.get(request.bearer or "")
            if token is None or token.expires_at <= time.time():
                return Answer(401, problem(401, "Unauthorized", "Unauthorized"))
        endpoint = _endpoint(request)
        limit, remaining, reset, allowed = self._rate_window(token.user_id, endpoint)
        headers = _rate_headers(limit, remaining, reset)
        if not allowed:
            return Answer(429, problem(429, "Too Many Requests", "Too Many Requests"), headers)
        answer = self._api(request, token, endpoint)
        answer.headers.update(headers)
        return answer

    def _api(self, request: FakeRequest, token: XToken, endpoint: str) -> Answer:
        path = request.path
        if endpoint == "POST /2/tweets":
            return self._create_tweet(request, token)
        if endpoint == "GET /2/users/:id/tweets":
            return self._timeline(request, path.split("/")[3])
        if endpoint == "GET /2/tweets":
            return self._lookup(request)
        if endpoint == "GET /2/tweets/:id":
            return self._single(request, path.split("/")[3])
        if endpoint == "POST /2/users/:id/retweets":
            return self._retweet(request, token, path.split("/")[3])
        if endpoint == "GET /2/users/me":
            return Answer(
                200, {"data": {"id": token.user_id, "name": token.handle, "username": token.handle}}
            )
        if path == "/2/media/upload/initialize" and request.method == "POST":
            return self._initialize(request, token)
        match = re.fullmatch(r"/2/media/upload/(\d+)/(append|finalize)", path)
        if match and request.method == "POST":
            return (
                self._append(request, token, match[1])
                if match[2] == "append"
                else self._finalize(token, match[1])
            )
        if path == "/2/media/upload" and request.method == "GET":
            return self._status(request, token)
        if path == "/2/media/metadata" and request.method == "POST":
            return self._metadata(request, token)
        return Answer(404, problem(404, "Not Found Error", f"Could not find {path}"))

    def _token(self, request: FakeRequest) -> Answer:
        with self.lock:
            self.token_requests.append(request)
        if not self._client_allowed(request.header("Authorization") or ""):
            return Answer(
                401,
                {"error": "unauthorized_client", "error_description": "Missing valid authorization header"},
            )
        form = {k: v[-1] for k, v in parse_qs(request.body.decode(), keep_blank_values=True).items()}
        if form.get("grant_type") != "refresh_token":
            return Answer(
                400,
                {
                    "error": "invalid_request",
                    "error_description": "Value passed for the grant type was invalid.",
                },
            )
        with self.lock:
            owner = self.refresh_tokens.pop(form.get("refresh_token", ""), None)
            if owner is None:
                return Answer(
                    400,
                    {
                        "error": "invalid_request",
                        "error_description": "Value passed for the token was invalid.",
                    },
                )
            access, refresh = self._new_tokens(*owner, None)
        return Answer(
            200,
            {
                "token_type": "bearer",
                "expires_in": self.access_expires_in,
                "access_token": access,
                "scope": "tweet.read tweet.write users.read media.write offline.access",
                "refresh_token": refresh,
            },
        )

    def _client_allowed(self, authorization: str) -> bool:
        if authorization[:6].lower() != "basic ":
            return False
        try:
            client_id, _, secret = base64.b64decode(authorization[6:]).decode().partition(":")
        except ValueError:
            return False
        if self.client_id is None:
            return bool(client_id and secret)
        return (client_id, secret) == (self.client_id, self.client_secret)

    def _create_tweet(self, request: FakeRequest, token: XToken) -> Answer:
        body = request.json
        if not isinstance(body, dict):
            return Answer(400, invalid_request("Request body is not a valid JSON object."))
        text = body.get("text", "")
        media_ids = (body.get("media") or {}).get("media_ids") or []
        reply_to = (body.get("reply") or {}).get("in_reply_to_tweet_id")
        quote_of = body.get("quote_tweet_id")
        if not isinstance(text, str) or not isinstance(media_ids, list):
            return Answer(400, invalid_request("Request body has fields of the wrong type."))
        if not text and not media_ids:
            return Answer(400, invalid_request("Post text or media is required.", {"text": [""]}))
        if weighted_length(text) > 280:
            return Answer(400, problem(400, "Bad Request", TOO_LONG))
        if len(media_ids) > 4:
            return Answer(
                400,
                invalid_request(
                    "[media_ids] must have between 1 and 4 items.",
                    {"media.media_ids": [str(m) for m in media_ids]},
                ),
            )
        now = datetime.now(UTC)
        with self.lock:
            for media_id in media_ids:
                upload = self.media.get(str(media_id))
                if not upload or upload.owner != token.user_id or upload.state != "succeeded":
                    return Answer(
                        400, invalid_request("Your media IDs are invalid.", {"media.media_ids": [media_id]})
                    )
            if reply_to is not None:
                parent = self._by_id.get(str(reply_to))
                if parent is None or parent.deleted:
                    return Answer(403, problem(403, "Forbidden", REPLY_NOT_VISIBLE))
            if quote_of is not None:
                quoted = self._by_id.get(str(quote_of))
                if quoted is None or quoted.deleted:
                    return Answer(403, problem(403, "Forbidden", QUOTE_NOT_VISIBLE))
            for tweet in self._by_text.get((token.user_id, text), []):
                if not tweet.deleted and (
                    self.duplicate_window is None or now - tweet.created_at < self.duplicate_window
                ):
                    return Answer(403, problem(403, "Forbidden", DUPLICATE_DETAIL))
            tweet = self._create(token.user_id, text, str(reply_to) if reply_to else None, media_ids, now)
            tweet.quote_of = str(quote_of) if quote_of is not None else None
        data = {"id": tweet.id, "text": tweet.display_text, "edit_history_tweet_ids": [tweet.id]}
        return Answer(201, {"data": data})

    def _timeline(self, request: FakeRequest, user_id: str) -> Answer:
        query = request.query
        try:
            max_results = int(query.get("max_results", "10"))
        except ValueError:
            max_results = -1
        if not 5 <= max_results <= 100:
            return Answer(
                400,
                invalid_request(
                    f"The `max_results` query parameter value [{query.get('max_results')}] is not between 5 and 100",
                    {"max_results": [query.get("max_results", "")]},
                ),
            )
        bounds = {}
        for name in ("start_time", "end_time"):
            if name in query:
                bounds[name] = parse_rfc3339(query[name])
                if bounds[name] is None:
                    return Answer(
                        400,
                        invalid_request(
                            f"Invalid '{name}':'{query[name]}'. '{name}' must be a RFC3339 date-time.",
                            {name: [query[name]]},
                        ),
                    )
        excluded = set(filter(None, query.get("exclude", "").split(",")))
        fields = set(filter(None, query.get("tweet.fields", "").split(",")))
        with self.lock:
            found = [
                t
                for t in self._by_author.get(user_id, [])
                if not t.deleted
                and ("start_time" not in bounds or t.created_at >= bounds["start_time"])
                and ("end_time" not in bounds or t.created_at < bounds["end_time"])
                and not ("replies" in excluded and t.reply_to)
                and not ("retweets" in excluded and t.retweet_of)
            ]
        found.sort(key=lambda t: (t.created_at, int(t.id)), reverse=True)
        offset = (
            int(query.get("pagination_token") or 0) if (query.get("pagination_token") or "0").isdigit() else 0
        )
        page = found[offset : offset + max_results]
        if not page:
            return Answer(200, {"meta": {"result_count": 0}})
        meta: dict[str, Any] = {"result_count": len(page), "newest_id": page[0].id, "oldest_id": page[-1].id}
        if offset + max_results < len(found):
            meta["next_token"] = str(offset + max_results)
        return Answer(200, {"data": [_tweet_json(t, fields) for t in page], "meta": meta})

    def _single(self, request: FakeRequest, tweet_id: str) -> Answer:
        """GET /2/tweets/:id: the post with the fields and expansions asked for; one X does not
        have is HTTP 200 with a "Not Found Error", as X answers it."""
        if not tweet_id.isdigit():
            return Answer(
                400,
                invalid_request(
                    f"The `id` query parameter value [{tweet_id}] does not match ^[0-9]{{1,19}}$",
                    {"id": [tweet_id]},
                ),
            )
        fields = set(filter(None, request.query.get("tweet.fields", "").split(",")))
        expansions = set(filter(None, request.query.get("expansions", "").split(",")))
        with self.lock:
            tweet = self._by_id.get(tweet_id)
            if tweet is None or tweet.deleted:
                return Answer(200, {"errors": [_not_found(tweet_id, "id")]})
            body: dict[str, Any] = {"data": _tweet_json(tweet, fields)}
            if "author_id" in expansions:
                body["includes"] = {
                    "users": [
                        {
                            "id": tweet.author_id,
                            "name": self.handles.get(tweet.author_id, ""),
                            "username": self.handles.get(tweet.author_id, ""),
                        }
                    ]
                }
        return Answer(200, body)

    def _retweet(self, request: FakeRequest, token: XToken, user_id: str) -> Answer:
        if user_id != token.user_id:
            return Answer(
                403,
                problem(
                    403, "Forbidden", "You are not permitted to perform this action on behalf of this user."
                ),
            )
        body = request.json if isinstance(request.json, dict) else {}
        tweet_id = str(body.get("tweet_id") or "")
        if not tweet_id.isdigit():
            return Answer(400, invalid_request("tweet_id is required.", {"tweet_id": [tweet_id]}))
        with self.lock:
            original = self._by_id.get(tweet_id)
            if original is None or original.deleted:
                return Answer(403, problem(403, "Forbidden", QUOTE_NOT_VISIBLE))
            already = any(
                t.retweet_of == tweet_id and not t.deleted for t in self._by_author.get(user_id, [])
            )
            if not already:
                handle = self.handles.get(original.author_id, "")
                tweet = self._create(user_id, f"RT @{handle}: {original.text}", None, [], datetime.now(UTC))
                tweet.retweet_of = tweet_id
        return Answer(200, {"data": {"retweeted": True}})

    def _lookup(self, request: FakeRequest) -> Answer:
        """GET /2/tweets?ids=…: the posts found in `data`, each id X cannot give (deleted or never
        existed) as a "Not Found Error" in `errors`, still HTTP 200."""
        ids = [i for i in request.query.get("ids", "").split(",") if i]
        if not 1 <= len(ids) <= LOOKUP_MAX_IDS:
            return Answer(
                400,
                invalid_request(
                    f"The number of values in the `ids` query parameter list [{len(ids)}] is not between 1 and 100",
                    {"ids": [request.query.get("ids", "")]},
                ),
            )
        bad = [i for i in ids if not i.isdigit()]
        if bad:
            return Answer(
                400,
                invalid_request(
                    f"The `ids` query parameter value [{bad[0]}] does not match ^[0-9]{{1,19}}$",
                    {"ids": [bad[0]]},
                ),
            )
        fields = set(filter(None, request.query.get("tweet.fields", "").split(",")))
        data, errors = [], []
        with self.lock:
            for tweet_id in ids:
                tweet = self._by_id.get(tweet_id)
                if tweet is None or tweet.deleted:
                    errors.append(
                        {
                            "value": tweet_id,
                            "detail": f"Could not find tweet with ids: [{tweet_id}].",
                            "title": "Not Found Error",
                            "resource_type": "tweet",
                            "parameter": "ids",
                            "resource_id": tweet_id,
                            "type": PROBLEM_NOT_FOUND,
                        }
                    )
                else:
                    data.append(_tweet_json(tweet, fields))
        body: dict[str, Any] = {}
        if data:
            body["data"] = data
        if errors:
            body["errors"] = errors
        return Answer(200, body)

    def _initialize(self, request: FakeRequest, token: XToken) -> Answer:
        body = request.json
        if not isinstance(body, dict):
            return Answer(400, invalid_request("Request body is not a valid JSON object."))
        media_type, total = body.get("media_type"), body.get("total_bytes")
        category = body.get("media_category", "tweet_image")
        if not isinstance(total, int) or total <= 0:
            return Answer(
                400, invalid_request("total_bytes must be a positive integer.", {"total_bytes": [total]})
            )
        if category == "tweet_image" and media_type not in IMAGE_TYPES:
            return Answer(
                400, invalid_request(f"Unsupported media_type {media_type}.", {"media_type": [media_type]})
            )
        if category == "tweet_image" and total > IMAGE_MAX_BYTES:
            return Answer(400, invalid_request("Images must be at most 5 MB.", {"total_bytes": [total]}))
        with self.lock:
            upload = Upload(self._id(), token.user_id, media_type, total, category)
            self.media[upload.id] = upload
        return Answer(
            200, {"data": {"id": upload.id, "media_key": upload.media_key, "expires_after_secs": 86400}}
        )

    def _upload_of(self, token: XToken, media_id: str) -> Upload | None:
        upload = self.media.get(media_id)
        return upload if upload and upload.owner == token.user_id else None

    def _append(self, request: FakeRequest, token: XToken, media_id: str) -> Answer:
        parts = parse_multipart(request.header("Content-Type") or "", request.body)
        if parts is None or "media" not in parts or "segment_index" not in parts:
            return Answer(400, invalid_request("media and segment_index are required multipart fields."))
        try:
            index = int(parts["segment_index"])
        except ValueError:
            index = -1
        if not 0 <= index <= 999:
            return Answer(400, invalid_request("segment_index must be between 0 and 999."))
        with self.lock:
            upload = self._upload_of(token, media_id)
            if upload is None or upload.finalized:
                return Answer(400, invalid_request(f"Media id {media_id} is not an open upload."))
            upload.chunks[index] = parts["media"]
        return Answer(200, {"data": {"expires_at": int(time.time()) + 86400}})

    def _finalize(self, token: XToken, media_id: str) -> Answer:
        with self.lock:
            upload = self._upload_of(token, media_id)
            if upload is None or upload.finalized:
                return Answer(400, invalid_request(f"Media id {media_id} is not an open upload."))
            if len(upload.data) != upload.total_bytes:
                return Answer(
                    400,
                    invalid_request(
                        f"File size mismatch: {len(upload.data)} bytes sent, {upload.total_bytes} declared."
                    ),
                )
            upload.finalized = True
            data: dict[str, Any] = {
                "id": upload.id,
                "media_key": upload.media_key,
                "size": upload.total_bytes,
                "expires_after_secs": 86400,
            }
            if self.processing_polls or self.processing_fails:
                upload.state, upload.polls_left = "pending", self.processing_polls
                data["processing_info"] = {"state": "pending", "check_after_secs": self.check_after_secs}
            else:
                upload.state = "succeeded"
        return Answer(200, {"data": data})

    def _status(self, request: FakeRequest, token: XToken) -> Answer:
        if request.query.get("command") != "STATUS":
            return Answer(
                400, invalid_request("command must be STATUS.", {"command": [request.query.get("command")]})
            )
        with self.lock:
            upload = self._upload_of(token, request.query.get("media_id", ""))
            if upload is None or not upload.finalized:
                return Answer(
                    400, invalid_request("Unknown media_id.", {"media_id": [request.query.get("media_id")]})
                )
            if upload.state in ("pending", "in_progress"):
                if upload.polls_left > 0:
                    upload.polls_left -= 1
                    upload.state = "in_progress"
                else:
                    upload.state = "failed" if self.processing_fails else "succeeded"
            info: dict[str, Any] = {"state": upload.state or "succeeded"}
            if upload.state == "in_progress":
                info.update(check_after_secs=self.check_after_secs, progress_percent=50)
            if upload.state == "failed":
                info["error"] = {"code": 1, "name": "InvalidMedia", "message": "Unsupported image format"}
            data = {"id": upload.id, "media_key": upload.media_key, "processing_info": info}
        return Answer(200, {"data": data})

    def _metadata(self, request: FakeRequest, token: XToken) -> Answer:
        body = request.json if isinstance(request.json, dict) else {}
        alt = ((body.get("metadata") or {}).get("alt_text") or {}).get("text")
        if not isinstance(alt, str) or len(alt) > 1000:
            return Answer(400, invalid_request("alt_text.text must be at most 1000 characters."))
        with self.lock:
            upload = self._upload_of(token, str(body.get("id", "")))
            if upload is None:
                return Answer(400, invalid_request("Unknown media id.", {"id": [body.get("id")]}))
            upload.alt_text = alt
        return Answer(200, {"data": {"associated_metadata": {"alt_text": {"text": alt}}}})


def _endpoint(request: FakeRequest) -> str:
    """The rate-limited endpoint a request counts against."""
    path = request.path
    if re.fullmatch(r"/2/users/[^/]+/tweets", path):
        return f"{request.method} /2/users/:id/tweets"
    if re.fullmatch(r"/2/users/[^/]+/retweets", path):
        return f"{request.method} /2/users/:id/retweets"
    if re.fullmatch(r"/2/tweets/[^/]+", path):
        return f"{request.method} /2/tweets/:id"
    if path.startswith("/2/media/"):
        return "media"
    return f"{request.method} {path}"


def _not_found(tweet_id: str, parameter: str) -> dict:
    return {
        "value": tweet_id,
        "detail": f"Could not find tweet with {parameter}: [{tweet_id}].",
        "title": "Not Found Error",
        "resource_type": "tweet",
        "parameter": parameter,
        "resource_id": tweet_id,
        "type": PROBLEM_NOT_FOUND,
    }


def _rate_headers(limit: int, remaining: int, reset: int) -> dict[str, str]:
    return {
        "x-rate-limit-limit": str(limit),
        "x-rate-limit-remaining": str(remaining),
        "x-rate-limit-reset": str(reset),
    }


def _tweet_json(tweet: Tweet, fields: set[str]) -> dict:
    data: dict[str, Any] = {"id": tweet.id, "text": tweet.display_text, "edit_history_tweet_ids": [tweet.id]}
    if "created_at" in fields:
        data["created_at"] = rfc3339(tweet.created_at)
    if "author_id" in fields:
        data["author_id"] = tweet.author_id
    if "referenced_tweets" in fields:
        refs = [
            {"type": kind, "id": ref}
            for kind, ref in (
                ("replied_to", tweet.reply_to),
                ("quoted", tweet.quote_of),
                ("retweeted", tweet.retweet_of),
            )
            if ref
        ]
        if refs:
            data["referenced_tweets"] = refs
    if "entities" in fields:
        entities: dict[str, list] = {}
        mentions = [
            {"start": m.start(), "end": m.end(), "username": m[1]} for m in MENTION.finditer(tweet.text)
        ]
        urls = [
            {
                "start": m.start(),
                "end": m.end(),
                "url": f"https://t.co/{abs(hash(m[0])) % 10**10}",
                "expanded_url": m[0] if m[0].lower().startswith("http") else f"https://{m[0]}",
                "display_url": m[0].split("://", 1)[-1][:30],
            }
            for m in LINK.finditer(tweet.text)
        ]
        if mentions:
            entities["mentions"] = mentions
        if urls:
            entities["urls"] = urls
        if entities:
            data["entities"] = entities
    if "attachments" in fields and tweet.media_ids:
        data["attachments"] = {"media_keys": [f"3_{m}" for m in tweet.media_ids]}
    if "public_metrics" in fields:
        data["public_metrics"] = dict(tweet.metrics)
    return data


@contextmanager
def fake_x_server(settings=None) -> Iterator[FakeX]:
    """A started FakeX with X_API_BASE_URL and the client credentials pointing at it: on the
    given settings object (pytest-django's `settings` fixture) or, without one, for the duration
    of the block through override_settings."""
    from django.test import override_settings

    fake = FakeX(client_id=CLIENT_ID, client_secret=CLIENT_SECRET).start()
    values = {"X_API_BASE_URL": fake.url, "X_CLIENT_ID": CLIENT_ID, "X_CLIENT_SECRET": CLIENT_SECRET}
    try:
        if settings is not None:
            for name, value in values.items():
                setattr(settings, name, value)
            yield fake
        else:
            with override_settings(**values):
                yield fake
    finally:
        fake.stop()
