"""Learning in the admin: the reward ledger, a brand's model, its runs, and the train-now action."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from apps.learning.models import PolicyModel, RewardRecord, TrainingRun
from apps.learning.training import policy_train
from tests.learning.learning_factories import learning_brand, published

pytestmark = pytest.mark.django_db


def test_staff_see_models_and_runs(client, staff):
    brand = learning_brand()
    published(brand, reward=2.0)
    policy_train(brand=brand)
    client.force_login(staff)
    for name in ("rewardrecord", "policymodel", "trainingrun"):
        assert client.get(reverse(f"admin:learning_{name}_changelist")).status_code == 200
    model = PolicyModel.objects.get(brand=brand)
    assert client.get(reverse("admin:learning_policymodel_change", args=[model.pk])).status_code == 200
    run = TrainingRun.objects.get(brand=brand)
    page = client.get(reverse("admin:learning_trainingrun_change", args=[run.pk]))
    assert page.status_code == 200 and b"training needs 10" in page.content
    record = RewardRecord.objects.get(brand=brand)
    assert client.get(reverse("admin:learning_rewardrecord_change", args=[record.pk])).status_code == 200


def test_train_now_action_runs_the_training(client, staff):
    brand = learning_brand()
    for _ in range(10):
        published(brand, reward=3.0)
    model = PolicyModel.objects.create(brand=brand)
    client.force_login(staff)
    response = client.post(
        reverse("admin:learning_policymodel_changelist"),
        {"action": "train_now", ACTION_CHECKBOX_NAME: [model.pk]},
        follow=True,
    )
    assert b"1 trained, 0 skipped" in response.content
    model.refresh_from_db()
    assert model.mode == "q" and model.posts_used == 10


def test_non_staff_cannot_open_the_learning_admin(client, brand_user):
    client.force_login(brand_user)
    response = client.get(reverse("admin:learning_policymodel_changelist"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
