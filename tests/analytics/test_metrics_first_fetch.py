"""A new post's first numbers come about 15 minutes after publishing (not at the next 4-hourly run),
then on the 4-hour rhythm. Time is injected: each run is given its `now`."""

from datetime import UTC, datetime, timedelta

import pytest

from apps.analytics.services import metrics_fetch_due
from apps.publishing.models import Publication
from tests.analytics import metrics_fixtures
from tests.analytics.metrics_fixtures import published

fake_x, x_account = metrics_fixtures.fake_x, metrics_fixtures.x_account

pytestmark = pytest.mark.django_db

PUBLISHED_AT = datetime(2026, 3, 4, 9, 0, tzinfo=UTC)


@pytest.fixture
def new_post(brand, x_account, fake_x):
    tweet = fake_x.add_tweet("launch day", user_id="1460000000000000001")
    fake_x.set_metrics(tweet.id, like_count=12, reply_count=2, retweet_count=1, impression_count=900)
    return published(brand, x_account, part_ids=[tweet.id], published_at=PUBLISHED_AT)


def test_a_post_published_14_minutes_ago_is_not_fetched_yet(new_post, fake_x):
    summary = metrics_fetch_due(now=PUBLISHED_AT + timedelta(minutes=14), first_only=True)

    assert summary.due == 0
    assert fake_x.requests_to("GET", "/2/tweets") == []
    assert Publication.objects.get(pk=new_post.pk).metrics_fetched_at is None


def test_a_post_published_15_minutes_ago_gets_its_first_numbers(new_post):
    now = PUBLISHED_AT + timedelta(minutes=15)

    summary = metrics_fetch_due(now=now, first_only=True)

    assert summary.fetched == 1
    pub = Publication.objects.get(pk=new_post.pk)
    assert (pub.likes, pub.impressions, pub.metrics_fetched_at) == (12, 900, now)
    assert pub.snapshots.count() == 1


def test_the_first_fetch_run_leaves_posts_that_already_have_numbers_to_the_4_hourly_run(new_post, fake_x):
    metrics_fetch_due(now=PUBLISHED_AT + timedelta(minutes=16), first_only=True)

    summary = metrics_fetch_due(now=PUBLISHED_AT + timedelta(hours=2), first_only=True)

    assert summary.due == 0
    assert len(fake_x.requests_to("GET", "/2/tweets")) == 1


def test_the_4_hourly_run_still_fetches_a_post_after_its_first_numbers(new_post):
    metrics_fetch_due(now=PUBLISHED_AT + timedelta(minutes=16), first_only=True)

    summary = metrics_fetch_due(now=PUBLISHED_AT + timedelta(hours=4))

    assert summary.fetched == 1
    assert Publication.objects.get(pk=new_post.pk).snapshots.count() == 2


def test_the_first_fetch_runs_every_minute():
    from apps.core.schedules import PERIODIC_TASKS

    (entry,) = [t for t in PERIODIC_TASKS if t["task"] == "analytics.fetch_first_metrics"]
    assert entry["every_seconds"] == 60


def test_the_first_fetch_task_runs_the_first_fetch(brand):
    from apps.analytics.tasks import metrics_fetch_first

    assert metrics_fetch_first.apply().get()["due"] == 0
