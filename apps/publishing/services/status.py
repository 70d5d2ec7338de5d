"""The post's status follows its publications (written through the posts service that owns it)."""

from __future__ import annotations

from apps.posts.models import PostStatus
from apps.posts.services import post_status_set_from_publications

from ..models import Publication, PublicationStatus


def post_status_sync(*, post_id: int) -> str:
    """The post's status follows its publications: any waiting → scheduled (publishing while a
    worker has one), all out → published, else failed or expired."""
    statuses = set(
        Publication.objects.filter(post_id=post_id)
        .exclude(status=PublicationStatus.CANCELLED)
        .values_list("status", flat=True)
    )
    if not statuses:
        new = PostStatus.APPROVED
    elif statuses & {PublicationStatus.QUEUED, PublicationStatus.SENDING}:
        new = PostStatus.PUBLISHING
    elif PublicationStatus.SCHEDULED in statuses:
        new = PostStatus.SCHEDULED
    elif statuses == {PublicationStatus.PUBLISHED}:
        new = PostStatus.PUBLISHED
    elif PublicationStatus.FAILED in statuses:
        new = PostStatus.FAILED
    else:
        new = PostStatus.EXPIRED if PublicationStatus.PUBLISHED not in statuses else PostStatus.PUBLISHED
    changed = post_status_set_from_publications(post_id=post_id, status=new)
    return new if changed else ""
