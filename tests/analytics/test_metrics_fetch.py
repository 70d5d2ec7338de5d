"""The 4-hourly metrics fetch against the local X and LinkedIn fakes and the sandbox: batching,
429s, deleted posts, estimates, threads, the 30-day window and final rewards."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.analytics.models import MetricsSnapshot
from apps.analytics.services import metrics_blocked_until, metrics_fetch_due
from apps.brands.models import Platform, SocialConnection
from apps.publishing.models import Publication
from tests.analytics import metrics_fixtures
from tests.analytics.metrics_fixtures import published

# The fixtures this module uses (pytest finds them as module attributes).
fake_x, fake_linkedin = metrics_fixtures.fake_x, metrics_fixtures.fake_linkedin
x_account, linkedin_account = metrics_fixtures.x_account, metrics_fixtures.linkedin_account

pytestmark = pytest.mark.django_db


def _x_posts(fake_x, n: int, **metrics) -> list:
    tweets = [fake_x.add_tweet(f"post {i}", user_id="1460000000000000001") for i in range(n)]
    for t in tweets:
        fake_x.set_metrics(t.id, **metrics)
    return tweets


def test_more_than_100_x_posts_are_fetched_in_two_batched_requests(brand, x_account, fake_x):
    now = timezone.now()
    tweets = _x_posts(
        fake_x,
        130,
        like_count=10,
        reply_count=2,
        retweet_count=1,
        quote_count=3,
        bookmark_count=4,
        impression_count=1000,
    )
    pubs = [
        published(brand, x_account, part_ids=[t.id], published_at=now - timedelta(hours=5)) for t in tweets
    ]

    summary = metrics_fetch_due(now=now)

    lookups = fake_x.requests_to("GET", "/2/tweets")
    assert len(lookups) == 2
    assert [len(r.query["ids"].split(",")) for r in lookups] == [100, 30]
    assert "public_metrics" in lookups[0].query["tweet.fields"]
    assert summary.fetched == 130 and summary.requests == 2
    assert MetricsSnapshot.objects.count() == 130
    pub = Publication.objects.get(pk=pubs[0].pk)
    assert (pub.likes, pub.comments, pub.shares, pub.quotes, pub.bookmarks, pub.impressions) == (
        10,
        2,
        1,
        3,
        4,
        1000,
    )
    assert pub.reward == pytest.approx(2.1)
    assert pub.engagement_rate == pytest.approx(20 / 1000)
    assert pub.reward_final is False and pub.metrics_estimated == []
    snap = pub.snapshots.get()
    assert snap.platform == "x" and snap.age_hours == pytest.approx(5) and not snap.final


def test_x_rate_limit_loses_nothing_and_the_posts_are_fetched_on_the_next_run(brand, x_account, fake_x):
    now = timezone.now()
    tweets = _x_posts(fake_x, 130, like_count=5, impression_count=100)
    for t in tweets:
        published(brand, x_account, part_ids=[t.id], published_at=now - timedelta(days=1))
    fake_x.fail_next("429", on="GET /2/tweets")  # the first batch: X says the window is spent

    first = metrics_fetch_due(now=now)

    assert first.rate_limited == 130 and first.fetched == 0
    assert MetricsSnapshot.objects.count() == 0
    assert Publication.objects.filter(reward__isnull=True).count() == 130
    assert "rate limit" in first.problems[0]
    # The reset X gave in its headers blocks this account until then: no request is wasted.
    assert metrics_blocked_until(platform="x", connection_id=x_account.pk) is not None
    assert metrics_fetch_due(now=now).rate_limited == 130
    assert len(fake_x.requests_to("GET", "/2/tweets")) == 1

    second = metrics_fetch_due(now=now + timedelta(hours=4))
    assert second.fetched == 130
    assert Publication.objects.filter(reward=5.0).count() == 130


def test_x_remaining_zero_stops_the_accounts_later_batches(brand, x_account, fake_x):
    now = timezone.now()
    fake_x.rate_limits["GET /2/tweets"] = (1, 900)
    for t in _x_posts(fake_x, 101, like_count=1, impression_count=100):
        published(brand, x_account, part_ids=[t.id], published_at=now - timedelta(days=1))

    summary = metrics_fetch_due(now=now)

    assert (summary.fetched, summary.rate_limited, summary.requests) == (100, 1, 1)
    assert all(r.status == 200 for r in fake_x.requests_to("GET", "/2/tweets"))


def test_a_deleted_x_post_gets_no_snapshot_and_the_others_do(brand, x_account, fake_x):
    now = timezone.now()
    kept, deleted = _x_posts(fake_x, 2, like_count=3, impression_count=300)
    fake_x.delete_tweet(deleted.id)
    a = published(brand, x_account, part_ids=[kept.id], published_at=now - timedelta(hours=8))
    b = published(brand, x_account, part_ids=[deleted.id], published_at=now - timedelta(hours=8))

    summary = metrics_fetch_due(now=now)

    assert (summary.fetched, summary.missing) == (1, 1)
    assert Publication.objects.get(pk=a.pk).reward == pytest.approx(1.0)
    assert Publication.objects.get(pk=b.pk).reward is None


def test_an_x_thread_sums_its_parts(brand, x_account, fake_x):
    now = timezone.now()
    first, second = _x_posts(fake_x, 2)
    fake_x.set_metrics(first.id, like_count=10, reply_count=1, impression_count=500)
    fake_x.set_metrics(second.id, like_count=4, retweet_count=2, impression_count=300)
    pub = published(brand, x_account, part_ids=[first.id, second.id], published_at=now - timedelta(hours=6))

    metrics_fetch_due(now=now)

    pub.refresh_from_db()
    assert (pub.likes, pub.comments, pub.shares, pub.impressions) == (14, 1, 2, 800)
    assert pub.reward == pytest.approx(100 * (14 + 3 + 10) / 800)


def test_only_posts_of_the_last_30_days_are_fetched(brand, x_account, fake_x):
    now = timezone.now()
    recent, old = _x_posts(fake_x, 2, like_count=1, impression_count=10)
    published(brand, x_account, part_ids=[recent.id], published_at=now - timedelta(days=29))
    gone = published(brand, x_account, part_ids=[old.id], published_at=now - timedelta(days=31))

    summary = metrics_fetch_due(now=now)

    assert summary.due == 1
    assert [r.query["ids"] for r in fake_x.requests_to("GET", "/2/tweets")] == [recent.id]
    assert Publication.objects.get(pk=gone.pk).reward is None


def test_reward_becomes_final_after_7_days_and_is_never_changed(brand, x_account, fake_x):
    now = timezone.now()
    (tweet,) = _x_posts(fake_x, 1, like_count=2, impression_count=100)
    pub = published(brand, x_account, part_ids=[tweet.id], published_at=now - timedelta(days=6, hours=20))

    metrics_fetch_due(now=now)
    pub.refresh_from_db()
    assert pub.reward == pytest.approx(2.0) and pub.reward_final is False

    fake_x.set_metrics(tweet.id, like_count=3)
    metrics_fetch_due(now=now + timedelta(hours=4))  # 7 days and 0 hours after publishing
    pub.refresh_from_db()
    assert pub.reward == pytest.approx(3.0) and pub.reward_final is True
    assert pub.snapshots.order_by("fetched_at").last().final

    # Fetched on until 30 days: the numbers and engagement rate grow, the reward stays.
    fake_x.set_metrics(tweet.id, like_count=4)
    summary = metrics_fetch_due(now=now + timedelta(hours=8))
    pub.refresh_from_db()
    assert summary.due == 1 and summary.fetched == 1 and summary.finalized == 0
    assert pub.likes == 4 and pub.engagement_rate == pytest.approx(0.04)
    assert pub.reward == pytest.approx(3.0) and pub.reward_final is True
    last = pub.snapshots.order_by("fetched_at").last()
    assert pub.snapshots.count() == 3 and last.final and last.reward == pytest.approx(4.0)

    # After 30 days it is no longer fetched.
    assert metrics_fetch_due(now=now + timedelta(days=24)).due == 0


def test_a_run_delivered_twice_stores_one_snapshot(brand, x_account, fake_x):
    now = timezone.now()
    (tweet,) = _x_posts(fake_x, 1, like_count=2, impression_count=100)
    published(brand, x_account, part_ids=[tweet.id], published_at=now - timedelta(hours=3))
    metrics_fetch_due(now=now)
    metrics_fetch_due(now=now + timedelta(minutes=1))
    assert MetricsSnapshot.objects.count() == 1


def test_linkedin_with_post_analytics_gives_every_number(brand, linkedin_account, fake_linkedin):
    now = timezone.now()
    post = fake_linkedin.add_post("Hello")
    fake_linkedin.set_metrics(post.id, reactions=30, comments=4, reshares=2, impressions=2000)
    pub = published(brand, linkedin_account, part_ids=[post.id], published_at=now - timedelta(days=2))

    metrics_fetch_due(now=now)

    pub.refresh_from_db()
    assert (pub.likes, pub.comments, pub.shares, pub.impressions) == (30, 4, 2, 2000)
    assert pub.metrics_estimated == []
    assert pub.reward == pytest.approx(100 * (30 + 12 + 10) / 2000)
    queries = {
        r.query.get("queryType") for r in fake_linkedin.requests_to("GET", "/rest/memberCreatorPostAnalytics")
    }
    assert queries == {"IMPRESSION", "REACTION", "COMMENT", "RESHARE"}


def test_linkedin_without_post_analytics_estimates_shares_and_impressions(
    brand, linkedin_account, fake_linkedin
):
    now = timezone.now()
    fake_linkedin.can_read_analytics = False
    posts = [fake_linkedin.add_post(f"Hello {i}") for i in range(2)]
    for p in posts:
        fake_linkedin.set_metrics(p.id, reactions=40, comments=5)
    pubs = [
        published(brand, linkedin_account, part_ids=[p.id], published_at=now - timedelta(days=1))
        for p in posts
    ]

    metrics_fetch_due(now=now)

    pub = Publication.objects.get(pk=pubs[0].pk)
    assert (pub.likes, pub.comments, pub.shares, pub.impressions) == (40, 5, 2, 1610)
    assert pub.metrics_estimated == ["shares", "impressions"]
    assert pub.snapshots.get().estimated == ["shares", "impressions"]
    # After the first 403 the analytics endpoint is not asked again for this account.
    assert len(fake_linkedin.requests_to("GET", "/rest/memberCreatorPostAnalytics")) == 1
    assert len(fake_linkedin.requests_to("GET", "/rest/socialActions")) == 2


def test_linkedin_429_blocks_the_account_until_midnight_and_keeps_the_posts(
    brand, linkedin_account, fake_linkedin
):
    now = timezone.now()
    post = fake_linkedin.add_post("Hello")
    pub = published(brand, linkedin_account, part_ids=[post.id], published_at=now - timedelta(days=1))
    fake_linkedin.fail_next("429", on="GET /rest/memberCreatorPostAnalytics")

    summary = metrics_fetch_due(now=now)

    assert summary.rate_limited == 1
    assert Publication.objects.get(pk=pub.pk).reward is None
    until = metrics_blocked_until(platform="linkedin", connection_id=linkedin_account.pk)
    assert until is not None and (until.hour, until.minute) == (0, 0)


def test_an_account_that_needs_reconnecting_is_skipped_with_its_reason(brand, x_account, fake_x):
    now = timezone.now()
    (tweet,) = _x_posts(fake_x, 1)
    published(brand, x_account, part_ids=[tweet.id], published_at=now - timedelta(hours=3))
    SocialConnection.objects.filter(pk=x_account.pk).update(status="needs_reconnect")

    summary = metrics_fetch_due(now=now)

    assert summary.skipped == 1 and "reconnected" in summary.problems[0]


def test_sandbox_posts_take_the_sandbox_models_numbers(brand):
    from apps.sandbox.selectors import sandbox_post_metrics
    from apps.sandbox.services import sandbox_post_create

    posted = timezone.now() - timedelta(days=2)
    first = sandbox_post_create(
        brand_id=brand.pk, text="A thread", meta={"post_format": "thread"}, now=posted
    )
    second = sandbox_post_create(brand_id=brand.pk, text="part two", reply_to=first.external_id, now=posted)
    sandbox = SocialConnection.objects.get(brand=brand, platform=Platform.SANDBOX)
    pub = published(brand, sandbox, part_ids=[first.external_id, second.external_id], published_at=posted)
    now = timezone.now()

    metrics_fetch_due(now=now)

    pub.refresh_from_db()
    a = sandbox_post_metrics(external_id=first.external_id, at=now)
    b = sandbox_post_metrics(external_id=second.external_id, at=now)
    assert pub.impressions == a.impressions + b.impressions > 0
    assert (pub.likes, pub.comments, pub.shares) == (
        a.likes + b.likes,
        a.replies + b.replies,
        a.reposts + b.reposts,
    )
    assert pub.snapshots.get().platform == "sandbox"
    assert pub.reward is not None and pub.reward_final is False


def test_the_task_runs_the_fetch(brand):
    from apps.analytics.tasks import metrics_fetch

    assert metrics_fetch.apply().get()["due"] == 0


def test_the_fetch_is_scheduled_every_4_hours():
    from apps.core.schedules import PERIODIC_TASKS

    (entry,) = [t for t in PERIODIC_TASKS if t["task"] == "analytics.fetch_metrics"]
    assert entry["crontab"].split()[1] == "*/4"
