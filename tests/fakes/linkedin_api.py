"""A local fake of LinkedIn's versioned REST API for member posts, speaking its documented wire
format, so LinkedInPublisher runs for real against it:

- POST /rest/posts                          201, empty body, the post's URN in `x-restli-id`; with
                                            "reshareContext": {"parent": <post URN>} a reshare (422 for a
                                            parent LinkedIn does not have)
- GET  /rest/posts/<encoded URN>            the post (author, commentary, createdAt, reshareContext…);
                                            404 NOT_FOUND for one it does not have
- GET  /rest/posts?author=<encoded URN>&q=author&count=&sortBy=CREATED|LAST_MODIFIED
                                            {"paging", "elements": [{"id", "commentary", "createdAt", …}]}
- POST /rest/images?action=initializeUpload {"initializeUploadRequest": {"owner"}}
                                            -> {"value": {"uploadUrl", "uploadUrlExpiresAt", "image"}}
- PUT  <uploadUrl>                          the image bytes (served by the fake itself) -> 201
- GET  /rest/socialActions/<encoded URN>     {"likesSummary": {"totalLikes", …}, "commentsSummary":
                                            {"aggregatedTotalComments", …}, "target"} (r_member_social)
- GET  /rest/memberCreatorPostAnalytics?q=entity&entity=(share:<encoded URN>)&queryType=IMPRESSION|
       REACTION|COMMENT|RESHARE|MEMBERS_REACHED&aggregation=TOTAL
                                            {"paging", "elements": [{"count", "metricType": {…}}]}
                                            (r_member_postAnalytics; 403 ACCESS_DENIED without it:
                                            `can_read_analytics`)

Like LinkedIn: /rest calls need `LinkedIn-Version` (400 VERSION_MISSING without it, 426
NONEXISTENT_VERSION for one not active) and `X-Restli-Protocol-Version: 2.0.0` (LinkedIn documents
it as required; the fake refuses a call without it, 400); tokens are checked (401 with
INVALID/REVOKED/EXPIRED_ACCESS_TOKEN); the author must be the token's member (403 ACCESS_DENIED);
the same commentary from the same author is a duplicate (422 "Content is a duplicate of …");
a 429 carries LinkedIn's throttle body and no rate-limit headers; and commentary is read as
"little" text: an unescaped reserved character cuts the post there, silently, as LinkedIn does.

Scripted like FakeX: `fail_next(...)`, `latency`, `rate_limit` (per member and endpoint, a day by
default); `posts` and `requests` record what happened.
"""

from __future__ import annotations

import re
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import unquote

from tests.fakes.x_api import Answer, FakeRequest, PublishingFake, Record

MEMBER_ID = "782bbtaQ"
VERSION_FORMAT = re.compile(r"^\d{6}(\.\d{2})?$")
VISIBILITIES = ("PUBLIC", "CONNECTIONS", "LOGGED_IN")
COMMENTARY_MAX = 3000
RESERVED = set("\\|{}@[]()<>#*_~")
# The little elements LinkedIn reads: a hashtag template, a mention, a plain #hashtag.
ELEMENT = re.compile(
    r"\{hashtag\|\\?[#＃]\|(?P<tag>(?:\\.|[^}\\])*)\}"
    r"|@\[(?P<name>(?:\\.|[^\]\\])*)\]\(urn:li:[A-Za-z]+:[^)\s]+\)"
    r"|#(?P<word>\w+)"
)
UNESCAPE = re.compile(r"\\(.)", re.DOTALL)
POST_METRICS = ("reactions", "comments", "reshares", "impressions", "members_reached")
ANALYTICS_TYPES = {
    "IMPRESSION": "impressions",
    "MEMBERS_REACHED": "members_reached",
    "RESHARE": "reshares",
    "REACTION": "reactions",
    "COMMENT": "comments",
}
METRIC_TYPE_KEY = "com.linkedin.adsexternalapi.memberanalytics.v1.CreatorPostAnalyticsMetricTypeV1"


