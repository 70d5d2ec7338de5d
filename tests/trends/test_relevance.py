"""Issue 18's relevance: the best pillar counts (not only a blended profile), negative topics and
"Not for us" dismissals push similar trends down, bare hashtags are discounted, and the gate keeps
weak matches out of the recommendations."""

import math

import numpy as np
import pytest
from django.utils import timezone

from apps.brands.models import Industry
from apps.trends import services
from apps.trends.models import BrandEmbedding, BrandTrendScore, Decision, Trend, TrendRefreshRun
from apps.trends.scoring import (
    DISMISSED_COSINE,
    NEGATIVE_COSINE,
    PILLAR_WEIGHT,
    RECOMMEND,
    RELEVANCE_TIER_MARGIN,
    RELEVANCE_TIER_SIZE,
    SKIP,
    THIN_TEXT_DISCOUNT,
    WATCHLIST,
    BrandBatch,
    BrandVectors,
    TrendBatch,
    grouped_best,
    platform_mask,
    relevance_from_cosine,
    score,
    score_in_slices,
)
from tests.factories import BrandFactory, UserFactory

from .conftest import ListSource, item

DIM = 384
E = np.eye(DIM, dtype=np.float32)


def mix(*pairs) -> np.ndarray:
    """A unit vector with the given cosines on the given axes, the rest on axis 383."""
    v = np.zeros(DIM, dtype=np.float32)
    for axis, cos in pairs:
        v[axis] = cos
    v[DIM - 1] = math.sqrt(max(0.0, 1 - float((v**2).sum())))
    return v


def trends(*vectors, thin=None):
    n = len(vectors)
    return TrendBatch(
        vectors=np.vstack(vectors),
        volumes=np.full(n, 100.0),
        momenta=np.full(n, 0.5),
        sentiments=["positive"] * n,
        categories=np.zeros(n, dtype=np.int64),
        industries=np.zeros((n, 0), dtype=bool),
        thin=None if thin is None else np.array(thin, dtype=bool),
    )


def brand(profile, pillars=None, negatives=None, dismissed=None):
    return BrandBatch(
        vectors=profile[None, :],
        industries=np.array([-1]),
        platforms=platform_mask(set())[None, :],
        pillars=BrandVectors.from_lists([pillars]),
        negatives=BrandVectors.from_lists([negatives]),
        dismissed=BrandVectors.from_lists([dismissed]),
    )


def test_a_trend_squarely_on_one_pillar_beats_a_generic_one_the_blended_profile_prefers():
    # Pillars on axes 0, 1, 2; the blended profile sits between them (and its audience, axis 3).
    pillars = np.vstack([E[0], E[1], E[2]])
    profile = mix((0, 0.3), (1, 0.3), (2, 0.3), (3, 0.8))
    on_pillar = mix((0, 0.55))  # profile cosine 0.165: hidden by the blended vector alone
    generic = mix((3, 0.45), (0, 0.1), (1, 0.1))  # profile cosine 0.42
    s = score(trends(on_pillar, generic), brand(profile, pillars))
    cos_on = PILLAR_WEIGHT * 0.55 + (1 - PILLAR_WEIGHT) * float(on_pillar @ profile)
    cos_generic = PILLAR_WEIGHT * 0.1 + (1 - PILLAR_WEIGHT) * float(generic @ profile)
    assert s.relevance[:, 0].tolist() == pytest.approx(
        [relevance_from_cosine(cos_on), relevance_from_cosine(cos_generic)], abs=1e-5
    )
    assert s.relevance[0, 0] > s.relevance[1, 0]
    assert s.pillar[:, 0].tolist() == [0, 0]
    assert s.decision[0, 0] == RECOMMEND and s.decision[1, 0] == SKIP
    # The profile alone (no pillars stored) ranks them the other way round: the old behaviour.
    plain = score(trends(on_pillar, generic), brand(profile))
    assert plain.relevance[0, 0] < plain.relevance[1, 0]
    assert plain.pillar[:, 0].tolist() == [-1, -1]


def test_the_matched_pillar_is_the_closest_one():
    pillars = np.vstack([E[0], E[1], E[2]])
    s = score(trends(mix((2, 0.6)), mix((1, 0.5), (2, 0.2))), brand(E[0], pillars))
    assert s.pillar[:, 0].tolist() == [2, 1]


