"""Engagement tracking in the admin: the metrics snapshots list (the learning loop's models are
apps.learning's, tests/learning/test_admin.py)."""

import pytest
from django.urls import reverse

from apps.analytics.models import MetricsSnapshot
from tests.learning.learning_factories import learning_brand, published

pytestmark = pytest.mark.django_db


def test_staff_see_snapshots(client, staff):
    brand = learning_brand()
    publication = published(brand, reward=2.0)
    MetricsSnapshot.objects.create(
        publication=publication, brand=brand, platform="sandbox", age_hours=5, impressions=100, likes=2
    )
    client.force_login(staff)
    assert client.get(reverse("admin:analytics_metricssnapshot_changelist")).status_code == 200
