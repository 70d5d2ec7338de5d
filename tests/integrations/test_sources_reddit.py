from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from apps.integrations.http import ServiceError
from apps.integrations.sources.base import IndustryQuery
from apps.integrations.sources.reddit import RedditSource
from tests.fakes.sources import REDDIT_CLIENT_ID, REDDIT_CLIENT_SECRET


def fetch(industries):
    return RedditSource().fetch(industries=industries)


@pytest.fixture
def oauth(fake_sources, settings):
    settings.REDDIT_CLIENT_ID = REDDIT_CLIENT_ID
    settings.REDDIT_CLIENT_SECRET = REDDIT_CLIENT_SECRET
    return fake_sources


def test_hot_posts_become_items_of_the_industry_that_lists_the_subreddit(fake_sources, industries):
    result = fetch(industries)
    items = {item.title: item for item in result.items}

    stripe = items["Stripe launches stablecoin accounts for businesses in 101 countries"]
    assert stripe.source == "reddit"
    assert stripe.url == "https://techcrunch.com/2026/11/20/stripe-launches-stablecoin-accounts/"
    assert stripe.volume == 1290 + 301
    assert stripe.source_name == "r/fintech"
    assert stripe.industry == "fintech"
    assert stripe.external_id == "t3_1gq0ab2"
    assert stripe.published_at == datetime.fromtimestamp(1795690000, tz=UTC)
    question = items["Is open banking actually getting adoption in the US?"]
    assert question.url.startswith("https://www.reddit.com/r/fintech/comments/1gq0ac3/")
    assert "banks & fintechs" in question.summary
    assert items["What developer tools actually saved you time this year?"].industry == "tech"
    assert result.errors == []


def test_stickied_and_adult_posts_are_skipped(fake_sources, industries):
    titles = {item.title for item in fetch(industries).items}

    assert "Weekly discussion thread: what are you building?" not in titles
    assert "Hardware teardown gallery (graphic injuries)" not in titles


def test_a_post_without_votes_or_comments_still_counts_once(fake_sources, education):
    items = {item.title: item for item in fetch(education).items}

    assert items["Community colleges lean on short skills training programs"].volume == 1


def test_without_credentials_it_reads_public_listings_with_our_user_agent(fake_sources, industries, settings):
    fetch(industries)

    requests = fake_sources.requests
    assert sorted(r.path for r in requests) == [
        "/r/edtech/hot.json",
        "/r/finance/hot.json",
        "/r/fintech/hot.json",
        "/r/programming/hot.json",
        "/r/technology/hot.json",
    ]
    assert all(r.header("User-Agent") == settings.REDDIT_USER_AGENT for r in requests)
    assert all(r.header("Authorization") is None for r in requests)
    assert requests[0].query == {"limit": str(settings.REDDIT_LISTING_LIMIT), "raw_json": "1"}


def test_with_credentials_it_gets_an_app_token_and_reads_the_oauth_listings(oauth, industries, settings):
    result = fetch(industries)

    (token_request,) = oauth.requests_to("/api/v1/access_token")
    assert token_request.method == "POST"
    assert token_request.body == "grant_type=client_credentials"
    assert token_request.header("Authorization").startswith("Basic ")
    listings = oauth.requests_to("/r/")
    assert {r.path for r in listings} >= {"/r/fintech/hot", "/r/edtech/hot"}
    assert not any(r.path.endswith(".json") for r in listings)
    (token,) = oauth.reddit_tokens
    assert all(r.header("Authorization") == f"Bearer {token}" for r in listings)
    assert all(r.header("User-Agent") == settings.REDDIT_USER_AGENT for r in oauth.requests)
    assert len(result.items) == 7


def test_the_app_token_is_cached_between_fetches(oauth, industries):
    fetch(industries)
    fetch(industries)

    assert len(oauth.requests_to("/api/v1/access_token")) == 1
    assert len(oauth.requests_to("/r/fintech/hot")) == 2


def test_a_revoked_cached_token_is_replaced_once(oauth, education):
    fetch(education)
    oauth.reddit_tokens.clear()

    result = fetch(education)

    assert len(oauth.requests_to("/api/v1/access_token")) == 2
    assert result.errors == []
    assert result.items


def test_wrong_credentials_fail_the_whole_source(oauth, industries, settings):
    settings.REDDIT_CLIENT_SECRET = "wrong"

    with pytest.raises(ServiceError, match=r"Reddit access token failed \(401\): Unauthorized") as caught:
        fetch(industries)
    assert caught.value.status == 401
    assert oauth.requests_to("/r/") == []


def test_a_subreddit_listed_by_two_industries_is_fetched_once(fake_sources):
    industries = [
        IndustryQuery(slug="fintech", name="Fintech", subreddits=("fintech",)),
        IndustryQuery(slug="tech", name="Tech", subreddits=("FinTech", "r/programming")),
    ]

    result = fetch(industries)

    assert len(fake_sources.requests_to("/r/")) == 2
    assert {i.industry for i in result.items if i.source_name == "r/fintech"} == {"fintech"}


def test_rate_limit_headers_are_read(fake_sources, education):
    result = fetch(education)

    assert result.rate_limit_remaining == 99
    assert (
        timezone.now() + timedelta(seconds=530)
        < result.rate_limit_reset
        <= timezone.now() + timedelta(seconds=541)
    )


def test_a_failing_subreddit_leaves_the_others_and_an_error(fake_sources, industries):
    fake_sources.fail("/r/finance/", 503)

    result = fetch(industries)

    assert {item.source_name for item in result.items} == {
        "r/fintech",
        "r/technology",
        "r/programming",
        "r/edtech",
    }
    assert result.errors == ["Reddit r/finance failed (503): Service Unavailable"]


def test_an_unknown_subreddit_is_an_error_for_that_subreddit_only(fake_sources):
    industries = [IndustryQuery(slug="tech", name="Tech", subreddits=("programming", "nosuchsubreddit123"))]

    result = fetch(industries)

    assert result.items
    assert result.errors == ["Reddit r/nosuchsubreddit123 failed (404): Not Found"]


def test_rate_limited_everywhere_fails_with_retry_after(fake_sources, industries):
    fake_sources.fail("/r/", 429, headers={"retry-after": "30"})

    with pytest.raises(ServiceError, match="Too Many Requests") as caught:
        fetch(industries)
    assert caught.value.status == 429
    assert caught.value.retry_after == 30
    assert caught.value.is_transient


@pytest.mark.parametrize(
    "body",
    [
        None,
        {"kind": "t5", "data": {}},
        {"kind": "Listing", "data": {"children": "none"}},
        {"kind": "Listing", "data": {"children": [{"kind": "t3", "data": {"title": "No id"}}]}},
    ],
    ids=["html", "not-a-listing", "children-not-a-list", "post-without-id"],
)
def test_a_malformed_answer_is_an_error(fake_sources, education, body):
    fake_sources.malformed("/r/", body)

    with pytest.raises(ServiceError, match="malformed response"):
        fetch(education)


def test_a_timeout_is_a_network_error(fake_sources, education, settings):
    settings.TREND_SOURCE_TIMEOUT = 0.5
    fake_sources.delay("/r/", 1.5)

    with pytest.raises(ServiceError, match="timed out") as caught:
        fetch(education)
    assert caught.value.status is None
