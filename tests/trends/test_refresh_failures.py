"""A refresh that hears from no source, or from only some, must not pass silence off as news:
recommendations stay, trends carried by a silent source do not fade, staff are told."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.integrations.http import ServiceError
from apps.integrations.sources.base import SourceNotConfigured
from apps.notifications.models import Notification
from apps.trends import services
from apps.trends.models import BrandTrendScore, RunStatus, Trend, TrendRefreshRun

from .conftest import FINTECH_ITEMS, ListSource, item

pytestmark = pytest.mark.django_db


def run_refresh(sources, now):
    run = TrendRefreshRun.objects.create(trigger=TrendRefreshRun.Trigger.SCHEDULE)
    return services.trend_refresh_execute(run=run, sources=sources, now=now)


def offline_sources():
    """What the offline demo meets: X and NewsAPI without keys, the key-free ones unreachable."""
    return [
        ListSource("x", error=SourceNotConfigured("X_BEARER_TOKEN is not set")),
        ListSource("newsapi", error=SourceNotConfigured("NEWSAPI_KEY is not set")),
        ListSource("reddit", error=ServiceError("Reddit unreachable: [Errno -3] name resolution")),
        ListSource("rss", []),
    ]


def recommendations(brand):
    return sorted(
        BrandTrendScore.objects.filter(brand=brand).values_list("trend__title", "decision", "final")
    )


@pytest.fixture
def scored_then_offline(fintech_brand, settings):
    settings.TREND_OFFLINE_FALLBACK = False
    now = timezone.now()
    run_refresh([ListSource("newsapi", FINTECH_ITEMS)], now=now - timedelta(hours=6))
    return fintech_brand, now


def test_a_refresh_where_every_source_fails_leaves_recommendations_unchanged(scored_then_offline):
    brand, now = scored_then_offline
    before = recommendations(brand)
    assert before

    run_refresh(offline_sources(), now=now)

    assert recommendations(brand) == before


def test_a_refresh_where_every_source_fails_does_not_fade_any_trend(scored_then_offline):
    _, now = scored_then_offline
    volumes = dict(Trend.objects.values_list("pk", "volume"))

    run_refresh(offline_sources(), now=now)

    assert dict(Trend.objects.values_list("pk", "volume")) == volumes
    assert not Trend.objects.filter(snapshots__taken_at=now).exists()


def test_a_refresh_where_every_source_fails_is_marked_failed_with_each_sources_reason(
    scored_then_offline,
):
    _, now = scored_then_offline

    run = run_refresh(offline_sources(), now=now)

    assert run.status == RunStatus.FAILED and run.is_finished
    assert "No source returned anything" in run.error
    assert "NEWSAPI_KEY is not set" in run.error and "name resolution" in run.error
    assert "rss (test) returned no items" in run.error


def test_a_refresh_where_every_source_fails_alerts_staff_once(scored_then_offline, django_user_model):
    _, now = scored_then_offline
    staff = django_user_model.objects.create_user(email="ops@example.com", password="x", is_staff=True)

    run_refresh(offline_sources(), now=now)
    run_refresh(offline_sources(), now=now + timedelta(hours=6))

    alerts = Notification.objects.filter(user=staff)
    assert [a.title for a in alerts] == ["Trend refresh found nothing"]
    assert "NEWSAPI_KEY is not set" in alerts[0].body and alerts[0].url == "/staff/trends/"
    assert not Notification.objects.exclude(user=staff).exists()


def test_offline_the_scheduled_refresh_serves_the_offline_demo_set(fintech_brand, settings):
    settings.TREND_OFFLINE_FALLBACK = True

    run = run_refresh(offline_sources(), now=timezone.now())

    assert run.status == RunStatus.PARTIAL
    assert "offline demo set stood in" in run.error
    assert run.source_results[-1]["name"] == "offline" and run.source_results[-1]["items"] > 100
    assert Trend.objects.count() > 50
    assert BrandTrendScore.objects.filter(brand=fintech_brand, decision="recommend").exists()


def test_offline_repeated_scheduled_refreshes_keep_the_demo_recommendations(fintech_brand, settings):
    settings.TREND_OFFLINE_FALLBACK = True
    now = timezone.now()
    run_refresh(offline_sources(), now=now - timedelta(hours=12))
    first = {t for t, d, _ in recommendations(fintech_brand) if d == "recommend"}

    run_refresh(offline_sources(), now=now - timedelta(hours=6))
    run_refresh(offline_sources(), now=now)

    assert first and {t for t, d, _ in recommendations(fintech_brand) if d == "recommend"} == first
    assert not Trend.objects.filter(volume=0).exists()


def test_a_trend_only_a_failed_source_carried_does_not_fade(settings):
    now = timezone.now()
    reddit_only = item(
        "reddit", "Founders swap tips on chasing late invoices", "https://www.reddit.com/r/fintech/1"
    )
    run_refresh(
        [ListSource("newsapi", FINTECH_ITEMS[3:4]), ListSource("reddit", [reddit_only])],
        now=now - timedelta(hours=6),
    )
    thread = Trend.objects.get(title=reddit_only.title)

    run = run_refresh(
        [
            ListSource("newsapi", FINTECH_ITEMS[3:4]),
            ListSource("reddit", error=ServiceError("Reddit failed (503): Service Unavailable", status=503)),
        ],
        now=now,
    )

    thread.refresh_from_db()
    assert thread.volume == 1 and thread.snapshots.count() == 1
    assert run.status == RunStatus.PARTIAL and "Reddit failed (503)" in run.error


def test_a_trend_a_failed_source_carried_with_an_answering_one_does_not_fade(settings):
    now = timezone.now()
    story = FINTECH_ITEMS[0]
    run_refresh(
        [ListSource("newsapi", [story]), ListSource("rss", FINTECH_ITEMS[1:2])],
        now=now - timedelta(hours=6),
    )
    run_refresh(
        [
            ListSource("newsapi", FINTECH_ITEMS[3:4]),
            ListSource("rss", error=ServiceError("feed timed out")),
        ],
        now=now,
    )
    trend = Trend.objects.get(title=story.title)
    assert trend.volume == 2 and trend.snapshots.count() == 1


def test_a_trend_its_answering_sources_no_longer_mention_fades_during_a_partial_failure():
    now = timezone.now()
    run_refresh(
        [ListSource("newsapi", FINTECH_ITEMS[3:4]), ListSource("reddit", [])], now=now - timedelta(hours=6)
    )

    run_refresh(
        [
            ListSource("newsapi", FINTECH_ITEMS[5:6]),
            ListSource("reddit", error=ServiceError("Reddit failed (503)")),
        ],
        now=now,
    )

    sme = Trend.objects.get(title__startswith="Small businesses wait")
    assert [s.volume for s in sme.snapshots.order_by("taken_at")] == [1, 0]


def test_the_operations_page_shows_a_partly_succeeded_run_with_its_reason(client, staff):
    run_refresh(
        [
            ListSource("newsapi", FINTECH_ITEMS[3:4]),
            ListSource("reddit", error=ServiceError("Reddit failed (503)")),
        ],
        now=timezone.now(),
    )
    client.force_login(staff)
    page = client.get(reverse("trends:operations")).content.decode()
    assert 'class="badge run-status run-status-partial">Partly succeeded</span>' in page
    assert "Reddit failed (503)" in page
