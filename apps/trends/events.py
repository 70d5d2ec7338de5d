"""Live events of the trend job: a refresh run's progress, pushed to staff pages watching it."""

from __future__ import annotations

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)

GROUP = "staff.trend-refresh"


def run_progress(run) -> None:
    """Send the run's progress card; a lost event only delays the page until it reloads."""
    html = render_to_string("trends/partials/run_progress.html", {"run": run, "oob": True})
    try:
        async_to_sync(get_channel_layer().group_send)(GROUP, {"type": "run.progress", "html": html})
    except Exception:
        logger.exception("live push of trend refresh %s failed", run.pk)