def test_a_negative_topic_pushes_down_what_is_more_about_it_than_about_any_pillar():
    pillars = np.vstack([E[0]])
    negatives = np.vstack([E[5]])
    payroll = mix((0, 0.6))
    sports_payroll = mix((0, 0.45), (5, 0.7))  # more about the negative topic than the pillar
    payroll_week = mix((0, 0.6), (5, 0.5))  # shares the negative topic's words, but is on the pillar
    s = score(trends(payroll, sports_payroll, payroll_week), brand(E[0], pillars, negatives))
    assert s.negative[:, 0].tolist() == pytest.approx([0.0, 0.7 - max(NEGATIVE_COSINE, 0.45), 0.0], abs=1e-6)
    assert s.decision[0, 0] == RECOMMEND and s.decision[2, 0] == RECOMMEND
    assert s.decision[1, 0] != RECOMMEND
    without = score(trends(sports_payroll), brand(E[0], pillars))
    assert s.cosine[1, 0] == pytest.approx(without.cosine[0, 0] - (0.7 - 0.45), abs=1e-5)
    # Closer to the negative topic than the pillar, but not close to it at all: nothing lost.
    faint = score(trends(mix((0, 0.2), (5, NEGATIVE_COSINE - 0.05))), brand(E[0], pillars, negatives))
    assert faint.negative[0, 0] == 0


def test_dismissed_trends_push_their_lookalikes_down_and_nothing_else():
    pillars = np.vstack([E[0]])
    dismissed = mix((0, 0.5), (7, 0.8))  # the trend the brand said "Not for us" to
    lookalike = mix((0, 0.5), (7, 0.75))
    unrelated = mix((0, 0.5), (8, 0.75))
    before = score(trends(lookalike, unrelated), brand(E[0], pillars))
    after = score(trends(lookalike, unrelated), brand(E[0], pillars, dismissed=np.vstack([dismissed])))
    similarity = float(lookalike @ dismissed)
    assert similarity > DISMISSED_COSINE
    assert after.dismissed[:, 0].tolist() == pytest.approx([similarity - DISMISSED_COSINE, 0.0], abs=1e-5)
    assert after.relevance[0, 0] < before.relevance[0, 0]
    assert after.relevance[1, 0] == pytest.approx(before.relevance[1, 0])
    assert before.decision[0, 0] == RECOMMEND and after.decision[0, 0] != RECOMMEND


def test_a_dismissed_trend_is_not_its_own_lookalike():
    pillars = np.vstack([E[0]])
    dismissed = mix((0, 0.5), (7, 0.8))
    s = score(trends(dismissed), brand(E[0], pillars, dismissed=np.vstack([dismissed])))
    assert s.dismissed[0, 0] == 0  # its score stays, so "Undo" brings it straight back
    assert s.decision[0, 0] == RECOMMEND


def on_pillar(*cosines):
    """Trends at these cosines to pillar axis 0, each with the rest on an axis of its own (so
    they are not look-alikes of each other)."""
    return [mix((0, c), (10 + i, math.sqrt(1 - c * c))) for i, c in enumerate(cosines)]


def test_the_relevance_tier_keeps_the_five_most_relevant_recommended():
    # All pass the gate (s ≥ 0.42) with a final score over 0.5; the best is far above the rest.
    cosines = (0.59, 0.45, 0.445, 0.44, 0.435, 0.43, 0.425)
    assert cosines[1] < cosines[0] - RELEVANCE_TIER_MARGIN
    s = score(trends(*on_pillar(*cosines)), brand(E[0], np.vstack([E[0]])))
    assert s.relevance[:, 0].tolist() == pytest.approx([relevance_from_cosine(c) for c in cosines], abs=1e-5)
    assert (s.final[:, 0] > 0.5).all()
    assert s.decision[:, 0].tolist() == [RECOMMEND] * RELEVANCE_TIER_SIZE + [WATCHLIST] * 2
    # The final score orders the tier: the louder story is no longer enough to be recommended.
    loud = trends(*on_pillar(*cosines))
    loud.volumes[-1], loud.momenta[-1] = 1e6, 1.0
    louder = score(loud, brand(E[0], np.vstack([E[0]])))
    assert louder.final[-1, 0] > louder.final[1, 0] and louder.decision[-1, 0] == WATCHLIST


def test_the_relevance_tier_takes_every_trend_nearly_as_close_as_the_best():
    cosines = (0.59, 0.58, 0.57, 0.56, 0.55, 0.54, 0.50, 0.46)  # within 0.12 of 0.59: down to 0.50
    s = score(trends(*on_pillar(*cosines)), brand(E[0], np.vstack([E[0]])))
    assert s.decision[:, 0].tolist() == [RECOMMEND] * 7 + [WATCHLIST]


