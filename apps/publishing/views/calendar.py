"""The brand's calendar (week and month) with drag-to-reschedule."""

from __future__ import annotations

import calendar as calendar_module
from datetime import UTC, date, datetime, time, timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.views.decorators.http import require_GET, require_POST

from apps.accounts.access import brand_user_required
from apps.brands.selectors import brand_get_for_user
from apps.core import zones

from .. import selectors, services
from ..forms import PAST_TOLERANCE
from ..models import PublicationStatus
from ..timing import NonexistentLocalTime, brand_local_to_utc

S = PublicationStatus
CALENDAR_BODY_TEMPLATE = "publishing/partials/calendar_body.html"
WEEK_HOURS = (6, 23)  # the week view's rows, brand-local; widened to fit posts outside them
MONTH_CHIPS = 4  # entries a month cell shows before "+n more"
LEGEND = [
    ("scheduled", "Scheduled"),
    ("publishing", "Publishing"),
    ("published", "Published"),
    ("failed", "Failed"),
    ("expired", "Expired"),
]


def _when(at: datetime, tz_name: str) -> str:
    local = at.astimezone(zones.zone(tz_name))
    return f"{local:%a %-d %b %Y, %H:%M} {local.tzname()}"


def _messages(exc: ValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "message_dict"):
        return exc.message_dict
    return {"__all__": exc.messages}


# --- the calendar ---------------------------------------------------------------------------------


def _anchor(value: str | None, today: date) -> date:
    try:
        return parse_date(value or "") or today
    except ValueError:
        return today


def _month_after(first: date) -> date:
    return (first + timedelta(days=32)).replace(day=1)


def _preferred_hours(brand) -> set[int]:
    """Hours inside the brand's preferred time windows ("09:00-11:00" → 9 and 10)."""
    hours: set[int] = set()
    for window in brand.preferred_time_windows or []:
        try:
            start, end = (part.strip() for part in str(window).split("-", 1))
            first, last = int(start.split(":")[0]), end.split(":")
            stop = int(last[0]) + (1 if len(last) > 1 and int(last[1]) > 0 else 0)
        except (ValueError, IndexError):
            continue
        hours.update(range(max(0, first), min(24, stop)))
    return hours


def _calendar_context(brand, *, view: str, anchor_value: str | None, notice="", error="") -> dict:
    zone = zones.zone(brand.timezone)
    now = timezone.now()
    local_now = now.astimezone(zone)
    today = local_now.date()
    view = view if view in ("week", "month") else "week"
    anchor = _anchor(anchor_value, today)
    if view == "week":
        first = anchor - timedelta(days=anchor.weekday())
        grid_start, grid_end = first, first + timedelta(days=7)
        previous, following = first - timedelta(days=7), first + timedelta(days=7)
        last = grid_end - timedelta(days=1)
        if first.month == last.month:
            title = f"{first:%-d} – {last:%-d %B %Y}"
        elif first.year == last.year:
            title = f"{first:%-d %b} – {last:%-d %b %Y}"
        else:
            title = f"{first:%-d %b %Y} – {last:%-d %b %Y}"
        today_in_range = grid_start <= today < grid_end
        period = "week"
    else:
        first = anchor.replace(day=1)
        following = _month_after(first)
        previous = (first - timedelta(days=1)).replace(day=1)
        grid_start = first - timedelta(days=first.weekday())
        grid_end = following + timedelta(days=(7 - following.weekday()) % 7)
        title = f"{first:%B %Y}"
        today_in_range = first <= today < following
        period = "month"
    start = datetime.combine(grid_start, time(0), tzinfo=zone).astimezone(UTC)
    end = datetime.combine(grid_end, time(0), tzinfo=zone).astimezone(UTC)
    days_entries = selectors.calendar_entries(brand=brand, start=start, end=end)
    days = [grid_start + timedelta(days=i) for i in range((grid_end - grid_start).days)]
    preferred_days = set(brand.preferred_days or [])
    if view == "week":
        in_view = [e for d in days for e in days_entries.get(d, [])]
        hours = [e.local.hour for e in in_view]
        low, high = min([WEEK_HOURS[0], *hours]), max([WEEK_HOURS[1], *hours])
        preferred = _preferred_hours(brand)
        rows = [
            {
                "hour": hour,
                "label": f"{hour:02d}:00",
                "cells": [
                    {
                        "date": day,
                        "hour": hour,
                        "entries": [e for e in days_entries.get(day, []) if e.local.hour == hour],
                        "past": datetime.combine(day, time(hour), tzinfo=zone) + timedelta(hours=1) <= now,
                        "now": day == today and hour == local_now.hour,
                        "preferred": day.weekday() in preferred_days and hour in preferred,
                    }
                    for day in days
                ],
            }
            for hour in range(low, high + 1)
        ]
        grid = {"rows": rows}
    else:
        in_view = [e for d in days if d.month == first.month for e in days_entries.get(d, [])]
        weeks = []
        for i in range(0, len(days), 7):
            week = []
            for day in days[i : i + 7]:
                entries = days_entries.get(day, [])
                week.append(
                    {
                        "date": day,
                        "in_month": day.month == first.month,
                        "today": day == today,
                        "past": day < today,
                        "preferred": day.weekday() in preferred_days,
                        "entries": entries[:MONTH_CHIPS],
                        "more": max(0, len(entries) - MONTH_CHIPS),
                    }
                )
            weeks.append(week)
        grid = {"weeks": weeks}
    live = any(
        e.tone == "publishing"
        or (e.publication.status == S.SCHEDULED and e.publication.due_at <= now + selectors.LIVE_WINDOW)
        for d in days
        for e in days_entries.get(d, [])
    )
    url = reverse("publishing:calendar", args=[brand.pk])
    return {
        "brand": brand,
        "view": view,
        "anchor": anchor,
        "title": title,
        "period": period,
        "days": [
            {"date": d, "today": d == today, "preferred": d.weekday() in preferred_days} for d in days[:7]
        ],
        "weekday_names": [calendar_module.day_abbr[i] for i in range(7)],
        "grid": grid,
        "empty": not in_view,
        "live": live,
        "tz_name": brand.timezone,
        "tz_label": selectors.timezone_label(brand.timezone, at=now),
        "today_in_range": today_in_range,
        "url": url,
        "self_url": f"{url}?view={view}&date={anchor:%Y-%m-%d}",
        "previous_url": f"{url}?view={view}&date={previous:%Y-%m-%d}",
        "next_url": f"{url}?view={view}&date={following:%Y-%m-%d}",
        "today_url": f"{url}?view={view}",
        "week_url": f"{url}?view=week&date={anchor:%Y-%m-%d}",
        "month_url": f"{url}?view=month&date={anchor:%Y-%m-%d}",
        "move_url": reverse("publishing:calendar_move", args=[brand.pk]),
        "legend": LEGEND,
        "notice": notice,
        "error": error,
    }


