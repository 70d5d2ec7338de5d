"""The interface every social network client implements (X, LinkedIn, the sandbox plug-in):
publishing, reposting someone's post (an influencer's quote or reshare) and reading one post back
(get_post, to verify a repost), reading posts' engagement numbers and, where a platform offers it,
an account's latest posts.

The publishing service (apps.publishing) owns exactly-once: it records an attempt before each
call and the platform's id right after it, and when an outcome is unknown it asks the platform
(`find_post`) before sending again. So a client does one thing per call and never retries a
request that may have reached the platform; it says precisely what went wrong (`PublishError.kind`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from apps.integrations.http import ServiceError


@dataclass(frozen=True)
class PublishAccount:
    """Who publishes: the access token and the platform's id of the account."""

    access_token: str
    user_id: str  # X user id; LinkedIn member id (the OpenID `sub`), turned into urn:li:person:<id>
    handle: str = ""
    brand_id: int | None = None  # the sandbox keeps posts per brand


@dataclass(frozen=True)
class MediaItem:
    data: bytes
    mime: str  # image/png, image/jpeg
    alt_text: str = ""


@dataclass(frozen=True)
class RateInfo:
    """What the platform said about its rate limit on the last response (None: it did not say)."""

    limit: int | None = None
    remaining: int | None = None
    reset_at: datetime | None = None


@dataclass(frozen=True)
class CreatedPost:
    external_id: str
    url: str
    rate: RateInfo = field(default_factory=RateInfo)


class PublishErrorKind:
    RATE_LIMITED = "rate_limited"  # 429: try again later (retry_after says when, if known)
    AUTH = "auth"  # 401: the token is expired or revoked; refresh once, then reconnect
    NETWORK = "network"  # the request never reached the platform (connect error): safe to resend
    UNKNOWN = "unknown"  # it may have reached the platform (read timeout, 5xx): look it up first
    DUPLICATE = "duplicate"  # the platform refused it as a duplicate of a post it already has
    REJECTED = "rejected"  # the platform refused the content or the request (4xx): do not retry
    NOT_FOUND = "not_found"  # get_post: the platform has no such post (deleted, never existed, hidden)


class PublishError(ServiceError):
    """A publishing call failed. `kind` decides what the publishing service does next; the message
    is plain words a brand can read next to the Retry button."""

    def __init__(
        self,
        message: str,
        *,
        kind: str,
        status: int | None = None,
        body: str = "",
        retry_after: float | None = None,
        rate: RateInfo | None = None,
    ):
        super().__init__(message, status=status, body=body, retry_after=retry_after)
        self.kind = kind
        self.rate = rate or RateInfo()


@dataclass(frozen=True)
class FetchedPost:
    """A post as the platform gives it back (get_post): who made it and when, its text, whom it
    mentions, the links in it (expanded) and the posts it quotes, reposts or reshares."""

    external_id: str
    author_id: str  # X user id; LinkedIn person id (the part after urn:li:person:); sandbox user:<id>
    created_at: datetime | None
    text: str
    author_handle: str = ""
    mentions: tuple[str, ...] = ()  # X usernames, LinkedIn mentioned names and URNs, lower case, no "@"
    urls: tuple[str, ...] = ()  # expanded links
    referenced_ids: tuple[str, ...] = ()  # the posts it quotes, reposts or reshares
    url: str = ""


class PostNotFound(PublishError):
    """get_post: the platform has no such post (or does not show it)."""

    def __init__(self, message: str, **kwargs):
        super().__init__(message, kind=PublishErrorKind.NOT_FOUND, **kwargs)


