"""Sandbox reads: a brand's timeline, one post, a post found by its text, and a post's numbers."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone

from apps.brands.models import Brand, Platform, SocialConnection

from .engagement import Metrics, sandbox_metrics
from .models import SandboxAttachment, SandboxMedia, SandboxPost


def _attachments() -> Prefetch:
    return Prefetch("attachments", queryset=SandboxAttachment.objects.select_related("media"))


def sandbox_timeline(*, brand: Brand) -> QuerySet[SandboxPost]:
    """The brand's posts and threads' first parts, newest first, each with its images and its
    thread's later parts (with theirs): three queries for a page, however many posts it shows."""
    parts = SandboxPost.objects.order_by("thread_position").prefetch_related(_attachments())
    return (
        SandboxPost.objects.filter(brand=brand, thread_root__isnull=True, influencer_user__isnull=True)
        .order_by("-posted_at", "-id")
        .prefetch_related(_attachments(), Prefetch("thread_parts", queryset=parts))
    )


def sandbox_post_get(*, brand: Brand, external_id: str) -> SandboxPost:
    """One of the brand's sandbox posts with its images and thread; 404 for any other id."""
    post = (
        SandboxPost.objects.filter(brand=brand, external_id=external_id, influencer_user__isnull=True)
        .select_related("thread_root", "reply_to")
        .prefetch_related(_attachments())
        .first()
    )
    if post is None:
        raise Http404("No such sandbox post.")
    return post


def sandbox_thread(*, post: SandboxPost) -> list[SandboxPost]:
    """All parts of the post's thread in order (just the post when it is not a thread)."""
    root_id = post.thread_root_id or post.pk
    root = post.thread_root if post.thread_root_id else post
    parts = list(
        SandboxPost.objects.filter(thread_root_id=root_id)
        .order_by("thread_position")
        .prefetch_related(_attachments())
    )
    return [root, *parts]


def sandbox_media_get(*, brand: Brand, external_id: str) -> SandboxMedia:
    media = SandboxMedia.objects.filter(brand=brand, external_id=external_id).first()
    if media is None:
        raise Http404("No such image.")
    return media


def sandbox_connection(*, brand: Brand) -> SocialConnection | None:
    return SocialConnection.objects.filter(brand=brand, platform=Platform.SANDBOX).first()


def sandbox_post_find(*, brand_id: int, text: str, since: datetime) -> SandboxPost | None:
    """The brand's earliest sandbox post with exactly this text posted at or after `since`
    (influencers' reposts filed under the brand are not the brand's)."""
    return (
        SandboxPost.objects.filter(
            brand_id=brand_id, text=text, posted_at__gte=since, influencer_user__isnull=True
        )
        .order_by("posted_at", "id")
        .first()
    )


def sandbox_post_metrics(*, external_id: str, at: datetime | None = None) -> Metrics | None:
    """A sandbox post's numbers at `at` (now by default), for the engagement tracker: one query.
    None when the sandbox has no post with this id. A thread's parts each have their own numbers;
    the tracker asks for the first part's."""
    post = SandboxPost.objects.filter(external_id=external_id).first()
    if post is None:
        return None
    return sandbox_metrics(post, at or timezone.now())


def sandbox_repost_find(*, user_id: int, external_id: str, since: datetime) -> SandboxPost | None:
    """The user's repost of the sandbox post `external_id` made at or after `since`."""
    return (
        SandboxPost.objects.filter(
            influencer_user_id=user_id, repost_of__external_id=external_id, posted_at__gte=since
        )
        .order_by("posted_at", "id")
        .first()
    )


def sandbox_post_by_id(*, external_id: str) -> SandboxPost | None:
    """Any sandbox post by its id, with what it reposts (get_post)."""
    return SandboxPost.objects.select_related("repost_of").filter(external_id=external_id).first()


def sandbox_post_get_for_viewer(*, user, external_id: str) -> SandboxPost:
    """A sandbox post for its influencer (their repost) or a member of its brand; 404 for anyone
    else, as for a post that does not exist."""
    post = (
        SandboxPost.objects.filter(external_id=external_id)
        .select_related("brand", "repost_of", "thread_root", "reply_to")
        .prefetch_related(_attachments())
        .first()
    )
    if post is None or not user.is_authenticated:
        raise Http404("No such sandbox post.")
    if post.influencer_user_id == user.pk or post.brand.memberships.filter(user=user).exists():
        return post
    raise Http404("No such sandbox post.")
