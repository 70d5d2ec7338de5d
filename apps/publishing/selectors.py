"""Publishing reads: the calendar's entries, a post's publications and its publish panel, the
warnings a schedule deserves, and best-time suggestions from the brand's own history."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.utils import timezone

from apps.brands.models import ConnectionStatus, Platform, SocialConnection
from apps.brands.selectors import brand_object_get_for_user
from apps.core import zones
from apps.core.vocabulary import platform_label
from apps.posts.models import PostCopy, PostStatus

from .models import PENDING, Publication, PublicationStatus

S = PublicationStatus
# Statuses a post may be (re)scheduled from, as apps.publishing.services.post_schedule allows.
SCHEDULABLE = (PostStatus.APPROVED, PostStatus.SCHEDULED, PostStatus.FAILED, PostStatus.EXPIRED)
# The publish panel appears once a post is approved.
PANEL_STATUSES = (*SCHEDULABLE, PostStatus.PUBLISHING, PostStatus.PUBLISHED)
# Pages watching a publication that is about to go out refresh themselves this often.
LIVE_WINDOW = timedelta(minutes=2)
HISTORY_LIMIT = 500  # past publications the best-time suggestions learn from
FIRST_WORDS = 60


def utc_offset_label(delta: timedelta | None) -> str:
    minutes = int((delta or timedelta()).total_seconds() // 60)
    sign = "+" if minutes >= 0 else "−"  # a real minus sign, as people write offsets
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours:02d}:{rest:02d}"


def timezone_label(tz_name: str, *, at: datetime | None = None) -> str:
    """'America/New_York (EST, UTC−05:00)': the zone with its abbreviation and offset at `at`."""
    local = (at or timezone.now()).astimezone(zones.zone(tz_name))
    abbreviation = local.tzname() or ""
    offset = utc_offset_label(local.utcoffset())
    if not abbreviation or abbreviation[0] in "+-" or abbreviation == "UTC":
        return f"{tz_name} ({offset})"
    return f"{tz_name} ({abbreviation}, {offset})"


def connection_label(connection: SocialConnection) -> str:
    if connection.is_sandbox:
        return "Sandbox (simulated)"
    return f"{platform_label(connection.platform)} @{connection.handle}"


# --- warnings ---------------------------------------------------------------------------------


def connection_warnings(
    connection: SocialConnection | None, *, at: datetime | None, tz_name: str = "UTC"
) -> list[str]:
    """Why an account may not publish at `at`: it needs reconnecting, or (LinkedIn, whose tokens
    cannot be refreshed) its token expires before then. X tokens refresh themselves."""
    if connection is None:
        return ["The account was disconnected; schedule the post on another account."]
    if connection.is_sandbox:
        return []
    label = connection_label(connection)
    if connection.status == ConnectionStatus.NEEDS_RECONNECT:
        return [f"{label} needs reconnecting before it can publish."]
    if connection.status == ConnectionStatus.DISCONNECTED:
        return [f"{label} was disconnected; connect it again or pick another account."]
    expires = connection.token_expires_at
    if connection.platform == Platform.LINKEDIN and expires and at and expires < at:
        local = expires.astimezone(zones.zone(tz_name))
        return [
            f"{label}'s access expires on {local:%a %-d %b, %H:%M}, before this post's time. "
            "Reconnect LinkedIn to renew it, or the post will fail."
        ]
    return []


def publication_warnings(publication: Publication, *, tz_name: str = "UTC") -> list[str]:
    """What may stop a publication that is still to go out (or be retried)."""
    if publication.status in PENDING:
        return connection_warnings(publication.connection, at=publication.scheduled_for, tz_name=tz_name)
    if publication.status == S.FAILED:
        return connection_warnings(publication.connection, at=None, tz_name=tz_name)
    return []


def schedule_warnings(
    *, connections: list[SocialConnection], at: datetime | None, tz_name: str = "UTC"
) -> list[str]:
    """Warnings for a post about to be scheduled on `connections` at `at`."""
    return [w for c in connections for w in connection_warnings(c, at=at, tz_name=tz_name)]


# --- reads --------------------------------------------------------------------------------------


def _copies_prefetch() -> Prefetch:
    return Prefetch("post__copies", queryset=PostCopy.objects.only("id", "post_id", "platform", "parts"))


def first_words(publication: Publication, limit: int = FIRST_WORDS) -> str:
    """The opening of the copy the publication sends (from prefetched copies)."""
    copy = next((c for c in publication.post.copies.all() if c.platform == publication.copy_platform), None)
    text = " ".join((copy.parts[0] if copy and copy.parts else "").split())
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(",.;:—-") + "…"


@dataclass
class CalendarEntry:
    publication: Publication
    local: datetime  # brand-local
    text: str
    warnings: list[str] = field(default_factory=list)

    @property
    def draggable(self) -> bool:
        return self.publication.status == S.SCHEDULED

    @property
    def tone(self) -> str:
        """The colour family of the chip."""
        status = self.publication.status
        if status in (S.QUEUED, S.SENDING):
            return "publishing"
        return status


def calendar_entries(*, brand, start: datetime, end: datetime) -> dict[date, list[CalendarEntry]]:
    """The brand's publications whose time falls in [start, end) (UTC), by brand-local day, in
    time order. Three queries whatever the number of entries."""
    zone = zones.zone(brand.timezone)
    publications = (
        Publication.objects.filter(brand=brand, scheduled_for__gte=start, scheduled_for__lt=end)
        .exclude(status=S.CANCELLED)
        .select_related("post", "connection")
        .prefetch_related(_copies_prefetch())
        .order_by("scheduled_for", "post_id", "platform")
    )
    days: dict[date, list[CalendarEntry]] = {}
    for publication in publications:
        local = publication.scheduled_for.astimezone(zone)
        entry = CalendarEntry(
            publication=publication,
            local=local,
            text=first_words(publication),
            warnings=publication_warnings(publication, tz_name=brand.timezone),
        )
        days.setdefault(local.date(), []).append(entry)
    return days


def post_publications(*, post) -> list[Publication]:
    """A post's publications (not the cancelled ones), with their accounts."""
    return list(
        post.publications.exclude(status=S.CANCELLED)
        .select_related("connection")
        .order_by("scheduled_for", "platform", "pk")
    )


