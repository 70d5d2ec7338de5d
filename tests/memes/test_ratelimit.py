"""The generation rate limit: per user and per IP sliding windows, in Redis or in the process, with
the seconds until a slot frees; the client IP behind trusted proxies."""

import pytest
from django.test import RequestFactory

from apps.memes import ratelimit, trending
from apps.memes.ratelimit import Rate, client_ip, generation_take, parse_rate


class Clock:
    def __init__(self, now=1_000_000.0):
        self.now = now

    def __call__(self):
        return self.now


@pytest.fixture(params=["redis", "local"])
def backend(request, monkeypatch, settings):
    """Each behaviour runs on Redis (when there is one) and on the in-process fallback."""
    if request.param == "redis" and trending.redis_client() is None:
        pytest.skip("no Redis here")
    if request.param == "local":
        monkeypatch.setattr(trending, "redis_client", lambda: None)
    clock = Clock()
    monkeypatch.setattr(ratelimit, "clock", clock)
    settings.MEME_GENERATE_PER_USER = "3/minute"
    settings.MEME_GENERATE_PER_IP = "5/minute"
    return clock


@pytest.mark.parametrize(
    ("text", "rate"),
    [
        ("60/minute", Rate(60, 60)),
        ("120/min", Rate(120, 60)),
        ("10/second", Rate(10, 1)),
        ("5/hours", Rate(5, 3600)),
        ("1000/day", Rate(1000, 86400)),
        ("7/90", Rate(7, 90)),
        (" 3 / m ", Rate(3, 60)),
        ("off", None),
        ("0", None),
        ("", None),
    ],
)
def test_rates_are_read_as_count_per_period(text, rate):
    assert parse_rate(text) == rate


@pytest.mark.parametrize("text", ["sixty/minute", "60", "60/fortnight", "60/"])
def test_a_malformed_rate_names_the_setting(text):
    with pytest.raises(ValueError, match="MEME_GENERATE_PER_USER"):
        parse_rate(text, "MEME_GENERATE_PER_USER")


def test_the_user_limit_refuses_the_next_one_and_says_when_a_slot_frees(backend):
    for _ in range(3):
        backend.now += 10
        assert generation_take(user_id=1, ip="10.0.0.1") == 0
    backend.now += 5
    # The first of the three was 25 s ago: its slot frees in 35 s.
    assert generation_take(user_id=1, ip="10.0.0.1") == 35
    backend.now += 34
    assert generation_take(user_id=1, ip="10.0.0.1") == 1
    backend.now += 1
    assert generation_take(user_id=1, ip="10.0.0.1") == 0


def test_a_refused_generation_is_not_counted(backend):
    for _ in range(3):
        assert generation_take(user_id=1, ip="10.0.0.1") == 0
    for _ in range(10):
        assert generation_take(user_id=1, ip="10.0.0.1") > 0
    backend.now += 60
    # Only the three allowed ones were in the window: all three slots are free again.
    for _ in range(3):
        assert generation_take(user_id=1, ip="10.0.0.1") == 0


def test_the_ip_limit_applies_across_users_and_to_anonymous_clients(backend):
    for user_id in (1, 1, 2, 2, None):
        assert generation_take(user_id=user_id, ip="10.0.0.9") == 0
    assert generation_take(user_id=3, ip="10.0.0.9") == 60
    assert generation_take(user_id=None, ip="10.0.0.9") == 60
    assert generation_take(user_id=3, ip="10.0.0.10") == 0


def test_users_and_ips_have_their_own_windows(backend):
    for _ in range(3):
        assert generation_take(user_id=1, ip="10.0.0.1") == 0
    assert generation_take(user_id=1, ip="10.0.0.2") > 0  # the user's window is full
    assert generation_take(user_id=2, ip="10.0.0.1") == 0  # the IP's still has room


def test_an_off_limit_never_refuses(backend, settings):
    settings.MEME_GENERATE_PER_USER = "off"
    settings.MEME_GENERATE_PER_IP = "off"
    assert all(generation_take(user_id=1, ip="10.0.0.1") == 0 for _ in range(50))


def test_retry_after_is_at_least_one_second(backend, settings):
    settings.MEME_GENERATE_PER_USER = "1/second"
    assert generation_take(user_id=1, ip="10.0.0.1") == 0
    backend.now += 0.9
    assert generation_take(user_id=1, ip="10.0.0.1") == 1


def test_a_redis_failure_falls_back_to_the_process(settings):
    def broken(*args):
        raise ConnectionError("redis is gone")

    settings.MEME_GENERATE_PER_USER = "1/minute"
    with pytest.MonkeyPatch.context() as patch:  # undone before the trending fixture cleans Redis
        patch.setattr(trending, "redis_client", lambda: object())
        patch.setattr(ratelimit, "_take_redis", broken)
        assert generation_take(user_id=1, ip="10.0.0.1") == 0
        assert generation_take(user_id=1, ip="10.0.0.1") > 0


# --- Client IP --------------------------------------------------------------------------------------


def request_from(remote, forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_x_forwarded_for_is_ignored_without_trusted_proxies(settings):
    settings.MEME_TRUSTED_PROXIES = 0
    assert client_ip(request_from("203.0.113.7", "198.51.100.1")) == "203.0.113.7"


def test_behind_trusted_proxies_the_ip_their_outermost_one_saw_is_used(settings):
    settings.MEME_TRUSTED_PROXIES = 1
    # The client claims 1.2.3.4; nginx appended the address it saw.
    assert client_ip(request_from("127.0.0.1", "1.2.3.4, 198.51.100.1")) == "198.51.100.1"
    settings.MEME_TRUSTED_PROXIES = 2
    assert client_ip(request_from("127.0.0.1", "1.2.3.4, 198.51.100.1, 10.0.0.2")) == "198.51.100.1"
    assert client_ip(request_from("127.0.0.1", "")) == "127.0.0.1"


def test_ipv6_clients_are_grouped_per_64_and_mapped_ipv4_is_plain_ipv4(settings):
    settings.MEME_TRUSTED_PROXIES = 0
    assert client_ip(request_from("2001:db8:1:2:aaaa::1")) == "2001:db8:1:2::/64"
    assert client_ip(request_from("2001:db8:1:2:bbbb::9")) == "2001:db8:1:2::/64"
    assert client_ip(request_from("::ffff:192.0.2.5")) == "192.0.2.5"
