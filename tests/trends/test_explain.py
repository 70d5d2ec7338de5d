"""Why a trend is (not) recommended to a brand (issue 18): apps.trends.explain.trend_fit from the
stored vectors, and the trend page's "Why" card.

The vectors are made by hand (orthogonal directions, so every cosine is known) and stored as the
worker would store them: no embedding model runs here.
"""

import numpy as np
import pytest
from django.urls import reverse
from django.utils import timezone

from apps.brands.models import Industry
from apps.trends import explain
from apps.trends.explain import trend_fit
from apps.trends.models import BrandEmbedding, Decision, TrendDismissal, vector_to_bytes
from apps.trends.rerank import Grade, brand_brief, cache_grades, grades_digest
from apps.trends.scoring import RELEVANCE_GATE
from apps.trends.selectors import brand_recommendations, why_line
from apps.trends.services import brand_negatives
from tests.factories import MembershipFactory
from tests.trends.conftest import make_score, make_trend

pytestmark = pytest.mark.django_db

PILLARS = ["Payroll that runs itself", "Tax filings without the stress"]
NOT_ABOUT = ["sports team payrolls"]
NEVER_MENTION = ["crypto"]
# Directions: 0 and 1 the pillars, 2 the rest of the profile, 3 "sports team payrolls",
# 4 "crypto", 5 and up unrelated.
P0, P1, PROFILE, SPORTS, CRYPTO, ELSEWHERE, OTHER = range(7)


def direction(*weights: tuple[int, float]) -> np.ndarray:
    vector = np.zeros(384, np.float32)
    for axis, weight in weights:
        vector[axis] = weight
    return vector / np.linalg.norm(vector)


@pytest.fixture
def payroll(brand):
    brand.pillars = PILLARS
    brand.negative_topics = NOT_ABOUT
    brand.banned_topics = NEVER_MENTION
    brand.audience_roles = ["HR leads"]
    brand.industry = Industry.objects.get_or_create(slug="hr", defaults={"name": "HR and people"})[0]
    brand.onboarding_completed_at = timezone.now()
    brand.save()
    BrandEmbedding.objects.create(
        brand=brand,
        vector=vector_to_bytes(direction((P0, 1), (P1, 1), (PROFILE, 1))),
        pillar_vectors=vector_to_bytes(np.vstack([direction((P0, 1)), direction((P1, 1))])),
        pillars=PILLARS,
        negative_vectors=vector_to_bytes(np.vstack([direction((SPORTS, 1)), direction((CRYPTO, 1))])),
        negatives=brand_negatives(brand),
        text_digest="test",
        computed_at=timezone.now(),
    )
    return brand


def trend_at(title: str, vector: np.ndarray, **extra):
    trend = make_trend(title, **extra)
    trend.embedding = vector_to_bytes(vector)
    trend.save(update_fields=["embedding"])
    return trend


def test_a_trend_squarely_on_a_pillar_is_gated_and_names_that_pillar(payroll):
    trend = trend_at("New rules make tax filing simpler for small firms", direction((P1, 1)))
    make_score(payroll, trend, decision=Decision.RECOMMEND)
    fit = trend_fit(payroll, trend)
    assert fit.gated and fit.relevance >= RELEVANCE_GATE
    assert fit.matched_pillar == "Tax filings without the stress"
    assert fit.recommended and fit.held_back == []


def test_held_back_by_a_negative_topic_names_it(payroll):
    # Near a pillar, but more about sports team payrolls: the negative topic pulls it under the gate.
    trend = trend_at("Premier League wage bills hit a record", direction((P0, 1), (SPORTS, 1.3)))
    fit = trend_fit(payroll, trend)
    assert "negative_topic" in fit.codes
    assert fit.negative_topic == "sports team payrolls" and not fit.negative_is_banned
    sentence = dict(fit.held_back)["negative_topic"]
    assert "“sports team payrolls”" in sentence and "Not about" in sentence


def test_a_banned_topic_is_named_as_never_mention(payroll):
    trend = trend_at("Paying staff in crypto: the new payroll fad", direction((P0, 1), (CRYPTO, 1.2)))
    fit = trend_fit(payroll, trend)
    assert fit.negative_topic == "crypto" and fit.negative_is_banned
    assert "Never mention" in dict(fit.held_back)["negative_topic"]


def test_held_back_by_a_dismissed_look_alike_names_that_trend(payroll, brand_user):
    dismissed = trend_at("Celebrity accountant's payroll scandal", direction((P0, 1), (ELSEWHERE, 1)))
    unrelated = trend_at("Office plants that survive winter", direction((OTHER, 1)))
    for old in (unrelated, dismissed):
        TrendDismissal.objects.create(brand=payroll, trend=old, dismissed_by=brand_user)
    trend = trend_at("Payroll scandal: celebrity accountant charged", direction((P0, 1), (ELSEWHERE, 0.9)))
    fit = trend_fit(payroll, trend)
    assert "dismissed_similar" in fit.codes
    assert fit.dismissed_like == dismissed
    assert "“Celebrity accountant's payroll scandal”" in dict(fit.held_back)["dismissed_similar"]