def test_the_tier_is_per_brand_and_leaves_five_or_fewer_alone():
    cosines = (0.59, 0.45, 0.445, 0.44, 0.435, 0.43, 0.425)
    batch = brand(E[0], np.vstack([E[0]]))
    two = BrandBatch(
        vectors=np.vstack([E[0], E[1]]),
        industries=np.array([-1, -1]),
        platforms=np.vstack([platform_mask(set())] * 2),
        pillars=BrandVectors.from_lists([np.vstack([E[0]]), np.vstack([E[1]])]),
    )
    s = score(trends(*on_pillar(*cosines)), two)
    assert s.decision[:, 0].tolist() == score(trends(*on_pillar(*cosines)), batch).decision[:, 0].tolist()
    assert (s.decision[:, 1] == SKIP).all()  # nothing near the second brand's pillar
    few = score(trends(*on_pillar(*cosines[:5])), batch)
    assert (few.decision[:, 0] == RECOMMEND).all()


def test_a_dismissed_trend_holds_no_place_in_the_tier():
    vectors = on_pillar(0.6, 0.59, 0.45, 0.445, 0.44, 0.435, 0.43)
    before = score(trends(*vectors), brand(E[0], np.vstack([E[0]])))
    assert before.decision[:, 0].tolist() == [RECOMMEND] * 5 + [WATCHLIST] * 2
    s = score(trends(*vectors), brand(E[0], np.vstack([E[0]]), dismissed=np.vstack([vectors[0]])))
    assert s.dismissed[:, 0].tolist() == pytest.approx([0.0] * 7, abs=1e-6)  # no look-alikes here
    # The dismissed one is hidden from the lists: the next five are recommended, the last waits.
    assert s.decision[1:, 0].tolist() == [RECOMMEND] * 5 + [WATCHLIST]


def test_scoring_in_slices_applies_the_tier_to_the_whole_batch():
    batch = trends(*on_pillar(0.44, 0.59, 0.425, 0.45, 0.43, 0.445, 0.435))
    whole = score(batch, brand(E[0], np.vstack([E[0]])))
    sliced = score_in_slices(batch, brand(E[0], np.vstack([E[0]])), rows=2, progress=lambda done, total: None)
    assert sliced.decision.tolist() == whole.decision.tolist()
    assert sorted(whole.decision[:, 0].tolist()) == [WATCHLIST] * 2 + [RECOMMEND] * 5


def test_a_bare_hashtag_is_discounted():
    s = score(trends(mix((0, 0.5)), mix((0, 0.5)), thin=[False, True]), brand(E[0], np.vstack([E[0]])))
    assert s.cosine[0, 0] - s.cosine[1, 0] == pytest.approx(THIN_TEXT_DISCOUNT, abs=1e-6)


def test_grouped_best_handles_brands_without_vectors():
    group = BrandVectors.from_lists([None, np.vstack([E[0], E[1]]), None, np.vstack([E[2]])])
    best, index = grouped_best(np.vstack([mix((1, 0.5)), mix((2, 0.9))]), group, 4, with_index=True)
    assert best[:, 0].tolist() == [-1, -1] and index[:, 0].tolist() == [-1, -1]
    assert best[:, 1].tolist() == pytest.approx([0.5, 0.0], abs=1e-6)
    assert index[:, 1].tolist() == [1, 0]
    assert best[:, 3].tolist() == pytest.approx([0.0, 0.9], abs=1e-6)
    assert BrandVectors.from_lists([None, None]) is None


# --- Through the real pipeline and embedding model --------------------------------------------

PAYROLL_STORY = item(
    "newsapi",
    "HMRC payroll glitch leaves thousands of employees with wrong tax codes",
    "https://www.thetimes.co.uk/payroll-glitch",
    "Payroll managers at small businesses saw unexpected deductions in December pay runs.",
    volume=5,
)
SPORTS_STORY = item(
    "newsapi",
    "Premier League club pays players late after payroll error",
    "https://www.espn.com/football/club-payroll-error",
    "Squad wages were delayed by a week after a payroll mistake, the club said.",
    volume=5,
)
OTHER_PAYROLL_STORY = item(
    "newsapi",
    "Small firms struggle with pension auto-enrolment in their payroll",
    "https://www.ft.com/pension-payroll",
    "Employers with 10 to 50 staff say payroll software has not caught up with the new rules.",
    volume=5,
)
# Cosine ≈ 0.64 with PAYROLL_STORY (a look-alike, not the same story), ≈ 0.27 with OTHER_PAYROLL_STORY.
LOOKALIKE_STORY = item(
    "newsapi",
    "Employees complain of wrong deductions in December pay",
    "https://www.bbc.co.uk/news/december-pay-deductions",
    "Many workers saw less take-home pay than expected this month.",
    volume=5,
)


