"""The trend models in the admin, and its "re-run the trend job" action."""

import pytest
from django.urls import reverse

from apps.trends.models import TrendRefreshRun
from tests.factories import StaffFactory

from .conftest import ONE_STORY_SOURCE, make_score, make_trend

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize(
    "model",
    ["trend", "brandtrendscore", "trenddismissal", "trendrefreshrun", "trendsourcestatus", "brandembedding"],
)
def test_staff_see_every_trend_model_in_the_admin(client, model, fintech_brand):
    trend = make_trend()
    make_score(fintech_brand, trend)
    client.force_login(StaffFactory())
    assert client.get(reverse(f"admin:trends_{model}_changelist")).status_code == 200
    if model == "trend":
        page = client.get(reverse("admin:trends_trend_change", args=[trend.pk]))
        assert page.status_code == 200 and b"Reuters" in page.content


def test_rerun_action_queues_a_refresh(client, settings):
    settings.TREND_SOURCE_CLASSES, settings.TREND_SOURCES = ONE_STORY_SOURCE, ["one_story"]
    old = TrendRefreshRun.objects.create(status="succeeded")
    client.force_login(StaffFactory())
    response = client.post(
        reverse("admin:trends_trendrefreshrun_changelist"),
        {"action": "rerun", "_selected_action": [old.pk]},
        follow=True,
    )
    assert response.status_code == 200
    new = TrendRefreshRun.objects.exclude(pk=old.pk).get()
    assert new.status == "succeeded"  # eager in tests: the job ran with its one source
    assert f"Trend refresh #{new.pk}".encode() in response.content
