"""The sandbox pages: the timeline (posts, threads, images, live counters, the Sandbox label, empty
state, pages of 20, a query count that does not grow), a post's page with its numbers over time
and their factors, the model explained; another brand's pages, posts and images are 404."""

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.sandbox import engagement
from tests.factories import InfluencerFactory

from .conftest import POSTED, make_post

pytestmark = pytest.mark.django_db
NOW = POSTED + timedelta(hours=6)


def timeline(client, brand, **params):
    return client.get(reverse("sandbox:timeline", args=[brand.pk]), params)


@time_machine.travel(NOW, tick=False)
def test_the_timeline_shows_posts_with_their_numbers_now(client, member, brand):
    post = make_post(brand, "Cash flow, solved in ten seconds", meta={"tone": "witty", "post_id": 12})
    metrics = engagement.sandbox_metrics(post, NOW)
    page = timeline(client, brand).content.decode()
    assert "Cash flow, solved in ten seconds" in page
    assert f'id="{post.external_id}"' in page
    for value in (metrics.impressions, metrics.likes, metrics.reposts, metrics.replies):
        assert f"</span> {value:,}</li>" in page
    assert reverse("posts:review", args=[12]) in page
    assert reverse("sandbox:post", args=[brand.pk, post.external_id]) in page
    assert 'class="sbx-spark"' in page and "sbx-spark-past" in page and "sbx-spark-future" in page


def test_the_timeline_is_labelled_sandbox_and_links_the_model(client, member, brand):
    page = timeline(client, brand).content.decode()
    assert 'badge badge-warning sbx-label">Sandbox<' in page
    assert "never counted in" in page
    assert reverse("sandbox:model", args=[brand.pk]) in page
    assert f"@{brand.slug}" in page


def test_an_empty_timeline_says_what_to_do(client, member, brand):
    page = timeline(client, brand).content.decode()
    assert "Nothing published to the sandbox yet" in page
    assert "Approve a post and publish it — the sandbox is always connected." in page


@time_machine.travel(NOW, tick=False)
def test_a_thread_is_shown_under_its_first_part(client, member, brand):
    first = make_post(brand, "1/ The first part", meta={"post_format": "thread"})
    second = make_post(brand, "2/ The second part", reply_to=first.external_id, meta={})
    page = timeline(client, brand).content.decode()
    card = page.split(f'<article class="sbx-post sbx-has-thread" id="{first.external_id}"')[1].split(
        "</article>"
    )[0]
    assert "2/ The second part" in card and f'id="{second.external_id}"' in card
    assert page.count("<article") == 1


@time_machine.travel(NOW, tick=False)
def test_images_show_with_their_alt_text_through_the_member_only_view(client, member, brand):
    post = make_post(brand, "With pictures", images=2)
    media = [a.media for a in post.attachments.select_related("media")]
    page = timeline(client, brand).content.decode()
    url = reverse("sandbox:media", args=[brand.pk, media[0].external_id])
    assert f'src="{url}" alt="Image 1"' in page and 'alt="Image 2"' in page
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"


@time_machine.travel(NOW, tick=False)
def test_posted_times_are_in_the_brands_time_zone(client, member, brand):
    brand.timezone = "America/New_York"  # 10:00 UTC on 10 March 2026 is 06:00 there (EDT)
    brand.save(update_fields=["timezone"])
    make_post(brand)
    assert "10 Mar, 06:00" in timeline(client, brand).content.decode()


def test_the_timeline_pages_twenty_posts_at_a_time(client, member, brand):
    for i in range(25):
        make_post(brand, f"Post number {i:02d}", now=POSTED + timedelta(minutes=i))
    first = timeline(client, brand).content.decode()
    second = timeline(client, brand, page=2).content.decode()
    assert first.count("<article") == 20 and second.count("<article") == 5
    assert "Post number 24" in first and "Post number 00" in second
    assert "Older →" in first and "← Newer" in second


def test_the_timeline_query_count_does_not_grow_with_posts(
    client, member, brand, django_assert_max_num_queries
):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert timeline(client, brand).status_code == 200
        return len(queries)

    root = make_post(brand, "1/ thread", images=1)
    make_post(brand, "2/ thread", reply_to=root.external_id, images=1)
    few = count()
    for i in range(30):
        first = make_post(brand, f"{i}/ more", images=2)
        make_post(brand, f"{i}/ reply", reply_to=first.external_id, images=1)
    assert count() == few
    with django_assert_max_num_queries(9):
        timeline(client, brand)


