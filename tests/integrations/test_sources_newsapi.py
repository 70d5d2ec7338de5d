from datetime import UTC, datetime

import pytest

from apps.integrations.http import ServiceError
from apps.integrations.sources.base import SourceNotConfigured
from apps.integrations.sources.newsapi import NewsApiSource, keyword_query


def fetch(industries):
    return NewsApiSource().fetch(industries=industries)


def test_headlines_and_keyword_articles_become_items_of_their_industry(fake_sources, industries):
    result = fetch(industries)
    items = {item.title: item for item in result.items}

    visa = items["Visa and Mastercard agree to cap swipe fees in revised settlement"]
    assert visa.source == "newsapi"
    assert visa.url == "https://www.reuters.com/business/finance/visa-mastercard-swipe-fees-2026-11-20/"
    assert visa.industry == "fintech"
    assert visa.source_name == "Reuters"
    assert visa.volume == 1
    assert visa.published_at == datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
    assert visa.summary.startswith("The card networks will lower interchange fees")
    assert items["Critical flaw in popular VPN appliances is being exploited in the wild"].industry == "tech"
    assert items["Community colleges lean on short skills training programs"].industry == "education"
    assert items["Open banking payments pass 30 million a month in the UK"].source_name == "Finextra"
    assert result.errors == []


def test_removed_articles_are_skipped(fake_sources, industries):
    items = fetch(industries).items

    assert all(item.title != "[Removed]" and "removed.com" not in item.url for item in items)


def test_an_article_found_twice_in_one_fetch_is_kept_once(fake_sources, industries):
    items = fetch(industries).items

    urls = [item.url for item in items]
    assert len(urls) == len(set(urls))
    (stripe,) = [item for item in items if item.title.startswith("Stripe launches stablecoin accounts")]
    assert stripe.industry == "fintech"  # found first by fintech's "payments", again in tech's headlines


def test_top_headlines_ask_for_the_category_and_everything_for_the_keywords(
    fake_sources, industries, settings
):
    fetch(industries)

    headlines = fake_sources.requests_to("/v2/top-headlines")
    assert [r.query for r in headlines] == [
        {"category": "business", "country": "us", "pageSize": "20"},
        {"category": "technology", "country": "us", "pageSize": "20"},
    ]  # education has no NewsAPI category
    everything = fake_sources.requests_to("/v2/everything")
    assert everything[0].query == {
        "q": 'fintech OR "open banking" OR payments',
        "sortBy": "publishedAt",
        "language": "en",
        "pageSize": "20",
    }
    assert len(everything) == 3
    assert all(r.header("X-Api-Key") == settings.NEWSAPI_KEY for r in headlines + everything)


def test_keywords_are_joined_with_or_and_phrases_are_quoted():
    assert keyword_query(["AI", " open  banking ", "", 'say "hi"']) == 'AI OR "open banking" OR "say hi"'


def test_without_a_key_the_source_is_not_configured(fake_sources, industries, settings):
    settings.NEWSAPI_KEY = ""

    with pytest.raises(SourceNotConfigured, match="NEWSAPI_KEY"):
        fetch(industries)
    assert fake_sources.requests_to("/v2/") == []


def test_an_invalid_key_fails_with_newsapis_message(fake_sources, education, settings):
    settings.NEWSAPI_KEY = "wrong"

    with pytest.raises(ServiceError, match="Your API key is invalid") as caught:
        fetch(education)
    assert caught.value.status == 401
    assert not caught.value.is_transient


def test_rate_limited_everywhere_fails_with_retry_after_and_newsapis_message(fake_sources, industries):
    fake_sources.fail("/v2/", 429, headers={"retry-after": "30"})

    with pytest.raises(ServiceError, match="You have made too many requests recently") as caught:
        fetch(industries)
    assert caught.value.status == 429
    assert caught.value.retry_after == 30
    assert "all 5 requests failed" in str(caught.value)


def test_a_server_error_on_the_only_request_is_transient(fake_sources, education):
    fake_sources.fail("/v2/everything", 500)

    with pytest.raises(ServiceError, match="our fault") as caught:
        fetch(education)
    assert caught.value.status == 500
    assert caught.value.is_transient


def test_failing_headlines_leave_the_keyword_articles_and_an_error_each(fake_sources, industries):
    fake_sources.fail("/v2/top-headlines", 500)

    result = fetch(industries)

    assert {item.industry for item in result.items} == {"fintech", "tech", "education"}
    assert "Open banking payments pass 30 million a month in the UK" in {item.title for item in result.items}
    assert len(result.errors) == 2
    assert result.errors[0].startswith("NewsAPI top headlines for fintech failed (500)")


@pytest.mark.parametrize(
    "body",
    [
        None,
        {"status": "ok", "totalResults": 1},
        {"status": "ok", "articles": {"title": "x"}},
        {"status": "ok", "articles": ["Edtech news"]},
        {
            "status": "ok",
            "articles": [{"title": "Edtech news", "url": "https://e.example/1", "source": "Reuters"}],
        },
    ],
    ids=["html", "no-articles", "articles-not-a-list", "article-not-an-object", "source-not-an-object"],
)
def test_a_malformed_answer_is_an_error(fake_sources, education, body):
    fake_sources.malformed("/v2/everything", body)

    with pytest.raises(ServiceError, match="malformed response"):
        fetch(education)


def test_a_timeout_is_a_network_error(fake_sources, education, settings):
    settings.TREND_SOURCE_TIMEOUT = 0.5
    fake_sources.delay("/v2/", 1.5)

    with pytest.raises(ServiceError, match="timed out") as caught:
        fetch(education)
    assert caught.value.status is None
