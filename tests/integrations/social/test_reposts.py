"""Reposts and post lookups through the real X and LinkedIn clients against their local fakes:
X quote posts and plain reposts, LinkedIn reshares, get_post's author, time, mentions, links and
referenced posts, the errors (unknown post, 401, 429 with its reset), and post addresses."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from apps.integrations.social.base import PostNotFound, PublishAccount, PublishError, PublishErrorKind
from apps.integrations.social.linkedin import LinkedInPublisher
from apps.integrations.social.post_urls import post_url_parse
from apps.integrations.social.x import XPublisher

BRAND_X = "1460000000000000001"
MEMBER = "782bbtaQ"


@pytest.fixture
def x_account(fake_x):
    access, _ = fake_x.issue_token(user_id="77", handle="ada")
    return PublishAccount(access_token=access, user_id="77", handle="ada")


@pytest.fixture
def brand_tweet(fake_x):
    fake_x.handles[BRAND_X] = "northwind"
    return fake_x.add_tweet("Our launch is live https://northwind.io/launch", user_id=BRAND_X)


# --- X ------------------------------------------------------------------------------------------------


def test_a_quote_post_carries_the_words_and_the_quoted_id(fake_x, x_account, brand_tweet):
    created = XPublisher().repost(
        account=x_account, external_id=brand_tweet.id, text="Worth a read @northwind"
    )

    (request,) = fake_x.requests_to("POST", "/2/tweets")
    assert request.json == {"text": "Worth a read @northwind", "quote_tweet_id": brand_tweet.id}
    assert fake_x.tweet(created.external_id).quote_of == brand_tweet.id
    assert created.url == f"https://x.com/ada/status/{created.external_id}"


def test_a_plain_repost_is_a_retweet_whose_id_is_read_from_the_timeline(fake_x, x_account, brand_tweet):
    created = XPublisher().repost(account=x_account, external_id=brand_tweet.id, text="")

    (request,) = fake_x.requests_to("POST", "/2/users/77/retweets")
    assert request.json == {"tweet_id": brand_tweet.id}
    (retweet,) = fake_x.tweets_by("77")
    assert retweet.retweet_of == brand_tweet.id
    assert created.external_id == retweet.id


def test_find_repost_finds_a_quote_of_the_post_since_then(fake_x, x_account, brand_tweet):
    quote = fake_x.add_tweet("My take", user_id="77", quote_of=brand_tweet.id)
    fake_x.add_tweet("Unrelated", user_id="77")

    found = XPublisher().find_repost(
        account=x_account, external_id=brand_tweet.id, since=timezone.now() - timedelta(hours=1)
    )

    assert found.external_id == quote.id


def test_find_repost_is_none_when_the_account_has_not_reposted(fake_x, x_account, brand_tweet):
    since = timezone.now() - timedelta(hours=1)
    assert XPublisher().find_repost(account=x_account, external_id=brand_tweet.id, since=since) is None


def test_get_post_gives_author_time_mentions_links_and_the_quoted_post(fake_x, x_account, brand_tweet):
    quote = fake_x.add_tweet(
        "Great launch @northwind https://northwind.io/launch", user_id="77", quote_of=brand_tweet.id
    )

    post = XPublisher().get_post(account=x_account, external_id=quote.id)

    (request,) = fake_x.requests_to("GET", f"/2/tweets/{quote.id}")
    assert set(request.query["tweet.fields"].split(",")) == {
        "author_id",
        "created_at",
        "entities",
        "referenced_tweets",
    }
    assert post.author_id == "77"
    assert post.author_handle == "ada"
    assert abs((post.created_at - quote.created_at).total_seconds()) < 1
    assert post.mentions == ("northwind",)
    assert post.urls == ("https://northwind.io/launch",)
    assert post.referenced_ids == (brand_tweet.id,)


def test_get_post_of_a_post_x_does_not_have_is_not_found(fake_x, x_account):
    with pytest.raises(PostNotFound) as caught:
        XPublisher().get_post(account=x_account, external_id="1234567890")
    assert caught.value.kind == PublishErrorKind.NOT_FOUND
    assert "Could not find tweet" in str(caught.value)


def test_get_post_with_a_revoked_token_is_an_auth_error(fake_x, x_account, brand_tweet):
    fake_x.fail_next("401")
    with pytest.raises(PublishError) as caught:
        XPublisher().get_post(account=x_account, external_id=brand_tweet.id)
    assert caught.value.kind == PublishErrorKind.AUTH


def test_a_rate_limited_repost_says_when_the_window_resets(fake_x, x_account, brand_tweet):
    fake_x.fail_next("429", on="POST /2/tweets")
    with pytest.raises(PublishError) as caught:
        XPublisher().repost(account=x_account, external_id=brand_tweet.id, text="Quote")
    error = caught.value
    assert error.kind == PublishErrorKind.RATE_LIMITED
    assert error.rate.reset_at is not None and error.retry_after is not None
    assert not fake_x.tweets_by("77")


def test_quoting_a_deleted_post_is_refused(fake_x, x_account, brand_tweet):
    fake_x.delete_tweet(brand_tweet.id)
    with pytest.raises(PublishError) as caught:
        XPublisher().repost(account=x_account, external_id=brand_tweet.id, text="Quote")
    assert caught.value.kind == PublishErrorKind.REJECTED


# --- LinkedIn -----------------------------------------------------------------------------------------


@pytest.fixture
def li_account(fake_linkedin):
    return PublishAccount(access_token=fake_linkedin.issue_token(MEMBER), user_id=MEMBER)


@pytest.fixture
def brand_share(fake_linkedin):
    return fake_linkedin.add_post("Our launch", member_id="brandmember")


def test_a_reshare_names_its_parent_and_carries_the_commentary(fake_linkedin, li_account, brand_share):
    created = LinkedInPublisher().repost(
        account=li_account, external_id=brand_share.id, text="Proud to share"
    )

    (request,) = fake_linkedin.requests_to("POST", "/rest/posts")
    assert request.json["reshareContext"] == {"parent": brand_share.id}
    assert request.json["author"] == f"urn:li:person:{MEMBER}"
    assert request.json["commentary"] == "Proud to share"
    assert created.external_id.startswith("urn:li:share:")


def test_a_reshare_of_a_post_linkedin_does_not_have_is_refused(fake_linkedin, li_account):
    with pytest.raises(PublishError) as caught:
        LinkedInPublisher().repost(account=li_account, external_id="urn:li:share:1", text="")
    assert caught.value.kind == PublishErrorKind.REJECTED
    assert caught.value.status == 422


def test_find_repost_finds_the_members_reshare(fake_linkedin, li_account, brand_share):
    reshare = fake_linkedin.add_post("", reshare_of=brand_share.id)

    found = LinkedInPublisher().find_repost(
        account=li_account, external_id=brand_share.id, since=timezone.now() - timedelta(hours=1)
    )

    assert found.external_id == reshare.id


def test_get_post_reads_author_time_mentions_and_the_reshared_post(fake_linkedin, li_account, brand_share):
    reshare = fake_linkedin.add_post(
        "Thanks @[Northwind](urn:li:organization:42) https://northwind.io/launch",
        reshare_of=brand_share.id,
        created_at=datetime(2026, 5, 1, 9, 30, tzinfo=UTC),
    )

    post = LinkedInPublisher().get_post(account=li_account, external_id=reshare.id)

    (request,) = fake_linkedin.requests_to("GET", "/rest/posts/")
    assert "%3A" in request.path  # the URN is URL-encoded, as Rest.li 2.0 requires
    assert post.author_id == MEMBER
    assert post.created_at == datetime(2026, 5, 1, 9, 30, tzinfo=UTC)
    assert {"northwind", "urn:li:organization:42"} <= set(post.mentions)
    assert "https://northwind.io/launch" in post.urls
    assert brand_share.id in post.referenced_ids


def test_get_post_of_a_post_linkedin_does_not_have_is_not_found(fake_linkedin, li_account):
    with pytest.raises(PostNotFound):
        LinkedInPublisher().get_post(account=li_account, external_id="urn:li:share:999")


def test_a_linkedin_429_on_a_reshare_is_rate_limited(fake_linkedin, li_account, brand_share):
    fake_linkedin.fail_next("429")
    with pytest.raises(PublishError) as caught:
        LinkedInPublisher().repost(account=li_account, external_id=brand_share.id, text="")
    assert caught.value.kind == PublishErrorKind.RATE_LIMITED


# --- post addresses -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url,platform,external_id,handle",
    [
        ("https://x.com/Ada/status/1850000000000000123", "x", "1850000000000000123", "ada"),
        ("https://twitter.com/ada/status/185?s=20", "x", "185", "ada"),
        ("https://mobile.twitter.com/ada/status/185/photo/1", "x", "185", "ada"),
        ("https://x.com/i/web/status/185", "x", "185", ""),
        (
            "https://www.linkedin.com/feed/update/urn:li:share:7250000000000000001/",
            "linkedin",
            "urn:li:share:7250000000000000001",
            "",
        ),
        ("https://linkedin.com/feed/update/urn%3Ali%3Aactivity%3A123", "linkedin", "urn:li:activity:123", ""),
        ("http://testserver/sandbox/r/sbx_0123456789abcdef/", "sandbox", "sbx_0123456789abcdef", ""),
        ("http://testserver/brand/3/sandbox/p/sbx_0123456789abcdef/", "sandbox", "sbx_0123456789abcdef", ""),
    ],
)
def test_post_addresses_are_read_as_platform_and_id(url, platform, external_id, handle):
    address = post_url_parse(url, site_url="http://testserver")
    assert (address.platform, address.external_id, address.handle) == (platform, external_id, handle)


@pytest.mark.parametrize(
    "url",
    [
        "https://x.com/ada",
        "https://x.com/ada/status/abc",
        "https://evil.example/ada/status/123",
        "https://www.linkedin.com/in/ada/",
        "ftp://x.com/ada/status/1",
        "not a url",
        "http://othersite/sandbox/r/sbx_0123456789abcdef/",
    ],
)
def test_other_addresses_are_not_posts(url):
    assert post_url_parse(url, site_url="http://testserver") is None
