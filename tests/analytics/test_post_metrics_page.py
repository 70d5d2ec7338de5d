"""The post page's Metrics card and GET /api/v1/posts/{id}/metrics: numbers over time, estimates
marked, the reward final or provisional, Sandbox labelled, queries that do not grow, 404s."""

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.analytics.models import MetricsSnapshot
from apps.brands.models import Platform, SocialConnection
from apps.posts.models import Post, PostCopy, PostStatus
from apps.publishing.models import Publication
from tests.analytics.metrics_fixtures import connect, published

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(client, brand, brand_user):
    brand.onboarding_completed_at = timezone.now()
    brand.save(update_fields=["onboarding_completed_at"])
    client.force_login(brand_user)
    return client


def _post(brand) -> Post:
    post = Post.objects.create(
        brand=brand, tone="witty", post_format="post", status=PostStatus.PUBLISHED, generation_state="ready"
    )
    PostCopy.objects.create(post=post, platform="x", parts=["Instant payments are here."], source="template")
    PostCopy.objects.create(post=post, platform="linkedin", parts=["Instant payments."], source="template")
    return post


def _snapshots(pub: Publication, n: int, *, estimated=(), final_last=False) -> None:
    start = pub.published_at
    rows = []
    for i in range(n):
        at = start + timedelta(hours=4 * (i + 1))
        rows.append(
            MetricsSnapshot(
                publication=pub,
                brand_id=pub.brand_id,
                platform=pub.platform,
                fetched_at=at,
                age_hours=4.0 * (i + 1),
                likes=10 + i,
                comments=2,
                shares=1,
                quotes=3,
                bookmarks=4,
                impressions=1000 + 100 * i,
                estimated=list(estimated),
                engagement_rate=0.02,
                reward=2.1,
                final=final_last and i == n - 1,
            )
        )
    MetricsSnapshot.objects.bulk_create(rows)
    last = rows[-1]
    Publication.objects.filter(pk=pub.pk).update(
        likes=last.likes,
        comments=2,
        shares=1,
        quotes=3,
        bookmarks=4,
        impressions=last.impressions,
        metrics_estimated=list(estimated),
        metrics_fetched_at=last.fetched_at,
        engagement_rate=0.02,
        reward=2.1,
        reward_final=final_last,
    )


def _accounts(brand, brand_user):
    x = connect(brand, brand_user, platform=Platform.X, uid="1", handle="ledgerly", access="a")
    li = connect(brand, brand_user, platform=Platform.LINKEDIN, uid="m", handle="dana", access="b")
    sandbox = SocialConnection.objects.get(brand=brand, platform=Platform.SANDBOX)
    return x, li, sandbox


def test_the_post_page_shows_metrics_over_time_and_the_reward(member, brand, brand_user):
    x, li, sandbox = _accounts(brand, brand_user)
    post = _post(brand)
    now = timezone.now()
    on_x = published(brand, x, part_ids=["111"], published_at=now - timedelta(days=8), post=post)
    on_li = published(brand, li, part_ids=["urn:li:share:1"], published_at=now - timedelta(days=2), post=post)
    on_sandbox = published(
        brand, sandbox, part_ids=["sbx_1"], published_at=now - timedelta(days=1), post=post
    )
    _snapshots(on_x, 9, final_last=True)
    _snapshots(on_li, 3, estimated=["shares", "impressions"])

    page = member.get(reverse("posts:review", args=[post.pk])).content.decode()

    assert 'id="post-metrics"' in page
    x_card = page.split(f'id="post-metrics-{on_x.pk}"')[1].split("</article>")[0]
    assert "Replies" in x_card and "Quotes" in x_card and "Bookmarks" in x_card and "Impressions" in x_card
    assert ">final<" in x_card and "<polyline" in x_card
    assert "All 9 fetches" in x_card  # the older fetches fold away
    li_card = page.split(f'id="post-metrics-{on_li.pk}"')[1].split("</article>")[0]
    assert "Reactions" in li_card and "est." in li_card and ">provisional<" in li_card
    assert "Quotes" not in li_card
    sandbox_card = page.split(f'id="post-metrics-{on_sandbox.pk}"')[1].split("</article>")[0]
    assert "Sandbox" in sandbox_card and "No numbers yet" in sandbox_card


