"""Telling the brand's members what happened: live (in a short digest), failed or expired."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.timesince import timesince

from apps.brands.models import BrandMembership
from apps.notifications.services import notification_create

from ..models import Publication, PublicationStatus
from .labels import platforms_label

logger = logging.getLogger(__name__)

LIVE_DIGEST_WAIT = 2  # seconds: posts of a brand going live together make one notification


def live_digest_key(brand_id: int) -> str:
    return f"publishing:live-digest:{brand_id}"


def publication_live_notify_soon(publication: Publication) -> None:
    """Tell the brand its post is live, in a digest: the first post to go live starts a short
    wait, and everything of the brand that went live by then is one notification (a brand
    publishing a batch gets one toast and one email, not fifty)."""
    from ..tasks import publications_notify_live

    try:
        if cache.add(live_digest_key(publication.brand_id), 1, timeout=LIVE_DIGEST_WAIT * 30):
            publications_notify_live.apply_async(args=(publication.brand_id,), countdown=LIVE_DIGEST_WAIT)
    except Exception:  # cache or broker down: tell the brand now rather than never
        logger.warning(
            "live digest unavailable; notifying brand %s directly", publication.brand_id, exc_info=True
        )
        publications_notify_live_execute(brand_id=publication.brand_id)


def publications_notify_live_execute(*, brand_id: int) -> int:
    """One notification for the brand's publications that went live and were not announced yet."""
    try:
        cache.delete(live_digest_key(brand_id))  # first: posts going live from now on start the next digest
    except Exception:
        logger.warning("could not clear the live digest key of brand %s", brand_id, exc_info=True)
    with transaction.atomic():
        rows = list(
            Publication.objects.select_for_update(skip_locked=True)
            .filter(brand_id=brand_id, status=PublicationStatus.PUBLISHED, live_notified=False)
            .order_by("published_at")[:500]
        )
        if not rows:
            return 0
        Publication.objects.filter(pk__in=[r.pk for r in rows]).update(live_notified=True)
        posts = {r.post_id for r in rows}
        if len(posts) == 1:
            publication_outcome_notify(rows[0], event=PublicationStatus.PUBLISHED, also=rows[1:])
        else:
            _live_posts_notify(rows, posts=len(posts))
    return len(rows)


def _live_posts_notify(rows: list[Publication], *, posts: int) -> None:
    title = f"{posts} posts are live on {platforms_label(rows)}"
    oldest = min(r.published_at or timezone.now() for r in rows)
    when = (
        "just now" if timezone.now() - oldest < timedelta(hours=1) else f"over the last {timesince(oldest)}"
    )
    body = f"Published {when}. Open the calendar to see them."
    members = BrandMembership.objects.filter(brand_id=rows[0].brand_id, user__is_active=True).select_related(
        "user"
    )
    for membership in members:
        notification_create(
            user=membership.user,
            title=title,
            body=body,
            url=f"/brand/{rows[0].brand_id}/calendar/",
            level="success",
        )


def publication_outcome_notify(publication: Publication, *, event: str, also: list[Publication] = ()) -> None:
    """Tell the brand's members (in-app, live toast, email) that a post went live, failed or expired."""

    post = publication.post
    platforms = platforms_label([publication, *also])
    first_words = ""
    copy = next((c for c in post.copies.all() if c.platform == publication.copy_platform), None)
    if copy and copy.parts:
        first_words = copy.parts[0][:80] + ("…" if len(copy.parts[0]) > 80 else "")
    if event == PublicationStatus.PUBLISHED:
        title, level = f"Live on {platforms}", "success"
        body = f"“{first_words}” is published."
    elif event == PublicationStatus.FAILED:
        title, level = f"Not published on {platforms}", "error"
        body = f"“{first_words}”: {publication.last_error} Open the post to retry."
    else:
        title, level = f"Expired on {platforms}", "warning"
        body = f"“{first_words}”: {publication.last_error}"
    members = BrandMembership.objects.filter(
        brand_id=publication.brand_id, user__is_active=True
    ).select_related("user")
    for membership in members:
        notification_create(
            user=membership.user, title=title, body=body, url=f"/posts/{post.pk}/", level=level
        )
