"""The whole trend job through a real Celery worker: the five real source clients against the
local vendor fakes → dedupe → trends and snapshots → scores for a brand."""

import time

import pytest

from apps.trends import services
from apps.trends.models import BrandTrendScore, RunStatus, Trend, TrendRefreshRun, TrendSourceStatus
from tests.fakes.sources import fake_sources, fake_sources_server  # noqa: F401

pytestmark = pytest.mark.worker


def _wait_for(run: TrendRefreshRun, timeout: float = 120) -> TrendRefreshRun:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run.refresh_from_db()
        if run.is_finished:
            return run
        time.sleep(0.1)  # another thread's real work; nothing here to freeze
    raise AssertionError(f"run stuck at {run.stage!r} ({run.progress}%)")


def test_the_worker_runs_every_source_and_scores_brands(real_worker, fake_sources, settings, fintech_brand):  # noqa: F811
    settings.TREND_SOURCES = ["x", "newsapi", "reddit", "rss", "mastodon"]
    fake_sources.fail("/v2/everything", status=429, headers={"retry-after": "30"})
    run = services.trend_refresh_request(user=None)
    assert run.status == RunStatus.QUEUED  # the request only queues: the worker does the work
    run = _wait_for(run)
    assert run.status == RunStatus.SUCCEEDED, run.error
    results = {r["name"]: r["status"] for r in run.source_results}
    assert results == {"x": "ok", "newsapi": "ok", "reddit": "ok", "rss": "ok", "mastodon": "ok"}
    assert (
        "429" in TrendSourceStatus.objects.get(name="newsapi").last_error
    )  # /everything failed, headlines came
    assert run.items_fetched > 10 and run.trends_created == Trend.objects.count() > 0
    assert Trend.objects.filter(snapshots__isnull=False).distinct().count() == Trend.objects.count()
    assert run.brands_scored == 1
    assert BrandTrendScore.objects.filter(brand=fintech_brand).exists()
    # A second request while nothing runs starts a new run; its snapshots give momentum.
    second = _wait_for(services.trend_refresh_request(user=None))
    assert second.pk != run.pk and second.status == RunStatus.SUCCEEDED
    assert second.trends_updated > 0
