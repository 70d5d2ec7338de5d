from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from apps.integrations.http import ServiceError
from apps.integrations.sources.mastodon import MastodonSource


def fetch(industries):
    return MastodonSource().fetch(industries=industries)


def by_title(result):
    return {item.title: item for item in result.items}


def test_trending_tags_become_hashtags_counted_by_todays_uses(fake_sources, industries):
    items = by_title(fetch(industries))

    fintech = items["#fintech"]
    assert fintech.source == "mastodon"
    assert fintech.url == "https://mastodon.social/tags/fintech"
    assert fintech.volume == 120  # the newest day's uses, not the sum
    assert fintech.industry == ""
    assert fintech.source_name == "127.0.0.1"  # the instance asked
    assert items["#AI"].volume == 2430


def test_a_tag_without_uses_today_still_counts_once(fake_sources, industries):
    assert by_title(fetch(industries))["#OpenSource"].volume == 1


def test_trending_links_become_items_with_their_provider(fake_sources, industries):
    items = by_title(fetch(industries))

    flaw = items["Critical flaw in popular VPN appliances is being exploited in the wild"]
    assert flaw.url == "https://arstechnica.com/security/2026/11/vpn-appliance-flaw-exploited/"
    assert flaw.source_name == "Ars Technica"
    assert flaw.volume == 842
    assert flaw.published_at == datetime(2026, 11, 20, 7, 20, tzinfo=UTC)
    assert flaw.industry == ""
    verge = items["OpenAI ships a smaller reasoning model built for phones"]
    assert verge.summary == "The model runs on-device & falls back to the cloud for longer tasks."
    assert verge.published_at is None


def test_both_trend_lists_are_asked_for_twenty_entries_without_a_key(fake_sources, industries):
    fetch(industries)

    requests = fake_sources.requests_to("/api/v1/trends/")
    assert [(r.path, r.query) for r in requests] == [
        ("/api/v1/trends/tags", {"limit": "20"}),
        ("/api/v1/trends/links", {"limit": "20"}),
    ]
    assert all(r.header("Authorization") is None for r in requests)


def test_rate_limit_headers_are_read(fake_sources, industries):
    result = fetch(industries)

    assert result.rate_limit_remaining == 298
    assert (
        timezone.now() + timedelta(minutes=4)
        < result.rate_limit_reset
        <= timezone.now() + timedelta(minutes=5)
    )


def test_failing_links_leave_the_tags_and_an_error(fake_sources, industries):
    fake_sources.fail("/api/v1/trends/links", 503)

    result = fetch(industries)

    assert {item.title for item in result.items} >= {"#fintech", "#edtech"}
    assert result.errors == ["Mastodon trending links failed (503): Service Unavailable"]


def test_rate_limited_everywhere_fails_with_retry_after_and_mastodons_message(fake_sources, industries):
    fake_sources.fail("/api/v1/trends/", 429, headers={"retry-after": "30"})

    with pytest.raises(ServiceError, match="Too many requests") as caught:
        fetch(industries)
    assert caught.value.status == 429
    assert caught.value.retry_after == 30
    assert caught.value.is_transient


@pytest.mark.parametrize(
    "body",
    [
        None,
        {"error": "This action is not allowed"},
        [{"name": "fintech", "title": "Fintech", "url": "https://e.example/fintech", "history": "today"}],
        [{"name": "ai", "title": "AI", "url": "https://e.example/ai", "history": [{"uses": "lots"}]}],
    ],
    ids=["html", "object-not-list", "history-not-a-list", "uses-not-a-number"],
)
def test_a_malformed_answer_is_an_error(fake_sources, industries, body):
    fake_sources.malformed("/api/v1/trends/", body)

    with pytest.raises(ServiceError, match="malformed response"):
        fetch(industries)


def test_a_tag_without_a_name_makes_the_tags_answer_malformed(fake_sources, industries):
    fake_sources.malformed("/api/v1/trends/tags", [{"url": "https://mastodon.social/tags/x", "history": []}])

    result = fetch(industries)

    assert result.items
    assert result.errors == ["Mastodon trending tags returned a malformed response (KeyError: 'name')"]


def test_a_timeout_is_a_network_error(fake_sources, industries, settings):
    settings.TREND_SOURCE_TIMEOUT = 0.5
    fake_sources.delay("/api/v1/trends/tags", 1.5)
    fake_sources.fail("/api/v1/trends/links", 500)

    with pytest.raises(ServiceError, match="Mastodon trending tags timed out") as caught:
        fetch(industries)
    assert caught.value.status is None
