"""Engagement tracking and learning in the admin: lists, a brand's model, and the actions."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from apps.analytics.models import MetricsSnapshot, PolicyModel, TrainingRun
from apps.analytics.training import policy_train
from tests.analytics.learning_factories import learning_brand, published

pytestmark = pytest.mark.django_db


def test_staff_see_snapshots_models_and_runs(client, staff):
    brand = learning_brand()
    publication = published(brand, reward=2.0)
    MetricsSnapshot.objects.create(
        publication=publication, brand=brand, platform="sandbox", age_hours=5, impressions=100, likes=2
    )
    policy_train(brand=brand)
    client.force_login(staff)
    for name in ("metricssnapshot", "policymodel", "trainingrun"):
        assert client.get(reverse(f"admin:analytics_{name}_changelist")).status_code == 200
    model = PolicyModel.objects.get(brand=brand)
    assert client.get(reverse("admin:analytics_policymodel_change", args=[model.pk])).status_code == 200
    run = TrainingRun.objects.get(brand=brand)
    page = client.get(reverse("admin:analytics_trainingrun_change", args=[run.pk]))
    assert page.status_code == 200 and b"training needs 10" in page.content


def test_train_now_action_runs_the_training(client, staff):
    brand = learning_brand()
    for _ in range(10):
        published(brand, reward=3.0)
    model = PolicyModel.objects.create(brand=brand)
    client.force_login(staff)
    response = client.post(
        reverse("admin:analytics_policymodel_changelist"),
        {"action": "train_now", ACTION_CHECKBOX_NAME: [model.pk]},
        follow=True,
    )
    assert b"1 trained, 0 skipped" in response.content
    model.refresh_from_db()
    assert model.mode == "q" and model.posts_used == 10


def test_non_staff_cannot_open_the_analytics_admin(client, brand_user):
    client.force_login(brand_user)
    response = client.get(reverse("admin:analytics_policymodel_changelist"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
