"""LinkedIn publishing (LinkedInPublisher): member posts with images through the versioned REST API.

Wire format from LinkedIn's documentation: every call carries `LinkedIn-Version: YYYYMM` and
`X-Restli-Protocol-Version: 2.0.0`; POST /rest/posts answers 201 with an empty body and the post's
URN in the `x-restli-id` header; images are registered with POST /rest/images?action=
initializeUpload ({"value": {"uploadUrl", "image"}}) and their bytes PUT to the upload URL;
GET /rest/posts?author=<URL-encoded URN>&q=author finds a member's posts. Commentary is in the
"little" text format, where | { } @ [ ] ( ) < > # \\ * _ ~ must be backslash-escaped to be plain text
(unescaped, LinkedIn cuts the post at the first one). Errors are {"status", "serviceErrorCode",
"code", "message"}; a duplicate is a 422 "Content is a duplicate of urn:li:share:…"; LinkedIn sends
no rate-limit headers, only a 429 once an app's or member's daily limit is spent.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import httpx
from django.conf import settings
from django.core.cache import cache

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
    Unsupported,
)
from .x import CLOCK_SKEW, publish_timeout, unanswered_error

logger = logging.getLogger(__name__)

MAX_IMAGES = 20
ALT_TEXT_MAX = 4086
FIND_COUNT = 20
# Alt text is given at post time but known at upload time: it is kept in the cache (shared by
# the workers) under the image's URN until the post uses it.
ALT_TEXT_TTL = 7 * 24 * 3600

_RESERVED = re.compile(r"[\\|{}@\[\]()<>#*_~]")
# A hashtag: "#" starting a word, followed by a word that is not only digits ("C#" and "#1" are not).
_HASHTAG = re.compile(r"(?<![\w#])#(\w*[^\W\d]\w*)")
_HASHTAG_TEMPLATE = re.compile(r"\{hashtag\|\\?[#＃]\|((?:\\.|[^}\\])*)\}")
_MENTION = re.compile(r"@\[((?:\\.|[^\]\\])*)\]\(urn:li:[^)]*\)")
_MENTION_PARTS = re.compile(r"@\[((?:\\.|[^\]\\])*)\]\((urn:li:[^)]*)\)")
_URL = re.compile(r"https?://[^\s<>\"]+[^\s<>\".,;:!?)\]'’]")
_ESCAPED = re.compile(r"\\(.)", re.DOTALL)
_EXCEPTION_PREFIX = re.compile(r"^(?:[\w.$]+(?:Exception|Error)(?: \[[^\]]*\])?:\s*)+")


def escape_little(text: str) -> str:
    return _RESERVED.sub(lambda m: "\\" + m[0], text)


def little_text(text: str) -> str:
    """Plain text as LinkedIn commentary: every reserved character escaped, except that #word
    becomes a hashtag (LinkedIn's HashtagTemplate, the form its API gives hashtags back in)."""
    parts, last = [], 0
    for match in _HASHTAG.finditer(text):
        parts.append(escape_little(text[last : match.start()]))
        parts.append("{hashtag|\\#|" + escape_little(match[1]) + "}")
        last = match.end()
    parts.append(escape_little(text[last:]))
    return "".join(parts)


def plain_text(commentary: str) -> str:
    """What a little-format commentary reads as: hashtags as #word, mentions as the name."""
    text = _HASHTAG_TEMPLATE.sub(lambda m: "#" + m[1], commentary)
    text = _MENTION.sub(lambda m: m[1], text)
    return _ESCAPED.sub(r"\1", text)


def _comparable(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def linkedin_post_url(urn: str) -> str:
    return f"https://www.linkedin.com/feed/update/{urn}/"


def author_urn(account: PublishAccount) -> str:
    return f"urn:li:person:{account.user_id}"


def _message(response: httpx.Response) -> str:
    """LinkedIn's own words, without the Java exception name some messages start with."""
    try:
        body = response.json()
        message = _EXCEPTION_PREFIX.sub("", str(body.get("message") or "")).strip()
        if not message:
            errors = ((body.get("errorDetails") or {}).get("inputErrors")) or []
            message = "; ".join(e.get("description", "") for e in errors if isinstance(e, dict)).strip()
        return message or response.reason_phrase
    except (ValueError, AttributeError, TypeError):
        return response.text[:200] or response.reason_phrase


def _refusal(response: httpx.Response, what: str) -> PublishError:
    status, detail = response.status_code, _message(response)
    extra = {"status": status, "body": response.text[:2000]}
    if status == 401:
        message = (
            f"LinkedIn no longer accepts this account's sign-in ({detail}); reconnect the LinkedIn account."
        )
        return PublishError(message, kind=PublishErrorKind.AUTH, **extra)
    if status == 429:
        return PublishError(
            "LinkedIn's daily limit for this account or app was reached.",
            kind=PublishErrorKind.RATE_LIMITED,
            retry_after=retry_after_seconds(response),
            **extra,
        )
    if status >= 500:
        message = f"LinkedIn had a server error ({status}) with {what}; it may or may not have gone through."
        return PublishError(message, kind=PublishErrorKind.UNKNOWN, **extra)
    if status in (409, 422) and "duplicate" in response.text.lower():
        return PublishError(f"LinkedIn refused {what}: {detail}", kind=PublishErrorKind.DUPLICATE, **extra)
    return PublishError(f"LinkedIn refused {what}: {detail}", kind=PublishErrorKind.REJECTED, **extra)


def _remember_alt_text(urn: str, alt_text: str) -> None:
    try:
        cache.set(f"linkedin:alt-text:{urn}", alt_text[:ALT_TEXT_MAX], timeout=ALT_TEXT_TTL)
    except Exception:  # an image without its alt text beats a failed publish
        logger.warning("Could not keep the alt text of %s in the cache", urn, exc_info=True)


def _alt_texts(urns: list[str]) -> dict[str, str]:
    try:
        found = cache.get_many([f"linkedin:alt-text:{urn}" for urn in urns])
    except Exception:
        logger.warning("Could not read image alt texts from the cache", exc_info=True)
        return {}
    return {urn: found[f"linkedin:alt-text:{urn}"] for urn in urns if found.get(f"linkedin:alt-text:{urn}")}


class LinkedInPublisher:
    """Publishes a member's posts (text, one image, or 2-20 images) with their OAuth token.
    One request per step, never retried here: every failure is a PublishError with its kind.

    Alt text: `upload_media` keeps the MediaItem's alt text in the cache under the image URN and
    `create_post` puts it on the image in the post; an image whose alt text is no longer in the
    cache goes out without one."""

    platform = "linkedin"

    def _call(self, method: str, url: str, what: str, account: PublishAccount, **kwargs) -> httpx.Response:
        headers = {"Authorization": f"Bearer {account.access_token}", **kwargs.pop("headers", {})}
        try:
            response = send(
                method,
                url,
                what=f"LinkedIn: {what}",
                fail_from=600,  # every status is classified below, by what it means for publishing
                headers=headers,
                timeout=publish_timeout(),
                **kwargs,
            )
        except ServiceError as exc:
            raise unanswered_error("LinkedIn", what, exc) from exc
        if response.status_code >= 400:
            raise _refusal(response, what)
        return response

    def _rest(self, method: str, path: str, what: str, account: PublishAccount, **kwargs) -> httpx.Response:
        headers = {
            "LinkedIn-Version": settings.LINKEDIN_API_VERSION,
            "X-Restli-Protocol-Version": "2.0.0",
            **kwargs.pop("headers", {}),
        }
        return self._call(
            method, f"{settings.LINKEDIN_API_BASE_URL}{path}", what, account, headers=headers, **kwargs
        )

    def create_post(
        self,
        *,
        account: PublishAccount,
        text: str,
        media_ids: list[str] | None = None,
        reply_to: str | None = None,
        meta: dict | None = None,
    ) -> CreatedPost:
        if reply_to:
            raise ValueError("LinkedIn posts have no replies: a thread goes out as one post.")
        images = [str(m) for m in media_ids or []]
        if len(images) > MAX_IMAGES:
            raise PublishError(
                f"LinkedIn allows at most {MAX_IMAGES} images on a post ({len(images)} were given).",
                kind=PublishErrorKind.REJECTED,
            )
        body: dict = {
            "author": author_urn(account),
            "commentary": little_text(text),
            "visibility": "PUBLIC",
            "distribution": {
                "feedDistribution": "MAIN_FEED",
                "targetEntities": [],
                "thirdPartyDistributionChannels": [],
            },
            "lifecycleState": "PUBLISHED",
            "isReshareDisabledByAuthor": False,
        }
        alt = _alt_texts(images) if images else {}
        described = [{"id": urn, **({"altText": alt[urn]} if urn in alt else {})} for urn in images]
        if len(described) == 1:
            body["content"] = {"media": described[0]}
        elif described:
            body["content"] = {"multiImage": {"images": described}}
        response = self._rest("POST", "/rest/posts", "the post", account, json=body)
        urn = response.headers.get("x-restli-id") or response.headers.get("x-linkedin-id")
        if not urn:
            raise PublishError(
                f"LinkedIn answered {response.status_code} without the post's id; it may or may not have gone through.",
                kind=PublishErrorKind.UNKNOWN,
                status=response.status_code,
            )
        return CreatedPost(external_id=urn, url=linkedin_post_url(urn), rate=RateInfo())

    def upload_media(self, *, account: PublishAccount, media: MediaItem) -> str:
        response = self._rest(
            "POST",
            "/rest/images",
            "the image",
            account,
            params={"action": "initializeUpload"},
            json={"initializeUploadRequest": {"owner": author_urn(account)}},
        )
        try:
            value = response.json()["value"]
            upload_url, urn = value["uploadUrl"], value["image"]
        except (ValueError, KeyError, TypeError):
            raise PublishError(
                "LinkedIn did not start the image upload (no upload URL).", kind=PublishErrorKind.UNKNOWN
            ) from None
        self._call(
            "PUT", upload_url, "the image", account, content=media.data, headers={"Content-Type": media.mime}
        )
        if media.alt_text:
            _remember_alt_text(urn, media.alt_text)
        return urn

    def _recent_find(
        self, *, account: PublishAccount, since: datetime, what: str, matches
    ) -> CreatedPost | None:
        """The member's first post among their latest FIND_COUNT made since `since` (less the
        clock skew) that `matches(post)`."""
        earliest_ms = (since - CLOCK_SKEW).timestamp() * 1000
        response = self._rest(
            "GET",
            "/rest/posts",
            what,
            account,
            params={"author": author_urn(account), "q": "author", "count": FIND_COUNT, "sortBy": "CREATED"},
            headers={"X-RestLi-Method": "FINDER"},
        )
        try:
            elements = response.json().get("elements") or []
        except (ValueError, AttributeError):
            return None
        for post in elements:
            created = post.get("createdAt")
            if isinstance(created, int | float) and created < earliest_ms:
                continue
            if matches(post):
                return CreatedPost(external_id=post["id"], url=linkedin_post_url(post["id"]), rate=RateInfo())
        return None

    def find_post(self, *, account: PublishAccount, text: str, since: datetime) -> CreatedPost | None:
        sent, wanted = little_text(text), _comparable(text)

        def matches(post: dict) -> bool:
            commentary = post.get("commentary") or ""
            return commentary == sent or _comparable(plain_text(commentary)) == wanted

        return self._recent_find(account=account, since=since, what="the post lookup", matches=matches)

    # --- reshares ---------------------------------------------------------------------------------

    def repost(
        self, *, account: PublishAccount, external_id: str, text: str, meta: dict | None = None
    ) -> CreatedPost:
        """A reshare: POST /rest/posts with reshareContext.parent = the post's URN and the
        influencer's words as the commentary (may be empty)."""
        body: dict = {
            "author": author_urn(account),
            "commentary": little_text(text or ""),
            "visibility": "PUBLIC",
            "distribution": {
                "feedDistribution": "MAIN_FEED",
                "targetEntities": [],
                "thirdPartyDistributionChannels": [],
            },
            "lifecycleState": "PUBLISHED",
            "isReshareDisabledByAuthor": False,
            "reshareContext": {"parent": external_id},
        }
        response = self._rest("POST", "/rest/posts", "the reshare", account, json=body)
        urn = response.headers.get("x-restli-id") or response.headers.get("x-linkedin-id")
        if not urn:
            raise PublishError(
                f"LinkedIn answered {response.status_code} without the reshare's id; it may or may not have gone through.",
                kind=PublishErrorKind.UNKNOWN,
                status=response.status_code,
            )
        return CreatedPost(external_id=urn, url=linkedin_post_url(urn), rate=RateInfo())

    def find_repost(
        self, *, account: PublishAccount, external_id: str, since: datetime
    ) -> CreatedPost | None:
        return self._recent_find(
            account=account,
            since=since,
            what="the reshare lookup",
            matches=lambda post: (post.get("reshareContext") or {}).get("parent") == external_id,
        )

    def get_post(self, *, account: PublishAccount, external_id: str) -> FetchedPost:
        """GET /rest/posts/{URL-encoded URN}: author, creation time, commentary (mentions are
        @[Name](urn:li:…) in it), the article it links and the post it reshares."""
        try:
            response = self._rest("GET", f"/rest/posts/{quote(external_id, safe='')}", "the post", account)
        except PublishError as exc:
            if exc.status == 404:
                raise PostNotFound(f"LinkedIn has no post {external_id}.", status=404) from exc
            raise
        try:
            post = response.json()
        except ValueError:
            raise PublishError(
                "LinkedIn answered the post lookup with a malformed body.", kind=PublishErrorKind.UNKNOWN
            ) from None
        commentary = post.get("commentary") or ""
        mentions: list[str] = []
        for match in _MENTION_PARTS.finditer(commentary):
            mentions += [_ESCAPED.sub(r"\1", match[1]).lower(), match[2].lower()]
        text = plain_text(commentary)
        urls = _URL.findall(text)
        article = ((post.get("content") or {}).get("article") or {}).get("source")
        if article:
            urls.append(article)
        reshare = post.get("reshareContext") or {}
        refs = tuple(dict.fromkeys(r for r in (reshare.get("parent"), reshare.get("root")) if r))
        author = str(post.get("author") or "")
        created = post.get("createdAt") or post.get("publishedAt")
        return FetchedPost(
            external_id=str(post.get("id") or external_id),
            author_id=author.rsplit(":", 1)[-1] if author.startswith("urn:li:person:") else author,
            created_at=datetime.fromtimestamp(created / 1000, tz=UTC)
            if isinstance(created, int | float)
            else None,
            text=text,
            mentions=tuple(mentions),
            urls=tuple(urls),
            referenced_ids=refs,
            url=linkedin_post_url(str(post.get("id") or external_id)),
        )

    metrics_ids_per_request = 1  # one post per request (four with post analytics)

    def fetch_metrics(
        self, *, account: PublishAccount, ids: list[str], at: datetime | None = None, memo: dict | None = None
    ) -> MetricsBatch:
        memo = {} if memo is None else memo
        batch = MetricsBatch()
        for urn in ids:
            metrics = linkedin_post_metrics(access_token=account.access_token, urn=urn, memo=memo)
            if metrics is None:
                batch.missing[urn] = "LinkedIn no longer has this post."
            else:
                batch.metrics[urn] = metrics
        return batch

    def latest_posts(self, *, account: PublishAccount, count: int = 5) -> list[str]:
        raise Unsupported("LinkedIn does not let an app read a member's latest posts.")


# --- engagement metrics ----------------------------------------------------------------------------
#
# Member posts have two sources. With r_member_postAnalytics (LinkedIn's Community Management
# API), GET /rest/memberCreatorPostAnalytics?q=entity&entity=(share:<encoded URN>)&queryType=…
# &aggregation=TOTAL gives IMPRESSION, REACTION, COMMENT and RESHARE (one request each;
# {"elements": [{"count", "metricType": {…: "IMPRESSION"}}]}): nothing is estimated. Without it
# (403), GET /rest/socialActions/<encoded URN> gives reactions (likesSummary.totalLikes) and
# comments (commentsSummary.aggregatedTotalComments) only; shares and impressions are then
# named in `unavailable` (the caller estimates them). LinkedIn has no quotes or bookmarks.
# Limits are daily (reset at midnight UTC), answered with a bare 429.

ANALYTICS_QUERIES = {
    "IMPRESSION": "impressions",
    "REACTION": "likes",
    "COMMENT": "comments",
    "RESHARE": "shares",
}
SOCIAL_ACTIONS_UNAVAILABLE = ("shares", "impressions")


class LinkedInAnalyticsDenied(ServiceError):
    """403 from memberCreatorPostAnalytics: the app lacks r_member_postAnalytics for this member."""


def _metrics_call(path: str, what: str, access_token: str) -> httpx.Response | None:
    """One metrics GET; None for a post LinkedIn no longer has (404)."""
    response = send(
        "GET",
        f"{settings.LINKEDIN_API_BASE_URL}{path}",
        what=f"LinkedIn: {what}",
        fail_from=600,
        headers={
            "Authorization": f"Bearer {access_token}",
            "LinkedIn-Version": settings.LINKEDIN_API_VERSION,
            "X-Restli-Protocol-Version": "2.0.0",
        },
    )
    status = response.status_code
    if status == 429:
        now = datetime.now(UTC)
        midnight = (now + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
        raise MetricsRateLimited(
            "LinkedIn's daily limit for this account or app was reached; it resets at midnight UTC.",
            reset_at=midnight,
            retry_after=retry_after_seconds(response),
            body=response.text[:2000],
        )
    if status == 401:
        raise MetricsAuthError(
            f"LinkedIn no longer accepts this account's sign-in ({_message(response)}).", status=401
        )
    if status == 404:
        return None
    if status == 403 and path.startswith("/rest/memberCreatorPostAnalytics"):
        raise LinkedInAnalyticsDenied(f"LinkedIn: {_message(response)}", status=403)
    if status >= 400:
        raise ServiceError(
            f"LinkedIn: {what} failed ({status}): {_message(response)}",
            status=status,
            body=response.text[:2000],
        )
    return response


def _entity(urn: str) -> str:
    """A post URN as the Rest.li union memberCreatorPostAnalytics takes: (share:…) or (ugcPost:…)."""
    kind = "ugcPost" if urn.startswith("urn:li:ugcPost:") else "share"
    return f"({kind}:{quote(urn, safe='')})"


def linkedin_post_analytics(*, access_token: str, urn: str) -> dict[str, int] | None:
    """Impressions, reactions, comments and reshares of a member's post (memberCreatorPostAnalytics,
    TOTAL aggregation). None: LinkedIn no longer has the post. LinkedInAnalyticsDenied without
    the r_member_postAnalytics permission."""
    numbers: dict[str, int] = {}
    for query_type, name in ANALYTICS_QUERIES.items():
        path = (
            f"/rest/memberCreatorPostAnalytics?q=entity&entity={_entity(urn)}"
            f"&queryType={query_type}&aggregation=TOTAL"
        )
        response = _metrics_call(path, "post analytics", access_token)
        if response is None:
            return None
        try:
            elements = response.json().get("elements") or []
            numbers[name] = sum(max(0, int(e.get("count") or 0)) for e in elements if isinstance(e, dict))
        except (ValueError, AttributeError, TypeError):
            raise ServiceError("LinkedIn: post analytics returned a malformed body") from None
    return numbers


def linkedin_social_actions(*, access_token: str, urn: str) -> dict[str, int] | None:
    """Reactions and comments of a post (socialActions). None: LinkedIn no longer has the post."""
    response = _metrics_call(f"/rest/socialActions/{quote(urn, safe='')}", "post reactions", access_token)
    if response is None:
        return None
    try:
        body = response.json()
        likes = body.get("likesSummary") or {}
        comments = body.get("commentsSummary") or {}
        return {
            "likes": int(likes.get("totalLikes") or likes.get("aggregatedTotalLikes") or 0),
            "comments": int(
                comments.get("aggregatedTotalComments") or comments.get("totalFirstLevelComments") or 0
            ),
        }
    except (ValueError, AttributeError, TypeError):
        raise ServiceError("LinkedIn: socialActions returned a malformed body") from None


def linkedin_post_metrics(*, access_token: str, urn: str, memo: dict) -> PostMetrics | None:
    """A post's raw numbers. With post analytics every number; without them (the first 403 is
    noted in `memo`, so later calls of the run do not ask again) reactions and comments only, with
    shares and impressions named in `unavailable` for the caller to estimate. None: LinkedIn no
    longer has the post."""
    if memo.get("analytics", True):
        try:
            numbers = linkedin_post_analytics(access_token=access_token, urn=urn)
        except LinkedInAnalyticsDenied:
            memo["analytics"] = False
        else:
            return None if numbers is None else PostMetrics(**numbers)
    counts = linkedin_social_actions(access_token=access_token, urn=urn)
    if counts is None:
        return None
    return PostMetrics(**counts, unavailable=SOCIAL_ACTIONS_UNAVAILABLE)