def error(status: int, message: str, code: str | None = None, service_code: int | None = None) -> dict:
    body: dict[str, Any] = {"status": status}
    if service_code is not None:
        body["serviceErrorCode"] = service_code
    if code:
        body["code"] = code
    body["message"] = message
    return body


def unprocessable(field_path: str, problem: str) -> dict:
    return error(422, f"ERROR :: {field_path} :: {problem}\n", "UNPROCESSABLE_ENTITY")


def read_little(commentary: str) -> tuple[str, int]:
    """(the text a reader sees, how much of the commentary LinkedIn kept): an unescaped reserved
    character that starts no element ends the post there."""
    shown, i = [], 0
    while i < len(commentary):
        char = commentary[i]
        if char == "\\" and i + 1 < len(commentary):
            shown.append(commentary[i + 1])
            i += 2
            continue
        match = ELEMENT.match(commentary, i)
        if match:
            if match["tag"] is not None:
                shown.append("#" + UNESCAPE.sub(r"\1", match["tag"]))
            elif match["name"] is not None:
                shown.append(UNESCAPE.sub(r"\1", match["name"]))
            else:
                shown.append(match[0])
            i = match.end()
            continue
        if char in RESERVED:
            break
        shown.append(char)
        i += 1
    return "".join(shown), i


@dataclass
class LinkedInToken(Record):
    member_id: str
    expires_at: float
    revoked: bool = False


@dataclass
class LinkedInPost(Record):
    id: str  # urn:li:share:<n>
    author: str
    commentary: str  # as LinkedIn kept it (cut at an unescaped reserved character)
    text: str  # as a reader sees it
    created_at: datetime
    body: dict = field(default_factory=dict)  # the request body, as sent
    # reactions, comments, reshares, impressions, members_reached: `set_metrics` changes them
    metrics: dict[str, int] = field(default_factory=lambda: dict.fromkeys(POST_METRICS, 0))

    @property
    def content(self) -> dict | None:
        return self.body.get("content")


@dataclass
class Image(Record):
    urn: str
    owner: str
    upload_token: str
    data: bytes | None = None


