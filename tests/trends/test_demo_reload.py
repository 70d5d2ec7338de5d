"""seed_demo loads the offline trends again when every demo trend went quiet (an offline refresh
once faded them all), instead of saying they are "already loaded this week"."""

import io
from datetime import timedelta

import pytest
from django.utils import timezone

from apps.demo.management.commands.seed_demo import seed_trends
from apps.integrations.sources import offline
from apps.trends.models import RunStatus, Trend, TrendRefreshRun

from .conftest import ListSource, item

pytestmark = pytest.mark.django_db


class SmallDemoSet(ListSource):
    """The offline source's signature, with one story instead of three hundred."""

    def __init__(self, round=2, now=None):
        super().__init__("offline", [item("newsapi", "Central bank holds interest rates steady", volume=5)])


@pytest.fixture
def loaded_this_week(monkeypatch):
    monkeypatch.setattr(offline, "OfflineFixtureSource", SmallDemoSet)
    seed_trends(io.StringIO())
    assert TrendRefreshRun.objects.filter(trigger="demo", status=RunStatus.SUCCEEDED).count() == 3


def test_seed_demo_keeps_demo_trends_that_are_still_alive(loaded_this_week):
    out = io.StringIO()
    seed_trends(out)
    assert "already loaded this week" in out.getvalue()
    assert TrendRefreshRun.objects.count() == 3


def test_seed_demo_loads_the_demo_trends_again_when_all_of_them_went_quiet(loaded_this_week):
    Trend.objects.update(volume=0, last_seen_at=timezone.now() - timedelta(hours=1))
    out = io.StringIO()
    seed_trends(out)
    assert "already loaded this week" not in out.getvalue()
    assert TrendRefreshRun.objects.count() == 6
    assert Trend.objects.filter(volume__gt=0).exists()