class SocialPublisher(Protocol):
    platform: str  # "x", "linkedin", "sandbox"
    # How many post ids one metrics request takes (X 100, LinkedIn 1); None: the client reads
    # its own tables and makes no request (the sandbox).
    metrics_ids_per_request: int | None

    def upload_media(self, *, account: PublishAccount, media: MediaItem) -> str:
        """Upload one image; returns the platform's media id (X media id, LinkedIn image URN)."""

    def create_post(
        self,
        *,
        account: PublishAccount,
        text: str,
        media_ids: list[str] | None = None,
        reply_to: str | None = None,
        meta: dict | None = None,
    ) -> CreatedPost:
        """Publish one post. X: `reply_to` makes it the next part of a thread; media go on the
        first part (up to 4). LinkedIn: one media id is an image post, several a multi-image post
        (a carousel); no replies. `meta` is what we know of the post (tone, post_format,
        trend_momentum, post_id): real platforms ignore it; the sandbox's engagement model reads it."""

    def find_post(self, *, account: PublishAccount, text: str, since: datetime) -> CreatedPost | None:
        """The account's post with exactly this text created at or after `since`, if the platform
        has it: how an unknown outcome is reconciled before anything is sent again."""

    def repost(
        self, *, account: PublishAccount, external_id: str, text: str, meta: dict | None = None
    ) -> CreatedPost:
        """Share someone's post from this account: X quotes it with `text` (a plain repost when
        `text` is empty), LinkedIn reshares it with `text` as the commentary. Same errors and
        exactly-once contract as create_post."""

    def find_repost(
        self, *, account: PublishAccount, external_id: str, since: datetime
    ) -> CreatedPost | None:
        """The account's repost (quote, retweet, reshare) of `external_id` made at or after
        `since`, if the platform has it: how an unknown outcome of `repost` is reconciled."""

    def get_post(self, *, account: PublishAccount, external_id: str) -> FetchedPost:
        """One post by id, read with this account's token. Raises PostNotFound when the platform
        does not have it, PublishError (AUTH, RATE_LIMITED, UNKNOWN, …) otherwise."""

    def fetch_metrics(
        self, *, account: PublishAccount, ids: list[str], at: datetime, memo: dict
    ) -> MetricsBatch:
        """The raw numbers of these posts (at most `metrics_ids_per_request` ids) as the platform
        gives them at `at`; a number it could not give is named in `PostMetrics.unavailable`
        (the caller applies its estimate rule), a post it no longer has is in `missing`.
        `memo` is kept by the caller for one account during one run: the client notes in it what
        it learned (LinkedIn: this member's post analytics are denied) so later calls skip it.
        Raises MetricsRateLimited (429), MetricsAuthError (401) or ServiceError."""

    def latest_posts(self, *, account: PublishAccount, count: int = 5) -> list[str]:
        """The texts of the account's latest original posts (no reposts or replies), newest first,
        as a brand's voice samples. Unsupported where the platform does not offer it."""


# --- engagement metrics (apps.analytics fetches them every 4 hours) ---------------------------------


@dataclass(frozen=True)
class PostMetrics:
    """One post's numbers: `unavailable` names those the platform could not give, `estimated`
    those the caller then filled by a documented rule (apps.analytics' LinkedIn estimate)."""

    likes: int = 0
    comments: int = 0  # comments or replies
    shares: int = 0  # shares or reposts
    quotes: int = 0
    bookmarks: int = 0
    impressions: int = 0
    # Names of the numbers the platform did not give (their values above are 0): the caller fills
    # them by its estimate rule and lists them in `estimated`.
    unavailable: tuple[str, ...] = ()
    estimated: tuple[str, ...] = ()


@dataclass(frozen=True)
class MetricsBatch:
    """The answer to one metrics request: numbers per post id, and the ids the platform could not
    give (deleted, not visible) with its reason."""

    metrics: dict[str, PostMetrics] = field(default_factory=dict)
    missing: dict[str, str] = field(default_factory=dict)
    rate: RateInfo = field(default_factory=RateInfo)


class MetricsRateLimited(ServiceError):
    """429 on a metrics request: stop asking for this account until `reset_at` (None: the platform
    did not say; try again on the next run)."""

    def __init__(self, message: str, *, reset_at: datetime | None = None, rate: RateInfo | None = None, **kw):
        super().__init__(message, status=429, **kw)
        self.reset_at = reset_at
        self.rate = rate or RateInfo()


class MetricsAuthError(ServiceError):
    """401 on a metrics request: the account's sign-in is no longer accepted."""


class Unsupported(ServiceError):
    """The platform does not offer this operation (for example an account's latest posts on
    LinkedIn or the sandbox)."""
