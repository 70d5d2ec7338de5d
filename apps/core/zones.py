"""Time zones by name: the one place a stored zone name becomes a ZoneInfo (UTC when unknown)."""

from __future__ import annotations

import zoneinfo
from functools import lru_cache

UTC_NAME = "UTC"


@lru_cache(maxsize=512)
def zone(name: str | None) -> zoneinfo.ZoneInfo:
    """The zone called `name`; UTC for an empty or unknown name (a stored value is never an error)."""
    try:
        return zoneinfo.ZoneInfo(name or UTC_NAME)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError):
        return zoneinfo.ZoneInfo(UTC_NAME)


def timezone_choices() -> list[tuple[str, str]]:
    return [(name, name.replace("_", " ")) for name in sorted(zoneinfo.available_timezones())]
