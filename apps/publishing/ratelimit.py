"""Publishing rate limits: a token bucket per platform (our app's limit) and one per account
(the connected user's limit), both taken at once, adapting to what the platform says.

A bucket is (capacity, per_seconds): it holds at most `capacity` tokens and refills continuously
at capacity / per_seconds tokens a second; an idle bucket is full. Publishing one post takes one
token from the platform's bucket and one from the account's, or nothing when either is empty.

Documented defaults (`DEFAULT_LIMITS`; the tier comes from X_API_TIER and LINKEDIN_API_TIER):

| platform | tier        | per app (platform bucket) | per account          | source |
|----------|-------------|---------------------------|----------------------|--------|
| x        | free        | 17 / 24 h                 | 17 / 24 h            | (1)    |
| x        | basic       | 1,667 / 24 h              | 100 / 24 h           | (1)(2) |
| x        | pro         | 10,000 / 24 h             | 100 / 15 min         | (1)(3) |
| linkedin | development | 1,000 / 24 h              | 150 / 24 h           | (4)(5) |
| linkedin | standard    | 100,000 / 24 h            | 150 / 24 h           | (4)(5)(6) |
| sandbox  | (any)       | 60,000 / 1 min            | 600 / 1 min          | ours   |

(1) X API v2 rate limits, `POST /2/tweets`, per tier ("per user" and "per app" rows):
    developer.x.com/en/docs/twitter-api/rate-limits. Free was 50 / 24 h in 2023, later 17.
(2) The same figure quoted from the developer portal, tweepy discussion #2129 (June 2023).
(3) docs.x.com/x-api/fundamentals/rate-limits, "Manage posts": 100/15min per user, 10,000/24hrs
    per app (the untiered table of the pay-per-use plan carries the Pro numbers).
(4) learn.microsoft.com/linkedin/shared/api-guide/concepts/rate-limits: limits are per day
    (reset at midnight UTC), per application and per member, answered with a bare 429, and
    "standard rate limits are not published"; each app sees its own in the developer portal.
(5) 150 posts a day per member is the figure publishing tools document for LinkedIn (e.g.
    Ayrshare's LinkedIn notes); we use it for both tiers.
(6) 100k calls a day per application is LinkedIn's old published application throttle. The
    development figure is our own cautious guess. Both LinkedIn app numbers are guesses by
    necessity: set PUBLISH_BUCKET_OVERRIDES from your portal, and a 429 blocks the account
    (`publish_limits_backoff`) whatever the bucket says.

PUBLISH_BUCKET_OVERRIDES replaces any of them: {"x": "100000/60", "x:account": "100000/60"}.

What the platform says beats our guess (`publish_limits_observe`, fed X's x-rate-limit-limit,
-remaining and -reset of the account's window): the account's bucket is set to `remaining`, at
most that many more posts go out before the reset, and at the reset the whole limit is back. A
`limit` that differs from our default becomes that account's capacity for LEARNED_LIMIT_TTL.

Backends, chosen once per process by `buckets()`: with Redis (settings.USE_REDIS) the state
lives in Redis and every take is one Lua script (one EVALSHA round trip), so all workers share
the buckets; keys carry the cache's key prefix, live in the cache's database (the tests' own
database when testing) and expire once idle long enough to be full again. Without Redis the
same rules run in-process under a threading.Lock: the buckets are then per process, which is
right for the no-Redis fallback (one process, eager Celery) and wrong for several workers.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings

from apps.core.redis import cache_key_prefix, cache_redis_client

LEARNED_LIMIT_TTL = 24 * 3600  # seconds a limit read from the platform's headers is kept
DAY = 24 * 3600


@dataclass(frozen=True)
class Bucket:
    capacity: int
    per_seconds: float

    @property
    def rate(self) -> float:
        """Tokens per second."""
        return self.capacity / self.per_seconds


@dataclass(frozen=True)
class BucketLimits:
    platform: Bucket  # the app's limit on the platform, shared by every account
    account: Bucket  # one connected account's limit


DEFAULT_LIMITS: dict[str, dict[str, BucketLimits]] = {
    "x": {
        "free": BucketLimits(platform=Bucket(17, DAY), account=Bucket(17, DAY)),
        "basic": BucketLimits(platform=Bucket(1667, DAY), account=Bucket(100, DAY)),
        "pro": BucketLimits(platform=Bucket(10_000, DAY), account=Bucket(100, 15 * 60)),
    },
    "linkedin": {
        "development": BucketLimits(platform=Bucket(1000, DAY), account=Bucket(150, DAY)),
        "standard": BucketLimits(platform=Bucket(100_000, DAY), account=Bucket(150, DAY)),
    },
    "sandbox": {"": BucketLimits(platform=Bucket(60_000, 60), account=Bucket(600, 60))},
}


def _tier(platform: str) -> str:
    if platform == "x":
        return settings.X_API_TIER
    if platform == "linkedin":
        return settings.LINKEDIN_API_TIER
    return ""


def _parse_bucket(name: str, value: str) -> Bucket:
    try:
        capacity, seconds = str(value).split("/")
        bucket = Bucket(int(capacity), float(seconds))
    except ValueError:
        raise ValueError(
            f'PUBLISH_BUCKET_OVERRIDES["{name}"] is "{value}": write it as capacity/seconds, e.g. "100/86400".'
        ) from None
    if bucket.capacity < 1 or bucket.per_seconds <= 0:
        raise ValueError(
            f'PUBLISH_BUCKET_OVERRIDES["{name}"] needs a capacity of at least 1 and seconds above 0.'
        )
    return bucket


def bucket_limits(platform: str) -> BucketLimits:
    """The platform's and one account's bucket: the documented default for the configured tier,
    or PUBLISH_BUCKET_OVERRIDES["<platform>"] / ["<platform>:account"]."""
    tiers = DEFAULT_LIMITS.get(platform)
    if tiers is None:
        raise ValueError(f'No rate limits are known for the platform "{platform}".')
    tier = _tier(platform)
    if tier not in tiers:
        raise ValueError(f'"{tier}" is not a {platform} API tier we know ({", ".join(sorted(tiers))}).')
    limits = tiers[tier]
    overrides = settings.PUBLISH_BUCKET_OVERRIDES
    if overrides:
        name = f"{platform}:account"
        limits = BucketLimits(
            platform=_parse_bucket(platform, overrides[platform])
            if platform in overrides
            else limits.platform,
            account=_parse_bucket(name, overrides[name]) if name in overrides else limits.account,
        )
    return limits


def _epoch(moment: datetime, name: str) -> float:
    if moment.tzinfo is None:
        raise ValueError(f"{name} must be an aware datetime (with a timezone).")
    return moment.timestamp()


# --- Redis -------------------------------------------------------------------------------------

# Shared by the scripts. `now` is the caller's clock, not Redis' TIME: the app's other times
# (a 429's retry time, the dispatcher's "now") come from that clock too, and tests freeze it;
# workers' clocks are NTP-close, and a bucket's time never moves backwards (ts only grows).
# A bucket hash holds t (tokens) and ts (when t was true); an account's also block (no posts
# before), left and reset (the platform's window: at most `left` more posts before `reset`).
# A missing hash is a full bucket.
_LUA_COMMON = """
local now = tonumber(ARGV[1])

