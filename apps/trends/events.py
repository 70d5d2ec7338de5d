"""Live events of the trend job: a refresh run's progress for staff pages, and a brand's scoring
progress for its dashboards."""

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


def brand_scoring_group(brand_id: int) -> str:
    return f"brand-{brand_id}.scoring"


def brand_scoring_progress(brand, progress) -> None:
    """Send a brand's scoring progress to its dashboards; the finished one makes them fetch the
    new cards. A lost event is made good when the page's socket (re)connects (see consumers)."""
    html = render_to_string(
        "trends/partials/scoring_progress.html", {"brand": brand, "scoring": progress, "oob": True}
    )
    try:
        async_to_sync(get_channel_layer().group_send)(
            brand_scoring_group(brand.pk), {"type": "scoring.progress", "html": html}
        )
    except Exception:
        logger.exception("live push of brand %s scoring progress failed", brand.pk)
