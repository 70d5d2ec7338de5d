"""X (Twitter) API v2: OAuth 2.0 token refresh, the signed-in user, a user's latest posts, and
publishing (XPublisher: posts, thread replies, images, finding a post whose outcome was unknown),
and the public metrics of up to 100 posts a request (GET /2/tweets?ids=…, x_posts_metrics);
XPublisher also answers the social interface's fetch_metrics and latest_posts with them.

Endpoints and error shapes follow X's documentation: tokens at POST /2/oauth2/token (client
credentials in HTTP Basic auth for confidential clients; refresh tokens rotate and are
single-use), GET /2/users/me, GET /2/users/:id/tweets, POST /2/tweets, the media upload v2
endpoints (POST /2/media/upload/initialize, /{id}/append, /{id}/finalize, GET /2/media/upload
?command=STATUS) and POST /2/media/metadata for alt text; errors are RFC 7807 problem bodies
({"title", "detail", "type", "status"}, validation errors in "errors"); rate limits in the
x-rate-limit-limit/-remaining/-reset headers (reset in epoch seconds).
"""

from __future__ import annotations

import html
import re
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
from django.conf import settings
from django.utils import timezone

from apps.integrations.http import ServiceError, retry_after_seconds, send

from .base import (
    CreatedPost,
    FetchedPost,
    MediaItem,
    MetricsAuthError,
    MetricsBatch,
    MetricsRateLimited,
    PostMetrics,
    PostNotFound,
    PublishAccount,
    PublishError,
    PublishErrorKind,
    RateInfo,
)


@dataclass
class TokenSet:
    access_token: str
    refresh_token: str
    expires_at: datetime | None
    scope: str = ""


GENERIC_INVALID = "One or more parameters to your request was invalid."


def _detail(response: httpx.Response) -> str:
    """X's error text: OAuth errors carry error_description, API problems detail or title, and a
    validation problem says what was wrong in errors[].message."""
    try:
        body = response.json()
        detail = body.get("error_description") or body.get("detail")
        messages = [
            e["message"] for e in body.get("errors") or [] if isinstance(e, dict) and e.get("message")
        ]
        if messages and (not detail or detail == GENERIC_INVALID):
            return " ".join(messages)
        return detail or body.get("title") or body.get("error") or response.text[:200]
    except (ValueError, AttributeError, TypeError):
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


# --- publishing ------------------------------------------------------------------------------------

NETWORK, UNKNOWN = PublishErrorKind.NETWORK, PublishErrorKind.UNKNOWN
UPLOAD_CHUNK_BYTES = 4 * 1024 * 1024  # X takes chunks of up to 5 MB
MEDIA_PROCESSING_WAIT = 60.0  # seconds: the longest we wait for X to finish processing an image
MAX_MEDIA = 4
ALT_TEXT_MAX = 1000
FIND_PAGES = 3  # of 100 posts each: enough for everything an account posted since an attempt
# Our clock and the platform's may disagree a little: a post is looked for from a minute before.
CLOCK_SKEW = timedelta(seconds=60)

# Links in a post come back rewritten (t.co on X); bare domains ("northwind.io") are linked too.
_LINK = re.compile(r"https?://\S+|\b(?:[a-z0-9-]+\.)+[a-z]{2,}(?:/\S*)?", re.IGNORECASE)
_LINK_MARK = "\x00"
_TRAILING_LINKS = re.compile(rf"(?:\s*{_LINK_MARK})+$")


def unanswered_error(platform: str, what: str, exc: ServiceError) -> PublishError:
    """A request that got no answer (a ServiceError from `send`, its httpx exception as the cause).
    Only a failure to connect proves the request never left: anything later may have reached the
    platform, so its outcome is unknown."""
    cause = exc.__cause__
    name = type(cause).__name__ if cause else "error"
    if isinstance(cause, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout):
        return PublishError(f"Could not reach {platform} ({name}); {what} was not sent.", kind=NETWORK)
    if isinstance(cause, httpx.TimeoutException):
        problem = f"{platform} did not answer in time ({name})"
    else:
        problem = f"The connection to {platform} broke before it answered ({name})"
    return PublishError(f"{problem}; {what} may or may not have gone through.", kind=UNKNOWN)


def publish_timeout() -> httpx.Timeout:
    return httpx.Timeout(settings.PUBLISH_TIMEOUT, connect=5.0)