def test_the_metrics_card_calls_the_reward_a_performance_score_and_explains_it(member, brand, brand_user):
    x, _li, _sandbox = _accounts(brand, brand_user)
    post = _post(brand)
    on_x = published(brand, x, part_ids=["111"], published_at=timezone.now() - timedelta(days=2), post=post)
    _snapshots(on_x, 3)

    page = member.get(reverse("posts:review", args=[post.pk])).content.decode()

    card = page.split('id="post-metrics"')[1].split("</section>")[0]
    assert "Performance score <strong>" in card and "Reward" not in card
    assert "What is the performance score?" in card


def test_a_post_without_numbers_says_they_come_15_minutes_after_publishing(member, brand, brand_user):
    x, _li, _sandbox = _accounts(brand, brand_user)
    post = _post(brand)
    at = timezone.now() - timedelta(minutes=5)
    on_x = published(brand, x, part_ids=["111"], published_at=at, post=post)

    page = member.get(reverse("posts:review", args=[post.pk])).content.decode()

    card = page.split(f'id="post-metrics-{on_x.pk}"')[1].split("</article>")[0]
    assert "the first ones are fetched 15 minutes after publishing" in card
    first = (at + timedelta(minutes=15)).astimezone(ZoneInfo(brand.timezone))
    assert f'datetime="{first.isoformat()}"' in card


def test_a_draft_shows_no_metrics_card(member, brand):
    post = _post(brand)
    Post.objects.filter(pk=post.pk).update(status=PostStatus.DRAFT)
    page = member.get(reverse("posts:review", args=[post.pk])).content.decode()
    assert 'id="post-metrics"' not in page


def test_the_post_pages_queries_do_not_grow_with_snapshots(
    member, brand, brand_user, django_assert_max_num_queries
):
    x, li, _sandbox = _accounts(brand, brand_user)
    post = _post(brand)
    now = timezone.now()
    pubs = [
        published(brand, x, part_ids=["111"], published_at=now - timedelta(days=9), post=post),
        published(brand, li, part_ids=["urn:li:share:1"], published_at=now - timedelta(days=9), post=post),
    ]
    for pub in pubs:
        _snapshots(pub, 1)
    url = reverse("posts:review", args=[post.pk])
    member.get(url)  # warm: session, caches
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        member.get(url)
    for pub in pubs:
        _snapshots(pub, 50)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = member.get(url).content.decode()
    assert "All 51 fetches" in page


def test_the_api_gives_every_snapshot_and_the_reward(member, brand, brand_user):
    x, _li, _ = _accounts(brand, brand_user)
    post = _post(brand)
    now = timezone.now()
    on_x = published(brand, x, part_ids=["111", "112"], published_at=now - timedelta(days=8), post=post)
    _snapshots(on_x, 3, final_last=True)

    body = member.get(f"/api/v1/posts/{post.pk}/metrics").json()

    (pub,) = body["publications"]
    assert pub["id"] == on_x.pk and pub["platform"] == "x" and pub["sandbox"] is False
    assert pub["parts"] == 2 and pub["reward"] == 2.1 and pub["reward_final"] is True
    assert len(pub["snapshots"]) == 3 and pub["snapshots"][-1]["final"] is True
    assert pub["latest"]["impressions"] == 1200


def test_another_brands_post_metrics_are_404(member, other_brand):
    post = _post(other_brand)
    assert member.get(f"/api/v1/posts/{post.pk}/metrics").status_code == 404
    assert member.get(reverse("posts:review", args=[post.pk])).status_code == 404
