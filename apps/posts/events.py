"""Live events of posts: a draft's generation progress, sent to the brand's pages watching it."""

from __future__ import annotations

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)


def post_group(post_id: int) -> str:
    return f"post-{post_id}.progress"


def post_progress(post) -> None:
    """Send the progress fragment to pages showing this post; a lost event only delays them."""
    html = render_to_string("posts/partials/generation_progress.html", {"post": post, "oob": True})
    try:
        async_to_sync(get_channel_layer().group_send)(
            post_group(post.pk), {"type": "post.progress", "html": html}
        )
    except Exception:
        logger.exception("live push of post %s progress failed", post.pk)