def x_rate_info(response: httpx.Response) -> RateInfo:
    def number(name: str) -> int | None:
        try:
            return int(response.headers[name])
        except (KeyError, ValueError):
            return None

    reset = number("x-rate-limit-reset")
    return RateInfo(
        limit=number("x-rate-limit-limit"),
        remaining=number("x-rate-limit-remaining"),
        reset_at=datetime.fromtimestamp(reset, tz=UTC) if reset is not None else None,
    )


def x_post_url(handle: str, post_id: str) -> str:
    handle = handle.lstrip("@")
    return f"https://x.com/{handle}/status/{post_id}" if handle else f"https://x.com/i/web/status/{post_id}"


def _comparable(text: str) -> str:
    text = _LINK.sub(_LINK_MARK, unicodedata.normalize("NFC", text))
    return " ".join(text.split())


def same_x_text(theirs: str, ours: str) -> bool:
    """Whether X's copy of a post is the text we sent: X escapes &, < and > as HTML entities,
    rewrites links to t.co and adds a t.co link to the media at the end of a post with images."""
    a, b = _comparable(html.unescape(theirs)), _comparable(ours)
    return a == b or _TRAILING_LINKS.sub("", a) == _TRAILING_LINKS.sub("", b)


def _refusal(response: httpx.Response, what: str, rate: RateInfo) -> PublishError:
    """An answer with an error status, as the kind the publishing service acts on."""
    status, detail = response.status_code, _detail(response) or response.reason_phrase
    extra = {"status": status, "body": response.text[:2000], "rate": rate}
    if status == 401:
        message = f"X no longer accepts this account's sign-in ({detail}); reconnect the X account."
        return PublishError(message, kind=PublishErrorKind.AUTH, **extra)
    if status == 429:
        if rate.reset_at:
            wait = max(0.0, (rate.reset_at - timezone.now()).total_seconds())
            when = f"; it resets at {rate.reset_at:%H:%M} UTC"
        else:
            wait, when = retry_after_seconds(response), ""
        message = f"X's rate limit for this account was reached{when}."
        return PublishError(message, kind=PublishErrorKind.RATE_LIMITED, retry_after=wait, **extra)
    if status >= 500:
        message = f"X had a server error ({status}) with {what}; it may or may not have gone through."
        return PublishError(message, kind=UNKNOWN, **extra)
    if status == 403 and "duplicate content" in detail.lower():
        return PublishError(f"X refused {what}: {detail}", kind=PublishErrorKind.DUPLICATE, **extra)
    return PublishError(f"X refused {what}: {detail}", kind=PublishErrorKind.REJECTED, **extra)


def _data(response: httpx.Response) -> dict:
    try:
        data = response.json().get("data")
    except (ValueError, AttributeError):
        return {}
    return data if isinstance(data, dict) else {}


