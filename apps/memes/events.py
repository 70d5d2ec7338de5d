"""Live meme feed events, sent after commit to the feed's Channels group (see consumers.py).

Each event is rendered here once, as HTML fragments that htmx swaps in out of band, and sent as one
group message; the consumers only forward it. Nothing about a single viewer is in a fragment (no
"your vote"): a new card comes in three variants, for anonymous visitors (login links), members
(buttons) and staff (buttons and Hide), and each consumer picks its own. Only memes that are public
and visible at the time of sending are ever rendered.
"""

from __future__ import annotations

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.template.loader import render_to_string
from django.urls import reverse

from apps.memes import cards, selectors

logger = logging.getLogger(__name__)

FEED_GROUP = "memes.feed"
EVENT_TYPE = "feed.event"  # handled by MemeFeedConsumer.feed_event
AUDIENCE_KEYS = {cards.MEMBER: "html", cards.ANON: "html_anon", cards.STAFF: "html_staff"}


def _send(message: dict, meme_id: int, kind: str) -> None:
    """A lost live event is not lost data (pages show the truth on reload), so a channel layer
    failure is logged and swallowed rather than failing the request that caused it."""
    try:
        async_to_sync(get_channel_layer().group_send)(FEED_GROUP, message)
    except Exception:
        logger.exception("memes.live_event_failed", extra={"meme_id": meme_id, "kind": kind})


def _visible(meme_id: int):
    return selectors.feed_memes().filter(pk=meme_id).first()


def published_message(meme) -> dict:
    card = cards.MemeCard(meme)
    message = {"type": EVENT_TYPE, "meme": meme.pk, "kind": "published"}
    for audience, key in AUDIENCE_KEYS.items():
        message[key] = render_to_string(
            "memes/partials/feed_published.html",
            {"card": card, "viewer": audience, "next_url": reverse("memes:feed"), "live": True},
        )
    return message


def counts_message(meme) -> dict:
    html = render_to_string("memes/partials/feed_counts.html", {"card": cards.MemeCard(meme)})
    return {"type": EVENT_TYPE, "meme": meme.pk, "kind": "counts", "html": html}


def removed_message(meme_id: int) -> dict:
    html = render_to_string("memes/partials/feed_removed.html", {"meme_id": meme_id})
    return {"type": EVENT_TYPE, "meme": meme_id, "kind": "removed", "html": html}


def meme_published(meme_id: int) -> None:
    """A meme entered the public feed (new, published, or shown again by staff): its card goes on
    top of every open Latest list."""
    meme = _visible(meme_id)
    if meme is None:  # hidden, deleted or made private again before this ran
        return
    _send(published_message(meme), meme_id, "published")


def meme_counts_changed(meme_id: int) -> None:
    """Votes or reactions of a feed meme changed: only its counters are replaced, so a viewer's own
    highlighted buttons stay as they are."""
    meme = _visible(meme_id)
    if meme is None:
        return
    _send(counts_message(meme), meme_id, "counts")


def meme_removed(meme_id: int) -> None:
    """A meme left the feed (hidden by staff or deleted): its card goes from every open page, and an
    open detail page says it was removed."""
    if _visible(meme_id) is not None:  # shown again before this ran
        return
    _send(removed_message(meme_id), meme_id, "removed")
