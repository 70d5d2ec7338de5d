"""Live meme feed events, sent after commit to the feed's Channels group (see consumers.py)."""

from __future__ import annotations

import logging

logger = logging.getLogger(__name__)

FEED_GROUP = "memes.feed"


def meme_published(meme_id: int) -> None:
    """A meme entered the public feed (new, published, or shown again by staff)."""
    logger.debug("memes.event published %s", meme_id)


def meme_counts_changed(meme_id: int) -> None:
    """Votes or reactions of a feed meme changed."""
    logger.debug("memes.event counts %s", meme_id)


def meme_removed(meme_id: int) -> None:
    """A meme left the feed (hidden by staff or deleted)."""
    logger.debug("memes.event removed %s", meme_id)
