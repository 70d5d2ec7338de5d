"""The sandbox network as a SocialPublisher: posts go to apps.sandbox's tables in this database,
with ids like "sbx_3f9a1c0b7e2d4a51" and a page of their own on the brand's sandbox timeline.

It answers like a platform: a request it cannot take is REJECTED with the reason (unknown
`reply_to` or media id, no text and no image, an unreadable image); it never rate-limits and
never loses a post, so it reports no rate information. A call is a few queries."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.urls import reverse

from apps.sandbox.selectors import sandbox_post_find
from apps.sandbox.services import SandboxRejected, sandbox_media_upload, sandbox_post_create

from .base import CreatedPost, MediaItem, PublishAccount, PublishError, PublishErrorKind


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
