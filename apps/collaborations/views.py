"""Influencer portal pages."""

from django.shortcuts import render

from apps.accounts.access import influencer_required
from apps.notifications.selectors import notification_list


@influencer_required
def home(request):
    return render(
        request,
        "collaborations/home.html",
        {"recent_notifications": notification_list(user=request.user)[:5], "active": "home"},
    )
