"""Publishing token buckets: per platform and per account, on Redis and in process."""

import threading
from datetime import UTC, datetime

import pytest
import time_machine
from django.conf import settings

from apps.publishing import ratelimit
from apps.publishing.ratelimit import (
    Bucket,
    BucketLimits,
    LocalBuckets,
    bucket_limits,
    publish_limits_backoff,
    publish_limits_observe,
    publish_slot_take,
    redis_buckets_from_settings,
)

T0 = 1_800_000_000.0  # an injected "now" (epoch seconds); nothing here sleeps

needs_redis = pytest.mark.skipif(
    not settings.USE_REDIS, reason="needs Redis (REDIS_URL is empty or nothing answers); CI runs it"
)


@pytest.fixture(params=["local", pytest.param("redis", marks=needs_redis)])
def backend(request):
    """Each backend, installed as this process's choice for the public functions."""
    chosen = LocalBuckets() if request.param == "local" else redis_buckets_from_settings()
    previous = ratelimit._buckets
    ratelimit._buckets = chosen
    yield chosen
    ratelimit._buckets = previous


@pytest.fixture
def redis_backend():
    if not settings.USE_REDIS:
        pytest.skip("needs Redis (REDIS_URL is empty or nothing answers); CI runs it")
    return redis_buckets_from_settings()


@pytest.fixture
def limits(settings):
    """Small buckets to count with: the app 100 a minute, an account 3 a minute."""
    settings.PUBLISH_BUCKET_OVERRIDES = {"x": "100/60", "x:account": "3/60"}


def at(seconds: float) -> datetime:
    return datetime.fromtimestamp(T0 + seconds, tz=UTC)


def take(account="acct-1", seconds=0.0):
    return publish_slot_take(platform="x", account_key=account, now=T0 + seconds)


# --- Capacity and refill ------------------------------------------------------------------------


def test_a_full_account_bucket_gives_its_capacity_then_the_wait_for_one_token(backend, limits):
    assert [take(), take(), take()] == [0.0, 0.0, 0.0]
    assert take() == pytest.approx(20.0)  # 3 a minute: one token every 20 s


def test_tokens_refill_continuously_over_injected_time(backend, limits):
    for _ in range(3):
        take()
    assert take(seconds=10) == pytest.approx(10.0)
    assert take(seconds=20) == 0.0
    assert take(seconds=20) == pytest.approx(20.0)


def test_an_idle_bucket_never_holds_more_than_its_capacity(backend, limits):
    take()
    assert [take(seconds=3600) for _ in range(3)] == [0.0, 0.0, 0.0]
    assert take(seconds=3600) == pytest.approx(20.0)


def test_accounts_have_buckets_of_their_own(backend, limits):
    for _ in range(3):
        take("acct-1")
    assert take("acct-2") == 0.0


def test_the_platform_bucket_is_shared_by_every_account(backend, settings):
    settings.PUBLISH_BUCKET_OVERRIDES = {"x": "2/60", "x:account": "10/60"}
    assert [take("a"), take("b")] == [0.0, 0.0]
    assert take("c") == pytest.approx(30.0)


# --- Both buckets or neither ----------------------------------------------------------------------


def test_an_empty_platform_bucket_takes_nothing_from_a_full_account(backend, settings):
    settings.PUBLISH_BUCKET_OVERRIDES = {"x": "2/60", "x:account": "2/3600"}
    take("a"), take("a")  # the platform is empty now
    assert take("b") == pytest.approx(30.0)
    # A minute later the platform is full again; b still has both of its (slow) tokens.
    assert [take("b", seconds=60), take("b", seconds=60)] == [0.0, 0.0]


def test_an_empty_account_bucket_takes_nothing_from_the_platform(backend, settings):
    settings.PUBLISH_BUCKET_OVERRIDES = {"x": "3/3600", "x:account": "1/60"}
    take("a")
    assert take("a") == pytest.approx(60.0)
    assert [take("b"), take("c")] == [0.0, 0.0]  # the platform's last two tokens are still there


def test_the_wait_is_until_both_buckets_have_a_token(backend, settings):
    settings.PUBLISH_BUCKET_OVERRIDES = {"x": "1/60", "x:account": "1/600"}
    take("a")
    assert take("a") == pytest.approx(600.0)


# --- What the platform says -----------------------------------------------------------------------


