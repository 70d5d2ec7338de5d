"""The reward ledger: analytics writes each publication's reward to learning's RewardRecord as the
metrics fetch computes and finalizes it, the data migration fills it from earlier rewards, a
deleted publication leaves it, and the trend scorer reads it through the provider learning
registers (neutral without one)."""

from datetime import timedelta
from importlib import import_module

import numpy as np
import pytest
from django.apps import apps as django_apps
from django.utils import timezone

from apps.analytics.services import metrics_fetch_due
from apps.learning.models import RewardRecord
from apps.learning.policy import brand_past_rewards as ledger_past_rewards
from apps.learning.selectors import learning_page_get
from apps.posts.models import Post, PostStatus
from apps.publishing.models import Publication, PublicationStatus
from apps.trends import scoring
from tests.analytics import metrics_fixtures
from tests.learning.learning_factories import learning_brand, published, trend_with

fake_x, x_account = metrics_fixtures.fake_x, metrics_fixtures.x_account

pytestmark = pytest.mark.django_db


def test_the_metrics_fetch_writes_the_reward_to_the_ledger_and_marks_it_final_once(brand, x_account, fake_x):
    now = timezone.now()
    trend = trend_with(category="research")
    post = Post.objects.create(
        brand=brand,
        trend=trend,
        tone="bold",
        post_format="thread",
        status=PostStatus.PUBLISHED,
        generation_state="ready",
        learning_state={"industry": "fintech", "category": "research", "format": "thread", "tone": "bold"},
    )
    tweet = fake_x.add_tweet("a thread", user_id=metrics_fixtures.X_USER_ID)
    fake_x.set_metrics(tweet.id, like_count=2, impression_count=100)
    pub = metrics_fixtures.published(
        brand, x_account, part_ids=[tweet.id], published_at=now - timedelta(days=6, hours=20), post=post
    )

    metrics_fetch_due(now=now)
    record = RewardRecord.objects.get(publication_id=pub.pk)
    assert (record.brand_id, record.post_id, record.trend_id) == (brand.pk, post.pk, trend.pk)
    assert (record.tone, record.platform, record.post_format) == ("bold", "x", "thread")
    assert record.state == post.learning_state and record.published_at == pub.published_at
    assert record.reward == pytest.approx(2.0) and record.final is False

    fake_x.set_metrics(tweet.id, like_count=3)
    metrics_fetch_due(now=now + timedelta(hours=4))  # 7 days after publishing: final
    record.refresh_from_db()
    assert record.reward == pytest.approx(3.0) and record.final is True

    fake_x.set_metrics(tweet.id, like_count=4)
    metrics_fetch_due(now=now + timedelta(hours=8))  # a final reward never changes, here neither
    record.refresh_from_db()
    assert record.reward == pytest.approx(3.0) and RewardRecord.objects.count() == 1


def test_the_data_migration_fills_the_ledger_from_the_rewards_already_there():
    brand = learning_brand()
    rewarded = published(brand, reward=2.5, tone="witty", post_format="carousel", platform="linkedin")
    published(brand, reward=None)  # not fetched yet: no row
    RewardRecord.objects.all().delete()  # as before the ledger existed

    import_module("apps.learning.migrations.0002_reward_ledger_fill").fill(django_apps, None)

    record = RewardRecord.objects.get()
    post = rewarded.post
    assert (record.publication_id, record.post_id, record.trend_id) == (rewarded.pk, post.pk, post.trend_id)
    assert (record.tone, record.platform, record.post_format) == ("witty", "linkedin", "carousel")
    assert record.state == post.learning_state and record.reward == 2.5 and record.final is False
    assert record.published_at == rewarded.published_at


def test_a_deleted_publication_is_no_longer_learned_from():
    brand = learning_brand()
    kept, gone = published(brand, reward=1.0), published(brand, reward=4.0)
    Publication.objects.filter(pk=gone.pk).delete()
    assert list(RewardRecord.objects.values_list("publication_id", flat=True)) == [kept.pk]


def test_learning_gives_the_trend_scorer_its_ledger_reader_and_without_one_the_reward_is_neutral(monkeypatch):
    assert scoring._past_rewards_provider is ledger_past_rewards
    brand = learning_brand()
    published(brand, reward=4.0, trend=trend_with(vector=np.eye(384, dtype=np.float32)[3]))
    assert scoring.brand_past_rewards([brand.pk]) is not None

    monkeypatch.setattr(scoring, "_past_rewards_provider", None)
    assert scoring.brand_past_rewards([brand.pk]) is None  # score() then uses NEUTRAL_REWARD


def test_the_learning_page_counts_published_posts_even_before_their_first_reward():
    brand = learning_brand()
    published(brand, reward=None)
    page = learning_page_get(brand=brand)
    assert page.published == 1 and page.scored_posts == 0
    Publication.objects.update(status=PublicationStatus.FAILED)
    assert learning_page_get(brand=brand).published == 0
