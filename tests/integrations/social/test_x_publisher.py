"""XPublisher against the local X fake: the real client, X's wire format."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from apps.integrations.http import ServiceError
from apps.integrations.social.base import MediaItem, PublishAccount, PublishError, PublishErrorKind
from apps.integrations.social.x import XPublisher, x_refresh_token, x_user_latest_posts

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40


@pytest.fixture
def account(fake_x):
    access, _ = fake_x.issue_token(user_id="42", handle="northwind")
    return PublishAccount(access_token=access, user_id="42", handle="northwind")


@pytest.fixture
def publisher():
    return XPublisher()


def publish_error(call, **kwargs) -> PublishError:
    with pytest.raises(PublishError) as caught:
        call(**kwargs)
    return caught.value


# --- posts -------------------------------------------------------------------------------------------


def test_a_post_is_created_and_its_url_names_the_account(fake_x, account, publisher):
    created = publisher.create_post(account=account, text="Open banking is finally boring.")

    (tweet,) = fake_x.tweets
    assert tweet.text == "Open banking is finally boring."
    assert tweet.author_id == "42"
    assert created.external_id == tweet.id
    assert created.url == f"https://x.com/northwind/status/{tweet.id}"


def test_without_a_handle_the_url_is_the_web_status_link(fake_x, account, publisher):
    anonymous = PublishAccount(access_token=account.access_token, user_id="42")

    created = publisher.create_post(account=anonymous, text="No handle known.")

    assert created.url == f"https://x.com/i/web/status/{created.external_id}"


def test_the_request_is_x_s_create_post_body_with_the_bearer_token(fake_x, account, publisher):
    publisher.create_post(account=account, text="Just text.")

    (request,) = fake_x.requests_to("POST", "/2/tweets")
    assert request.json == {"text": "Just text."}
    assert request.header("Authorization") == f"Bearer {account.access_token}"


def test_a_thread_part_is_a_reply_to_the_part_before(fake_x, account, publisher):
    first = publisher.create_post(account=account, text="1/ What changed in 2026")
    second = publisher.create_post(account=account, text="2/ Rails got cheaper", reply_to=first.external_id)

    assert fake_x.tweet(second.external_id).reply_to == first.external_id
    assert fake_x.requests_to("POST", "/2/tweets")[1].json["reply"] == {
        "in_reply_to_tweet_id": first.external_id
    }


def test_rate_limit_headers_are_read_on_success(fake_x, account, publisher):
    fake_x.rate_limits["POST /2/tweets"] = (100, 900)

    created = publisher.create_post(account=account, text="Counting.")

    assert created.rate.limit == 100
    assert created.rate.remaining == 99
    assert (
        timezone.now() + timedelta(minutes=14)
        < created.rate.reset_at
        <= timezone.now() + timedelta(minutes=15)
    )


# --- media -------------------------------------------------------------------------------------------


def test_an_image_is_uploaded_in_chunks_and_finalized(fake_x, account):
    publisher = XPublisher(chunk_bytes=4096)

    media_id = publisher.upload_media(account=account, media=MediaItem(data=PNG, mime="image/png"))

    upload = fake_x.media[media_id]
    assert upload.data == PNG
    assert len(upload.chunks) == 3
    assert upload.finalized and upload.state == "succeeded"
    (initialize,) = fake_x.requests_to("POST", "/2/media/upload/initialize")
    assert initialize.json == {
        "media_type": "image/png",
        "total_bytes": len(PNG),
        "media_category": "tweet_image",
    }


def test_an_image_gets_its_alt_text(fake_x, account, publisher):
    media = MediaItem(data=PNG, mime="image/png", alt_text="Bar chart: FX exposure falls 40% in Q3")

    media_id = publisher.upload_media(account=account, media=media)

    assert fake_x.media[media_id].alt_text == "Bar chart: FX exposure falls 40% in Q3"


def test_a_post_with_images_carries_their_media_ids(fake_x, account, publisher):
    ids = [
        publisher.upload_media(account=account, media=MediaItem(data=PNG, mime="image/png")) for _ in range(2)
    ]

    created = publisher.create_post(account=account, text="Two charts.", media_ids=ids)

    assert fake_x.tweet(created.external_id).media_ids == ids
    assert fake_x.requests_to("POST", "/2/tweets")[0].json["media"] == {"media_ids": ids}


def test_more_than_four_images_are_refused_before_anything_is_sent(fake_x, account, publisher):
    error = publish_error(
        publisher.create_post, account=account, text="Too many.", media_ids=["1", "2", "3", "4", "5"]
    )

    assert error.kind == PublishErrorKind.REJECTED
    assert "at most 4 images" in str(error)
    assert fake_x.requests == []


def test_an_image_still_processing_is_asked_about_after_check_after_secs(fake_x, account):
    fake_x.processing_polls, fake_x.check_after_secs = 2, 3
    waits = []
    publisher = XPublisher(sleep=waits.append)

    media_id = publisher.upload_media(account=account, media=MediaItem(data=PNG, mime="image/png"))

    assert waits == [3, 3, 3]
    assert [r.query for r in fake_x.requests_to("GET", "/2/media/upload")] == [
        {"command": "STATUS", "media_id": media_id}
    ] * 3
    assert fake_x.media[media_id].state == "succeeded"


def test_an_image_processing_longer_than_the_cap_is_an_unknown_outcome(fake_x, account):
    fake_x.processing_polls, fake_x.check_after_secs = 100, 5
    waits = []
    publisher = XPublisher(sleep=waits.append, processing_wait=12)

    error = publish_error(
        publisher.upload_media, account=account, media=MediaItem(data=PNG, mime="image/png")
    )

    assert error.kind == PublishErrorKind.UNKNOWN
    assert "still processing the image after 10 s" in str(error)
    assert sum(waits) == 10


def test_an_image_x_could_not_process_is_rejected_with_x_s_reason(fake_x, account):
    fake_x.processing_fails, fake_x.check_after_secs = True, 0
    publisher = XPublisher(sleep=lambda s: None)

    error = publish_error(
        publisher.upload_media, account=account, media=MediaItem(data=PNG, mime="image/png")
    )

    assert error.kind == PublishErrorKind.REJECTED
    assert str(error) == "X could not process the image: Unsupported image format."


def test_an_image_of_an_unsupported_type_is_rejected(fake_x, account, publisher):
    error = publish_error(
        publisher.upload_media, account=account, media=MediaItem(data=b"%PDF", mime="application/pdf")
    )

    assert error.kind == PublishErrorKind.REJECTED
    assert str(error) == "X refused the image: Unsupported media_type application/pdf."


# --- finding a post whose outcome was unknown --------------------------------------------------------------


def test_find_post_finds_the_post_though_x_rewrote_its_links_and_entities(fake_x, account, publisher):
    since = timezone.now()
    text = "Rates & FX <explained>: https://northwind.io/blog/fx?utm=x and northwind.io/docs"
    created = publisher.create_post(account=account, text=text)
    assert "https://t.co/" in fake_x.tweet(created.external_id).display_text

    found = publisher.find_post(account=account, text=text, since=since)

    assert found.external_id == created.external_id
    assert found.url == created.url


def test_find_post_finds_a_post_with_images_despite_the_media_link_x_adds(fake_x, account, publisher):
    since = timezone.now()
    media_id = publisher.upload_media(account=account, media=MediaItem(data=PNG, mime="image/png"))
    created = publisher.create_post(account=account, text="Chart attached.", media_ids=[media_id])

    found = publisher.find_post(account=account, text="Chart attached.", since=since)

    assert found.external_id == created.external_id


def test_find_post_finds_a_thread_part_which_is_a_reply(fake_x, account, publisher):
    since = timezone.now()
    first = publisher.create_post(account=account, text="1/ Thread")
    second = publisher.create_post(account=account, text="2/ More", reply_to=first.external_id)

    found = publisher.find_post(account=account, text="2/ More", since=since)

    assert found.external_id == second.external_id


def test_find_post_asks_for_the_timeline_since_then_with_replies(fake_x, account, publisher):
    since = datetime(2026, 11, 20, 9, 30, 15, 500000, tzinfo=UTC)

    publisher.find_post(account=account, text="Anything", since=since)

    (request,) = fake_x.requests_to("GET", "/2/users/42/tweets")
    assert request.query == {
        "start_time": "2026-11-20T09:29:15Z",  # a minute early, for clocks that disagree
        "max_results": "100",
        "tweet.fields": "created_at,text",
    }


def test_find_post_ignores_the_same_text_posted_before_since(fake_x, account, publisher):
    fake_x.add_tweet("Weekly recap", user_id="42", created_at=datetime.now(UTC) - timedelta(days=7))

    assert publisher.find_post(account=account, text="Weekly recap", since=timezone.now()) is None


def test_find_post_returns_none_when_the_post_is_not_there(fake_x, account, publisher):
    publisher.create_post(account=account, text="Something else")

    assert (
        publisher.find_post(account=account, text="Never sent", since=timezone.now() - timedelta(minutes=5))
        is None
    )


# --- what goes wrong ---------------------------------------------------------------------------------


def test_a_spent_rate_limit_is_rate_limited_until_the_window_resets(fake_x, account, publisher):
    fake_x.rate_limits["POST /2/tweets"] = (1, 900)
    publisher.create_post(account=account, text="First.")

    error = publish_error(publisher.create_post, account=account, text="Second.")

    assert error.kind == PublishErrorKind.RATE_LIMITED
    assert error.status == 429
    assert error.rate.limit == 1 and error.rate.remaining == 0
    assert 890 < error.retry_after <= 900
    assert (
        str(error)
        == f"X's rate limit for this account was reached; it resets at {error.rate.reset_at:%H:%M} UTC."
    )
    assert len(fake_x.tweets) == 1


def test_an_injected_429_carries_the_rate_headers(fake_x, account, publisher):
    fake_x.fail_next("429")

    error = publish_error(publisher.create_post, account=account, text="Busy.")

    assert error.kind == PublishErrorKind.RATE_LIMITED
    assert error.rate.remaining == 0
    assert error.retry_after > 0
    assert fake_x.tweets == []


def test_an_expired_token_is_an_auth_error(fake_x, account, publisher):
    fake_x.expire_token(account.access_token)

    error = publish_error(publisher.create_post, account=account, text="Hello.")

    assert error.kind == PublishErrorKind.AUTH
    assert error.status == 401
    assert str(error) == "X no longer accepts this account's sign-in (Unauthorized); reconnect the X account."


def test_the_same_text_again_is_a_duplicate_in_x_s_words(fake_x, account, publisher):
    publisher.create_post(account=account, text="Trust is a feature.")

    error = publish_error(publisher.create_post, account=account, text="Trust is a feature.")

    assert error.kind == PublishErrorKind.DUPLICATE
    assert str(error) == "X refused the post: You are not allowed to create a Tweet with duplicate content."
    assert error.rate.remaining is not None


@pytest.mark.parametrize("status", ["500", "503"])
def test_a_server_error_is_an_unknown_outcome(fake_x, account, publisher, status):
    fake_x.fail_next(status)

    error = publish_error(publisher.create_post, account=account, text="Maybe.")

    assert error.kind == PublishErrorKind.UNKNOWN
    assert error.status == int(status)
    assert "may or may not have gone through" in str(error)


def test_a_timeout_after_x_created_the_post_is_unknown_and_the_post_exists(
    fake_x, account, publisher, settings
):
    settings.PUBLISH_TIMEOUT = 0.5
    fake_x.fail_next("timeout_after_create")

    error = publish_error(publisher.create_post, account=account, text="Slow answer.")

    assert error.kind == PublishErrorKind.UNKNOWN
    assert str(error).startswith("X did not answer in time (ReadTimeout)")
    assert [t.text for t in fake_x.tweets] == ["Slow answer."]


def test_the_post_of_a_timed_out_call_is_found_afterwards(fake_x, account, publisher, settings):
    settings.PUBLISH_TIMEOUT = 0.5
    since = timezone.now()
    fake_x.fail_next("timeout_after_create")
    publish_error(publisher.create_post, account=account, text="Slow answer.")

    found = publisher.find_post(account=account, text="Slow answer.", since=since)

    assert found.external_id == fake_x.tweets[0].id


def test_a_connection_dropped_after_creating_is_unknown_and_the_post_exists(fake_x, account, publisher):
    fake_x.fail_next("reset_after_create")

    error = publish_error(publisher.create_post, account=account, text="Lost answer.")

    assert error.kind == PublishErrorKind.UNKNOWN
    assert str(error).startswith("The connection to X broke before it answered")
    assert len(fake_x.tweets) == 1


def test_a_connection_dropped_before_x_read_it_is_still_unknown_to_the_client(fake_x, account, publisher):
    fake_x.fail_next("reset_before")

    error = publish_error(publisher.create_post, account=account, text="Never read.")

    assert error.kind == PublishErrorKind.UNKNOWN
    assert fake_x.tweets == []


def test_no_server_listening_is_a_network_error_and_nothing_was_sent(fake_x, account, publisher):
    fake_x.stop()

    error = publish_error(publisher.create_post, account=account, text="Nobody home.")

    assert error.kind == PublishErrorKind.NETWORK
    assert error.status is None
    assert str(error) == "Could not reach X (ConnectError); the post was not sent."


def test_a_post_over_280_characters_is_rejected_with_x_s_reason(fake_x, account, publisher):
    error = publish_error(publisher.create_post, account=account, text="a" * 281)

    assert error.kind == PublishErrorKind.REJECTED
    assert error.status == 400
    assert str(error).startswith("X refused the post: Your Tweet text is too long.")


def test_links_count_as_23_characters(fake_x, account, publisher):
    text = "a" * 256 + " https://example.com/" + "b" * 60

    publisher.create_post(account=account, text=text)

    assert len(fake_x.tweets) == 1


def test_a_reply_to_a_deleted_post_is_rejected(fake_x, account, publisher):
    first = publisher.create_post(account=account, text="Soon gone.")
    fake_x.delete_tweet(first.external_id)

    error = publish_error(publisher.create_post, account=account, text="Orphan.", reply_to=first.external_id)

    assert error.kind == PublishErrorKind.REJECTED
    assert str(error) == (
        "X refused the post: You attempted to reply to a Tweet that is deleted or not visible to you."
    )


def test_an_unknown_media_id_is_rejected_with_x_s_validation_message(fake_x, account, publisher):
    error = publish_error(publisher.create_post, account=account, text="Ghost image.", media_ids=["123"])

    assert error.kind == PublishErrorKind.REJECTED
    assert str(error) == "X refused the post: Your media IDs are invalid."


# --- the token and timeline helpers against the same fake ------------------------------------------------


def test_a_refresh_token_is_traded_once_for_new_tokens(fake_x):
    _, refresh = fake_x.issue_token(user_id="42", handle="northwind")

    tokens = x_refresh_token(refresh_token=refresh)

    assert tokens.access_token in fake_x.tokens
    assert tokens.refresh_token and tokens.refresh_token != refresh
    with pytest.raises(ServiceError, match="Value passed for the token was invalid"):
        x_refresh_token(refresh_token=refresh)


def test_the_latest_posts_helper_leaves_replies_out(fake_x, account, publisher):
    first = publisher.create_post(account=account, text="Original")
    publisher.create_post(account=account, text="A reply", reply_to=first.external_id)

    assert x_user_latest_posts(access_token=account.access_token, user_id="42") == ["Original"]


def test_a_token_refresh_with_another_app_s_credentials_is_refused(fake_x, settings):
    _, refresh = fake_x.issue_token(user_id="42", handle="northwind")
    settings.X_CLIENT_SECRET = "not-the-secret"

    with pytest.raises(ServiceError, match="Missing valid authorization header"):
        x_refresh_token(refresh_token=refresh)


def test_the_interface_s_latest_posts_are_the_account_s_original_posts(fake_x, account, publisher):
    first = publisher.create_post(account=account, text="Original")
    publisher.create_post(account=account, text="A reply", reply_to=first.external_id)

    assert publisher.latest_posts(account=account) == ["Original"]


def test_the_interface_s_metrics_are_x_s_public_metrics_with_nothing_unavailable(fake_x, account, publisher):
    posted = publisher.create_post(account=account, text="Counted")
    fake_x.set_metrics(posted.external_id, like_count=3, reply_count=2, impression_count=90)

    batch = publisher.fetch_metrics(
        account=account, ids=[posted.external_id, "404"], at=timezone.now(), memo={}
    )

    metrics = batch.metrics[posted.external_id]
    assert (metrics.likes, metrics.comments, metrics.impressions, metrics.unavailable) == (3, 2, 90, ())
    assert list(batch.missing) == ["404"]
    assert publisher.metrics_ids_per_request == 100
