"""A brand's cached recommendations, their invalidation, "not for us", and the trends API."""

import pytest
from django.core.cache import cache

from apps.trends import cache as trend_cache
from apps.trends import selectors, services
from apps.trends.models import TrendDismissal
from tests.factories import BrandFactory, BrandMembership, BrandUserFactory, StaffFactory

from .conftest import make_score, make_trend

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clean_cache():
    cache.clear()
    yield
    cache.clear()


def test_top_five_are_the_best_recommended_and_the_rest_is_the_watchlist(fintech_brand):
    for i in range(7):
        make_score(fintech_brand, make_trend(f"Trend {i}"), final=0.5 + i / 100 + 0.01)
    make_score(fintech_brand, make_trend("Maybe later"), final=0.45, decision="watchlist")
    recs = selectors.brand_recommendations(brand=fintech_brand)
    assert [c["title"] for c in recs["top"]] == ["Trend 6", "Trend 5", "Trend 4", "Trend 3", "Trend 2"]
    assert [c["title"] for c in recs["watchlist"]] == ["Maybe later"]
    card = recs["top"][0]
    assert set(card["parts"]) == {"relevance", "opportunity", "format_fit", "reward"}
    assert card["links"][0]["url"].startswith("https://www.reuters.com/")
    assert card["volumes"] == [40, 90, 210]


def test_recommendations_are_served_from_the_cache_until_invalidated(
    fintech_brand, django_assert_num_queries
):
    make_score(fintech_brand, make_trend("First"), final=0.8)
    selectors.brand_recommendations(brand=fintech_brand)
    with django_assert_num_queries(0):
        assert selectors.brand_recommendations(brand=fintech_brand)["top"][0]["title"] == "First"
    make_score(fintech_brand, make_trend("Second"), final=0.9)
    assert len(selectors.brand_recommendations(brand=fintech_brand)["top"]) == 1  # still the cached copy
    trend_cache.invalidate([fintech_brand.pk])
    assert selectors.brand_recommendations(brand=fintech_brand)["top"][0]["title"] == "Second"


def test_a_refresh_invalidates_the_cached_top_five(fintech_brand):
    make_score(fintech_brand, make_trend("Old story"), final=0.8)
    selectors.brand_recommendations(brand=fintech_brand)
    assert cache.get(trend_cache.key(fintech_brand.pk)) is not None
    # Rescoring (what every refresh does) needs embeddings: the real model runs here.
    services.trends_score_brands(brand_ids=[fintech_brand.pk])
    assert cache.get(trend_cache.key(fintech_brand.pk)) is None


def test_dismissed_trend_leaves_the_list_and_is_kept_for_learning(
    fintech_brand, django_capture_on_commit_callbacks
):
    user = BrandUserFactory()
    trend = make_trend("Not our thing")
    make_score(fintech_brand, trend, final=0.77)
    selectors.brand_recommendations(brand=fintech_brand)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.trend_dismiss(brand=fintech_brand, trend=trend, user=user)
    callbacks[0]()  # the cache is dropped; the hand-made score stands (no rescore here)
    assert selectors.brand_recommendations(brand=fintech_brand)["top"] == []
    dismissal = TrendDismissal.objects.get(brand=fintech_brand, trend=trend)
    assert dismissal.final_at_dismissal == pytest.approx(0.77) and dismissal.dismissed_by == user
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.trend_undismiss(brand=fintech_brand, trend=trend)
    # The cache is dropped and a rescore queued (a dismissal moves its look-alikes; so does its undo).
    assert len(callbacks) == 2
    callbacks[0]()
    assert selectors.brand_recommendations(brand=fintech_brand)["top"][0]["title"] == "Not our thing"


# --- API ------------------------------------------------------------------------------------


def _member(brand):
    user = BrandUserFactory()
    BrandMembership.objects.create(brand=brand, user=user, role="owner")
    return user