def publication_get_for_user(*, user, publication_id: int) -> Publication:
    """A publication of one of the user's brands, else 404."""
    return brand_object_get_for_user(
        Publication.objects.select_related("post", "brand", "connection"), user=user, pk=publication_id
    )


def brand_connections(*, brand_id: int) -> list[SocialConnection]:
    """The accounts a post could go to: the brand's connections, sandbox last."""
    connections = SocialConnection.objects.filter(brand_id=brand_id).exclude(
        status=ConnectionStatus.DISCONNECTED
    )
    return sorted(connections, key=lambda c: (c.is_sandbox, c.platform, c.handle))


# --- best times ---------------------------------------------------------------------------------


@dataclass
class BestTimeSuggestion:
    label: str  # "Tue 09:00"
    reason: str
    source: str  # history or default
    at: datetime  # its next occurrence (aware)
    local: datetime  # the same, brand-local

    @property
    def date_value(self) -> str:
        return self.local.strftime("%Y-%m-%d")

    @property
    def time_value(self) -> str:
        return self.local.strftime("%H:%M")


def best_time_history(*, brand, platform: str) -> list[tuple[datetime, float]]:
    """(published_at, engagement_rate) of the brand's own published posts on `platform`. The
    sandbox's only for the sandbox platform: simulated engagement never shapes real advice."""
    rows = (
        Publication.objects.filter(
            brand=brand,
            platform=platform,
            status=S.PUBLISHED,
            engagement_rate__isnull=False,
            published_at__isnull=False,
        )
        .order_by("-published_at")
        .values_list("published_at", "engagement_rate")[:HISTORY_LIMIT]
    )
    return list(rows)


