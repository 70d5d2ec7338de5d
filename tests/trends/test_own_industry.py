"""A brand that describes its industry in its own words gets the trends close to those words; the
listed industry's trends stay in; "Other" without words filters nothing."""

import numpy as np
import pytest

from apps.brands.models import Industry
from apps.trends import services
from apps.trends.models import BrandTrendScore, Trend, TrendRefreshRun
from apps.trends.scoring import SKIP, BrandBatch, TrendBatch, score
from tests.factories import BrandFactory

from .conftest import FINTECH_ITEMS, ListSource, item

E1, E2 = np.eye(384, dtype=np.float32)[0], np.eye(384, dtype=np.float32)[1]


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
        vectors=((E1 + E2) / np.sqrt(2))[None, :],
        industries=np.array([industry]),
        platforms=np.ones((1, 4), dtype=bool),
        own_industries=None if own is None else own[None, :],
    )


def kept(scores):
    return [bool(d) for d in scores.decision[:, 0] != SKIP]


def test_other_without_own_words_filters_nothing():
    assert kept(score(trends(), brand())) == [True, True]


def test_own_words_keep_only_the_trends_close_to_them():
    assert kept(score(trends(), brand(own=E1))) == [True, False]


def test_own_words_add_to_the_listed_industrys_trends():
    assert kept(score(trends(listed=(False, True)), brand(industry=0))) == [False, True]
    assert kept(score(trends(listed=(False, True)), brand(industry=0, own=E1))) == [True, True]


def test_an_empty_own_industry_row_changes_nothing():
    assert kept(score(trends(), brand(own=np.zeros(384, np.float32)))) == [True, True]


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
