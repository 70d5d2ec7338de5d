"""seed_demo (the demo app's command): idempotent, and what `make run` shows after it."""

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_seed_demo_is_idempotent():
    from apps.accounts.models import User
    from apps.brands.models import Brand
    from apps.notifications.models import Notification

    call_command("seed_demo")
    counts = (User.objects.count(), Brand.objects.count(), Notification.objects.count())
    call_command("seed_demo")
    assert (User.objects.count(), Brand.objects.count(), Notification.objects.count()) == counts
    assert counts == (4, 1, 4)  # brand owner, editor, influencer, staff: a welcome each
    brand = Brand.objects.get()
    assert brand.is_onboarded and brand.voice_profile
    assert brand.connections.filter(platform="sandbox").exists()
    # the calendar has something on it: two publishing now, two in the queue, one approved
    from apps.analytics.models import MetricsSnapshot
    from apps.demo.management.commands.seed_demo import DEMO_HISTORY
    from apps.learning.models import PolicyModel, TrainingRun
    from apps.publishing.models import Publication

    calendar = Publication.objects.exclude(queued_by="time")
    assert sorted(calendar.values_list("queued_by", flat=True)) == ["now", "now", "queue", "queue"]
    assert brand.posts.count() == 5 + len(DEMO_HISTORY)
    # four weeks of sandbox history with its metrics, and the model trained on it
    history = Publication.objects.filter(queued_by="time", platform="sandbox")
    assert history.count() == len(DEMO_HISTORY)
    older_than_a_week = sum(1 for days_ago, *_ in DEMO_HISTORY if days_ago > 7)
    assert not history.filter(reward=None).exists()
    assert history.filter(reward_final=True).count() >= older_than_a_week
    assert MetricsSnapshot.objects.filter(publication__in=history).count() > 10 * len(DEMO_HISTORY)
    assert PolicyModel.objects.get(brand=brand).mode == "q"
    assert TrainingRun.objects.filter(brand=brand).count() == 1
    # rescored: the trends the history was about now carry a learned reward other than neutral
    from apps.trends.models import BrandTrendScore

    history_trends = history.values_list("post__trend_id", flat=True)
    scores = BrandTrendScore.objects.filter(brand=brand, trend_id__in=history_trends)
    assert scores.exists() and all(score.reward != 0.5 for score in scores)
    # the dashboard shows five recommendations, every one past the relevance gate (issue 18)
    from apps.trends import selectors
    from apps.trends.scoring import RELEVANCE_GATE

    top = selectors.brand_recommendations(brand=brand)["top"]
    assert len(top) == 5
    assert all(
        row.relevance >= RELEVANCE_GATE
        for row in scores.model.objects.filter(brand=brand, decision="recommend")
    )
