"""LinkedInPublisher against the local LinkedIn fake: the real client, LinkedIn's wire format."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from apps.integrations.social.base import (
    MediaItem,
    PublishAccount,
    PublishError,
    PublishErrorKind,
    RateInfo,
    Unsupported,
)
from apps.integrations.social.linkedin import LinkedInPublisher, little_text, plain_text

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8
MEMBER = "782bbtaQ"


@pytest.fixture
def account(fake_linkedin):
    return PublishAccount(access_token=fake_linkedin.issue_token(MEMBER), user_id=MEMBER)


@pytest.fixture
def publisher():
    return LinkedInPublisher()


def publish_error(call, **kwargs) -> PublishError:
    with pytest.raises(PublishError) as caught:
        call(**kwargs)
    return caught.value


def upload(publisher, account, alt_text=""):
    return publisher.upload_media(
        account=account, media=MediaItem(data=PNG, mime="image/png", alt_text=alt_text)
    )


# --- posts -------------------------------------------------------------------------------------------


def test_a_text_post_is_linkedin_s_post_body_for_the_member(fake_linkedin, account, publisher):
    publisher.create_post(account=account, text="Open banking is finally boring.")

    (request,) = fake_linkedin.requests_to("POST", "/rest/posts")
    assert request.json == {
        "author": "urn:li:person:782bbtaQ",
        "commentary": "Open banking is finally boring.",
        "visibility": "PUBLIC",
        "distribution": {
            "feedDistribution": "MAIN_FEED",
            "targetEntities": [],
            "thirdPartyDistributionChannels": [],
        },
        "lifecycleState": "PUBLISHED",
        "isReshareDisabledByAuthor": False,
    }


def test_every_call_carries_the_token_the_version_and_the_rest_li_protocol(
    fake_linkedin, account, publisher, settings
):
    settings.LINKEDIN_API_VERSION = "202511"
    media_id = upload(publisher, account)
    publisher.create_post(account=account, text="Headers.", media_ids=[media_id])
    publisher.find_post(account=account, text="Headers.", since=timezone.now())

    rest_calls = [r for r in fake_linkedin.requests if r.path.startswith("/rest/")]
    assert len(rest_calls) == 3
    for request in rest_calls:
        assert request.header("Authorization") == f"Bearer {account.access_token}"
        assert request.header("LinkedIn-Version") == "202511"
        assert request.header("X-Restli-Protocol-Version") == "2.0.0"


def test_the_post_id_is_the_x_restli_id_header_and_the_url_its_feed_update(fake_linkedin, account, publisher):
    created = publisher.create_post(account=account, text="Where is it?")

    (post,) = fake_linkedin.posts
    assert created.external_id == post.id
    assert created.external_id.startswith("urn:li:share:")
    assert created.url == f"https://www.linkedin.com/feed/update/{post.id}/"
    assert created.rate == RateInfo()


def test_reserved_characters_are_escaped_so_the_whole_text_is_shown(fake_linkedin, account, publisher):
    text = "Q3 (results) are in: 3*2 = 6 | {draft} [v2] <beta> ~ snake_case \\ @team"

    publisher.create_post(account=account, text=text)

    (post,) = fake_linkedin.posts
    assert post.commentary == (
        "Q3 \\(results\\) are in: 3\\*2 = 6 \\| \\{draft\\} \\[v2\\] \\<beta\\> \\~ snake\\_case \\\\ \\@team"
    )
    assert post.text == text


def test_unescaped_reserved_characters_would_cut_the_post_short(fake_linkedin, account):
    post = fake_linkedin.add_post("Q3 (results) are in", member_id=MEMBER)

    assert post.text == "Q3 "


def test_hashtags_stay_hashtags(fake_linkedin, account, publisher):
    publisher.create_post(
        account=account, text="Payments are boring now #fintech #open_banking, C# and #1 are not"
    )

    (post,) = fake_linkedin.posts
    assert post.commentary == (
        "Payments are boring now {hashtag|\\#|fintech} {hashtag|\\#|open\\_banking}, C\\# and \\#1 are not"
    )
    assert post.text == "Payments are boring now #fintech #open_banking, C# and #1 are not"


@pytest.mark.parametrize(
    "text",
    ["plain", "a (b) [c] {d} <e> *f* _g_ ~h~ |i \\j @k", "#tag and #tag_two", "Été #Métiers — 50 %", "C# #1"],
)
def test_plain_text_reads_back_what_little_text_wrote(text):
    assert plain_text(little_text(text)) == text


def test_a_reply_is_not_a_linkedin_thing(fake_linkedin, account, publisher):
    with pytest.raises(ValueError, match="no replies"):
        publisher.create_post(account=account, text="Part 2", reply_to="urn:li:share:1")

    assert fake_linkedin.requests == []


# --- images ------------------------------------------------------------------------------------------


def test_an_image_is_registered_for_the_member_and_its_bytes_put_to_the_upload_url(
    fake_linkedin, account, publisher
):
    urn = upload(publisher, account)

    assert urn.startswith("urn:li:image:")
    assert fake_linkedin.images[urn].data == PNG
    (initialize,) = fake_linkedin.requests_to("POST", "/rest/images")
    assert initialize.query == {"action": "initializeUpload"}
    assert initialize.json == {"initializeUploadRequest": {"owner": "urn:li:person:782bbtaQ"}}
    (put,) = fake_linkedin.requests_to("PUT")
    assert put.header("Authorization") == f"Bearer {account.access_token}"


def test_one_image_is_an_image_post_with_its_alt_text(fake_linkedin, account, publisher):
    urn = upload(publisher, account, alt_text="Bar chart: FX exposure falls 40% in Q3")

    publisher.create_post(account=account, text="One chart.", media_ids=[urn])

    assert fake_linkedin.posts[0].content == {
        "media": {"id": urn, "altText": "Bar chart: FX exposure falls 40% in Q3"}
    }


def test_several_images_are_a_multi_image_post_in_their_order(fake_linkedin, account, publisher):
    urns = [upload(publisher, account, alt_text=f"Slide {n}") for n in (1, 2, 3)]

    publisher.create_post(account=account, text="Three slides.", media_ids=urns)

    assert fake_linkedin.posts[0].content == {
        "multiImage": {
            "images": [{"id": urn, "altText": f"Slide {n}"} for n, urn in enumerate(urns, start=1)]
        }
    }


def test_an_image_whose_alt_text_was_forgotten_goes_out_without_one(fake_linkedin, account, publisher):
    urn = upload(publisher, account, alt_text="Gone with the cache")
    cache.clear()

    publisher.create_post(account=account, text="Still posted.", media_ids=[urn])

    assert fake_linkedin.posts[0].content == {"media": {"id": urn}}


def test_more_than_twenty_images_are_refused_before_anything_is_sent(fake_linkedin, account, publisher):
    urns = [f"urn:li:image:{n}" for n in range(21)]

    error = publish_error(publisher.create_post, account=account, text="Too many.", media_ids=urns)

    assert error.kind == PublishErrorKind.REJECTED
    assert "at most 20 images" in str(error)
    assert fake_linkedin.requests == []


def test_an_image_that_was_never_uploaded_is_rejected_in_linkedin_s_words(fake_linkedin, account, publisher):
    error = publish_error(
        publisher.create_post, account=account, text="Ghost.", media_ids=["urn:li:image:nope"]
    )

    assert error.kind == PublishErrorKind.REJECTED
    assert error.status == 422
    assert "urn:li:image:nope is not an uploaded image" in str(error)


# --- finding a post whose outcome was unknown --------------------------------------------------------------


def test_find_post_finds_the_post_by_its_commentary(fake_linkedin, account, publisher):
    since = timezone.now()
    created = publisher.create_post(account=account, text="Trust (and SOC 2) #security")

    found = publisher.find_post(account=account, text="Trust (and SOC 2) #security", since=since)

    assert found.external_id == created.external_id
    assert found.url == created.url


def test_find_post_asks_for_the_author_s_posts_with_the_urn_url_encoded(fake_linkedin, account, publisher):
    publisher.find_post(account=account, text="Anything", since=timezone.now())

    (request,) = fake_linkedin.requests_to("GET", "/rest/posts")
    assert "author=urn%3Ali%3Aperson%3A782bbtaQ" in request.raw_query
    assert request.query == {
        "author": "urn:li:person:782bbtaQ",
        "q": "author",
        "count": "20",
        "sortBy": "CREATED",
    }


def test_find_post_matches_a_post_whose_hashtag_linkedin_kept_plain(fake_linkedin, account, publisher):
    post = fake_linkedin.add_post("Weekly recap #fintech", member_id=MEMBER)

    found = publisher.find_post(account=account, text="Weekly recap #fintech", since=timezone.now())

    assert found.external_id == post.id


def test_find_post_ignores_the_same_text_posted_before_since(fake_linkedin, account, publisher):
    fake_linkedin.add_post("Weekly recap", member_id=MEMBER, created_at=datetime.now(UTC) - timedelta(days=7))

    assert publisher.find_post(account=account, text="Weekly recap", since=timezone.now()) is None


def test_find_post_returns_none_when_the_post_is_not_there(fake_linkedin, account, publisher):
    publisher.create_post(account=account, text="Something else")

    assert (
        publisher.find_post(account=account, text="Never sent", since=timezone.now() - timedelta(minutes=5))
        is None
    )


def test_find_post_without_permission_to_list_posts_is_rejected(fake_linkedin, account, publisher):
    fake_linkedin.can_read_posts = False

    error = publish_error(publisher.find_post, account=account, text="Anything", since=timezone.now())

    assert error.kind == PublishErrorKind.REJECTED
    assert error.status == 403
    assert "Not enough permissions" in str(error)


# --- what goes wrong ---------------------------------------------------------------------------------


def test_a_spent_daily_limit_is_rate_limited_in_plain_words(fake_linkedin, account, publisher):
    fake_linkedin.rate_limit = (1, 86400)
    publisher.create_post(account=account, text="First.")

    error = publish_error(publisher.create_post, account=account, text="Second.")

    assert error.kind == PublishErrorKind.RATE_LIMITED
    assert error.status == 429
    assert str(error) == "LinkedIn's daily limit for this account or app was reached."
    assert error.retry_after is None  # LinkedIn says neither when nor how much is left
    assert error.rate == RateInfo()
    assert len(fake_linkedin.posts) == 1


def test_a_revoked_token_is_an_auth_error(fake_linkedin, account, publisher):
    fake_linkedin.revoke_token(account.access_token)

    error = publish_error(publisher.create_post, account=account, text="Hello.")

    assert error.kind == PublishErrorKind.AUTH
    assert str(error) == (
        "LinkedIn no longer accepts this account's sign-in (The token used in the request has been revoked "
        "by the user); reconnect the LinkedIn account."
    )


def test_an_expired_token_is_an_auth_error(fake_linkedin, account, publisher):
    fake_linkedin.expire_token(account.access_token)

    error = publish_error(publisher.create_post, account=account, text="Hello.")

    assert error.kind == PublishErrorKind.AUTH
    assert "The token used in the request has expired" in str(error)


def test_the_same_commentary_again_is_a_duplicate_in_linkedin_s_words(fake_linkedin, account, publisher):
    first = publisher.create_post(account=account, text="Trust is a feature.")

    error = publish_error(publisher.create_post, account=account, text="Trust is a feature.")

    assert error.kind == PublishErrorKind.DUPLICATE
    assert error.status == 422
    assert str(error) == f"LinkedIn refused the post: Content is a duplicate of {first.external_id}"


@pytest.mark.parametrize("status", ["500", "503"])
def test_a_server_error_is_an_unknown_outcome(fake_linkedin, account, publisher, status):
    fake_linkedin.fail_next(status)

    error = publish_error(publisher.create_post, account=account, text="Maybe.")

    assert error.kind == PublishErrorKind.UNKNOWN
    assert error.status == int(status)


def test_a_timeout_after_linkedin_created_the_post_is_unknown_and_the_post_exists(
    fake_linkedin, account, publisher, settings
):
    settings.PUBLISH_TIMEOUT = 0.5
    fake_linkedin.fail_next("timeout_after_create")

    error = publish_error(publisher.create_post, account=account, text="Slow answer.")

    assert error.kind == PublishErrorKind.UNKNOWN
    assert [p.text for p in fake_linkedin.posts] == ["Slow answer."]


def test_a_connection_dropped_after_creating_is_unknown_and_the_post_exists(
    fake_linkedin, account, publisher
):
    fake_linkedin.fail_next("reset_after_create", on="POST /rest/posts")

    error = publish_error(publisher.create_post, account=account, text="Lost answer.")

    assert error.kind == PublishErrorKind.UNKNOWN
    assert len(fake_linkedin.posts) == 1


def test_no_server_listening_is_a_network_error(fake_linkedin, account, publisher):
    fake_linkedin.stop()

    error = publish_error(publisher.create_post, account=account, text="Nobody home.")

    assert error.kind == PublishErrorKind.NETWORK
    assert str(error) == "Could not reach LinkedIn (ConnectError); the post was not sent."


def test_a_version_linkedin_no_longer_serves_is_rejected_with_its_reason(
    fake_linkedin, account, publisher, settings
):
    fake_linkedin.active_versions = {"202601"}

    error = publish_error(publisher.create_post, account=account, text="Old version.")

    assert error.kind == PublishErrorKind.REJECTED
    assert error.status == 426
    assert (
        str(error)
        == f"LinkedIn refused the post: Requested version {settings.LINKEDIN_API_VERSION} is not active"
    )


def test_a_missing_version_is_rejected_with_linkedin_s_reason(fake_linkedin, account, publisher, settings):
    settings.LINKEDIN_API_VERSION = ""

    error = publish_error(publisher.create_post, account=account, text="No version.")

    assert error.kind == PublishErrorKind.REJECTED
    assert error.status == 400
    assert "A version must be present" in str(error)


# --- the social interface's metrics and latest posts -------------------------------------------------


def test_with_post_analytics_every_number_is_linkedin_s_own(fake_linkedin, account, publisher):
    post = fake_linkedin.add_post("Hello")
    fake_linkedin.set_metrics(post.id, reactions=30, comments=4, reshares=2, impressions=2000)

    batch = publisher.fetch_metrics(account=account, ids=[post.id], at=timezone.now(), memo={})

    metrics = batch.metrics[post.id]
    assert (metrics.likes, metrics.comments, metrics.shares, metrics.impressions) == (30, 4, 2, 2000)
    assert metrics.unavailable == () and metrics.estimated == ()


def test_without_post_analytics_the_raw_counts_name_what_linkedin_could_not_give(
    fake_linkedin, account, publisher
):
    fake_linkedin.can_read_analytics = False
    posts = [fake_linkedin.add_post(f"Hello {i}") for i in range(2)]
    for p in posts:
        fake_linkedin.set_metrics(p.id, reactions=40, comments=5)
    memo = {}

    answers = [
        publisher.fetch_metrics(account=account, ids=[p.id], at=timezone.now(), memo=memo) for p in posts
    ]

    metrics = answers[0].metrics[posts[0].id]
    assert (metrics.likes, metrics.comments, metrics.shares, metrics.impressions) == (40, 5, 0, 0)
    assert metrics.unavailable == ("shares", "impressions") and metrics.estimated == ()
    # The first 403 is remembered for the run: the analytics endpoint is asked once.
    assert len(fake_linkedin.requests_to("GET", "/rest/memberCreatorPostAnalytics")) == 1


def test_a_post_linkedin_no_longer_has_is_missing(fake_linkedin, account, publisher):
    batch = publisher.fetch_metrics(account=account, ids=["urn:li:share:1"], at=timezone.now(), memo={})

    assert batch.metrics == {} and list(batch.missing) == ["urn:li:share:1"]


def test_latest_posts_are_unsupported_on_linkedin(account, publisher):
    with pytest.raises(Unsupported):
        publisher.latest_posts(account=account)