local function refill(tokens, ts, cap, per)
  if tokens == nil or ts == nil then return cap, now end
  if now > ts then
    tokens = tokens + (now - ts) * cap / per
    ts = now
  end
  return math.min(tokens, cap), ts
end

local function until_one(tokens, cap, per)
  if tokens >= 1 then return 0 end
  return (1 - tokens) * per / cap
end

-- Idle keys go once they would be full again (or once a block or window is over).
local function expire(key, tokens, cap, per, later)
  local seconds = (cap - tokens) * per / cap
  if later and later - now > seconds then seconds = later - now end
  redis.call('PEXPIRE', key, math.ceil(seconds * 1000) + 1000)
end
"""

# KEYS: platform bucket, account bucket, account's learned capacity.
# ARGV: now, platform capacity, seconds, account capacity, seconds.
# Returns '0' when a token was taken from both, else the seconds until both have one.
_TAKE = (
    _LUA_COMMON
    + """
local p_cap, p_per = tonumber(ARGV[2]), tonumber(ARGV[3])
local a_cap = tonumber(redis.call('GET', KEYS[3])) or tonumber(ARGV[4])
local a_per = tonumber(ARGV[5])

local p = redis.call('HMGET', KEYS[1], 't', 'ts')
local p_tokens, p_ts = refill(tonumber(p[1]), tonumber(p[2]), p_cap, p_per)
local a = redis.call('HMGET', KEYS[2], 't', 'ts', 'block', 'left', 'reset')
local a_tokens, a_ts = refill(tonumber(a[1]), tonumber(a[2]), a_cap, a_per)
local block, left, reset = tonumber(a[3]), tonumber(a[4]), tonumber(a[5])
if reset and now >= reset then
  a_tokens, left, reset = a_cap, nil, nil  -- the platform's window is over: the whole limit is back