def test_remaining_zero_makes_the_account_wait_until_the_reset(backend, limits):
    publish_limits_observe(platform="x", account_key="acct-1", limit=3, remaining=0, reset_at=at(600), now=T0)
    assert take(seconds=1) == pytest.approx(599.0)
    assert take(seconds=300) == pytest.approx(300.0)  # our refill does not beat the platform's window
    assert take(seconds=600) == 0.0


def test_the_whole_limit_is_back_at_the_reset(backend, limits):
    publish_limits_observe(platform="x", account_key="acct-1", limit=3, remaining=0, reset_at=at(600), now=T0)
    assert [take(seconds=600) for _ in range(3)] == [0.0, 0.0, 0.0]
    assert take(seconds=600) == pytest.approx(20.0)


def test_remaining_two_allows_two_more_posts_before_the_reset(backend, settings):
    settings.PUBLISH_BUCKET_OVERRIDES = {"x": "100/60", "x:account": "100/86400"}
    publish_limits_observe(
        platform="x", account_key="acct-1", limit=100, remaining=2, reset_at=at(900), now=T0
    )
    assert [take(seconds=1), take(seconds=2)] == [0.0, 0.0]
    assert take(seconds=3) == pytest.approx(897.0)


def test_remaining_caps_the_posts_even_when_our_bucket_would_refill_sooner(backend, limits):
    publish_limits_observe(platform="x", account_key="acct-1", limit=3, remaining=1, reset_at=at(900), now=T0)
    assert take() == 0.0
    assert take(seconds=120) == pytest.approx(780.0)  # the bucket refilled, the window did not


def test_a_limit_other_than_ours_becomes_the_accounts_capacity(backend, settings):
    settings.PUBLISH_BUCKET_OVERRIDES = {"x": "1000/60", "x:account": "100/86400"}
    publish_limits_observe(platform="x", account_key="acct-1", limit=5, remaining=None, reset_at=None, now=T0)
    assert [take() for _ in range(5)] == [0.0] * 5
    assert take() == pytest.approx(86400 / 5)


def test_a_learned_limit_applies_to_that_account_only(backend, settings):
    settings.PUBLISH_BUCKET_OVERRIDES = {"x": "1000/60", "x:account": "100/86400"}
    publish_limits_observe(platform="x", account_key="acct-1", limit=1, remaining=None, reset_at=None, now=T0)
    assert [take("acct-2") for _ in range(5)] == [0.0] * 5


def test_a_larger_limit_lets_the_account_refill_faster(backend, settings):
    settings.PUBLISH_BUCKET_OVERRIDES = {"x": "1000/60", "x:account": "1/60"}
    publish_limits_observe(platform="x", account_key="acct-1", limit=6, remaining=0, reset_at=None, now=T0)
    assert take(seconds=5) == pytest.approx(5.0)  # 6 a minute: one token every 10 s


def test_a_reset_already_past_is_ignored(backend, limits):
    publish_limits_observe(platform="x", account_key="acct-1", limit=3, remaining=0, reset_at=at(-5), now=T0)
    assert take() == 0.0


def test_a_429_without_headers_blocks_the_account_until_then(backend, limits):
    publish_limits_backoff(platform="x", account_key="acct-1", until=at(900), now=T0)
    assert take(seconds=100) == pytest.approx(800.0)
    assert take("acct-2", seconds=100) == 0.0
    assert take(seconds=900) == 0.0


def test_a_shorter_backoff_does_not_shorten_a_longer_one(backend, limits):
    publish_limits_backoff(platform="x", account_key="acct-1", until=at(900), now=T0)
    publish_limits_backoff(platform="x", account_key="acct-1", until=at(60), now=T0)
    assert take(seconds=100) == pytest.approx(800.0)


# --- Concurrency --------------------------------------------------------------------------------