class FakeLinkedIn(PublishingFake):
    default_rate_limit = (150, 86400)  # LinkedIn's documented member limit for posts: 150 a day

    def __init__(self):
        self.posts: list[LinkedInPost] = []
        self.images: dict[str, Image] = {}
        self._by_text: dict[tuple[str, str], list[LinkedInPost]] = {}  # (author, commentary)
        self._uploads: dict[str, Image] = {}  # upload token -> image
        self.tokens: dict[str, LinkedInToken] = {}
        self.active_versions: set[str] | None = None  # None: every well-formed YYYYMM is active
        self.duplicate_window = timedelta(hours=24)
        self.can_read_posts = True  # the app has r_member_social (restricted) to list a member's posts
        self.can_read_analytics = True  # the app has r_member_postAnalytics (memberCreatorPostAnalytics)
        self._next_share = 7_250_000_000_000_000_000
        super().__init__()

    # --- test helpers ----------------------------------------------------------------------------

    def issue_token(self, member_id: str = MEMBER_ID, *, expires_in: int = 5_184_000) -> str:
        """A member's access token (LinkedIn gives most apps no refresh token)."""
        token = secrets.token_urlsafe(48)
        with self.lock:
            self.tokens[token] = LinkedInToken(member_id, time.time() + expires_in)
        return token

    def revoke_token(self, access_token: str) -> None:
        with self.lock:
            self.tokens[access_token].revoked = True

    def expire_token(self, access_token: str) -> None:
        with self.lock:
            self.tokens[access_token].expires_at = 0

    def add_post(
        self,
        commentary: str,
        *,
        member_id: str = MEMBER_ID,
        created_at: datetime | None = None,
        reshare_of: str | None = None,
    ):
        """A post the member already has (commentary in little format, as LinkedIn keeps it);
        `reshare_of` makes it a reshare of that post."""
        body = {"reshareContext": {"parent": reshare_of}} if reshare_of else {}
        with self.lock:
            return self._create(
                f"urn:li:person:{member_id}", commentary, body, created_at or datetime.now(UTC)
            )

    def set_metrics(self, urn: str, **counts: int) -> None:
        """A post's numbers from now on: reactions=…, comments=…, reshares=…, impressions=…."""
        unknown = set(counts) - set(POST_METRICS)
        if unknown:
            raise ValueError(f"Unknown post metrics {sorted(unknown)}")
        with self.lock:
            self._post(urn).metrics.update(counts)

    def delete_post(self, urn: str) -> None:
        with self.lock:
            self.posts.remove(self._post(urn))

    def _post(self, urn: str) -> LinkedInPost:
        return next(p for p in self.posts if p.id == urn)

    def posts_by(self, member_id: str = MEMBER_ID) -> list[LinkedInPost]:
        with self.lock:
            return [p for p in self.posts if p.author == f"urn:li:person:{member_id}"]

    # --- state -----------------------------------------------------------------------------------

    def _create(self, author: str, commentary: str, body: dict, created_at: datetime) -> LinkedInPost:
        self._next_share += secrets.randbelow(1_000_000) + 1
        text, kept = read_little(commentary)
        post = LinkedInPost(
            f"urn:li:share:{self._next_share}", author, commentary[:kept], text, created_at, body
        )
        self.posts.append(post)
        self._by_text.setdefault((author, post.commentary), []).append(post)
        return post

    # --- answers ---------------------------------------------------------------------------------

    def _failure_answer(self, behaviour: str, request: FakeRequest) -> Answer:
        if behaviour == "429":
            return Answer(429, _throttled())
        if behaviour == "401":
            message = "The token used in the request has been revoked by the user"
            return Answer(401, error(401, message, "REVOKED_ACCESS_TOKEN", 65601))
        message = "Internal Server Error" if behaviour == "500" else "Service Unavailable"
        return Answer(int(behaviour), error(int(behaviour), message))

    def _route(self, request: FakeRequest) -> Answer:
        with self.lock:
            token = self.tokens.get(request.bearer or "")
        if request.bearer is None:
            return Answer(401, error(401, "Empty oauth2_access_token", service_code=401))
        if token is None:
            return Answer(401, error(401, "Invalid access token", "INVALID_ACCESS_TOKEN", 65600))
        if token.revoked:
            message = "The token used in the request has been revoked by the user"
            return Answer(401, error(401, message, "REVOKED_ACCESS_TOKEN", 65601))
        if token.expires_at <= time.time():
            return Answer(
                401, error(401, "The token used in the request has expired", "EXPIRED_ACCESS_TOKEN", 65602)
            )
        if request.method == "PUT" and request.path.startswith("/dms-uploads/"):
            return self._upload(request, token)
        if not request.path.startswith("/rest/"):
            return Answer(404, error(404, f"No virtual resource found for {request.path}", "NOT_FOUND"))
        version = request.header("LinkedIn-Version")
        if not version:
            message = (
                "A version must be present. Please specify a version by adding the LinkedIn-Version header."
            )
            return Answer(400, error(400, message, "VERSION_MISSING"))
        if not VERSION_FORMAT.match(version) or (
            self.active_versions is not None and version not in self.active_versions
        ):
            return Answer(
                426, error(426, f"Requested version {version} is not active", "NONEXISTENT_VERSION")
            )
        if request.header("X-Restli-Protocol-Version") != "2.0.0":
            return Answer(400, error(400, "This resource needs the header X-Restli-Protocol-Version: 2.0.0"))
        endpoint = f"{request.method} {request.path}"
        if request.path.startswith("/rest/socialActions/"):
            endpoint = f"{request.method} /rest/socialActions"
        if request.path.startswith("/rest/posts/"):
            endpoint = f"{request.method} /rest/posts/:urn"
        if not self._rate_window(token.member_id, endpoint)[3]:
            return Answer(429, _throttled())
        if endpoint == "GET /rest/socialActions":
            return self._social_actions(request, token)
        if endpoint == "GET /rest/memberCreatorPostAnalytics":
            return self._post_analytics(request, token)
        if endpoint == "POST /rest/posts":
            return self._create_post(request, token)
        if endpoint == "GET /rest/posts":
            return self._find(request, token)
        if endpoint == "GET /rest/posts/:urn":
            return self._get(request)
        if endpoint == "POST /rest/images":
            return self._initialize(request, token)
        return Answer(404, error(404, f"No virtual resource found for {request.path}", "NOT_FOUND"))

    def _create_post(self, request: FakeRequest, token: LinkedInToken) -> Answer:
        body = request.json
        if not isinstance(body, dict):
            return Answer(400, error(400, "Invalid request body: not a JSON object"))
        member = f"urn:li:person:{token.member_id}"
        for name in ("author", "visibility", "distribution", "lifecycleState"):
            if name not in body:
                return Answer(
                    422, unprocessable(f"/{name}", "field is required but not found and has no default value")
                )
        if body["author"] != member:
            message = "Unpermitted fields present in REQUEST_BODY: Data Processing Exception while processing fields [/author]"
            return Answer(403, error(403, message, "ACCESS_DENIED", 100))
        if body["visibility"] not in VISIBILITIES:
            return Answer(422, unprocessable("/visibility", f"{body['visibility']!r} is not an enum symbol"))
        if body["lifecycleState"] not in ("PUBLISHED", "DRAFT"):
            return Answer(422, unprocessable("/lifecycleState", f"{body['lifecycleState']!r} is not allowed"))
        distribution = body["distribution"] if isinstance(body["distribution"], dict) else {}
        if distribution.get("feedDistribution") not in ("MAIN_FEED", "NONE"):
            return Answer(422, unprocessable("/distribution/feedDistribution", "field is required"))
        commentary = body.get("commentary", "")
        if not isinstance(commentary, str) or len(commentary) > COMMENTARY_MAX:
            return Answer(422, unprocessable("/commentary", f"length exceeds maximum {COMMENTARY_MAX}"))
        with self.lock:
            refused = self._check_content(body.get("content"), member)
            if refused:
                return refused
            parent = (body.get("reshareContext") or {}).get("parent") if "reshareContext" in body else None
            if "reshareContext" in body and not any(p.id == parent for p in self.posts):
                return Answer(
                    422,
                    unprocessable("/reshareContext/parent", f"{parent} is not a post that can be reshared"),
                )
            now = datetime.now(UTC)
            kept = commentary[: read_little(commentary)[1]]
            for post in self._by_text.get((member, kept), []):
                same_parent = ((post.body.get("reshareContext") or {}).get("parent")) == parent
                if same_parent and now - post.created_at < self.duplicate_window:
                    return Answer(422, _duplicate(post.id))
            post = self._create(member, commentary, body, now)
        return Answer(201, b"", {"x-restli-id": post.id}, content_type="application/json")

    def _check_content(self, content, member: str) -> Answer | None:
        if content is None:
            return None
        if not isinstance(content, dict):
            return Answer(422, unprocessable("/content", "must be a record"))
        if "media" in content:
            ids, path = [(content["media"] or {}).get("id")], "/content/media/id"
        elif "multiImage" in content:
            images = (content["multiImage"] or {}).get("images") or []
            if not 2 <= len(images) <= 20:
                return Answer(
                    422, unprocessable("/content/multiImage/images", "must have between 2 and 20 images")
                )
            ids, path = [(i or {}).get("id") for i in images], "/content/multiImage/images/id"
        else:
            return None
        for urn in ids:
            image = self.images.get(urn or "")
            if image is None or image.owner != member or image.data is None:
                return Answer(422, unprocessable(path, f"{urn} is not an uploaded image of the author"))
        return None

    def _find(self, request: FakeRequest, token: LinkedInToken) -> Answer:
        if request.query.get("q") != "author":
            return Answer(400, error(400, "Invalid query parameter q", "ILLEGAL_ARGUMENT"))
        raw_author = next((p[7:] for p in request.raw_query.split("&") if p.startswith("author=")), "")
        if ":" in raw_author:  # Rest.li 2.0: a URN in a query parameter must be URL-encoded
            return Answer(400, error(400, "Invalid param: author must be URL-encoded", "ILLEGAL_ARGUMENT"))
        author = request.query.get("author", "")
        if not self.can_read_posts or author != f"urn:li:person:{token.member_id}":
            message = "Not enough permissions to access: partnerApiPostsExternal.FINDER-author.20251001"
            return Answer(403, error(403, message, "ACCESS_DENIED", 100))
        try:
            count = min(100, int(request.query.get("count", "10")))
            start = int(request.query.get("start", "0"))
        except ValueError:
            return Answer(400, error(400, "count and start must be integers", "ILLEGAL_ARGUMENT"))
        with self.lock:
            found = sorted(
                (p for p in self.posts if p.author == author), key=lambda p: p.created_at, reverse=True
            )
        page = found[start : start + count]
        return Answer(
            200,
            {
                "paging": {"start": start, "count": count, "links": [], "total": len(found)},
                "elements": [_post_json(p) for p in page],
            },
        )

    def _get(self, request: FakeRequest) -> Answer:
        raw = request.path[len("/rest/posts/") :]
        if ":" in raw:  # Rest.li 2.0: a URN in the path must be URL-encoded
            return Answer(400, error(400, "Invalid key: the URN must be URL-encoded", "ILLEGAL_ARGUMENT"))
        urn = unquote(raw)
        with self.lock:
            post = next((p for p in self.posts if p.id == urn), None)
        if post is None:
            return Answer(404, error(404, f"Not Found: {urn}", "NOT_FOUND"))
        return Answer(200, _post_json(post))

    def _own_post(self, urn: str, token: LinkedInToken) -> LinkedInPost | Answer:
        with self.lock:
            post = next((p for p in self.posts if p.id == urn), None)
        if post is None:
            return Answer(404, error(404, f"Not Found: {urn}", "NOT_FOUND"))
        if post.author != f"urn:li:person:{token.member_id}":
            return Answer(403, error(403, f"Not enough permissions to access: {urn}", "ACCESS_DENIED", 100))
        return post

    def _social_actions(self, request: FakeRequest, token: LinkedInToken) -> Answer:
        raw = request.path[len("/rest/socialActions/") :]
        if ":" in raw:  # Rest.li 2.0: a URN in the path must be URL-encoded
            return Answer(400, error(400, "Invalid key: the URN must be URL-encoded", "ILLEGAL_ARGUMENT"))
        if not self.can_read_posts:
            message = "Not enough permissions to access: socialActions.GET.20251001"
            return Answer(403, error(403, message, "ACCESS_DENIED", 100))
        post = self._own_post(unquote(raw), token)
        if isinstance(post, Answer):
            return post
        m = post.metrics
        return Answer(
            200,
            {
                "likesSummary": {
                    "selectedLikes": [],
                    "aggregatedTotalLikes": m["reactions"],
                    "likedByCurrentUser": False,
                    "totalLikes": m["reactions"],
                },
                "commentsSummary": {
                    "selectedComments": [],
                    "totalFirstLevelComments": m["comments"],
                    "commentsState": "OPEN",
                    "aggregatedTotalComments": m["comments"],
                },
                "target": post.id,
            },
        )

    def _post_analytics(self, request: FakeRequest, token: LinkedInToken) -> Answer:
        query = request.query
        if query.get("q") != "entity":
            return Answer(400, error(400, "Invalid query parameter q", "ILLEGAL_ARGUMENT"))
        if not self.can_read_analytics:
            message = "Not enough permissions to access: memberCreatorPostAnalytics.FINDER-entity.20251001"
            return Answer(403, error(403, message, "ACCESS_DENIED", 100))
        raw_entity = next((p[7:] for p in request.raw_query.split("&") if p.startswith("entity=")), "")
        match = re.fullmatch(r"\((share|ugcPost):([^)]*)\)", raw_entity)
        if match is None or ":" in match[2]:
            return Answer(
                400, error(400, "Invalid param: entity must be (share:<encoded URN>)", "ILLEGAL_ARGUMENT")
            )
        query_type = query.get("queryType", "")
        if query_type not in ANALYTICS_TYPES:
            return Answer(400, error(400, f"Invalid queryType {query_type}", "ILLEGAL_ARGUMENT"))
        if query.get("aggregation", "TOTAL") not in ("TOTAL", "DAILY"):
            return Answer(400, error(400, "Invalid aggregation", "ILLEGAL_ARGUMENT"))
        post = self._own_post(unquote(match[2]), token)
        if isinstance(post, Answer):
            return post
        element = {
            "count": post.metrics[ANALYTICS_TYPES[query_type]],
            "metricType": {METRIC_TYPE_KEY: query_type},
        }
        return Answer(200, {"paging": {"start": 0, "count": 10, "links": []}, "elements": [element]})

    def _initialize(self, request: FakeRequest, token: LinkedInToken) -> Answer:
        if request.query.get("action") != "initializeUpload":
            return Answer(400, error(400, "Unsupported action", "ILLEGAL_ARGUMENT"))
        owner = ((request.json or {}).get("initializeUploadRequest") or {}).get("owner")
        if owner != f"urn:li:person:{token.member_id}":
            message = "Not enough permissions to upload an image for this owner"
            return Answer(403, error(403, message, "ACCESS_DENIED", 100))
        upload_token = secrets.token_urlsafe(16)
        urn = f"urn:li:image:D4E10AQ{secrets.token_urlsafe(12)}"
        with self.lock:
            self.images[urn] = self._uploads[upload_token] = Image(urn, owner, upload_token)
        value = {
            "uploadUrlExpiresAt": int((time.time() + 86400) * 1000),
            "uploadUrl": f"{self.url}/dms-uploads/{upload_token}/uploaded-image/0",
            "image": urn,
        }
        return Answer(200, {"value": value})

    def _upload(self, request: FakeRequest, token: LinkedInToken) -> Answer:
        upload_token = request.path.split("/")[2]
        with self.lock:
            image = self._uploads.get(upload_token)
            if image is None or image.owner != f"urn:li:person:{token.member_id}":
                return Answer(404, b"", content_type="text/plain")
            image.data = request.body
        return Answer(201, b"", content_type="text/plain")