def test_its_own_not_for_us_is_no_look_alike(payroll, brand_user):
    trend = trend_at("Payroll deadlines move in June", direction((P0, 1)))
    TrendDismissal.objects.create(brand=payroll, trend=trend, dismissed_by=brand_user)
    assert "dismissed_similar" not in trend_fit(payroll, trend).codes


def test_an_off_topic_trend_says_so_and_names_the_closest_pillar(payroll):
    trend = trend_at("Golden retriever dance video goes viral", direction((P1, 0.3), (OTHER, 1)))
    fit = trend_fit(payroll, trend)
    assert not fit.gated and fit.codes[0] == "off_topic"
    assert dict(fit.held_back)["off_topic"].startswith(
        "Not clearly about your pillars: closest is “Tax filings without the stress”"
    )


def test_a_quiet_unscored_trend_is_low_opportunity(payroll):
    for n in range(4):
        trend_at(f"Busy payroll story {n}", direction((P0, 1)), volumes=(5000, 9000), momentum=0.8)
    quiet = trend_at("A payroll footnote", direction((P0, 1)), volumes=(1,), momentum=-0.9)
    fit = trend_fit(payroll, quiet)
    assert fit.opportunity <= 0.3 and "low_opportunity" in fit.codes


def test_a_stored_score_gives_the_opportunity(payroll):
    trend = trend_at("Payroll deadlines move in June", direction((P0, 1)), volumes=(1,), momentum=-0.9)
    make_score(payroll, trend, opportunity=0.66, decision=Decision.WATCHLIST, final=0.45)
    fit = trend_fit(payroll, trend)
    assert fit.opportunity == 0.66 and "low_opportunity" not in fit.codes
    assert fit.codes == ["low_score"]  # on-topic and lively, but its score is under the bar


def test_on_topic_but_below_the_relevance_tier_says_so(payroll):
    trend = trend_at("Payroll cut-off dates for the new tax year", direction((P0, 1)))
    make_score(payroll, trend, decision=Decision.WATCHLIST, final=0.7)
    fit = trend_fit(payroll, trend)
    assert fit.gated and not fit.recommended
    assert fit.codes == ["below_tier"]
    assert "most relevant trends" in fit.held_back[0].sentence


def test_no_stored_embedding_means_no_explanation_yet(brand):
    assert trend_fit(brand, make_trend("Anything")) is None


def test_a_profile_changed_since_scoring_is_flagged(payroll):
    payroll.negative_topics = [*NOT_ABOUT, "football transfers"]
    payroll.save(update_fields=["negative_topics"])
    assert trend_fit(payroll, trend_at("Payroll news", direction((P0, 1)))).stale


def test_the_web_process_never_embeds_to_explain(payroll, monkeypatch):
    def no_model(*args, **kwargs):
        raise AssertionError("the explanation must use the stored vectors")

    monkeypatch.setattr("apps.trends.services.embed_texts", no_model)
    assert trend_fit(payroll, trend_at("Payroll news", direction((P0, 1)))) is not None
    assert not hasattr(explain, "embed_texts")


# --- The trend page's "Why" card ---------------------------------------------------------------


@pytest.fixture
def owner_client(client, brand_user):
    client.force_login(brand_user)
    return client


def page_for(client, trend, brand) -> str:
    response = client.get(reverse("trends:detail", args=[trend.pk]) + f"?brand={brand.pk}")
    assert response.status_code == 200
    return response.content.decode()


def test_the_page_of_a_recommended_trend_names_the_matched_pillar(owner_client, payroll):
    trend = trend_at("New rules make tax filing simpler for small firms", direction((P1, 1)))
    make_score(payroll, trend, decision=Decision.RECOMMEND)
    page = page_for(owner_client, trend, payroll)
    assert "Why this is recommended" in page
    assert "Matches your pillar “Tax filings without the stress”." in page


def test_the_page_of_a_held_back_trend_says_why(owner_client, payroll):
    trend = trend_at("Premier League wage bills hit a record", direction((P0, 1), (SPORTS, 1.3)))
    page = page_for(owner_client, trend, payroll)
    assert "Why this is not recommended" in page
    assert 'data-reason="negative_topic"' in page and "“sports team payrolls”" in page
    assert reverse("brands:settings", args=[payroll.pk]) + "#keep-out" in page


def test_another_brands_trend_page_is_still_404(owner_client, payroll, other_brand):
    trend = trend_at("Payroll news", direction((P0, 1)))
    make_score(other_brand, trend)
    url = reverse("trends:detail", args=[trend.pk])
    assert owner_client.get(f"{url}?brand={other_brand.pk}").status_code == 404