def best_time_suggestions(*, brand, platform: str, now: datetime | None = None) -> list[BestTimeSuggestion]:
    """The best times to post on `platform` for this brand (its history, else the platform's
    defaults), each with its next occurrence."""
    from . import timing

    now = now or timezone.now()
    zone = zones.zone(brand.timezone)
    history = best_time_history(brand=brand, platform=platform)
    suggestions = []
    for best in timing.best_times(platform=platform, history=history, tz_name=brand.timezone):
        at = timing.next_occurrence(best, after=now, tz_name=brand.timezone)
        suggestions.append(
            BestTimeSuggestion(
                label=best.label, reason=best.reason, source=best.source, at=at, local=at.astimezone(zone)
            )
        )
    return suggestions


def queue_slot(*, post, now: datetime | None = None) -> datetime | None:
    """The slot "Add to queue" would take now, or None when the brand has no free preferred slot."""
    from .services import post_queue_slot

    try:
        return post_queue_slot(post=post, now=now)
    except ValueError:
        return None


# --- the publish panel ----------------------------------------------------------------------------


def default_account_ids(*, post, publications: list[Publication]) -> list[int]:
    """The accounts ticked at first: those the post is scheduled on, else the service's default."""
    from .services import publication_targets

    waiting = [p.connection_id for p in publications if p.status == S.SCHEDULED and p.connection_id]
    if waiting:
        return waiting
    try:
        return [c.pk for c in publication_targets(post=post)]
    except ValidationError:
        return []


def publish_panel_context(*, post, form=None, notice: str = "", errors: list[str] | None = None) -> dict:
    """Everything the publish panel on a post page shows; `form` is a bound form to show again
    (what was typed, with its errors)."""
    from .forms import ScheduleForm

    brand = post.brand
    now = timezone.now()
    show = post.status in PANEL_STATUSES
    if not show:
        return {"show": False, "post": post}
    publications = post_publications(post=post)
    for publication in publications:
        publication.local = publication.scheduled_for.astimezone(zones.zone(brand.timezone))
        publication.warnings = publication_warnings(publication, tz_name=brand.timezone)
    can_schedule = post.status in SCHEDULABLE
    connections = brand_connections(brand_id=post.brand_id)
    waiting = [p for p in publications if p.status == S.SCHEDULED]
    if form is None:
        form = ScheduleForm(
            post=post,
            connections=connections,
            initial_accounts=default_account_ids(post=post, publications=publications),
            # else the time the composer planned (a calendar slot's), while it is ahead
            initial_at=waiting[0].scheduled_for
            if waiting
            else (post.scheduled_for if post.scheduled_for and post.scheduled_for > now else None),
            now=now,
        )
    primary = _primary_platform(connections, form.initial_account_ids)
    live = any(
        p.status in (S.QUEUED, S.SENDING) or (p.status == S.SCHEDULED and p.due_at <= now + LIVE_WINDOW)
        for p in publications
    )
    slot = queue_slot(post=post, now=now) if can_schedule else None
    return {
        "show": True,
        "post": post,
        "brand": brand,
        "publications": publications,
        "can_schedule": can_schedule,
        "can_unschedule": bool(waiting),
        "form": form,
        "tz_label": timezone_label(brand.timezone, at=now),
        "queue_slot": slot.astimezone(zones.zone(brand.timezone)) if slot else None,
        "suggestions": best_time_suggestions(brand=brand, platform=primary, now=now) if can_schedule else [],
        "suggestions_platform": platform_label(primary),
        "live": live,
        "notice": notice,
        "errors": errors or [],
    }


def _primary_platform(connections: list[SocialConnection], ticked: list[int]) -> str:
    """Whose best times to suggest: the first ticked real account's platform, else the sandbox."""
    ticked_connections = [c for c in connections if c.pk in set(ticked)]
    for connection in ticked_connections:
        if not connection.is_sandbox:
            return connection.platform
    return Platform.SANDBOX


def upcoming_publications(*, brand, limit: int = 5) -> list[Publication]:
    """The brand's next publications still to go out (scheduled, queued or being sent), soonest
    first, with their posts and trends: the dashboard's "Scheduled queue"."""
    return list(
        Publication.objects.filter(brand=brand, status__in=PENDING)
        .select_related("post", "post__trend", "connection")
        .order_by("scheduled_for", "pk")[:limit]
    )
