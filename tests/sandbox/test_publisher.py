"""SandboxPublisher honours the SocialPublisher contract: posts and thread parts get sbx_ ids and
a page, images are stored and attached in order, find_post reconciles by text and time, and a
request it cannot take is REJECTED with the reason."""

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse
from django.utils.module_loading import import_string

from apps.integrations.social.base import (
    MediaItem,
    PublishAccount,
    PublishError,
    PublishErrorKind,
    Unsupported,
)
from apps.sandbox import engagement
from apps.sandbox.models import SandboxMedia, SandboxPost
from apps.sandbox.publisher import SandboxPublisher
from apps.sandbox.selectors import sandbox_post_metrics

from .conftest import POSTED, make_post, png_bytes

pytestmark = pytest.mark.django_db

META = {"post_id": 7, "tone": "bold", "post_format": "thread", "trend_momentum": 0.8, "platform_copy": "x"}


@pytest.fixture
def publisher():
    return SandboxPublisher()


def test_settings_name_this_class_for_the_sandbox_platform():
    assert import_string(settings.SOCIAL_PUBLISHERS["sandbox"]) is SandboxPublisher
    assert SandboxPublisher.platform == "sandbox"


@time_machine.travel(POSTED, tick=False)
def test_create_post_gives_an_sbx_id_and_its_page(publisher, account, brand):
    created = publisher.create_post(account=account, text="Instant payments are here", meta=META)
    assert created.external_id.startswith("sbx_")
    path = reverse("sandbox:post", args=[brand.pk, created.external_id])
    assert created.url == f"{settings.SITE_URL}{path}"
    assert created.rate.limit is None and created.rate.remaining is None
    post = SandboxPost.objects.get(external_id=created.external_id)
    assert post.brand == brand and post.connection.platform == "sandbox"
    assert (post.text, post.tone, post.post_format, post.trend_momentum) == (
        "Instant payments are here",
        "bold",
        "thread",
        0.8,
    )
    assert post.meta["post_id"] == 7 and post.our_post_id == 7
    assert post.posted_at == POSTED and post.audience == engagement.brand_audience(brand.pk)


@time_machine.travel(POSTED, tick=False)
def test_the_hour_and_weekday_are_the_brands_own(publisher, account, brand):
    brand.timezone = "Asia/Tokyo"  # UTC+9: Tuesday 10:00 UTC is Tuesday 19:00 there
    brand.save(update_fields=["timezone"])
    post = SandboxPost.objects.get(external_id=publisher.create_post(account=account, text="Hi").external_id)
    assert (post.local_hour, post.local_weekday) == (19.0, 1)


def test_thread_parts_reply_to_the_previous_part(publisher, account, brand):
    first = publisher.create_post(account=account, text="1/ A thread", meta=META)
    second = publisher.create_post(account=account, text="2/ goes on", reply_to=first.external_id, meta=META)
    third = publisher.create_post(account=account, text="3/ and ends", reply_to=second.external_id)
    posts = {p.external_id: p for p in SandboxPost.objects.all()}
    root = posts[first.external_id]
    assert posts[second.external_id].reply_to == root and posts[second.external_id].thread_root == root
    assert posts[third.external_id].reply_to == posts[second.external_id]
    assert posts[third.external_id].thread_root == root
    assert [p.thread_position for p in (root, posts[second.external_id], posts[third.external_id])] == [
        1,
        2,
        3,
    ]
    # A part sent without meta keeps the thread's tone, format and momentum.
    assert (posts[third.external_id].tone, posts[third.external_id].post_format) == ("bold", "thread")
    assert posts[third.external_id].trend_momentum == 0.8


def test_replying_to_an_unknown_post_is_rejected(publisher, account):
    with pytest.raises(PublishError) as caught:
        publisher.create_post(account=account, text="2/ orphan", reply_to="sbx_doesnotexist")
    assert caught.value.kind == PublishErrorKind.REJECTED
    assert "sbx_doesnotexist" in str(caught.value)
    assert not SandboxPost.objects.exists()


def test_replying_to_another_brands_post_is_rejected(publisher, account, other_brand):
    theirs = make_post(other_brand)
    with pytest.raises(PublishError) as caught:
        publisher.create_post(account=account, text="2/ not ours", reply_to=theirs.external_id)
    assert caught.value.kind == PublishErrorKind.REJECTED


def test_a_post_with_neither_text_nor_image_is_rejected(publisher, account):
    with pytest.raises(PublishError) as caught:
        publisher.create_post(account=account, text="   ")
    assert caught.value.kind == PublishErrorKind.REJECTED


def test_an_account_without_a_brand_is_rejected(publisher):
    with pytest.raises(PublishError) as caught:
        publisher.create_post(account=PublishAccount(access_token="", user_id="x"), text="Hi")
    assert caught.value.kind == PublishErrorKind.REJECTED