class XPublisher:
    """Publishes through X API v2 with the account's OAuth 2.0 user token. One request per step,
    never retried here: every failure is a PublishError whose kind says what to do next."""

    platform = "x"

    def __init__(
        self,
        *,
        sleep: Callable[[float], None] = time.sleep,
        processing_wait: float = MEDIA_PROCESSING_WAIT,
        chunk_bytes: int = UPLOAD_CHUNK_BYTES,
    ):
        self._sleep, self.processing_wait, self.chunk_bytes = sleep, processing_wait, chunk_bytes

    def _call(
        self, method: str, path: str, what: str, account: PublishAccount, **kwargs
    ) -> tuple[httpx.Response, RateInfo]:
        try:
            response = send(
                method,
                f"{settings.X_API_BASE_URL}{path}",
                what=f"X: {what}",
                fail_from=600,  # every status is classified below, by what it means for publishing
                headers={"Authorization": f"Bearer {account.access_token}"},
                timeout=publish_timeout(),
                **kwargs,
            )
        except ServiceError as exc:
            raise unanswered_error("X", what, exc) from exc
        rate = x_rate_info(response)
        if response.status_code >= 400:
            raise _refusal(response, what, rate)
        return response, rate

    def create_post(
        self,
        *,
        account: PublishAccount,
        text: str,
        media_ids: list[str] | None = None,
        reply_to: str | None = None,
        meta: dict | None = None,
    ) -> CreatedPost:
        if media_ids and len(media_ids) > MAX_MEDIA:
            raise PublishError(
                f"X allows at most {MAX_MEDIA} images on a post ({len(media_ids)} were given).",
                kind=PublishErrorKind.REJECTED,
            )
        body: dict = {"text": text}
        if reply_to:
            body["reply"] = {"in_reply_to_tweet_id": str(reply_to)}
        if media_ids:
            body["media"] = {"media_ids": [str(m) for m in media_ids]}
        response, rate = self._call("POST", "/2/tweets", "the post", account, json=body)
        post_id = _data(response).get("id")
        if not post_id:
            raise PublishError(
                f"X answered {response.status_code} without the post's id; it may or may not have gone through.",
                kind=UNKNOWN,
                status=response.status_code,
                body=response.text[:2000],
                rate=rate,
            )
        return CreatedPost(external_id=str(post_id), url=x_post_url(account.handle, str(post_id)), rate=rate)

    def upload_media(self, *, account: PublishAccount, media: MediaItem) -> str:
        what = "the image"
        response, _ = self._call(
            "POST",
            "/2/media/upload/initialize",
            what,
            account,
            json={"media_type": media.mime, "total_bytes": len(media.data), "media_category": "tweet_image"},
        )
        media_id = str(_data(response).get("id") or "")
        if not media_id:
            raise PublishError("X did not start the image upload (no media id).", kind=UNKNOWN)
        for index, start in enumerate(range(0, len(media.data), self.chunk_bytes)):
            chunk = media.data[start : start + self.chunk_bytes]
            self._call(
                "POST",
                f"/2/media/upload/{media_id}/append",
                what,
                account,
                files={"media": ("media", chunk, "application/octet-stream")},
                data={"segment_index": str(index)},
            )
        response, _ = self._call("POST", f"/2/media/upload/{media_id}/finalize", what, account)
        self._wait_for_processing(account, media_id, _data(response).get("processing_info"))
        if media.alt_text:
            self._call(
                "POST",
                "/2/media/metadata",
                "the image's alt text",
                account,
                json={"id": media_id, "metadata": {"alt_text": {"text": media.alt_text[:ALT_TEXT_MAX]}}},
            )
        return media_id

    def _wait_for_processing(self, account: PublishAccount, media_id: str, info: dict | None) -> None:
        """Images are usually ready at finalize; when X says it is still processing, ask again
        after the check_after_secs it gives, for at most `processing_wait` seconds in all."""
        waited = 0.0
        while info and info.get("state") in ("pending", "in_progress"):
            delay = max(0.0, float(info.get("check_after_secs") or 1))
            if waited + delay > self.processing_wait:
                raise PublishError(
                    f"X was still processing the image after {waited:g} s; try again later.", kind=UNKNOWN
                )
            self._sleep(delay)
            waited += delay
            response, _ = self._call(
                "GET",
                "/2/media/upload",
                "the image",
                account,
                params={"command": "STATUS", "media_id": media_id},
            )
            info = _data(response).get("processing_info")
        if info and info.get("state") == "failed":
            reason = (info.get("error") or {}).get("message") or "no reason given"
            raise PublishError(f"X could not process the image: {reason}.", kind=PublishErrorKind.REJECTED)

    def _timeline_find(
        self, *, account: PublishAccount, since: datetime, fields: str, what: str, matches
    ) -> CreatedPost | None:
        """The account's first post since `since` (less the clock skew) that `matches(post,
        earliest)`, reading the timeline a page of 100 at a time (FIND_PAGES at most)."""
        earliest = since - CLOCK_SKEW
        params = {
            "start_time": earliest.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "max_results": 100,
            "tweet.fields": fields,
        }
        for _ in range(FIND_PAGES):
            response, rate = self._call(
                "GET", f"/2/users/{account.user_id}/tweets", what, account, params=params
            )
            try:
                body = response.json()
            except ValueError:
                return None
            for post in body.get("data") or []:
                if matches(post, earliest):
                    post_id = str(post["id"])
                    return CreatedPost(
                        external_id=post_id, url=x_post_url(account.handle, post_id), rate=rate
                    )
            next_token = (body.get("meta") or {}).get("next_token")
            if not next_token:
                return None
            params = {**params, "pagination_token": next_token}
        return None

    def find_post(self, *, account: PublishAccount, text: str, since: datetime) -> CreatedPost | None:
        # Replies are not excluded: the parts of a thread after the first are replies.
        def matches(post: dict, earliest: datetime) -> bool:
            created = _created_at(post.get("created_at"))
            return same_x_text(post.get("text", ""), text) and (created is None or created >= earliest)

        return self._timeline_find(
            account=account, since=since, fields="created_at,text", what="the post lookup", matches=matches
        )

    # --- reposts ---------------------------------------------------------------------------------

    def repost(
        self, *, account: PublishAccount, external_id: str, text: str, meta: dict | None = None
    ) -> CreatedPost:
        """A quote post (POST /2/tweets with quote_tweet_id) when there are words to add, else a
        plain repost (POST /2/users/:id/retweets), whose answer is only {"retweeted": true}: the
        repost's own id is then read from the account's timeline."""
        if (text or "").strip():
            body = {"text": text, "quote_tweet_id": str(external_id)}
            response, rate = self._call("POST", "/2/tweets", "the quote post", account, json=body)
            post_id = _data(response).get("id")
            if not post_id:
                raise PublishError(
                    f"X answered {response.status_code} without the post's id; it may or may not have gone through.",
                    kind=UNKNOWN,
                    status=response.status_code,
                    rate=rate,
                )
            return CreatedPost(
                external_id=str(post_id), url=x_post_url(account.handle, str(post_id)), rate=rate
            )
        started = timezone.now()
        response, rate = self._call(
            "POST",
            f"/2/users/{account.user_id}/retweets",
            "the repost",
            account,
            json={"tweet_id": str(external_id)},
        )
        data = _data(response)
        own_id = data.get("id") or data.get("rest_id")
        if own_id:
            return CreatedPost(
                external_id=str(own_id), url=x_post_url(account.handle, str(own_id)), rate=rate
            )
        if not data.get("retweeted"):
            raise PublishError(
                "X did not confirm the repost; it may or may not have gone through.", kind=UNKNOWN, rate=rate
            )
        found = self.find_repost(account=account, external_id=external_id, since=started)
        if found is None:
            raise PublishError(
                "X confirmed the repost but it is not on the account's timeline yet; it will be looked up again.",
                kind=UNKNOWN,
                rate=rate,
            )
        return found

    def find_repost(
        self, *, account: PublishAccount, external_id: str, since: datetime
    ) -> CreatedPost | None:
        def matches(post: dict, earliest: datetime) -> bool:
            refs = post.get("referenced_tweets") or []
            return any(
                r.get("type") in ("quoted", "retweeted") and str(r.get("id")) == str(external_id)
                for r in refs
                if isinstance(r, dict)
            )

        return self._timeline_find(
            account=account,
            since=since,
            fields="created_at,referenced_tweets",
            what="the repost lookup",
            matches=matches,
        )

    def get_post(self, *, account: PublishAccount, external_id: str) -> FetchedPost:
        """GET /2/tweets/:id with its author, time, entities and referenced posts. X answers a
        post it does not have with HTTP 200 and a "Not Found Error" in `errors` (a 404 is taken
        the same way)."""
        if not str(external_id).isdigit():
            raise PostNotFound(f"{external_id!r} is not an X post id.")
        try:
            response, _ = self._call(
                "GET",
                f"/2/tweets/{external_id}",
                "the post",
                account,
                params={
                    "tweet.fields": "author_id,created_at,entities,referenced_tweets",
                    "expansions": "author_id",
                    "user.fields": "username",
                },
            )
        except PublishError as exc:
            if exc.status == 404:
                raise PostNotFound(f"X has no post {external_id}.", status=404) from exc
            raise
        try:
            body = response.json()
        except ValueError:
            raise PublishError("X answered the post lookup with a malformed body.", kind=UNKNOWN) from None
        data = body.get("data") if isinstance(body, dict) else None
        if not isinstance(data, dict):
            errors = body.get("errors") if isinstance(body, dict) else None
            detail = (errors or [{}])[0].get("detail") if errors else ""
            raise PostNotFound(detail or f"X has no post {external_id}.", status=response.status_code)
        return _fetched(data, body.get("includes") or {})

    metrics_ids_per_request = 100  # GET /2/tweets takes up to 100 ids (METRICS_BATCH)

    def fetch_metrics(
        self, *, account: PublishAccount, ids: list[str], at: datetime | None = None, memo: dict | None = None
    ) -> MetricsBatch:
        """X gives every number (x_posts_metrics); `at` and `memo` are not needed."""
        return x_posts_metrics(access_token=account.access_token, ids=ids)

    def latest_posts(self, *, account: PublishAccount, count: int = 5) -> list[str]:
        return x_user_latest_posts(access_token=account.access_token, user_id=account.user_id, count=count)


