"""Trending order of the public meme feed.

The formula (a "hot" rank, as Reddit's): with ``s = up − down + REACTION_WEIGHT × reactions``

    hot = sign(s) × log10(max(|s|, 1)) + (created_at − EPOCH) / DECAY_SECONDS

Time decay without recomputing: a meme's rank only changes when its votes do, yet every
``DECAY_SECONDS`` (12.5 hours) of age costs as much as a tenfold score. A meme with 10 net votes
ranks with one that is 12.5 hours younger and has 1; one with 100 with one 25 hours younger and 1.
Because the rank is fixed between votes, it can live in a sorted set.

Storage. ``Meme.hot`` in the database is the source of truth, written in the same transaction as the
vote. Redis keeps the sorted set ``memes:trending`` (meme id → hot) of visible public memes, updated
after commit, trimmed to ``KEEP`` members, plus ``memes:trending:v``, a counter bumped on every
change a reader of the feed could see (new meme, vote, reaction, hidden, deleted), which lets the
API cache a page until it changes. When the set is missing (Redis restarted or flushed) it is
rebuilt from the database under a short lock; without Redis at all the database is read directly.
"""

from __future__ import annotations

import logging
import math
from datetime import UTC, datetime

from django.conf import settings

from apps.core.redis import cache_key, cache_redis_client
from apps.memes.models import Meme

logger = logging.getLogger(__name__)

EPOCH = datetime(2024, 1, 1, tzinfo=UTC).timestamp()
DECAY_SECONDS = 45_000
REACTION_WEIGHT = 0.25
KEEP = 5000
ZSET = "memes:trending"
VERSION = "memes:trending:v"
REBUILD_LOCK = "memes:trending:rebuild"

_client = None


def hot(*, up: int, down: int, reactions: int, created_at: datetime) -> float:
    s = up - down + REACTION_WEIGHT * reactions
    order = math.log10(max(abs(s), 1))
    sign = 1 if s > 0 else -1 if s < 0 else 0
    return round(sign * order + (created_at.timestamp() - EPOCH) / DECAY_SECONDS, 7)


def meme_hot(meme: Meme) -> float:
    return hot(
        up=meme.up_votes,
        down=meme.down_votes,
        reactions=sum((meme.reactions or {}).values()),
        created_at=meme.created_at,
    )


def redis_client():
    """A redis-py client on the cache's Redis (tests use their own database), or None."""
    global _client
    if not settings.USE_REDIS:
        return None
    if _client is None:
        _client = cache_redis_client(timeout=2)
    return _client


def _key(name: str) -> str:
    return cache_key(name)


def _feed_queryset():
    return Meme.objects.filter(is_public=True, moderation=Meme.Moderation.VISIBLE)


def trending_update(meme: Meme) -> None:
    """Put `meme` in the sorted set with its rank, or take it out when it is not in the feed.
    Called after commit; a Redis failure is logged (the next rebuild puts it right)."""
    client = redis_client()
    try:
        if client is not None:
            pipe = client.pipeline(transaction=False)
            if meme.is_public and meme.moderation == Meme.Moderation.VISIBLE:
                pipe.zadd(_key(ZSET), {str(meme.pk): meme.hot})
                pipe.zremrangebyrank(_key(ZSET), 0, -KEEP - 1)
            else:
                pipe.zrem(_key(ZSET), str(meme.pk))
            pipe.incr(_key(VERSION))
            pipe.execute()
        else:
            _local_version_bump()
    except Exception:
        logger.exception("memes.trending_update_failed", extra={"meme": meme.pk})


def trending_remove(meme_id: int) -> None:
    client = redis_client()
    try:
        if client is not None:
            client.pipeline(transaction=False).zrem(_key(ZSET), str(meme_id)).incr(_key(VERSION)).execute()
        else:
            _local_version_bump()
    except Exception:
        logger.exception("memes.trending_remove_failed", extra={"meme": meme_id})


_local_version = 0


def _local_version_bump() -> None:
    global _local_version
    _local_version += 1


def trending_version() -> str:
    """Changes whenever the feed could look different (see the module docstring)."""
    client = redis_client()
    if client is None:
        return f"local-{_local_version}"
    try:
        value = client.get(_key(VERSION))
    except Exception:
        logger.warning("memes.trending_version_unavailable", exc_info=True)
        return "unavailable"
    return (value or b"0").decode()


def trending_rebuild() -> int:
    """Refill the sorted set from the database (the top ``KEEP`` visible public memes)."""
    client = redis_client()
    if client is None:
        return 0
    rows = list(_feed_queryset().order_by("-hot").values_list("pk", "hot")[:KEEP])
    pipe = client.pipeline(transaction=True)
    pipe.delete(_key(ZSET))
    if rows:
        pipe.zadd(_key(ZSET), {str(pk): score for pk, score in rows})
    pipe.incr(_key(VERSION))
    pipe.execute()
    logger.info("memes.trending_rebuilt", extra={"members": len(rows)})
    return len(rows)


def trending_ids(*, offset: int = 0, limit: int = 20) -> tuple[list[int], int]:
    """Meme ids of one trending page, best first, and the total number in the feed."""
    client = redis_client()
    if client is not None:
        try:
            pipe = client.pipeline(transaction=False)
            pipe.zrevrange(_key(ZSET), offset, offset + limit - 1)
            pipe.zcard(_key(ZSET))
            ids, total = pipe.execute()
            if total == 0 and client.set(_key(REBUILD_LOCK), "1", nx=True, ex=10):
                try:
                    if trending_rebuild():
                        return trending_ids(offset=offset, limit=limit)
                finally:
                    client.delete(_key(REBUILD_LOCK))
            elif total or offset:
                return [int(i) for i in ids], total
            # An empty set another process is rebuilding, or an empty feed: read the database.
        except Exception:
            logger.warning("memes.trending_redis_unavailable", exc_info=True)
    queryset = _feed_queryset()
    ids = list(queryset.order_by("-hot", "-pk").values_list("pk", flat=True)[offset : offset + limit])
    return ids, queryset.count()
