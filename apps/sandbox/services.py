"""Posting to the sandbox network: storing an uploaded image, and making a post (or a thread's next
part) with the engagement model's inputs frozen on it."""

from __future__ import annotations

import io
import secrets
from collections.abc import Sequence
from datetime import datetime

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from PIL import Image, UnidentifiedImageError

from apps.brands.connections import connection_mark_used
from apps.brands.models import Brand, Platform, SocialConnection
from apps.core import zones

from . import engagement
from .models import SandboxAttachment, SandboxMedia, SandboxPost

TEXT_MAX = 25_000  # X's limit for long posts; the longest copy we write is LinkedIn's 3,000
MEDIA_MAX_BYTES = 5 * 1024 * 1024  # X's limit for an image
MEDIA_PER_POST_MAX = 20  # LinkedIn's multi-image limit
MIME_EXTENSIONS = {"image/png": "png", "image/jpeg": "jpg", "image/webp": "webp", "image/gif": "gif"}
PIL_FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp", "GIF": "image/gif"}


class SandboxRejected(ValueError):
    """The sandbox refuses the request, as a platform answers 4xx: the message says why."""


def _external_id(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(8)}"


def sandbox_media_upload(*, brand_id: int, data: bytes, mime: str, alt_text: str = "") -> SandboxMedia:
    """Store one image for a brand's sandbox account. Only its header is read (size and type),
    so uploading is as quick as writing the file."""
    if mime not in MIME_EXTENSIONS:
        raise SandboxRejected(f"The sandbox takes PNG, JPEG, WebP or GIF images, not {mime or 'this file'}.")
    if not data:
        raise SandboxRejected("The image is empty.")
    if len(data) > MEDIA_MAX_BYTES:
        raise SandboxRejected(f"The image is {len(data) / 1024 / 1024:.1f} MB; the sandbox takes up to 5 MB.")
    try:
        with Image.open(io.BytesIO(data)) as image:
            width, height, kind = image.width, image.height, PIL_FORMATS.get(image.format or "")
    except (UnidentifiedImageError, OSError):
        raise SandboxRejected("The file is not an image the sandbox can read.") from None
    if kind is None:
        raise SandboxRejected("The sandbox takes PNG, JPEG, WebP or GIF images.")
    external_id = _external_id("sbxm")
    media = SandboxMedia(
        brand_id=brand_id,
        external_id=external_id,
        mime=kind,
        width=width,
        height=height,
        bytes=len(data),
        alt_text=alt_text[:1000],
    )
    media.file.save(f"{external_id}.{MIME_EXTENSIONS[kind]}", ContentFile(data), save=False)
    media.save()
    return media


def _sandbox_connection(brand_id: int) -> tuple[Brand, SocialConnection | None]:
    connection = (
        SocialConnection.objects.select_related("brand")
        .filter(brand_id=brand_id, platform=Platform.SANDBOX)
        .first()
    )
    if connection is not None:
        return connection.brand, connection
    brand = Brand.objects.filter(pk=brand_id).first()  # every brand has one; tolerate a missing row
    if brand is None:
        raise SandboxRejected("The sandbox has no account for this brand.")
    return brand, None