@brand_user_required
@require_GET
def calendar(request, brand_id: int):
    brand = brand_get_for_user(user=request.user, brand_id=brand_id)
    context = _calendar_context(
        brand, view=request.GET.get("view", "week"), anchor_value=request.GET.get("date")
    )
    if request.htmx:
        return render(request, CALENDAR_BODY_TEMPLATE, context)
    return render(request, "publishing/calendar.html", {**context, "active": "calendar"})


@brand_user_required
@require_GET
def calendar_current(request):
    """The nav's "Calendar": the calendar of the brand this session works on."""
    if not request.brand:
        return redirect("brands:dashboard")
    return redirect("publishing:calendar", brand_id=request.brand.pk)


_NOT_MOVABLE = {
    S.PUBLISHED: "It is already published; a published post stays where it went out.",
    S.FAILED: "It failed; open the post to retry it or schedule it again.",
    S.EXPIRED: "It expired; open the post to schedule it again.",
    S.QUEUED: "It is being published right now; it can no longer be moved.",
    S.SENDING: "It is being published right now; it can no longer be moved.",
    S.CANCELLED: "It was taken off the calendar.",
}


@brand_user_required
@require_POST
def calendar_move(request, brand_id: int):
    """A drop on the calendar: reschedule the post to the day (and hour, in the week view) it was
    dropped on, keeping its accounts; answer with the calendar body to swap in."""
    brand = brand_get_for_user(user=request.user, brand_id=brand_id)
    view, anchor = request.POST.get("view", "week"), request.POST.get("anchor")
    try:
        publication_id = int(request.POST.get("publication", ""))
    except ValueError:
        raise Http404("No such publication.") from None
    publication = selectors.publication_get_for_user(user=request.user, publication_id=publication_id)
    if publication.brand_id != brand.pk:
        raise Http404("No such publication.")

    def answer(*, notice="", error="", status=200):
        context = _calendar_context(brand, view=view, anchor_value=anchor, notice=notice, error=error)
        if request.htmx:
            return render(request, CALENDAR_BODY_TEMPLATE, context, status=status)
        (messages.error if error else messages.success)(request, error or notice)
        return redirect(context["self_url"])

    zone = zones.zone(brand.timezone)
    local = publication.scheduled_for.astimezone(zone)
    try:
        day = date.fromisoformat(request.POST.get("date", ""))
        hour = request.POST.get("hour", "")
        clock = time(int(hour), local.minute) if hour != "" else local.time().replace(second=0, microsecond=0)
    except ValueError:
        return answer(error="That is not a day on the calendar.", status=400)
    if publication.status != S.SCHEDULED:
        return answer(error=f"This post cannot be moved. {_NOT_MOVABLE[publication.status]}", status=409)
    naive = datetime.combine(day, clock)
    try:
        at = brand_local_to_utc(naive, brand.timezone)
    except NonexistentLocalTime as exc:
        return answer(error=str(exc), status=422)
    if at < timezone.now() - PAST_TOLERANCE:
        return answer(
            error=f"{naive:%a %-d %b, %H:%M} has already passed. Drop it on a time still to come.", status=422
        )
    accounts = list(
        publication.post.publications.filter(status=S.SCHEDULED, connection__isnull=False).values_list(
            "connection_id", flat=True
        )
    )
    try:
        services.post_schedule(post=publication.post, user=request.user, at=at, connection_ids=accounts)
    except ValidationError as exc:
        texts = [t for group in _messages(exc).values() for t in group]
        return answer(error=" ".join(texts), status=422)
    return answer(notice=f"Moved to {_when(at, brand.timezone)}.")
