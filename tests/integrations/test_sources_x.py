from datetime import timedelta

import pytest
from django.utils import timezone

from apps.integrations.http import ServiceError
from apps.integrations.sources.base import SourceNotConfigured
from apps.integrations.sources.x import XTrendsSource


def fetch(industries):
    return XTrendsSource().fetch(industries=industries)


def test_trends_become_items_with_search_links_and_tweet_counts(fake_sources, industries):
    items = {item.title: item for item in fetch(industries).items}

    assert list(items)[:3] == ["#Fintech", "Open Banking", "#AI"]
    fintech = items["#Fintech"]
    assert fintech.source == "x"
    assert fintech.url == "https://x.com/search?q=%23Fintech"
    assert fintech.volume == 48210
    assert fintech.source_name == "X"
    assert fintech.industry == ""
    assert items["Open Banking"].url == "https://x.com/search?q=Open%20Banking"


def test_a_trend_without_a_tweet_count_counts_once(fake_sources, industries):
    items = {item.title: item for item in fetch(industries).items}

    assert items["Cybersecurity Awareness Month"].volume == 1


def test_trends_with_blank_names_are_skipped_and_names_are_trimmed(fake_sources, industries):
    fake_sources.data.x_trends = [{"trend_name": "   "}, {"trend_name": "  #Payments \n", "tweet_count": 7}]

    assert [item.title for item in fetch(industries).items] == ["#Payments"]


def test_the_request_carries_the_bearer_token_the_woeid_and_max_trends(fake_sources, industries, settings):
    settings.X_TRENDS_WOEID = 23424977

    fetch(industries)

    (request,) = fake_sources.requests_to("/2/trends/by/woeid/")
    assert request.path == "/2/trends/by/woeid/23424977"
    assert request.header("Authorization") == f"Bearer {settings.X_BEARER_TOKEN}"
    assert request.query["max_trends"] == "50"


def test_rate_limit_headers_are_read(fake_sources, industries):
    result = fetch(industries)

    assert result.rate_limit_remaining == 74
    assert (
        timezone.now() + timedelta(minutes=14)
        < result.rate_limit_reset
        <= timezone.now() + timedelta(minutes=16)
    )


def test_without_a_bearer_token_the_source_is_not_configured(fake_sources, industries, settings):
    settings.X_BEARER_TOKEN = ""

    with pytest.raises(SourceNotConfigured, match="X_BEARER_TOKEN"):
        XTrendsSource().check_configured()
    with pytest.raises(SourceNotConfigured):
        fetch(industries)
    assert fake_sources.requests_to("/2/") == []


def test_a_rejected_token_fails_with_xs_problem_title(fake_sources, industries, settings):
    settings.X_BEARER_TOKEN = "revoked"

    with pytest.raises(ServiceError, match=r"X trends failed \(401\): Unauthorized") as caught:
        fetch(industries)
    assert caught.value.status == 401
    assert not caught.value.is_transient


def test_too_many_requests_carries_retry_after_and_xs_message(fake_sources, industries):
    fake_sources.fail("/2/trends", 429, headers={"retry-after": "30"})

    with pytest.raises(ServiceError, match="Rate limit exceeded") as caught:
        fetch(industries)
    assert caught.value.status == 429
    assert caught.value.retry_after == 30
    assert caught.value.is_transient


def test_a_server_error_is_transient(fake_sources, industries):
    fake_sources.fail("/2/trends", 503)

    with pytest.raises(ServiceError, match="Service Unavailable") as caught:
        fetch(industries)
    assert caught.value.status == 503
    assert caught.value.is_transient


def test_an_errors_only_answer_fails_with_xs_message(fake_sources, industries):
    fake_sources.malformed(
        "/2/trends", {"errors": [{"message": "The woeid is not supported for trends", "type": "about:blank"}]}
    )

    with pytest.raises(ServiceError, match="The woeid is not supported for trends"):
        fetch(industries)


@pytest.mark.parametrize(
    "body",
    [
        None,
        {},
        {"data": "#Fintech"},
        {"data": [{"tweet_count": 3}]},
        {"data": [{"trend_name": "#AI", "tweet_count": "many"}]},
    ],
    ids=["html", "no-data", "data-not-a-list", "trend-without-name", "count-not-a-number"],
)
def test_a_malformed_answer_is_an_error(fake_sources, industries, body):
    fake_sources.malformed("/2/trends", body)

    with pytest.raises(ServiceError, match="malformed response"):
        fetch(industries)


def test_a_timeout_is_a_network_error(fake_sources, industries, settings):
    settings.TREND_SOURCE_TIMEOUT = 0.5
    fake_sources.delay("/2/trends", 1.5)

    with pytest.raises(ServiceError, match="timed out") as caught:
        fetch(industries)
    assert caught.value.status is None
    assert caught.value.is_transient
