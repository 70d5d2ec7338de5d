"""The sandbox network as a SocialPublisher plug-in (settings.SOCIAL_PUBLISHERS["sandbox"]): posts
go to the sandbox's tables in this database, with ids like "sbx_3f9a1c0b7e2d4a51" and a page of
their own on the brand's sandbox timeline; their numbers come from the engagement model.

It answers like a platform: a request it cannot take is REJECTED with the reason (unknown
`reply_to` or media id, no text and no image, an unreadable image); it never rate-limits and
never loses a post, so it reports no rate information. A call is a few queries.

Influencers repost from their own sandbox account: PublishAccount.user_id "user:<id>" (their
user), no brand. Their reposts have a page of their own (/sandbox/r/<id>/), which the influencer
and the reposted brand's members can open."""

from __future__ import annotations

import re
from datetime import datetime

from django.conf import settings
from django.urls import reverse

from apps.integrations.social.base import (
    CreatedPost,
    FetchedPost,
    MediaItem,
    MetricsBatch,
    PostMetrics,
    PostNotFound,
    PublishAccount,
    PublishError,
    PublishErrorKind,
    Unsupported,
)

from .selectors import sandbox_post_by_id, sandbox_post_find, sandbox_post_metrics, sandbox_repost_find
from .services import SandboxRejected, sandbox_media_upload, sandbox_post_create, sandbox_repost_create

_MENTION = re.compile(r"(?<![\w@])@([A-Za-z0-9_.-]{1,80}[A-Za-z0-9_])")
_URL = re.compile(r"https?://[^\s<>\"]+[^\s<>\".,;:!?)\]'’]")


def sandbox_post_url(*, brand_id: int, external_id: str) -> str:
    path = reverse("sandbox:post", kwargs={"brand_id": brand_id, "external_id": external_id})
    return f"{settings.SITE_URL}{path}"


def sandbox_repost_url(*, external_id: str) -> str:
    return f"{settings.SITE_URL}{reverse('sandbox:repost', kwargs={'external_id': external_id})}"


def _url_of(post) -> str:
    if post.influencer_user_id:
        return sandbox_repost_url(external_id=post.external_id)
    return sandbox_post_url(brand_id=post.brand_id, external_id=post.external_id)


def _influencer_user_id(account: PublishAccount) -> int:
    prefix, _, number = (account.user_id or "").partition(":")
    if prefix != "user" or not number.isdigit():
        raise PublishError("The sandbox account has no user.", kind=PublishErrorKind.REJECTED)
    return int(number)


def _brand_id(account: PublishAccount) -> int:
    if account.brand_id is None:
        raise PublishError("The sandbox account has no brand.", kind=PublishErrorKind.REJECTED)
    return account.brand_id


def _created(post) -> CreatedPost:
    return CreatedPost(external_id=post.external_id, url=_url_of(post))


class SandboxPublisher:
    platform = "sandbox"

    def upload_media(self, *, account: PublishAccount, media: MediaItem) -> str:
        try:
            stored = sandbox_media_upload(
                brand_id=_brand_id(account), data=media.data, mime=media.mime, alt_text=media.alt_text
            )
        except SandboxRejected as exc:
            raise PublishError(str(exc), kind=PublishErrorKind.REJECTED, status=400) from exc
        return stored.external_id

    def create_post(
        self,
        *,
        account: PublishAccount,
        text: str,
        media_ids: list[str] | None = None,
        reply_to: str | None = None,
        meta: dict | None = None,
    ) -> CreatedPost:
        try:
            post = sandbox_post_create(
                brand_id=_brand_id(account), text=text, media_ids=media_ids, reply_to=reply_to, meta=meta
            )
        except SandboxRejected as exc:
            raise PublishError(str(exc), kind=PublishErrorKind.REJECTED, status=400) from exc
        return _created(post)

    def find_post(self, *, account: PublishAccount, text: str, since: datetime) -> CreatedPost | None:
        post = sandbox_post_find(brand_id=_brand_id(account), text=text, since=since)
        return _created(post) if post is not None else None

    def repost(
        self, *, account: PublishAccount, external_id: str, text: str, meta: dict | None = None
    ) -> CreatedPost:
        """An influencer's repost (a quote when `text` is given); meta["audience"] is their
        follower count."""
        try:
            post = sandbox_repost_create(
                user_id=_influencer_user_id(account),
                handle=account.handle,
                external_id=external_id,
                text=text,
                audience=(meta or {}).get("audience"),
            )
        except SandboxRejected as exc:
            raise PublishError(str(exc), kind=PublishErrorKind.REJECTED, status=400) from exc
        return CreatedPost(external_id=post.external_id, url=_url_of(post))

    def find_repost(
        self, *, account: PublishAccount, external_id: str, since: datetime
    ) -> CreatedPost | None:
        post = sandbox_repost_find(user_id=_influencer_user_id(account), external_id=external_id, since=since)
        return CreatedPost(external_id=post.external_id, url=_url_of(post)) if post is not None else None

    def get_post(self, *, account: PublishAccount, external_id: str) -> FetchedPost:
        post = sandbox_post_by_id(external_id=external_id)
        if post is None:
            raise PostNotFound(f"The sandbox has no post {external_id}.", status=404)
        urls = _URL.findall(post.text)
        return FetchedPost(
            external_id=post.external_id,
            author_id=post.author_id,
            author_handle=post.author_handle,
            created_at=post.posted_at,
            text=post.text,
            mentions=tuple(m.lower() for m in _MENTION.findall(post.text)),
            urls=tuple(urls),
            referenced_ids=(post.repost_of.external_id,) if post.repost_of_id else (),
            url=_url_of(post),
        )

    metrics_ids_per_request = None  # read from this database: no request, no limit

    def fetch_metrics(
        self, *, account: PublishAccount, ids: list[str], at: datetime | None = None, memo: dict | None = None
    ) -> MetricsBatch:
        """The engagement model's numbers at `at`: replies are comments, reposts are shares; the
        sandbox has no quotes or bookmarks."""
        batch = MetricsBatch()
        for external_id in ids:
            m = sandbox_post_metrics(external_id=external_id, at=at)
            if m is None:
                batch.missing[external_id] = "The sandbox has no post with this id."
            else:
                batch.metrics[external_id] = PostMetrics(
                    likes=m.likes, comments=m.replies, shares=m.reposts, impressions=m.impressions
                )
        return batch

    def latest_posts(self, *, account: PublishAccount, count: int = 5) -> list[str]:
        raise Unsupported("The sandbox has no voice samples to import.")
