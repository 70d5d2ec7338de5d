"""The meme generation rate limit: per user and per client IP, a sliding window each.

What counts: every meme made through the API (``POST /api/v1/memes`` and each item of a batch)
and every render-by-URL request that has to render (a preview whose file is already stored costs
nothing). The limits are ``MEME_GENERATE_PER_USER`` and ``MEME_GENERATE_PER_IP``, written
``<count>/<period>`` with the period ``second``, ``minute``, ``hour`` or ``day`` (or a number of
seconds: ``"60/90"``); ``"0"``, ``"off"`` or an empty value turns that limit off.

A generation is allowed when both the user's and the IP's window have room, and then counts in
both (never in one only). When either is full the answer is the number of seconds until a slot
frees in every full window, which the views send as ``Retry-After``.

The window is a log: a sorted set of the times of the generations of the last period, so the
limit is exact (no burst of twice the limit across a fixed window's edge) and "when does a slot
free" is the oldest entry's time plus the period. One Lua script checks and counts both keys in
one round trip. Keys carry the cache's key prefix and live in the cache's Redis database (the
tests' own while testing) and expire after one period of rest. Without Redis the same log is kept
in the process (under a lock, in the local cache, so the tests' cache clearing resets it too):
right for the one-process fallback, per process with several.

The client IP is ``REMOTE_ADDR``, unless ``MEME_TRUSTED_PROXIES`` says that many proxies of ours
stand in front (e.g. 1 behind one nginx): then it is that many entries from the right of
``X-Forwarded-For`` (the address the outermost proxy of ours saw; entries further left are the
client's own claims and could be forged). IPv6 clients are limited per /64, the block one host
usually has.
"""

from __future__ import annotations

import ipaddress
import logging
import math
import re
import secrets
import threading
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

logger = logging.getLogger(__name__)

PERIODS = {"s": 1, "sec": 1, "second": 1, "m": 60, "min": 60, "minute": 60, "h": 3600, "hour": 3600}
PERIODS |= {"d": 86400, "day": 86400}
_RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d+(?:\.\d+)?|[a-z]+?)s?\s*$")
KEY = "memes:rl:{kind}:{ident}"

clock = time.time  # tests inject their own


@dataclass(frozen=True)
class Rate:
    count: int
    seconds: float

    def __str__(self) -> str:
        return f"{self.count}/{self.seconds:g}s"


def parse_rate(value, name: str = "rate") -> Rate | None:
    """``"60/minute"`` → Rate(60, 60.0); off (None) for "", "0", "off" or "none"."""
    text = str(value or "").strip().lower()
    if text in ("", "0", "off", "none", "unlimited"):
        return None
    match = _RATE.match(text)
    if match:
        count, period = int(match.group(1)), match.group(2)
        seconds = float(period) if period[0].isdigit() else PERIODS.get(period)
        if count == 0:
            return None
        if seconds:
            return Rate(count, seconds)
    raise ValueError(f'{name} is "{value}": write it as count/period, e.g. "60/minute" or "100/3600".')


def client_ip(request) -> str:
    """The address the limit is kept for (see the module docstring)."""
    address = request.META.get("REMOTE_ADDR", "") or ""
    hops = settings.MEME_TRUSTED_PROXIES
    if hops > 0:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [part for part in forwarded if part]
        if forwarded:
            address = forwarded[-min(hops, len(forwarded))]
    try:
        ip = ipaddress.ip_address(address.strip("[]"))
    except ValueError:
        return address[:64] or "unknown"
    if ip.version == 6:
        if ip.ipv4_mapped:
            return str(ip.ipv4_mapped)
        return f"{ipaddress.ip_network(f'{ip}/64', strict=False).network_address}/64"
    return str(ip)


def _limits(user_id, ip: str) -> list[tuple[str, Rate]]:
    out = []
    per_user = parse_rate(settings.MEME_GENERATE_PER_USER, "MEME_GENERATE_PER_USER")
    per_ip = parse_rate(settings.MEME_GENERATE_PER_IP, "MEME_GENERATE_PER_IP")
    if per_user and user_id is not None:
        out.append((KEY.format(kind="user", ident=user_id), per_user))
    if per_ip and ip:
        out.append((KEY.format(kind="ip", ident=ip), per_ip))
    return out


# KEYS: the windows. ARGV: now, a unique member, then (count, seconds) per key.
# Returns '0' when the generation was counted in every window, else the seconds until all have room.
_TAKE = """
local now = tonumber(ARGV[1])
local wait = 0
for i, key in ipairs(KEYS) do
  local limit, period = tonumber(ARGV[1 + 2 * i]), tonumber(ARGV[2 + 2 * i])
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - period)
  local used = redis.call('ZCARD', key)
  if used >= limit then
    local oldest = redis.call('ZRANGE', key, used - limit, used - limit, 'WITHSCORES')
    local free_at = tonumber(oldest[2]) + period - now
    if free_at > wait then wait = free_at end
  end
end
if wait > 0 then return tostring(wait) end
for i, key in ipairs(KEYS) do
  local period = tonumber(ARGV[2 + 2 * i])
  redis.call('ZADD', key, now, ARGV[2])
  redis.call('PEXPIRE', key, math.ceil(period * 1000) + 1000)
end
return '0'
"""

_script = None
_local_lock = threading.Lock()


def _take_redis(client, limits: list[tuple[str, Rate]], now: float) -> float:
    global _script
    from apps.memes.trending import _key

    if _script is None:
        _script = client.register_script(_TAKE)
    args = [repr(now), f"{now!r}:{secrets.token_hex(6)}"]
    for _, rate in limits:
        args += [rate.count, rate.seconds]
    return float(_script(keys=[_key(key) for key, _ in limits], args=args, client=client))


def _take_local(limits: list[tuple[str, Rate]], now: float) -> float:
    with _local_lock:
        logs = {}
        wait = 0.0
        for key, rate in limits:
            log = [t for t in cache.get(key, []) if t > now - rate.seconds]
            logs[key] = log
            if len(log) >= rate.count:
                wait = max(wait, log[len(log) - rate.count] + rate.seconds - now)
        if wait > 0:
            return wait
        for key, rate in limits:
            cache.set(key, [*logs[key], now], timeout=math.ceil(rate.seconds) + 1)
        return 0.0


def generation_take(*, user_id=None, ip: str = "") -> int:
    """Count one generation for the user and the IP. Returns 0 when it may go ahead, otherwise the
    whole seconds (at least 1) until it would be allowed; nothing is counted then."""
    from apps.memes.trending import redis_client

    limits = _limits(user_id, ip)
    if not limits:
        return 0
    now = clock()
    client = redis_client()
    if client is None:
        wait = _take_local(limits, now)
    else:
        try:
            wait = _take_redis(client, limits, now)
        except Exception:  # Redis lost: limit in this process rather than refuse or not limit at all
            logger.warning("memes.ratelimit_redis_unavailable", exc_info=True)
            wait = _take_local(limits, now)
    return max(1, math.ceil(wait)) if wait > 0 else 0


def generation_take_for_request(request, user=None) -> int:
    """`generation_take` for a request's signed-in user (pass it when known) and client IP."""
    if user is None:
        user = getattr(request, "user", None)
    user_id = user.pk if user is not None and user.is_authenticated else None
    return generation_take(user_id=user_id, ip=client_ip(request))
