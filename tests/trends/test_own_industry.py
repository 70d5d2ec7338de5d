"""A brand's industry, listed or in its own words, is a small prior on relevance (issue 18), never
a filter: trends close to its own words or tagged with its listed industry gain INDUSTRY_PRIOR;
the rest are still scored; "Other" without words adds nothing."""

import numpy as np
import pytest

from apps.brands.models import Industry
from apps.trends import services
from apps.trends.models import BrandTrendScore, Trend, TrendRefreshRun
from apps.trends.scoring import INDUSTRY_PRIOR, SKIP, BrandBatch, TrendBatch, relevance_from_cosine, score
from tests.factories import BrandFactory

from .conftest import FINTECH_ITEMS, ListSource, item

E1, E2, E3 = np.eye(384, dtype=np.float32)[:3]
# The brand's profile: cosine 0.4 with each of the two trends (E1, E2).
PROFILE = 0.4 * E1 + 0.4 * E2 + np.sqrt(1 - 0.32) * E3


def trends(listed=(False, False)):
    return TrendBatch(
        vectors=np.vstack([E1, E2]),
        volumes=np.array([100.0, 100.0]),
        momenta=np.array([1.0, 1.0]),
        sentiments=["positive", "positive"],
        categories=np.array([0, 0]),
        industries=np.array([[listed[0]], [listed[1]]]),
    )


def brand(industry=-1, own=None):
    return BrandBatch(
        vectors=PROFILE[None, :].astype(np.float32),
        industries=np.array([industry]),
        platforms=np.ones((1, 4), dtype=bool),
        own_industries=None if own is None else own[None, :],
    )


def kept(scores):
    return [bool(d) for d in scores.decision[:, 0] != SKIP]


PLAIN, BOOSTED = relevance_from_cosine(0.4), relevance_from_cosine(0.4 + INDUSTRY_PRIOR)


def relevance(scores):
    return scores.relevance[:, 0].tolist()


def test_other_without_own_words_adds_nothing_and_skips_nothing():
    s = score(trends(), brand())
    assert kept(s) == [True, True]
    assert relevance(s) == pytest.approx([PLAIN, PLAIN])


def test_own_words_lift_the_trends_close_to_them_and_skip_none():
    s = score(trends(), brand(own=E1))
    assert kept(s) == [True, True]
    assert relevance(s) == pytest.approx([BOOSTED, PLAIN])


def test_own_words_add_to_the_listed_industrys_trends():
    assert relevance(score(trends(listed=(False, True)), brand(industry=0))) == pytest.approx(
        [PLAIN, BOOSTED]
    )
    s = score(trends(listed=(False, True)), brand(industry=0, own=E1))
    assert relevance(s) == pytest.approx([BOOSTED, BOOSTED])
    assert kept(s) == [True, True]


def test_an_empty_own_industry_row_changes_nothing():
    assert relevance(score(trends(), brand(own=np.zeros(384, np.float32)))) == pytest.approx([PLAIN, PLAIN])


@pytest.mark.django_db
def test_a_coffee_brand_in_other_gets_coffee_trends_and_not_payments_ones(fintech):
    other, _ = Industry.objects.get_or_create(slug="other", defaults={"name": "Other"})
    coffee = BrandFactory(
        industry=other,
        industry_description="Specialty coffee roasting and coffee shops",
        pillars=["Great coffee for busy teams", "Ethically sourced beans, fairly priced"],
        audience_roles=["Office managers", "Founders"],
        onboarding_completed_at=FINTECH_ITEMS[0].published_at,
    )
    coffee_story = item(
        "newsapi",
        "Coffee prices hit a record as drought hits Brazil's bean harvest",
        "https://www.reuters.com/markets/commodities/coffee-record",
        "Arabica coffee futures rose to a record as roasters and coffee shops warned of higher prices.",
        volume=900,  # widely shared: its opportunity is no reason to skip it
    )
    run = TrendRefreshRun.objects.create()
    services.trend_refresh_execute(run=run, sources=[ListSource("newsapi", [*FINTECH_ITEMS, coffee_story])])
    titles = set(BrandTrendScore.objects.filter(brand=coffee).values_list("trend__title", flat=True))
    assert coffee_story.title in titles
    assert not titles & {t.title for t in FINTECH_ITEMS[:4]}
    assert Trend.objects.count() >= 5