def test_another_brands_timeline_post_and_image_are_404(client, member, brand, other_brand):
    theirs = make_post(other_brand, images=1)
    media_id = theirs.attachments.get().media.external_id
    assert client.get(reverse("sandbox:timeline", args=[other_brand.pk])).status_code == 404
    assert client.get(reverse("sandbox:post", args=[other_brand.pk, theirs.external_id])).status_code == 404
    assert client.get(reverse("sandbox:post", args=[brand.pk, theirs.external_id])).status_code == 404
    assert client.get(reverse("sandbox:model", args=[other_brand.pk])).status_code == 404
    assert client.get(reverse("sandbox:media", args=[other_brand.pk, media_id])).status_code == 404
    assert client.get(reverse("sandbox:media", args=[brand.pk, media_id])).status_code == 404
    assert client.get(reverse("sandbox:timeline", args=[987654])).status_code == 404


def test_signed_out_visitors_log_in_and_influencers_are_turned_away(brand):
    url = reverse("sandbox:timeline", args=[brand.pk])
    response = Client().get(url)
    assert response.status_code == 302 and "login" in response.url
    influencer_client = Client()
    influencer_client.force_login(InfluencerFactory())
    assert influencer_client.get(url).status_code == 403


@time_machine.travel(NOW, tick=False)
def test_the_post_page_shows_numbers_over_time_and_how_they_were_computed(client, member, brand):
    post = make_post(
        brand, "Rising trend, witty take", images=1, meta={"tone": "witty", "trend_momentum": 1, "post_id": 3}
    )
    page = client.get(reverse("sandbox:post", args=[brand.pk, post.external_id])).content.decode()
    assert "Rising trend, witty take" in page and "Sandbox post · simulated" in page
    assert 'badge badge-warning">Sandbox<' in page
    for label in ("1 h", "6 h", "24 h", "2 days", "7 days"):
        assert f'<th scope="row">{label}' in page
    assert page.count('badge-muted">to come</span>') == 4  # 12 h, 24 h, 2 and 7 days are still ahead at 6 h
    for factor in ("Tone", "Witty", "×1.25", "Trend momentum", "+1.00", "×1.50", "Images", "1 image"):
        assert factor in page
    metrics = engagement.sandbox_metrics(post, NOW)
    assert f"<dd>{metrics.impressions:,}</dd>" in page
    assert reverse("posts:review", args=[3]) in page
    assert 'class="sbx-chart"' in page


@time_machine.travel(NOW, tick=False)
def test_a_thread_parts_page_shows_the_whole_thread(client, member, brand):
    first = make_post(brand, "1/ opening", meta={"post_format": "thread"})
    second = make_post(brand, "2/ middle", reply_to=first.external_id, meta={})
    make_post(brand, "3/ end", reply_to=second.external_id, meta={})
    page = client.get(reverse("sandbox:post", args=[brand.pk, second.external_id])).content.decode()
    assert "Part 2 of a thread" in page
    assert page.index("1/ opening") < page.index("2/ middle") < page.index("3/ end")
    assert "Thread part" in page and "×0.60" in page


def test_the_model_page_lists_every_factor_and_the_brands_audience(client, member, brand):
    page = client.get(reverse("sandbox:model", args=[brand.pk])).content.decode()
    assert f"<strong>{engagement.brand_audience(brand.pk):,}</strong> followers" in page
    for name, effect in engagement.TONES.items():
        assert f'<th scope="row">{name.capitalize()}</th><td class="num">×{effect.reach:.2f}</td>' in page
    for name in engagement.FORMATS:
        assert f'<th scope="row">{name.capitalize()}</th>' in page
    assert "Never mixed with real numbers" in page and "Sat</span> <strong>×0.75" in page


def test_the_post_page_query_count_does_not_grow_with_the_thread(
    client, member, brand, django_assert_max_num_queries
):
    previous = first = make_post(brand, "1/ long thread", images=1)
    for i in range(2, 12):
        previous = make_post(brand, f"{i}/ more", reply_to=previous.external_id, images=1)
    with django_assert_max_num_queries(8):
        page = client.get(reverse("sandbox:post", args=[brand.pk, first.external_id])).content.decode()
    assert "11/ more" in page
