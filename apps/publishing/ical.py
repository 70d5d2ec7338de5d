"""The calendar as an iCal feed (RFC 5545) at a secret per-user URL: one event per scheduled or
published publication of the user's brands; the URL's token can be regenerated, which turns the
old URL into a 404."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from icalendar import Calendar, Event

from apps.brands.selectors import brand_scoped
from apps.core.vocabulary import platform_label

from .models import CalendarFeedToken, Publication, PublicationStatus

FEED_STATUSES = (
    PublicationStatus.SCHEDULED,
    PublicationStatus.QUEUED,
    PublicationStatus.SENDING,
    PublicationStatus.PUBLISHED,
)
FEED_PAST = timedelta(days=90)
FEED_FUTURE = timedelta(days=400)
EVENT_LENGTH = timedelta(minutes=15)


def _new_token() -> str:
    return secrets.token_urlsafe(32)


def calendar_feed_token_get(*, user) -> CalendarFeedToken:
    """The user's feed token, made on first use."""
    feed, _ = CalendarFeedToken.objects.get_or_create(user=user, defaults={"token": _new_token()})
    return feed


@transaction.atomic
def calendar_feed_token_regenerate(*, user) -> CalendarFeedToken:
    """A new secret: the old URL stops working at once."""
    feed, created = CalendarFeedToken.objects.select_for_update().get_or_create(
        user=user, defaults={"token": _new_token()}
    )
    if not created:
        feed.token = _new_token()
        feed.save(update_fields=["token", "updated_at"])
    return feed


def calendar_feed_user(*, token: str):
    """The user whose feed this token opens, or None (an old, made-up or malformed token)."""
    if not token or len(token) > 64:
        return None
    feed = CalendarFeedToken.objects.select_related("user").filter(token=token).first()
    if feed is None or not feed.user.is_active:
        return None
    return feed.user


def calendar_feed_publications(*, user, now=None) -> list[Publication]:
    """The user's brands' scheduled and published publications, 90 days back to 400 ahead."""
    now = now or timezone.now()
    return list(
        brand_scoped(Publication.objects, user=user)
        .filter(
            status__in=FEED_STATUSES, scheduled_for__gte=now - FEED_PAST, scheduled_for__lte=now + FEED_FUTURE
        )
        .select_related("brand", "post", "connection")
        .prefetch_related("post__copies")
        .order_by("scheduled_for", "pk")
        .distinct()
    )


def _text(publication: Publication) -> str:
    copies = {c.platform: c.parts for c in publication.post.copies.all()}
    parts = copies.get(publication.copy_platform) or next(iter(copies.values()), [])
    return "\n\n".join(parts)


def calendar_feed_ics(*, user, base_url: str = "", now=None) -> bytes:
    """The feed's text: a VCALENDAR with one VEVENT per publication (times in UTC; the summary
    names the platform, the brand and the text's start; the description holds the whole text and
    a link to the post). The icalendar package escapes and folds the lines."""
    now = now or timezone.now()
    cal = Calendar()
    cal.add("prodid", "-//social-medAI//posts calendar//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", "social-medAI posts")
    cal.add("x-published-ttl", "PT1H")
    host = getattr(settings, "ICAL_UID_DOMAIN", "social-medai")
    for publication in calendar_feed_publications(user=user, now=now):
        text = _text(publication)
        first_line = " ".join(text.split())[:60]
        label = platform_label(publication.platform)
        at = publication.published_at if publication.status == PublicationStatus.PUBLISHED else None
        start = at or publication.scheduled_for
        event = Event()
        event.add("uid", f"publication-{publication.pk}@{host}")
        event.add("dtstamp", now)
        event.add("dtstart", start)
        event.add("dtend", start + EVENT_LENGTH)
        state = "Published" if at else "Scheduled"
        event.add("summary", f"{label} · {publication.brand.name}: {first_line}")
        link = f"{base_url}/posts/{publication.post_id}/" if base_url else ""
        event.add("description", f"{state} on {label}.\n\n{text}" + (f"\n\n{link}" if link else ""))
        if link:
            event.add("url", link)
        event.add("status", "CONFIRMED")
        event.add("categories", [label])
        cal.add_component(event)
    return cal.to_ical()
