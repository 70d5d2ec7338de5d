"""The calendar's iCal feed: the page that shows the user's secret URL and regenerates it, and
the feed itself (no sign-in: the token in the URL is the key; an unknown token is a 404)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from apps.accounts.access import brand_user_required

from .. import ical


def _feed_url(request, token: str) -> str:
    return request.build_absolute_uri(reverse("publishing:calendar_feed_ics", args=[token]))


@brand_user_required
@require_GET
def calendar_feed_page(request):
    feed = ical.calendar_feed_token_get(user=request.user)
    url = _feed_url(request, feed.token)
    return render(
        request,
        "publishing/calendar_feed.html",
        {
            "feed_url": url,
            "webcal_url": "webcal://" + url.split("://", 1)[-1],
            "active": "calendar",
            "brand": request.brand,
        },
    )


@brand_user_required
@require_POST
def calendar_feed_regenerate(request):
    ical.calendar_feed_token_regenerate(user=request.user)
    messages.success(request, "New feed address made. The old one no longer works: update your calendar app.")
    return redirect("publishing:calendar_feed")


@require_GET
def calendar_feed_ics(request, token: str):
    user = ical.calendar_feed_user(token=token)
    if user is None:
        raise Http404("No such calendar feed.")
    body = ical.calendar_feed_ics(user=user, base_url=request.build_absolute_uri("/").rstrip("/"))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="social-medai.ics"'
    response["Cache-Control"] = "private, max-age=300"
    response["X-Robots-Tag"] = "noindex"
    return response