def _throttled() -> dict:
    message = (
        "Resource level throttle APPLICATION AND MEMBER DAY limit for calls to this resource is reached."
    )
    return error(429, message, "TOO_MANY_REQUESTS", 101)


def _duplicate(urn: str) -> dict:
    return {
        "errorDetailType": "com.linkedin.common.error.BadRequest",
        "message": f"com.linkedin.content.common.exception.BadRequestResponseException: Content is a duplicate of {urn}",
        "errorDetails": {
            "inputErrors": [
                {"description": "Duplicate post is detected", "input": {}, "code": "DUPLICATE_POST"}
            ]
        },
        "status": 422,
    }


def _post_json(post: LinkedInPost) -> dict:
    millis = int(post.created_at.timestamp() * 1000)
    data = {
        "id": post.id,
        "author": post.author,
        "commentary": post.commentary,
        "visibility": post.body.get("visibility", "PUBLIC"),
        "distribution": post.body.get(
            "distribution",
            {"feedDistribution": "MAIN_FEED", "targetEntities": [], "thirdPartyDistributionChannels": []},
        ),
        "lifecycleState": "PUBLISHED",
        "lifecycleStateInfo": {"isEditedByAuthor": False},
        "isReshareDisabledByAuthor": post.body.get("isReshareDisabledByAuthor", False),
        "createdAt": millis,
        "publishedAt": millis,
        "lastModifiedAt": millis,
    }
    if post.content:
        data["content"] = post.content
    if post.body.get("reshareContext"):
        parent = post.body["reshareContext"].get("parent")
        data["reshareContext"] = {"parent": parent, "root": parent}
    return data


@contextmanager
def fake_linkedin_server(settings=None) -> Iterator[FakeLinkedIn]:
    """A started FakeLinkedIn with LINKEDIN_API_BASE_URL pointing at it: on the given settings
    object (pytest-django's `settings` fixture) or, without one, through override_settings."""
    from django.test import override_settings

    fake = FakeLinkedIn().start()
    try:
        if settings is not None:
            settings.LINKEDIN_API_BASE_URL = fake.url
            yield fake
        else:
            with override_settings(LINKEDIN_API_BASE_URL=fake.url):
                yield fake
    finally:
        fake.stop()
