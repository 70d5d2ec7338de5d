"""The meme activity section of the staff analytics page: this app's fragment, fetched by that
page on load (analytics and memes stand apart; neither imports the other)."""

from __future__ import annotations

from django.shortcuts import render
from django.views.decorators.http import require_GET

from apps.accounts.access import staff_required
from apps.memes.activity import meme_activity, meme_activity_chart

ACTIVITY_TEMPLATE = "memes/partials/staff_activity.html"
ACTIVITY_PAGE_TEMPLATE = "memes/staff_activity.html"


@staff_required
@require_GET
def staff_activity(request):
    """Memes made, votes and reactions over the last 7, 30 or 90 days (?days=): the section alone
    for htmx, else (the page's no-JS link) a page of its own."""
    activity = meme_activity(days=request.GET.get("days"))
    context = {"m": activity, "chart": meme_activity_chart(activity)}
    if request.htmx:
        return render(request, ACTIVITY_TEMPLATE, context)
    return render(request, ACTIVITY_PAGE_TEMPLATE, {**context, "active": "analytics"})
