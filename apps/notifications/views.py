"""Notification pages and HTMX actions: list, bell menu, mark read, send a test notification."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from . import selectors, services
from .models import Level


@login_required
def notification_list_page(request):
    unread_only = request.GET.get("filter") == "unread"
    page = Paginator(selectors.notification_list(user=request.user, unread_only=unread_only), 25).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "notifications/list.html",
        {"page": page, "unread_only": unread_only, "active": "notifications"},
    )


@login_required
def bell_menu(request):
    return render(
        request,
        "notifications/partials/bell_menu.html",
        {"menu_notifications": selectors.notification_list(user=request.user)[:6]},
    )


@login_required
@require_POST
def notification_read(request, notification_id: int):
    notification = selectors.notification_get(user=request.user, notification_id=notification_id)
    services.notification_mark_read(notification=notification)
    if request.htmx:
        return render(
            request,
            "notifications/partials/item_read.html",
            {
                "notification": notification,
                "unread_count": selectors.notification_unread_count(user=request.user),
            },
        )
    url = notification.url
    if url and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}):
        return redirect(url)
    return redirect("notifications:list")


@login_required
@require_POST
def notification_read_all(request):
    count = services.notification_mark_all_read(user=request.user)
    messages.success(request, f"Marked {count} notification{'s' if count != 1 else ''} as read.")
    return redirect("notifications:list")


@login_required
@require_POST
def notification_test(request):
    """Lets a user check that live and email notifications reach them."""
    services.notification_create(
        user=request.user,
        title="Test notification",
        body="If you can read this without reloading, live notifications work on this page.",
        level=Level.INFO,
    )
    if request.htmx:
        return render(request, "notifications/partials/test_sent.html")
    messages.success(request, "Test notification sent.")
    return redirect("notifications:list")