def sandbox_post_create(
    *,
    brand_id: int,
    text: str,
    media_ids: Sequence[str] | None = None,
    reply_to: str | None = None,
    meta: dict | None = None,
    now: datetime | None = None,
) -> SandboxPost:
    """Publish a post on a brand's sandbox account, or the next part of a thread (`reply_to` the
    previous part's id). Tone, format and trend momentum come from `meta` (a thread's later parts
    inherit the first part's when `meta` does not say); the time of day and weekday are the
    brand's own. Three to five queries."""
    text = text or ""
    media_ids = list(dict.fromkeys(media_ids or []))
    meta = dict(meta or {})
    if not text.strip() and not media_ids:
        raise SandboxRejected("A post needs text or an image.")
    if len(text) > TEXT_MAX:
        raise SandboxRejected(f"The text is {len(text):,} characters; the sandbox takes up to {TEXT_MAX:,}.")
    if len(media_ids) > MEDIA_PER_POST_MAX:
        raise SandboxRejected(f"A sandbox post takes up to {MEDIA_PER_POST_MAX} images.")

    brand, connection = _sandbox_connection(brand_id)
    parent = None
    if reply_to:
        parent = (
            SandboxPost.objects.filter(brand_id=brand_id, external_id=reply_to)
            .only("pk", "thread_root_id", "thread_position", "tone", "post_format", "trend_momentum")
            .first()
        )
        if parent is None:
            raise SandboxRejected(f"The post to reply to ({reply_to}) is not on this sandbox account.")
    media: list[SandboxMedia] = []
    if media_ids:
        found = SandboxMedia.objects.filter(brand_id=brand_id, external_id__in=media_ids).in_bulk(
            field_name="external_id"
        )
        missing = [m for m in media_ids if m not in found]
        if missing:
            raise SandboxRejected(f"Unknown media id {missing[0]} for this sandbox account.")
        media = [found[m] for m in media_ids]

    posted_at = now or timezone.now()
    local = timezone.localtime(posted_at, zones.zone(brand.timezone))
    inherit = parent is not None
    post = SandboxPost(
        brand=brand,
        connection=connection,
        external_id=_external_id("sbx"),
        text=text,
        reply_to=parent,
        thread_root_id=(parent.thread_root_id or parent.pk) if parent else None,
        thread_position=parent.thread_position + 1 if parent else 1,
        meta=meta,
        posted_at=posted_at,
        audience=engagement.brand_audience(brand.pk),
        tone=engagement.tone_of(meta.get("tone", parent.tone if inherit else None)),
        post_format=engagement.format_of(meta.get("post_format", parent.post_format if inherit else None)),
        media_count=len(media),
        local_hour=engagement.local_hour_of(local),
        local_weekday=local.weekday(),
        trend_momentum=engagement.momentum_of(
            meta.get("trend_momentum", parent.trend_momentum if inherit else 0.0)
        ),
        noise_seed=secrets.randbits(62),
    )
    if not media:
        post.save(force_insert=True)
    else:
        with transaction.atomic():  # a post is never seen without its images
            post.save(force_insert=True)
            SandboxAttachment.objects.bulk_create(
                SandboxAttachment(post=post, media=item, position=i) for i, item in enumerate(media)
            )
    if connection is not None:
        # The sandbox takes no token, so the token lookup that marks X and LinkedIn accounts
        # used never runs for it: mark it here, where the post is made.
        connection_mark_used(connection=connection, at=posted_at)
    return post


AUDIENCE_CAP = 100_000_000  # a sandbox account's followers fit the post's audience column


def sandbox_repost_create(
    *,
    user_id: int,
    handle: str,
    external_id: str,
    text: str = "",
    audience: int | None = None,
    now: datetime | None = None,
) -> SandboxPost:
    """An influencer's repost of a sandbox post, from their own sandbox account (`user_id`, never a
    brand's): with `text` it quotes the post, without it is a plain repost. It is filed under the
    reposted post's brand (whose timeline shows it) and reaches the influencer's `audience` (their
    followers; the brand's audience model when unknown), posted at their time of day in the
    brand's zone. A post may be reposted once per account: a second call is refused."""
    text = text or ""
    if len(text) > TEXT_MAX:
        raise SandboxRejected(f"The text is {len(text):,} characters; the sandbox takes up to {TEXT_MAX:,}.")
    parent = SandboxPost.objects.select_related("brand").filter(external_id=external_id).first()
    if parent is None:
        raise SandboxRejected(f"The sandbox has no post {external_id} to repost.")
    if SandboxPost.objects.filter(repost_of=parent, influencer_user_id=user_id).exists():
        raise SandboxRejected("This account has already reposted that post.")
    posted_at = now or timezone.now()
    local = timezone.localtime(posted_at, zones.zone(parent.brand.timezone))
    followers = audience if audience and audience > 0 else engagement.brand_audience(parent.brand_id)
    post = SandboxPost(
        brand=parent.brand,
        connection=None,
        external_id=_external_id("sbx"),
        text=text,
        repost_of=parent,
        influencer_user_id=user_id,
        author_handle=handle.lstrip("@")[:120],
        meta={"repost_of": parent.external_id},
        posted_at=posted_at,
        audience=min(int(followers), AUDIENCE_CAP),
        tone=parent.tone,
        post_format=parent.post_format,
        media_count=parent.media_count,
        local_hour=engagement.local_hour_of(local),
        local_weekday=local.weekday(),
        trend_momentum=parent.trend_momentum,
        noise_seed=secrets.randbits(62),
    )
    post.save(force_insert=True)
    return post
