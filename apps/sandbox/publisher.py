"""The sandbox network as a SocialPublisher plug-in (settings.SOCIAL_PUBLISHERS["sandbox"]): posts
go to the sandbox's tables in this database, with ids like "sbx_3f9a1c0b7e2d4a51" and a page of
their own on the brand's sandbox timeline; their numbers come from the engagement model.

It answers like a platform: a request it cannot take is REJECTED with the reason (unknown
`reply_to` or media id, no text and no image, an unreadable image); it never rate-limits and
never loses a post, so it reports no rate information. A call is a few queries."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.urls import reverse

from apps.integrations.social.base import (
    CreatedPost,
    MediaItem,
    MetricsBatch,
    PostMetrics,
    PublishAccount,
    PublishError,
    PublishErrorKind,
    Unsupported,
)

from .selectors import sandbox_post_find, sandbox_post_metrics
from .services import SandboxRejected, sandbox_media_upload, sandbox_post_create


def sandbox_post_url(*, brand_id: int, external_id: str) -> str:
    path = reverse("sandbox:post", kwargs={"brand_id": brand_id, "external_id": external_id})
    return f"{settings.SITE_URL}{path}"


def _brand_id(account: PublishAccount) -> int:
    if account.brand_id is None:
        raise PublishError("The sandbox account has no brand.", kind=PublishErrorKind.REJECTED)
    return account.brand_id


def _created(post) -> CreatedPost:
    return CreatedPost(
        external_id=post.external_id,
        url=sandbox_post_url(brand_id=post.brand_id, external_id=post.external_id),
    )


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
