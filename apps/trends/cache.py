"""Each brand's recommendations (top 5 and watchlist) cached in Redis, invalidated whenever the
brand is rescored or dismisses a trend. The cache is a copy: losing it costs one query."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from django.core.cache import cache

logger = logging.getLogger(__name__)

TTL_SECONDS = 7 * 3600  # longer than the 6-hour refresh; every refresh invalidates it anyway


def key(brand_id: int) -> str:
    return f"trends:brand:{brand_id}:recommendations"


def get(brand_id: int):
    try:
        return cache.get(key(brand_id))
    except Exception:  # Redis lost: fall back to the database
        return None


def put(brand_id: int, value) -> None:
    try:
        cache.set(key(brand_id), value, TTL_SECONDS)
    except Exception:
        logger.warning("could not cache recommendations of brand %s", brand_id, exc_info=True)


def invalidate(brand_ids: Sequence[int]) -> None:
    try:
        cache.delete_many([key(b) for b in brand_ids])
    except Exception:
        # A stale copy would outlive the refresh: say so loudly; it expires within TTL_SECONDS.
        logger.error(
            "could not invalidate cached recommendations of %d brands", len(brand_ids), exc_info=True
        )