end

local wait_p = until_one(p_tokens, p_cap, p_per)
local wait_a = until_one(a_tokens, a_cap, a_per)
if reset then
  if left < 1 then wait_a = reset - now else wait_a = math.min(wait_a, reset - now) end
end
if block and now < block then wait_a = math.max(wait_a, block - now) end
local wait = math.max(wait_p, wait_a)
if wait > 0 then return tostring(wait) end

p_tokens, a_tokens = p_tokens - 1, a_tokens - 1
redis.call('HSET', KEYS[1], 't', p_tokens, 'ts', p_ts)
expire(KEYS[1], p_tokens, p_cap, p_per, nil)
redis.call('HSET', KEYS[2], 't', a_tokens, 'ts', a_ts)
if reset then
  redis.call('HSET', KEYS[2], 'left', left - 1)
else
  redis.call('HDEL', KEYS[2], 'left', 'reset')
end
local later = reset
if block and (later == nil or block > later) then later = block end
expire(KEYS[2], a_tokens, a_cap, a_per, later)
return '0'
"""
)

# KEYS: account bucket, account's learned capacity.
# ARGV: now, default capacity, seconds, limit, remaining, reset (each '' when unknown), limit TTL.
_OBSERVE = (
    _LUA_COMMON
    + """
local default_cap, per = tonumber(ARGV[2]), tonumber(ARGV[3])
local limit, remaining, reset_at = tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
local cap = tonumber(redis.call('GET', KEYS[2])) or default_cap
if limit then
  if limit ~= default_cap then
    redis.call('SET', KEYS[2], limit, 'EX', tonumber(ARGV[7]))
  else
    redis.call('DEL', KEYS[2])
  end
  cap = limit
end

local a = redis.call('HMGET', KEYS[1], 't', 'ts', 'block', 'left', 'reset')
local tokens, ts = refill(tonumber(a[1]), tonumber(a[2]), cap, per)
local block, left, reset = tonumber(a[3]), tonumber(a[4]), tonumber(a[5])
if reset and now >= reset then tokens, left, reset = cap, nil, nil end
if remaining and reset_at and reset_at > now then
  tokens, left, reset = math.min(remaining, cap), remaining, reset_at
elseif remaining and not reset_at then
  tokens = math.min(remaining, cap)
end

redis.call('HSET', KEYS[1], 't', tokens, 'ts', ts)
if reset then
  redis.call('HSET', KEYS[1], 'left', left, 'reset', reset)
else
  redis.call('HDEL', KEYS[1], 'left', 'reset')