def test_concurrent_takes_never_exceed_the_capacity(backend, settings):
    settings.PUBLISH_BUCKET_OVERRIDES = {"x": "1000/86400", "x:account": "50/86400"}
    taken = []
    start = threading.Barrier(16)

    def worker():
        start.wait()
        taken.extend(1 for _ in range(20) if take() == 0.0)

    threads = [threading.Thread(target=worker) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(taken) == 50


# --- Redis keys ---------------------------------------------------------------------------------


def test_redis_keys_carry_the_cache_key_prefix(redis_backend):
    limits = BucketLimits(platform=Bucket(10, 60), account=Bucket(5, 60))
    redis_backend.take(platform="x", account_key="acct-1", limits=limits, now=T0)
    prefix = settings.CACHES["default"]["KEY_PREFIX"]
    keys = sorted(k.decode() for k in redis_backend.client.scan_iter(f"{prefix}:publish:*"))
    assert keys == [f"{prefix}:publish:bucket:x", f"{prefix}:publish:bucket:x:account:acct-1"]


def test_redis_keys_expire_once_the_bucket_would_be_full_again(redis_backend):
    limits = BucketLimits(platform=Bucket(10, 60), account=Bucket(5, 60))
    redis_backend.take(platform="x", account_key="acct-1", limits=limits, now=T0)
    platform_key, account_key, _ = redis_backend._keys("x", "acct-1")
    assert 6_000 < redis_backend.client.pttl(platform_key) <= 7_000  # 6 s to refill one of 10 a minute
    assert 12_000 < redis_backend.client.pttl(account_key) <= 13_000  # 12 s for one of 5 a minute


def test_a_learned_limit_is_kept_in_redis_for_a_day(redis_backend):
    limits = BucketLimits(platform=Bucket(10, 60), account=Bucket(5, 60))
    redis_backend.observe(
        platform="x", account_key="acct-1", limits=limits, limit=7, remaining=None, reset_at=None, now=T0
    )
    _, _, learned_key = redis_backend._keys("x", "acct-1")
    assert redis_backend.client.get(learned_key) == b"7"
    assert (
        ratelimit.LEARNED_LIMIT_TTL - 5 < redis_backend.client.ttl(learned_key) <= ratelimit.LEARNED_LIMIT_TTL
    )


def test_without_a_time_the_process_clock_is_used_so_frozen_time_applies(backend, settings):
    settings.PUBLISH_BUCKET_OVERRIDES = {"x": "100/60", "x:account": "1/3600"}
    with time_machine.travel(T0, tick=False):
        assert publish_slot_take(platform="x", account_key="acct-1") == 0.0
        assert publish_slot_take(platform="x", account_key="acct-1") == pytest.approx(3600)
    with time_machine.travel(T0 + 3600, tick=False):
        assert publish_slot_take(platform="x", account_key="acct-1") == 0.0


# --- Limits and the backend choice ------------------------------------------------------------------


def test_the_default_limits_follow_the_configured_x_tier(settings):
    settings.PUBLISH_BUCKET_OVERRIDES = {}
    settings.X_API_TIER = "pro"
    assert bucket_limits("x") == BucketLimits(platform=Bucket(10_000, 86400), account=Bucket(100, 900))
    settings.X_API_TIER = "free"
    assert bucket_limits("x").account == Bucket(17, 86400)


def test_linkedin_members_get_150_posts_a_day(settings):
    settings.PUBLISH_BUCKET_OVERRIDES = {}
    settings.LINKEDIN_API_TIER = "standard"
    assert bucket_limits("linkedin").account == Bucket(150, 86400)


def test_overrides_replace_the_documented_defaults(settings):
    settings.PUBLISH_BUCKET_OVERRIDES = {"sandbox:account": "100000/60"}
    assert bucket_limits("sandbox") == BucketLimits(platform=Bucket(60_000, 60), account=Bucket(100_000, 60))


def test_a_malformed_override_says_how_to_write_it(settings):
    settings.PUBLISH_BUCKET_OVERRIDES = {"x": "lots"}
    with pytest.raises(ValueError, match="capacity/seconds"):
        bucket_limits("x")


def test_an_unknown_platform_has_no_limits():
    with pytest.raises(ValueError, match="myspace"):
        bucket_limits("myspace")


def test_without_redis_the_buckets_live_in_process(settings, monkeypatch):
    settings.USE_REDIS = False
    monkeypatch.setattr(ratelimit, "_buckets", None)
    assert isinstance(ratelimit.buckets(), LocalBuckets)


@needs_redis
def test_with_redis_the_buckets_live_in_redis(monkeypatch):
    monkeypatch.setattr(ratelimit, "_buckets", None)
    assert isinstance(ratelimit.buckets(), ratelimit.RedisBuckets)


def test_the_backend_is_chosen_once_per_process(monkeypatch):
    monkeypatch.setattr(ratelimit, "_buckets", None)
    assert ratelimit.buckets() is ratelimit.buckets()


def test_a_naive_reset_time_is_refused(backend, limits):
    with pytest.raises(ValueError, match="aware"):
        publish_limits_backoff(platform="x", account_key="acct-1", until=datetime(2030, 1, 1))
