"""Trend pages: the dashboard's recommendations, Not for us and undo, a trend's page, and the staff
operations page with its refresh button. Data is made directly; no embedding model is loaded."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.trends import services
from apps.trends.models import (
    Decision,
    RunStatus,
    TrendDismissal,
    TrendMention,
    TrendRefreshRun,
    TrendSourceStatus,
)
from tests.factories import BrandFactory, MembershipFactory
from tests.htmx import page_with_fragments

from .conftest import ONE_STORY_SOURCE, make_score, make_trend

pytestmark = pytest.mark.django_db


@pytest.fixture
def onboarded(brand):
    brand.pillars = ["Instant payments for small businesses", "Open banking you can trust"]
    brand.onboarding_completed_at = timezone.now()
    brand.save()
    return brand


@pytest.fixture
def brand_client(client, brand_user, onboarded):
    client.force_login(brand_user)
    return client


@pytest.fixture
def scored(onboarded):
    """Five recommended trends and two on the watchlist for the brand."""
    top = [make_trend(f"EU instant payments rule {n}") for n in range(5)]
    for n, trend in enumerate(top):
        make_score(onboarded, trend, final=0.8 - n * 0.02)
    watch = [make_trend(f"SME late payments survey {n}", category="research") for n in range(2)]
    for trend in watch:
        make_score(onboarded, trend, final=0.44, decision=Decision.WATCHLIST)
    return top, watch


def dashboard(client):
    return page_with_fragments(client, reverse("brands:dashboard"))


# --- Dashboard ----------------------------------------------------------------------------------


def test_dashboard_shows_top_five_cards_with_the_four_score_parts(brand_client, scored):
    top = scored[0]
    page = dashboard(brand_client)
    assert page.count('class="trend-card"') == 5
    for label in ("Relevance", "Opportunity", "Format fit", "Learned reward"):
        assert label in page
    assert "0.80" in page and "0.81" in page and "0.66" in page and "0.85" in page
    assert reverse("trends:detail", args=[top[0].pk]) in page
    assert "Matches your pillar “Instant payments for small businesses”" in page
    assert "LinkedIn carousel" in page
    assert 'class="sparkline"' in page and "<rect" in page
    assert 'target="_blank" rel="noopener noreferrer"' in page
    assert "Watchlist" in page and "SME late payments survey 1" in page
    assert "Positive +0.42" in page and "Rising +0.55" in page


def test_another_brands_trend_score_is_not_shown(brand_client, onboarded):
    other = BrandFactory(pillars=["Crypto"], onboarding_completed_at=timezone.now())
    make_score(other, make_trend("Only for the other brand"))
    make_score(onboarded, make_trend("Ours"))
    page = dashboard(brand_client)
    assert "Ours" in page
    assert "Only for the other brand" not in page


def test_dashboard_says_no_trends_yet_before_the_first_refresh(brand_client):
    page = dashboard(brand_client)
    assert "Trends are refreshed every 6 hours; the first refresh is on its way" in page


def test_dashboard_asks_to_finish_setup_before_recommending(client, brand_user, brand):
    client.force_login(brand_user)
    make_score(brand, make_trend("Scored before setup finished"))
    page = dashboard(client)
    assert "Finish setup to get recommendations" in page
    assert "Scored before setup finished" not in page


def test_a_sparkline_copes_with_one_point_and_all_zero_volumes(brand_client, onboarded):
    make_score(onboarded, make_trend("One refresh only", volumes=(7,)))
    make_score(onboarded, make_trend("Nothing measured", volumes=(0, 0, 0)), final=0.6)
    page = dashboard(brand_client)
    assert "Volume at each refresh, oldest first: 7" in page
    assert "Volume at each refresh, oldest first: 0, 0, 0" in page
    assert "✦ New" in page  # one snapshot: a new trend, no momentum yet


def test_the_section_alone_is_served_for_htmx(brand_client, onboarded, scored, other_brand):
    url = reverse("trends:recommendations")
    section = brand_client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert section.lstrip().startswith('<section id="trend-recommendations"')
    assert section.count('class="trend-card"') == 5
    assert brand_client.get(f"{url}?brand={other_brand.pk}").status_code == 404


def test_without_javascript_the_dashboard_links_to_the_trends_as_a_page(brand_client, onboarded, scored):
    url = f"{reverse('trends:recommendations')}?brand={onboarded.pk}"
    page = brand_client.get(reverse("brands:dashboard")).content.decode()
    assert 'class="trend-card"' not in page  # the trends app's section is fetched, not rendered here
    assert f'hx-get="{url.replace("&", "&amp;")}"' in page and f'<a href="{url}">' in page
    alone = brand_client.get(url).content.decode()
    assert "<html" in alone and alone.count('class="trend-card"') == 5


def test_dashboard_query_count_is_bounded(brand_client, scored, django_assert_max_num_queries):
    # 12 for the page and its trends, one for the scheduled queue, one for the last-30-days strip.
    with django_assert_max_num_queries(14):
        response = brand_client.get(reverse("brands:dashboard"))
    assert response.status_code == 200


# --- Not for us and undo --------------------------------------------------------------------------


# Committed for real, as in production: the cached list is invalidated on commit, before the
# view re-renders the section (in a test transaction on_commit would wait until the test ends).
@pytest.mark.django_db(transaction=True)
def test_not_for_us_hides_the_trend_and_undo_brings_it_back(brand_client, onboarded, scored, monkeypatch):
    # The hand-made scores stand: the rescore a dismissal queues (tests/trends/test_relevance.py)
    # would replace them with real ones.
    monkeypatch.setattr(services, "_rescore_after_feedback", lambda brand: None)
    trend = scored[0][0]
    dashboard(brand_client)  # the list is cached now
    response = brand_client.post(
        reverse("trends:dismiss", args=[trend.pk]), {"brand": onboarded.pk}, HTTP_HX_REQUEST="true"
    )
    section = response.content.decode()
    assert section.lstrip().startswith('<section id="trend-recommendations"')
    assert f'id="trend-card-{trend.pk}"' not in section
    assert "is hidden from" in section and reverse("trends:undismiss", args=[trend.pk]) in section
    assert TrendDismissal.objects.filter(brand=onboarded, trend=trend).exists()
    assert f'id="trend-card-{trend.pk}"' not in dashboard(brand_client)

    response = brand_client.post(
        reverse("trends:undismiss", args=[trend.pk]), {"brand": onboarded.pk}, HTTP_HX_REQUEST="true"
    )
    assert f'id="trend-card-{trend.pk}"' in response.content.decode()
    assert not TrendDismissal.objects.exists()


def test_not_for_us_without_javascript_redirects_to_the_dashboard(brand_client, onboarded, scored):
    trend = scored[0][0]
    response = brand_client.post(reverse("trends:dismiss", args=[trend.pk]), {"brand": onboarded.pk})
    assert response.status_code == 302 and response["Location"] == reverse("brands:dashboard")


def test_dismissing_for_another_brand_is_404(brand_client, other_brand, scored):
    trend = scored[0][0]
    response = brand_client.post(reverse("trends:dismiss", args=[trend.pk]), {"brand": other_brand.pk})
    assert response.status_code == 404
    assert not TrendDismissal.objects.exists()


def test_dismissing_an_expired_trend_is_404(brand_client, onboarded):
    trend = make_trend("Old news", expires_at=timezone.now() - timedelta(minutes=1))
    response = brand_client.post(reverse("trends:dismiss", args=[trend.pk]), {"brand": onboarded.pk})
    assert response.status_code == 404


# --- Trend page --------------------------------------------------------------------------------


def test_trend_page_shows_the_brands_score_chart_table_and_mentions(brand_client, onboarded, scored):
    trend = scored[0][0]
    page = brand_client.get(reverse("trends:detail", args=[trend.pk])).content.decode()
    assert trend.title in page and trend.summary in page
    assert f"For {onboarded.name}" in page
    assert "0.80" in page and "Learned reward" in page
    assert "Matches your pillar" in page
    assert 'class="snapshot-chart"' in page and "<polyline" in page
    assert page.count("<tr>") >= 4  # header + three snapshots
    assert "Reuters: EU instant payments rule 0" in page
    assert "Not for us" in page
    assert "Brands it was scored for" not in page


def test_trend_page_explains_a_trend_not_scored_for_the_brand(brand_client):
    trend = make_trend("Golden retriever dance video goes viral", category="culture")
    page = brand_client.get(reverse("trends:detail", args=[trend.pk])).content.decode()
    # Industry is no longer a filter (issue 18): the "Why" card beside it gives the reasons.
    assert "was not scored for" in page and "Why this is not recommended" in page


def test_trend_page_accepts_a_brand_of_the_user_and_404s_on_another(
    brand_client, brand_user, onboarded, other_brand
):
    second = MembershipFactory(user=brand_user).brand
    trend = make_trend("Open banking APIs")
    make_score(second, trend, final=0.61)
    url = reverse("trends:detail", args=[trend.pk])
    assert f"For {second.name}" in brand_client.get(f"{url}?brand={second.pk}").content.decode()
    assert brand_client.get(f"{url}?brand={other_brand.pk}").status_code == 404


def test_not_for_us_on_the_trend_page_rerenders_its_panel(
    brand_client, onboarded, scored, django_capture_on_commit_callbacks
):
    trend = scored[0][0]
    with django_capture_on_commit_callbacks(execute=True):
        response = brand_client.post(
            reverse("trends:dismiss", args=[trend.pk]),
            {"brand": onboarded.pk, "panel": "trend"},
            HTTP_HX_REQUEST="true",
        )
    panel = response.content.decode()
    assert panel.lstrip().startswith('<section id="trend-brand-score"')
    assert "Marked “Not for us”" in panel and "Undo" in panel


def test_staff_see_every_brand_the_trend_was_scored_for(client, staff, onboarded, scored):
    client.force_login(staff)
    other = BrandFactory(name="Northwind Pay")
    trend = scored[0][0]
    make_score(other, trend, final=0.47, decision=Decision.WATCHLIST)
    page = client.get(reverse("trends:detail", args=[trend.pk])).content.decode()
    assert "Brands it was scored for" in page
    assert onboarded.name in page and "Northwind Pay" in page
    assert "Recommended" in page and "Watchlist" in page


def test_influencers_get_403_on_a_trend(client, influencer):
    client.force_login(influencer)
    response = client.get(reverse("trends:detail", args=[make_trend("Anything").pk]))
    assert response.status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(client):
    url = reverse("trends:detail", args=[make_trend("Anything").pk])
    response = client.get(url)
    assert response.status_code == 302 and reverse("account_login") in response["Location"]


def test_an_expired_or_missing_trend_is_404(brand_client):
    expired = make_trend("Last month", expires_at=timezone.now() - timedelta(seconds=1))
    assert brand_client.get(reverse("trends:detail", args=[expired.pk])).status_code == 404
    assert brand_client.get(reverse("trends:detail", args=[999999])).status_code == 404


def test_trend_page_query_count_is_bounded(brand_client, scored, django_assert_max_num_queries):
    trend = scored[0][0]
    for n in range(10):
        TrendMention.objects.create(
            trend=trend,
            source="rss",
            source_name=f"Feed {n}",
            title=f"Story {n}",
            url=f"https://example.com/{n}",
            first_seen_at=timezone.now(),
            last_seen_at=timezone.now(),
        )
    # 8, and the brand's stored vectors for the "Why" card (none here: tests/trends/test_explain.py
    # counts the card's queries).
    with django_assert_max_num_queries(9):
        response = brand_client.get(reverse("trends:detail", args=[trend.pk]))
    assert response.status_code == 200


def test_staff_trend_page_query_count_is_bounded(client, staff, scored, django_assert_max_num_queries):
    client.force_login(staff)
    trend = scored[0][0]
    for _ in range(5):
        make_score(BrandFactory(), trend, final=0.55)
    with django_assert_max_num_queries(6):
        response = client.get(reverse("trends:detail", args=[trend.pk]))
    assert response.status_code == 200


# --- Staff operations --------------------------------------------------------------------------------


def test_operations_page_is_staff_only(client, brand_user, influencer):
    url = reverse("trends:operations")
    assert client.get(url).status_code == 302
    for user in (brand_user, influencer):
        client.force_login(user)
        assert client.get(url).status_code == 404


def test_operations_page_shows_the_latest_run_recent_runs_and_sources(client, staff):
    TrendSourceStatus.objects.create(
        name="x", label="X trends", skipped_reason="X_BEARER_TOKEN is not set", last_run_at=timezone.now()
    )
    TrendSourceStatus.objects.create(
        name="reddit",
        label="Reddit",
        last_run_at=timezone.now(),
        last_success_at=timezone.now(),
        last_item_count=48,
        rate_limit_remaining=97,
    )
    TrendRefreshRun.objects.create(status=RunStatus.SUCCEEDED, progress=100, stage="Done")
    running = TrendRefreshRun.objects.create(
        status=RunStatus.RUNNING,
        progress=40,
        stage="Fetching Reddit",
        items_fetched=120,
        source_results=[
            {"name": "x", "label": "X trends", "status": "skipped", "items": 0, "message": "no token"}
        ],
    )
    client.force_login(staff)
    page = client.get(reverse("trends:operations")).content.decode()
    assert f'id="trend-run-{running.pk}"' in page and "Fetching Reddit" in page and "40%" in page
    assert "no token" in page
    assert 'ws-connect="/ws/staff/trends/"' in page
    assert "X_BEARER_TOKEN is not set" in page and "97" in page
    assert page.count("run-status-succeeded") >= 1


@pytest.mark.django_db(transaction=True)
def test_refresh_button_queues_a_run_that_the_eager_worker_completes(client, staff, settings):
    settings.TREND_SOURCE_CLASSES, settings.TREND_SOURCES = ONE_STORY_SOURCE, ["one_story"]
    client.force_login(staff)
    # Committed for real: the eager queue runs the job when the request's transaction commits.
    response = client.post(reverse("trends:refresh"), HTTP_HX_REQUEST="true")
    run = TrendRefreshRun.objects.get()
    assert (run.status, run.progress, run.trigger, run.triggered_by) == (
        RunStatus.SUCCEEDED,
        100,
        TrendRefreshRun.Trigger.MANUAL,
        staff,
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="trend-current-run"')
    assert f'id="trend-run-{run.pk}"' in html and "requested" in html and "Done" in html


def test_a_second_press_while_one_is_queued_returns_the_same_run(client, staff, settings):
    settings.TREND_SOURCES = []
    client.force_login(staff)
    client.post(reverse("trends:refresh"))  # on_commit never fires here: the run stays queued
    response = client.post(reverse("trends:refresh"), HTTP_HX_REQUEST="true")
    run = TrendRefreshRun.objects.get()
    assert run.status == RunStatus.QUEUED
    assert "is already queued" in response.content.decode()
    assert 'id="trend-ops-tables" class="trend-ops-tables" hx-swap-oob="true"' in response.content.decode()


def test_refresh_is_staff_only(client, brand_user):
    client.force_login(brand_user)
    assert client.post(reverse("trends:refresh")).status_code == 404
    assert not TrendRefreshRun.objects.exists()


def test_operations_page_query_count_is_bounded(client, staff, django_assert_max_num_queries):
    for n in range(8):
        TrendRefreshRun.objects.create(status=RunStatus.SUCCEEDED, progress=100, triggered_by=staff)
        TrendSourceStatus.objects.create(name=f"source{n}", label=f"Source {n}")
    client.force_login(staff)
    with django_assert_max_num_queries(4):
        response = client.get(reverse("trends:operations"))
    assert response.status_code == 200