def test_images_are_stored_and_attached_in_order(publisher, account, brand):
    ids = [
        publisher.upload_media(
            account=account,
            media=MediaItem(data=png_bytes((30 + i, 20)), mime="image/png", alt_text=f"Slide {i}"),
        )
        for i in range(3)
    ]
    assert all(i.startswith("sbxm_") for i in ids)
    created = publisher.create_post(
        account=account, text="A carousel", media_ids=list(reversed(ids)), meta=META
    )
    post = SandboxPost.objects.get(external_id=created.external_id)
    attached = [a.media for a in post.attachments.select_related("media")]
    assert [m.external_id for m in attached] == list(reversed(ids))
    assert [(m.width, m.alt_text) for m in attached] == [(32, "Slide 2"), (31, "Slide 1"), (30, "Slide 0")]
    assert post.media_count == 3
    media = SandboxMedia.objects.get(external_id=ids[0])
    assert media.mime == "image/png" and media.height == 20
    with media.file.open("rb") as handle:
        assert handle.read() == png_bytes((30, 20))


def test_an_unknown_or_another_brands_image_is_rejected(publisher, account, other_brand):
    theirs = publisher.upload_media(
        account=PublishAccount(access_token="", user_id="o", brand_id=other_brand.pk),
        media=MediaItem(data=png_bytes(), mime="image/png"),
    )
    for media_id in ("sbxm_nope", theirs):
        with pytest.raises(PublishError) as caught:
            publisher.create_post(account=account, text="With a picture", media_ids=[media_id])
        assert caught.value.kind == PublishErrorKind.REJECTED
    assert not SandboxPost.objects.filter(text="With a picture").exists()


@pytest.mark.parametrize(
    ("data", "mime"),
    [(b"not an image", "image/png"), (png_bytes(), "application/pdf"), (b"", "image/png")],
)
def test_a_file_that_is_not_an_image_is_rejected(publisher, account, data, mime):
    with pytest.raises(PublishError) as caught:
        publisher.upload_media(account=account, media=MediaItem(data=data, mime=mime))
    assert caught.value.kind == PublishErrorKind.REJECTED
    assert not SandboxMedia.objects.exists()


def test_find_post_finds_the_exact_text_posted_since(publisher, account, brand, other_brand):
    with time_machine.travel(POSTED, tick=False):
        created = publisher.create_post(account=account, text="Did this go out?")
    make_post(other_brand, "Another brand's words", now=POSTED)
    found = publisher.find_post(account=account, text="Did this go out?", since=POSTED - timedelta(minutes=2))
    assert found is not None and found.external_id == created.external_id and found.url == created.url
    assert (
        publisher.find_post(account=account, text="Did this go out?", since=POSTED + timedelta(seconds=1))
        is None
    )
    assert (
        publisher.find_post(account=account, text="Did this go out", since=POSTED - timedelta(hours=1))
        is None
    )
    assert (
        publisher.find_post(account=account, text="Another brand's words", since=POSTED - timedelta(hours=1))
        is None
    )


def test_calls_take_a_few_queries(publisher, account, brand, django_assert_max_num_queries):
    media_id = publisher.upload_media(account=account, media=MediaItem(data=png_bytes(), mime="image/png"))
    # The account, the image, the post and its attachment, the test's savepoint and release, and
    # the account's first "last used" (a thread's next parts within minutes do not write it).
    with django_assert_max_num_queries(7):
        first = publisher.create_post(account=account, text="1/ fast", media_ids=[media_id], meta=META)
    with django_assert_max_num_queries(3):
        publisher.create_post(account=account, text="2/ fast", reply_to=first.external_id, meta=META)
    with django_assert_max_num_queries(1):
        publisher.find_post(account=account, text="2/ fast", since=POSTED)
    with django_assert_max_num_queries(1):
        publisher.upload_media(account=account, media=MediaItem(data=png_bytes(), mime="image/png"))


def test_sandbox_post_metrics_reads_the_model_for_the_tracker(brand):
    post = make_post(brand)
    at = POSTED + timedelta(hours=30)
    assert sandbox_post_metrics(external_id=post.external_id, at=at) == engagement.sandbox_metrics(post, at)
    assert sandbox_post_metrics(external_id=post.external_id, at=POSTED - timedelta(hours=1)).impressions == 0
    assert sandbox_post_metrics(external_id="sbx_unknown") is None


def test_the_interface_s_metrics_are_the_model_s_numbers(brand, account, publisher):
    post = make_post(brand)
    at = POSTED + timedelta(hours=30)

    batch = publisher.fetch_metrics(account=account, ids=[post.external_id, "sbx_unknown"], at=at, memo={})

    model = engagement.sandbox_metrics(post, at)
    metrics = batch.metrics[post.external_id]
    assert (metrics.likes, metrics.comments, metrics.shares, metrics.impressions) == (
        model.likes,
        model.replies,
        model.reposts,
        model.impressions,
    )
    assert (metrics.quotes, metrics.bookmarks, metrics.unavailable) == (0, 0, ())
    assert list(batch.missing) == ["sbx_unknown"]
    assert publisher.metrics_ids_per_request is None


def test_latest_posts_are_unsupported_in_the_sandbox(account, publisher):
    with pytest.raises(Unsupported):
        publisher.latest_posts(account=account)
