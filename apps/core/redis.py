"""A redis-py client of our own on the cache's Redis, for code that needs plain keys, sorted sets or
Lua scripts (trending, rate limits). Not Django's cache object: its client is a private attribute
and it pickles values. It uses the cache's LOCATION, so tests get their own database, and callers
prefix their keys with the cache's KEY_PREFIX (``cache_key``)."""

from __future__ import annotations

from django.conf import settings


def cache_redis_location() -> str:
    cache = settings.CACHES["default"]
    location = cache.get("LOCATION") or settings.REDIS_URL
    if isinstance(location, list | tuple):
        location = location[0]
    return location


def cache_redis_client(*, timeout: float = 2.0):
    """A new client (with its own connection pool) on the cache's Redis."""
    import redis

    return redis.Redis.from_url(
        cache_redis_location(), socket_timeout=timeout, socket_connect_timeout=timeout
    )


def cache_key_prefix() -> str:
    return settings.CACHES["default"].get("KEY_PREFIX", "")


def cache_key(name: str) -> str:
    prefix = cache_key_prefix()
    return f"{prefix}:{name}" if prefix else name