def _fetched(data: dict, includes: dict) -> FetchedPost:
    author_id = str(data.get("author_id") or "")
    username = next(
        (u.get("username", "") for u in includes.get("users") or [] if str(u.get("id")) == author_id), ""
    )
    entities = data.get("entities") or {}
    mentions = tuple(
        str(m["username"]).lower()
        for m in entities.get("mentions") or []
        if isinstance(m, dict) and m.get("username")
    )
    urls = tuple(
        str(u.get("expanded_url") or u.get("url"))
        for u in entities.get("urls") or []
        if isinstance(u, dict) and (u.get("expanded_url") or u.get("url"))
    )
    refs = tuple(
        str(r["id"])
        for r in data.get("referenced_tweets") or []
        if isinstance(r, dict) and r.get("type") in ("quoted", "retweeted") and r.get("id")
    )
    post_id = str(data.get("id") or "")
    return FetchedPost(
        external_id=post_id,
        author_id=author_id,
        author_handle=username,
        created_at=_created_at(data.get("created_at")),
        text=html.unescape(data.get("text") or ""),
        mentions=mentions,
        urls=urls,
        referenced_ids=refs,
        url=x_post_url(username, post_id),
    )


def _created_at(value: str | None) -> datetime | None:
    try:
        return datetime.fromisoformat(value) if value else None
    except ValueError:
        return None