def _payroll_brand(**extra):
    hr, _ = Industry.objects.get_or_create(slug="hr", defaults={"name": "HR"})
    return BrandFactory(
        industry=hr,
        pillars=["Running payroll accurately and on time", "Payroll compliance: tax, pensions, minimum wage"],
        audience_roles=["payroll manager", "finance director"],
        audience_geographies=["UK"],
        audience_company_sizes=["10-500 employees"],
        onboarding_completed_at=timezone.now(),
        **extra,
    )


def _scores(brand):
    """Every active trend's scores for the brand, skipped ones included, by title."""
    trend_list = list(Trend.objects.active())
    slugs = list(Industry.objects.exclude(slug="other").values_list("slug", flat=True))
    embeddings = services.brand_embeddings_ensure([brand])
    scores = score(
        services.trend_batch_build(trend_list, slugs), services.brand_batch_build([brand], embeddings, slugs)
    )
    return {
        t.title: {
            "relevance": float(scores.relevance[k, 0]),
            "cosine": float(scores.cosine[k, 0]),
            "decision": int(scores.decision[k, 0]),
        }
        for k, t in enumerate(trend_list)
    }


@pytest.mark.django_db
def test_a_payroll_brand_holds_back_sports_team_payrolls_when_it_says_so():
    plain = _payroll_brand()
    careful = _payroll_brand(negative_topics=["sports team payrolls and player wages"])
    run = TrendRefreshRun.objects.create()
    services.trend_refresh_execute(run=run, sources=[ListSource("newsapi", [PAYROLL_STORY, SPORTS_STORY])])
    plain_scores, careful_scores = _scores(plain), _scores(careful)
    payroll, sports = PAYROLL_STORY.title, SPORTS_STORY.title
    assert careful_scores[payroll]["relevance"] == pytest.approx(plain_scores[payroll]["relevance"], abs=1e-4)
    assert careful_scores[payroll]["decision"] == RECOMMEND
    assert careful_scores[sports]["cosine"] < plain_scores[sports]["cosine"] - 0.1 + 1e-3
    assert careful_scores[sports]["decision"] != RECOMMEND
    assert BrandEmbedding.objects.get(brand=careful).negatives == ["sports team payrolls and player wages"]
    stored = BrandTrendScore.objects.filter(brand=careful, trend__title=sports).first()
    assert stored is None or stored.decision != Decision.RECOMMEND


@pytest.mark.django_db
def test_banned_topics_count_as_negative_topics():
    brand = _payroll_brand(banned_topics=["American football"], negative_topics=["american football", " "])
    assert services.brand_negatives(brand) == ["american football"]


@pytest.mark.django_db(transaction=True)
def test_not_for_us_pushes_similar_trends_down_after_the_rescore(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    brand = _payroll_brand()
    user = UserFactory()
    run = TrendRefreshRun.objects.create()
    services.trend_refresh_execute(
        run=run, sources=[ListSource("newsapi", [PAYROLL_STORY, OTHER_PAYROLL_STORY, LOOKALIKE_STORY])]
    )
    assert Trend.objects.count() == 3
    before = {
        s.trend.title: s.relevance
        for s in BrandTrendScore.objects.filter(brand=brand).select_related("trend")
    }
    lookalike, other = LOOKALIKE_STORY.title, OTHER_PAYROLL_STORY.title
    lookalike_before = _scores(brand)[lookalike]["cosine"]  # stored or not (it may be skipped)
    dismissed = Trend.objects.get(title=PAYROLL_STORY.title)
    services.trend_dismiss(brand=brand, trend=dismissed, user=user)
    # The rescore ran on commit (eager Celery) and stored the new scores.
    after = {
        s.trend.title: s.relevance
        for s in BrandTrendScore.objects.filter(brand=brand).select_related("trend")
    }
    assert _scores(brand)[lookalike]["cosine"] < lookalike_before - 0.1 + 1e-3
    assert after.get(lookalike, 0.0) <= before.get(lookalike, 0.0)
    assert after[other] == pytest.approx(before[other], abs=1e-5)
    services.trend_undismiss(brand=brand, trend=dismissed)
    restored = {
        s.trend.title: s.relevance
        for s in BrandTrendScore.objects.filter(brand=brand).select_related("trend")
    }
    if lookalike in before:
        assert restored[lookalike] == pytest.approx(before[lookalike], abs=1e-5)
    else:
        assert lookalike not in restored
    assert _scores(brand)[lookalike]["cosine"] == pytest.approx(lookalike_before, abs=1e-5)