end
local later = reset
if block and (later == nil or block > later) then later = block end
expire(KEYS[1], tokens, cap, per, later)
return '0'
"""
)

# KEYS: account bucket. ARGV: now, until.
_BACKOFF = """
local now = tonumber(ARGV[1])
local block = math.max(tonumber(redis.call('HGET', KEYS[1], 'block')) or 0, tonumber(ARGV[2]))
redis.call('HSET', KEYS[1], 'block', block)
local ms = math.ceil((block - now) * 1000) + 1000
if redis.call('PTTL', KEYS[1]) < ms then redis.call('PEXPIRE', KEYS[1], ms) end
return '0'
"""


def _arg(value: float | None) -> str | float:
    return "" if value is None else value


class RedisBuckets:
    """The buckets in Redis, shared by every process; each call is one EVALSHA."""

    def __init__(self, client: Any, *, prefix: str = "") -> None:
        self.client = client
        self.prefix = f"{prefix}:publish:bucket" if prefix else "publish:bucket"
        self._take = client.register_script(_TAKE)
        self._observe = client.register_script(_OBSERVE)
        self._backoff = client.register_script(_BACKOFF)

    def _keys(self, platform: str, account_key: str) -> tuple[str, str, str]:
        account = f"{self.prefix}:{platform}:account:{account_key}"
        return f"{self.prefix}:{platform}", account, f"{account}:limit"

    def take(self, *, platform: str, account_key: str, limits: BucketLimits, now: float | None) -> float:
        keys = self._keys(platform, account_key)
        args = [
            time.time() if now is None else now,
            limits.platform.capacity,
            limits.platform.per_seconds,
            limits.account.capacity,
            limits.account.per_seconds,
        ]
        return max(0.0, float(self._take(keys=keys, args=args)))

    def observe(
        self,
        *,
        platform: str,
        account_key: str,
        limits: BucketLimits,
        limit: int | None,
        remaining: int | None,
        reset_at: float | None,
        now: float | None,
    ) -> None:
        _, account, learned = self._keys(platform, account_key)
        args = [
            time.time() if now is None else now,
            limits.account.capacity,
            limits.account.per_seconds,
            _arg(limit),
            _arg(remaining),
            _arg(reset_at),
            LEARNED_LIMIT_TTL,
        ]
        self._observe(keys=[account, learned], args=args)

    def backoff(self, *, platform: str, account_key: str, until: float, now: float | None) -> None:
        _, account, _ = self._keys(platform, account_key)
        self._backoff(keys=[account], args=[time.time() if now is None else now, until])


# --- In process -------------------------------------------------------------------------------


@dataclass
class _State:
    tokens: float
    ts: float
    block: float | None = None
    left: float | None = None
    reset: float | None = None
    expires: float = 0.0


class LocalBuckets:
    """The same rules as the Lua scripts, in this process only, under one lock."""

    SWEEP_EVERY = 1024  # operations between drops of expired buckets

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._states: dict[str, _State] = {}
        self._learned: dict[str, tuple[int, float]] = {}  # account key → (limit, kept until)
        self._operations = 0

    def _sweep(self, now: float) -> None:
        self._operations += 1
        if self._operations % self.SWEEP_EVERY:
            return
        self._states = {k: s for k, s in self._states.items() if s.expires > now}
        self._learned = {k: v for k, v in self._learned.items() if v[1] > now}

    def _capacity(self, key: str, default: int, now: float) -> int:
        learned = self._learned.get(key)
        return learned[0] if learned and learned[1] > now else default

    def _refilled(self, key: str, cap: float, per: float, now: float) -> _State:
        state = self._states.get(key)
        if state is None or state.expires <= now:
            return _State(tokens=cap, ts=now)
        if now > state.ts:
            state.tokens += (now - state.ts) * cap / per
            state.ts = now
        state.tokens = min(state.tokens, cap)
        return state

    def _store(self, key: str, state: _State, cap: float, per: float, now: float) -> None:
        seconds = (cap - state.tokens) * per / cap
        later = max((t for t in (state.block, state.reset) if t is not None), default=None)
        if later is not None:
            seconds = max(seconds, later - now)
        state.expires = now + seconds + 1
        self._states[key] = state

    @staticmethod
    def _until_one(tokens: float, cap: float, per: float) -> float:
        return 0.0 if tokens >= 1 else (1 - tokens) * per / cap

    def take(self, *, platform: str, account_key: str, limits: BucketLimits, now: float | None) -> float:
        now = time.time() if now is None else now
        p_key, a_key = platform, f"{platform}:account:{account_key}"
        p_cap, p_per = limits.platform.capacity, limits.platform.per_seconds
        a_per = limits.account.per_seconds
        with self._lock:
            self._sweep(now)
            a_cap = self._capacity(a_key, limits.account.capacity, now)
            p = self._refilled(p_key, p_cap, p_per, now)
            a = self._refilled(a_key, a_cap, a_per, now)
            if a.reset is not None and now >= a.reset:
                a.tokens, a.left, a.reset = a_cap, None, None
            wait_p = self._until_one(p.tokens, p_cap, p_per)
            wait_a = self._until_one(a.tokens, a_cap, a_per)
            if a.reset is not None:
                wait_a = a.reset - now if a.left < 1 else min(wait_a, a.reset - now)
            if a.block is not None and now < a.block:
                wait_a = max(wait_a, a.block - now)
            wait = max(wait_p, wait_a)
            if wait > 0:
                return wait
            p.tokens -= 1
            a.tokens -= 1
            if a.left is not None:
                a.left -= 1
            self._store(p_key, p, p_cap, p_per, now)
            self._store(a_key, a, a_cap, a_per, now)
            return 0.0

    def observe(
        self,
        *,
        platform: str,
        account_key: str,
        limits: BucketLimits,
        limit: int | None,
        remaining: int | None,
        reset_at: float | None,
        now: float | None,
    ) -> None:
        now = time.time() if now is None else now
        a_key, per = f"{platform}:account:{account_key}", limits.account.per_seconds
        with self._lock:
            self._sweep(now)
            cap = self._capacity(a_key, limits.account.capacity, now)
            if limit is not None:
                if limit != limits.account.capacity:
                    self._learned[a_key] = (limit, now + LEARNED_LIMIT_TTL)
                else:
                    self._learned.pop(a_key, None)
                cap = limit
            state = self._refilled(a_key, cap, per, now)
            if state.reset is not None and now >= state.reset:
                state.tokens, state.left, state.reset = cap, None, None
            if remaining is not None and reset_at is not None and reset_at > now:
                state.tokens, state.left, state.reset = min(remaining, cap), remaining, reset_at
            elif remaining is not None and reset_at is None:
                state.tokens = min(remaining, cap)
            self._store(a_key, state, cap, per, now)

    def backoff(self, *, platform: str, account_key: str, until: float, now: float | None) -> None:
        now = time.time() if now is None else now
        a_key = f"{platform}:account:{account_key}"
        with self._lock:
            state = self._states.get(a_key)
            if state is None or state.expires <= now:
                # An idle account: full, and it only needs to outlive the block.
                state = _State(tokens=math.inf, ts=now)
                self._states[a_key] = state
            state.block = max(state.block or until, until)
            state.expires = max(state.expires, until + 1)


# --- Choosing the backend -------------------------------------------------------------------

_buckets: RedisBuckets | LocalBuckets | None = None
_buckets_lock = threading.Lock()


def redis_buckets_from_settings() -> RedisBuckets:
    """Buckets on the cache's Redis with the cache's KEY_PREFIX (apps.core.redis)."""

    return RedisBuckets(cache_redis_client(timeout=5), prefix=cache_key_prefix())


def buckets() -> RedisBuckets | LocalBuckets:
    """This process's backend, chosen on first use: Redis when settings.USE_REDIS, else in-process."""
    global _buckets
    if _buckets is None:
        with _buckets_lock:
            if _buckets is None:
                _buckets = redis_buckets_from_settings() if settings.USE_REDIS else LocalBuckets()
    return _buckets


