"""Live notification events: rendered HTML fragments sent to every open page of a user."""

from __future__ import annotations

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.template.loader import render_to_string

from .models import Notification
from .selectors import notification_unread_count

logger = logging.getLogger(__name__)


def user_group(user_id: int) -> str:
    return f"user-{user_id}.notifications"


def notification_push(notification: Notification) -> None:
    """Send the new notification (toast, list item, unread count) to the user's open pages.

    A lost live event is not a lost notification: it is stored and shown on the next page load,
    so a channel layer failure is logged and swallowed.
    """
    html = render_to_string(
        "notifications/partials/live_event.html",
        {
            "notification": notification,
            "unread_count": notification_unread_count(user=notification.user),
        },
    )
    try:
        async_to_sync(get_channel_layer().group_send)(
            user_group(notification.user_id), {"type": "notification.created", "html": html}
        )
    except Exception:
        logger.exception("live push of notification %s failed", notification.pk)
