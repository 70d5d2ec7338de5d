from datetime import UTC, datetime

import pytest

from apps.integrations.http import ServiceError
from apps.integrations.sources.base import IndustryQuery, SourceNotConfigured
from apps.integrations.sources.rss import RssSource


def fetch(industries):
    return RssSource().fetch(industries=industries)


def by_title(result):
    return {item.title: item for item in result.items}


def test_rss_items_become_plain_text_items_of_their_industry(fake_sources, industries):
    items = by_title(fetch(industries))

    item = items["Open banking payments pass 30 million a month in the UK"]
    assert item.source == "rss"
    assert (
        item.url == "https://www.finextra.com/newsarticle/45012/open-banking-payments-pass-30-million-a-month"
    )
    assert item.summary == (
        "Open Banking Limited figures show payment initiation growing 60% year on year & variable "
        "recurring payments taking off. Read more"
    )
    assert item.published_at == datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
    assert item.source_name == "Finextra Research: Headlines"
    assert item.industry == "fintech"
    assert item.external_id == "finextra-45012"
    assert item.volume == 1
    klarna = items["Klarna adds savings accounts in Germany"]
    assert klarna.published_at == datetime(2026, 11, 19, 15, 40, tzinfo=UTC)  # +0100 in the feed
    assert klarna.summary == "The buy now, pay later firm now pays 2.6% on instant-access savings."


def test_atom_entries_are_read_too(fake_sources, industries):
    items = by_title(fetch(industries))

    flaw = items["Critical flaw in popular VPN appliances is being exploited in the wild"]
    assert flaw.url == "https://arstechnica.com/security/2026/11/vpn-appliance-flaw-exploited/"
    assert flaw.summary == "Attackers are using the authentication bypass to drop web shells."
    assert flaw.published_at == datetime(2026, 11, 20, 7, 20, tzinfo=UTC)
    assert flaw.source_name == "Ars Technica"
    assert flaw.industry == "tech"
    updated_only = items["A practical guide to running small language models at home"]
    assert updated_only.published_at == datetime(2026, 11, 19, 16, 30, tzinfo=UTC)


def test_items_without_a_title_are_skipped_and_without_a_date_have_none(fake_sources, education, industries):
    items = by_title(fetch(industries))

    assert "" not in items
    assert len([i for i in items.values() if i.source_name == "Finextra Research: Headlines"]) == 2
    assert items["What teachers want from AI tutors"].published_at is None


def test_long_summaries_are_cut_to_about_500_characters(fake_sources, education):
    name, (content_type, text) = "education", fake_sources.data.feeds["education"]
    long = "<p>" + "Teachers want feedback they can act on. " * 40 + "</p>"
    fake_sources.data.feeds[name] = (content_type, text.replace("A survey of 1,200 K-12 teachers.", long))

    item = by_title(fetch(education))["What teachers want from AI tutors"]

    assert 400 < len(item.summary) <= 500
    assert "<" not in item.summary


def test_a_page_that_is_not_a_feed_is_an_error_for_that_feed_only(fake_sources, industries):
    fake_sources.malformed("/feeds/tech.xml")

    result = fetch(industries)

    assert {item.industry for item in result.items} == {"fintech", "education"}
    (error,) = result.errors
    assert fake_sources.feed_url("tech") in error
    assert "not a feed" in error


def test_a_missing_feed_is_an_error_for_that_feed_only(fake_sources):
    gone = fake_sources.feed_url("gone")

    result = fetch([IndustryQuery(slug="tech", name="Tech", feeds=(fake_sources.feed_url("tech"), gone))])

    assert result.items
    assert result.errors == [f"RSS feed {gone} failed (404): 404 Not Found"]


def test_a_moved_feed_is_followed_to_its_new_address(fake_sources):
    fake_sources.fail("/feeds/old.xml", 301, headers={"Location": fake_sources.feed_url("education")})

    result = fetch([IndustryQuery(slug="education", name="Education", feeds=(fake_sources.feed_url("old"),))])

    assert "What teachers want from AI tutors" in by_title(result)


def test_a_feed_listed_by_two_industries_is_fetched_once_for_the_first(fake_sources):
    url = fake_sources.feed_url("tech")
    result = fetch(
        [
            IndustryQuery(slug="tech", name="Tech", feeds=(url,)),
            IndustryQuery(slug="fintech", name="Fintech", feeds=(url,)),
        ]
    )

    assert len(fake_sources.requests_to("/feeds/")) == 1
    assert {item.industry for item in result.items} == {"tech"}


def test_all_feeds_failing_fails_the_source(fake_sources, industries):
    fake_sources.fail("/feeds/", 503, headers={"retry-after": "30"})

    with pytest.raises(ServiceError, match="RSS: all 3 requests failed") as caught:
        fetch(industries)
    assert caught.value.status == 503
    assert caught.value.retry_after == 30


def test_without_feeds_the_source_is_not_configured(fake_sources):
    with pytest.raises(SourceNotConfigured, match="feeds"):
        fetch([IndustryQuery(slug="tech", name="Tech")])


def test_a_timeout_is_a_network_error(fake_sources, education, settings):
    settings.TREND_SOURCE_TIMEOUT = 0.5
    fake_sources.delay("/feeds/", 1.5)

    with pytest.raises(ServiceError, match="timed out") as caught:
        fetch(education)
    assert caught.value.status is None