# --- The interface ----------------------------------------------------------------------------


def publish_slot_take(*, platform: str, account_key: str, now: float | None = None) -> float:
    """Take one token from the platform's bucket and the account's, both or neither. 0.0 when
    taken, else the seconds to wait until both would have one (a block or an exhausted platform
    window counts). `now` is epoch seconds, time.time() when not given.
    A Redis error is raised as it is: the caller leaves the post for a later try."""
    return buckets().take(
        platform=platform, account_key=str(account_key), limits=bucket_limits(platform), now=now
    )


def publish_limits_observe(
    *,
    platform: str,
    account_key: str,
    limit: int | None,
    remaining: int | None,
    reset_at: datetime | None,
    now: float | None = None,
) -> None:
    """Adopt what the platform said about the account's window (X's x-rate-limit-limit,
    -remaining, -reset): `remaining` more posts at most until `reset_at`, then the whole limit; a
    `limit` other than our default becomes the account's capacity. A reset already past is
    ignored (that window is over)."""
    buckets().observe(
        platform=platform,
        account_key=str(account_key),
        limits=bucket_limits(platform),
        limit=limit,
        remaining=remaining,
        reset_at=None if reset_at is None else _epoch(reset_at, "reset_at"),
        now=now,
    )


def publish_limits_backoff(
    *, platform: str, account_key: str, until: datetime, now: float | None = None
) -> None:
    """Block the account until `until` (a 429 that said nothing else, as LinkedIn's do)."""
    bucket_limits(platform)  # an unknown platform fails here, as for a take
    buckets().backoff(platform=platform, account_key=str(account_key), until=_epoch(until, "until"), now=now)
