"""Live events of collaborations: a new message in a collaboration's thread, sent after commit to the
pages of both sides that have the thread open (rendered once per variant, never per socket)."""

from __future__ import annotations

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.template.loader import render_to_string
from django.utils.html import escape

from .models import CollaborationMessage

logger = logging.getLogger(__name__)

EVENT_TYPE = "thread.message"


def thread_group(collaboration_id: int) -> str:
    return f"collaboration-{collaboration_id}.thread"


def _appended(message: CollaborationMessage, *, mine: bool) -> str:
    """The message as the thread shows it, appended out of band (htmx ws extension). Its author's
    pages mark it as theirs."""
    html = render_to_string(
        "collaborations/partials/message.html",
        {"message": message, "user": message.author if mine else None},
    )
    return f'<ul hx-swap-oob="beforeend:#thread-messages">{html}</ul>'


def thread_error(text: str) -> str:
    """What a socket is told when what it sent was refused: shown above the message form."""
    return (
        '<div id="thread-live-error" class="form-errors" role="alert" hx-swap-oob="true">'
        f"{escape(text)}</div>"
    )


def collaboration_message_push(message: CollaborationMessage) -> None:
    """Send the new message to the thread's open pages. A lost live event is not a lost message: it
    is stored, the other side is notified, and the page shows it on reload."""
    event = {
        "type": EVENT_TYPE,
        "message_id": message.pk,
        "author_id": message.author_id,
        "html": _appended(message, mine=False),
        "html_mine": _appended(message, mine=True),
    }
    try:
        async_to_sync(get_channel_layer().group_send)(thread_group(message.collaboration_id), event)
    except Exception:
        logger.exception("live push of collaboration message %s failed", message.pk)