# --- engagement metrics ----------------------------------------------------------------------------

METRICS_BATCH = 100  # GET /2/tweets takes up to 100 ids


def _metrics_of(public: dict) -> PostMetrics:
    def count(name: str) -> int:
        try:
            return max(0, int(public.get(name) or 0))
        except (TypeError, ValueError):
            return 0

    return PostMetrics(
        likes=count("like_count"),
        comments=count("reply_count"),
        shares=count("retweet_count"),
        quotes=count("quote_count"),
        bookmarks=count("bookmark_count"),
        impressions=count("impression_count"),
    )


def x_posts_metrics(*, access_token: str, ids: list[str]) -> MetricsBatch:
    """The public_metrics of up to 100 posts in one GET /2/tweets?ids=…: likes, replies, reposts,
    quotes, bookmarks and impressions (X gives them all). A deleted or hidden post comes back in the
    `errors` array (HTTP 200, "Not Found Error" / "Authorization Error") and is listed in `missing`.
    A 429 raises MetricsRateLimited with the window's reset; a 401 MetricsAuthError; other failures
    ServiceError. The rate-limit headers of the answer are in `rate`."""
    if not ids:
        return MetricsBatch()
    if len(ids) > METRICS_BATCH:
        raise ValueError(f"X takes at most {METRICS_BATCH} ids a request ({len(ids)} given)")
    response = send(
        "GET",
        f"{settings.X_API_BASE_URL}/2/tweets",
        what="X: post metrics",
        describe=_detail,
        fail_from=600,  # classified below
        params={"ids": ",".join(str(i) for i in ids), "tweet.fields": "public_metrics"},
        headers={"Authorization": f"Bearer {access_token}"},
    )
    rate = x_rate_info(response)
    status = response.status_code
    if status == 429:
        when = f"; it resets at {rate.reset_at:%H:%M} UTC" if rate.reset_at else ""
        raise MetricsRateLimited(
            f"X's rate limit for post metrics was reached for this account{when}.",
            reset_at=rate.reset_at,
            rate=rate,
            retry_after=retry_after_seconds(response),
            body=response.text[:2000],
        )
    if status == 401:
        raise MetricsAuthError(
            f"X no longer accepts this account's sign-in ({_detail(response)}).", status=401
        )
    if status >= 400:
        raise ServiceError(
            f"X: post metrics failed ({status}): {_detail(response)}",
            status=status,
            body=response.text[:2000],
        )
    try:
        body = response.json()
    except ValueError:
        raise ServiceError("X: post metrics returned a malformed body", status=status) from None
    metrics: dict[str, PostMetrics] = {}
    for post in body.get("data") or []:
        if isinstance(post, dict) and post.get("id"):
            metrics[str(post["id"])] = _metrics_of(post.get("public_metrics") or {})
    missing: dict[str, str] = {}
    for err in body.get("errors") or []:
        if not isinstance(err, dict):
            continue
        post_id = str(err.get("resource_id") or err.get("value") or "")
        if post_id and post_id not in metrics:
            missing[post_id] = err.get("detail") or err.get("title") or "not found"
    for post_id in ids:  # an id X said nothing about counts as missing, not as zero
        if str(post_id) not in metrics and str(post_id) not in missing:
            missing[str(post_id)] = "X did not return this post."
    return MetricsBatch(metrics=metrics, missing=missing, rate=rate)