def test_not_for_us_on_the_page_updates_the_why_card_too(owner_client, payroll):
    trend = trend_at("Payroll deadlines move in June", direction((P0, 1)))
    make_score(payroll, trend, decision=Decision.RECOMMEND)
    response = owner_client.post(
        reverse("trends:dismiss", args=[trend.pk]),
        {"brand": payroll.pk, "panel": "trend"},
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert body.lstrip().startswith('<section id="trend-brand-score"')
    assert 'id="trend-fit"' in body and 'hx-swap-oob="true"' in body
    assert "Why this is not recommended" in body and "You marked it “Not for us”" in body


def test_the_page_query_count_stays_bounded_with_the_explanation(
    owner_client, payroll, brand_user, django_assert_max_num_queries
):
    trend = trend_at("Payroll deadlines move in June", direction((P0, 1)))
    make_score(payroll, trend)
    for n in range(5):
        old = trend_at(f"Dismissed {n}", direction((OTHER, 1), (n + 10, 1)))
        TrendDismissal.objects.create(brand=payroll, trend=old, dismissed_by=brand_user)
    second = MembershipFactory(user=brand_user).brand  # the session's brand is not the page's
    assert second.pk != payroll.pk
    # The page's own 9, and 8 for the explanation: the brand's vectors, industries, platforms, past
    # rewards, dismissals (the scorer's and the titled look-alikes), the brand's industry and the
    # trend's mentions (what its volume counts).
    with django_assert_max_num_queries(17):
        page_for(owner_client, trend, payroll)


# --- The why-line of the cards ------------------------------------------------------------------


def test_the_dashboard_why_line_names_the_matched_pillar(payroll):
    trend = trend_at("New rules make tax filing simpler for small firms", direction((P1, 1)))
    score = make_score(payroll, trend, relevance=0.8)
    score.matched_pillar = "Tax filings without the stress"
    line = why_line(score, momentum_label="rising", sources=["NewsAPI"])
    assert line.startswith("Matches your pillar “Tax filings without the stress”; rising on NewsAPI")


def test_a_watchlist_why_line_below_the_gate_does_not_claim_a_match(payroll):
    trend = trend_at("Payroll deadlines move in June", direction((P0, 1)))
    score = make_score(payroll, trend, relevance=RELEVANCE_GATE - 0.2, decision=Decision.WATCHLIST)
    line = why_line(score, momentum_label="steady", sources=["Reddit"])
    assert line.startswith(f"Closest to your pillar “{score.matched_pillar}”")
    card = brand_recommendations(brand=payroll)["watchlist"][0]
    assert card["why"].startswith(f"Closest to your pillar “{score.matched_pillar}”;")


# --- The LLM review's grade (apps.trends.rerank) ------------------------------------------------


def cache_grade(brand, trend, grade: int, pillar: str = "") -> None:
    embedding = BrandEmbedding.objects.get(brand=brand)
    digest = grades_digest(embedding.text_digest, brand_brief(brand))
    cache_grades(brand.pk, digest, {trend.pk: Grade(grade, pillar)})


def test_a_trend_the_llm_review_graded_loosely_related_says_so(payroll, settings):
    settings.TREND_LLM_RERANK = True
    trend = trend_at("Payroll deadlines move in June", direction((P0, 1)))
    cache_grade(payroll, trend, 1)
    fit = trend_fit(payroll, trend)
    assert fit.gated and not fit.on_topic and fit.codes == ["llm_grade"]
    assert dict(fit.held_back)["llm_grade"].startswith("The AI review graded it loosely related (1 of 3)")


def test_a_trend_the_llm_review_recommends_is_not_called_off_topic(owner_client, payroll, settings):
    settings.TREND_LLM_RERANK = True
    trend = trend_at("Hiring your first employee: the paperwork", direction((P1, 0.3), (OTHER, 1)))
    make_score(payroll, trend, decision=Decision.RECOMMEND)
    cache_grade(payroll, trend, 3, pillar="Payroll that runs itself")
    fit = trend_fit(payroll, trend)
    assert not fit.gated and fit.on_topic and "off_topic" not in fit.codes
    assert fit.matched_pillar == "Payroll that runs itself"
    page = page_for(owner_client, trend, payroll)
    assert "Matches your pillar “Payroll that runs itself”." in page
    assert "The AI review graded it squarely on your brand (3 of 3)." in page


def test_without_reranking_a_cached_grade_is_not_read(payroll, settings):
    settings.TREND_LLM_RERANK = False
    trend = trend_at("Payroll deadlines move in June", direction((P0, 1)))
    cache_grade(payroll, trend, 0)
    assert trend_fit(payroll, trend).llm_grade is None