def test_api_lists_recommendations_with_their_parts(client, fintech_brand):
    make_score(fintech_brand, make_trend("Instant payments"), final=0.81, relevance=0.9)
    client.force_login(_member(fintech_brand))
    response = client.get(f"/api/v1/brands/{fintech_brand.pk}/recommendations")
    assert response.status_code == 200
    top = response.json()["top"][0]
    assert top["title"] == "Instant payments" and top["final"] == 0.81 and top["parts"]["relevance"] == 0.9


def test_api_another_brands_recommendations_and_dismissals_are_404(client, fintech_brand):
    other = BrandFactory()
    trend = make_trend()
    make_score(other, trend)
    client.force_login(_member(fintech_brand))
    assert client.get(f"/api/v1/brands/{other.pk}/recommendations").status_code == 404
    response = client.post(f"/api/v1/brands/{other.pk}/trends/{trend.pk}/dismiss")
    assert response.status_code == 404 and "detail" in response.json()
    assert client.get(f"/api/v1/trends/{trend.pk}?brand_id={other.pk}").status_code == 404
    assert not TrendDismissal.objects.exists()


def test_api_dismiss_and_undo(client, fintech_brand):
    trend = make_trend()
    make_score(fintech_brand, trend)
    client.force_login(_member(fintech_brand))
    url = f"/api/v1/brands/{fintech_brand.pk}/trends/{trend.pk}/dismiss"
    assert client.post(url).json() == {"trend_id": trend.pk, "brand_id": fintech_brand.pk, "dismissed": True}
    detail = client.get(f"/api/v1/trends/{trend.pk}?brand_id={fintech_brand.pk}").json()
    assert detail["dismissed"] is True and detail["brand_score"]["final"] == 0.72
    assert client.delete(url).status_code == 204
    assert not TrendDismissal.objects.exists()
    assert client.post(f"/api/v1/brands/{fintech_brand.pk}/trends/999999/dismiss").status_code == 404


def test_api_trend_detail_has_snapshots_and_sources_and_staff_see_every_brand(client, fintech_brand):
    trend = make_trend()
    make_score(fintech_brand, trend)
    client.force_login(StaffFactory())
    detail = client.get(f"/api/v1/trends/{trend.pk}").json()
    assert len(detail["snapshots"]) == 3 and detail["mentions"][0]["source_name"] == "Reuters"
    assert [s["brand_id"] for s in detail["brand_scores"]] == [fintech_brand.pk]


def test_api_trend_detail_is_not_for_influencers_and_expired_trends_are_404(client, fintech_brand):
    from datetime import timedelta

    from django.utils import timezone

    from tests.factories import InfluencerFactory

    trend = make_trend()
    client.force_login(InfluencerFactory())
    assert client.get(f"/api/v1/trends/{trend.pk}").status_code == 403
    client.force_login(_member(fintech_brand))
    trend.expires_at = timezone.now() - timedelta(minutes=1)
    trend.save()
    assert client.get(f"/api/v1/trends/{trend.pk}").status_code == 404


def test_recommendations_go_by_final_score_and_the_watchlist_by_relevance(fintech_brand):
    """The watchlist holds the close calls: the most on-topic first, not the loudest (issue 18)."""
    loud = make_score(fintech_brand, make_trend("Loud"), final=0.58, decision="watchlist", relevance=0.4)
    close = make_score(fintech_brand, make_trend("Close"), final=0.49, decision="watchlist", relevance=0.7)
    best = make_score(fintech_brand, make_trend("Best"), final=0.8, relevance=0.6)
    second = make_score(fintech_brand, make_trend("Second"), final=0.7, relevance=0.9)
    shown = selectors.brand_recommendations(brand=fintech_brand)
    assert [c["trend_id"] for c in shown["top"]] == [best.trend_id, second.trend_id]
    assert [c["trend_id"] for c in shown["watchlist"]] == [close.trend_id, loud.trend_id]
