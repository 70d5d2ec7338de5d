"""A brand's scoring progress: the rescore reports n of N trends scored (computed in slices that
give the same scores as one batch), the dashboard shows it instead of "No trends yet", and the
finished step fetches the cards."""

from __future__ import annotations

import numpy as np
import pytest
from django.urls import reverse

from apps.trends import events, progress, services
from apps.trends.scoring import BrandBatch, TrendBatch, score, score_in_slices
from tests.factories import MembershipFactory
from tests.htmx import page_with_fragments
from tests.trends.conftest import make_score, make_trend

pytestmark = pytest.mark.django_db


def random_batches(trends: int = 23, brands: int = 3) -> tuple[TrendBatch, BrandBatch]:
    rng = np.random.default_rng(7)

    def unit(rows):
        v = rng.normal(size=(rows, 384)).astype(np.float32)
        return v / np.linalg.norm(v, axis=1, keepdims=True)

    trend_batch = TrendBatch(
        vectors=unit(trends),
        volumes=rng.integers(1, 500, trends).astype(np.float64),
        momenta=rng.uniform(-1, 1, trends),
        sentiments=list(rng.choice(["positive", "neutral", "negative"], trends)),
        categories=rng.integers(0, 5, trends),
        industries=rng.integers(0, 2, (trends, 2)).astype(bool),
    )
    brand_batch = BrandBatch(
        vectors=unit(brands),
        industries=np.array([0, 1, -1][:brands]),
        platforms=np.ones((brands, 4), dtype=bool),
    )
    return trend_batch, brand_batch


def test_scoring_in_slices_gives_the_same_scores_as_one_batch():
    trends, brands = random_batches()
    reported = []
    sliced = score_in_slices(
        trends, brands, rows=5, progress=lambda done, total: reported.append((done, total))
    )
    whole = score(trends, brands)
    for name in ("relevance", "opportunity", "format_fit", "reward", "final", "decision", "best_format"):
        np.testing.assert_allclose(getattr(sliced, name), getattr(whole, name), rtol=1e-6, err_msg=name)
    assert reported == [(5, 23), (10, 23), (15, 23), (20, 23), (23, 23)]


@pytest.fixture
def reported(monkeypatch):
    """Every progress event the rescore sends, as (stage, done, total)."""
    sent = []
    monkeypatch.setattr(
        events,
        "brand_scoring_progress",
        lambda brand, state: sent.append((state.stage, state.done, state.total)),
    )
    return sent


def test_a_rescore_reports_each_step_of_n_trends_then_finished(fintech_brand, reported, monkeypatch):
    monkeypatch.setattr(services, "PROGRESS_TRENDS_PER_STEP", 2)
    for i in range(5):
        make_trend(f"Instant payments story {i}")
    services.brand_trends_rescore(brand=fintech_brand)
    assert reported == [
        ("profile", 0, 5),
        ("scoring", 2, 5),
        ("scoring", 4, 5),
        ("scoring", 5, 5),
        ("finished", 5, 5),
    ]
    assert progress.progress_get(fintech_brand.pk).finished


def test_a_rescore_request_shows_the_brand_as_queued_before_a_worker_takes_it(
    fintech_brand, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.brand_rescore_request(brand=fintech_brand)
    assert progress.progress_get(fintech_brand.pk).stage == progress.QUEUED
    assert len(callbacks) == 1  # the task goes to the worker after the commit


def test_a_failed_rescore_says_so_and_stops_the_dashboard_waiting(fintech_brand, reported, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("embedding model missing")

    monkeypatch.setattr(services, "brand_embeddings_ensure", broken)
    make_trend()
    with pytest.raises(RuntimeError):
        services.brand_trends_rescore(brand=fintech_brand)
    assert reported[-1] == ("failed", 0, 0)
    assert not progress.progress_get(fintech_brand.pk).running


@pytest.fixture
def member_client(client, fintech_brand, brand_user):
    MembershipFactory(brand=fintech_brand, user=brand_user)
    client.force_login(brand_user)
    return client


def test_the_dashboard_shows_scoring_progress_instead_of_no_trends_yet(member_client, fintech_brand):
    make_trend()
    progress.progress_set(progress.ScoringProgress(fintech_brand.pk, progress.SCORING, 40, 120))
    html = page_with_fragments(member_client, reverse("brands:dashboard"))
    assert "Scoring trends for your brand…" in html and "No trends yet" not in html
    assert f'ws-connect="/ws/brands/{fintech_brand.pk}/scoring/"' in html
    assert "Scored 40 of 120 trends" in html and 'aria-valuenow="38"' in html


def test_the_dashboard_says_no_trends_yet_when_nothing_is_being_scored(member_client):
    html = page_with_fragments(member_client, reverse("brands:dashboard"))
    assert "No trends yet" in html and "Scoring trends for your brand" not in html


def test_the_dashboard_shows_the_cards_once_scored_even_while_a_rescore_runs(member_client, fintech_brand):
    make_score(fintech_brand, make_trend("EU instant payments rule passes"))
    progress.progress_set(progress.ScoringProgress(fintech_brand.pk, progress.SCORING, 1, 2))
    html = page_with_fragments(member_client, reverse("brands:dashboard"))
    assert "EU instant payments rule passes" in html and "Scoring trends for your brand" not in html


def test_the_finished_step_fetches_the_brands_cards_once(fintech_brand):
    from django.template.loader import render_to_string

    state = progress.ScoringProgress(fintech_brand.pk, progress.FINISHED, 3, 3)
    html = render_to_string(
        "trends/partials/scoring_progress.html", {"brand": fintech_brand, "scoring": state, "oob": True}
    )
    assert 'hx-swap-oob="true"' in html and 'hx-trigger="load"' in html
    assert f'hx-get="{reverse("trends:recommendations")}?brand={fintech_brand.pk}"' in html
    assert 'hx-target="#trend-recommendations"' in html


def test_a_new_audience_puts_the_brand_in_the_scoring_queue(
    fintech_brand, django_capture_on_commit_callbacks
):
    from apps.brands.services import brand_set_audience

    make_trend()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        brand_set_audience(brand=fintech_brand, roles=["Treasurers"], geographies=[], company_sizes=[])
    assert progress.progress_get(fintech_brand.pk).stage == progress.QUEUED
    assert len(callbacks) == 1


def test_a_profile_change_with_no_trends_to_match_queues_nothing(
    fintech_brand, django_capture_on_commit_callbacks
):
    from apps.brands.services import brand_set_audience

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        brand_set_audience(brand=fintech_brand, roles=["Treasurers"], geographies=[], company_sizes=[])
    assert progress.progress_get(fintech_brand.pk) is None and not callbacks
