"""The SPEC formula with hand-computed numbers, each decision rule, and format fit per platform."""

import math

import numpy as np
import pytest

from apps.trends.scoring import (
    RECOMMEND,
    SKIP,
    WATCHLIST,
    BrandBatch,
    TrendBatch,
    platform_mask,
    score,
    volume_normalised,
)

DIM = 384


def unit(cos_with_e1: float) -> np.ndarray:
    """A unit vector whose cosine with e1 (the brand's vector) is `cos_with_e1`."""
    v = np.zeros(DIM, dtype=np.float32)
    v[0], v[1] = cos_with_e1, math.sqrt(1 - cos_with_e1**2)
    return v


def brand_batch(n=1, industries=None, platforms=None, rewards=None):
    e1 = np.zeros(DIM, dtype=np.float32)
    e1[0] = 1
    return BrandBatch(
        vectors=np.vstack([e1] * n),
        industries=np.array(industries if industries is not None else [-1] * n),
        platforms=np.vstack(platforms or [platform_mask(set())] * n),
        rewards=rewards,
    )


def trend_batch(cosines, volumes, momenta, sentiments, categories, industries=None):
    from apps.trends.scoring import CATEGORY_INDEX

    return TrendBatch(
        vectors=np.vstack([unit(c) for c in cosines]),
        volumes=np.array(volumes, dtype=float),
        momenta=np.array(momenta, dtype=float),
        sentiments=sentiments,
        categories=np.array([CATEGORY_INDEX[c] for c in categories]),
        industries=np.array(industries if industries is not None else [[True]] * len(cosines), dtype=bool),
    )


def test_volume_is_normalised_against_the_batch_by_rank_and_log_share():
    v = volume_normalised(np.array([100, 10, 1]))
    # percentiles (share at or below) 1, 2/3, 1/3; log shares 1, log(11)/log(101), log(2)/log(101)
    assert v == pytest.approx(
        [1.0, (2 / 3 + math.log(11) / math.log(101)) / 2, (1 / 3 + math.log(2) / math.log(101)) / 2]
    )
    assert volume_normalised(np.array([5, 5])) == pytest.approx([1.0, 1.0])  # ties: as big as each other
    # Three single-outlet stories and one in five outlets: a single outlet is the usual story,
    # ranked with the three it equals (3/4), not at the middle of the tie.
    usual = volume_normalised(np.array([1, 1, 1, 5]))
    assert usual[:3] == pytest.approx([(0.75 + math.log(2) / math.log(6)) / 2] * 3)
    assert volume_normalised(np.array([7])) == pytest.approx([1.0])


def rel(cos: float) -> float:
    """The calibrated mapping: clip((cos − 0.2) / 0.4, 0, 1)."""
    return min(max((cos - 0.2) / 0.4, 0.0), 1.0)


def test_final_score_matches_hand_computed_numbers():
    trends = trend_batch(
        cosines=[0.48, 0.36, 0.5],
        volumes=[100, 10, 1],
        momenta=[0.5, -0.2, -0.2],
        sentiments=["positive", "negative", "neutral"],
        categories=["research", "opinion", "breaking"],
    )
    s = score(trends, brand_batch())
    # Trend 1: relevance (0.48 − 0.2)/0.4 = 0.7, above the gate; opportunity
    # (0.6·1 + 0.4·0.75)·1.0 = 0.9; research on every platform: LinkedIn carousel 0.95; reward 0.5.
    assert s.relevance[0, 0] == pytest.approx(rel(0.48))
    assert s.opportunity[0] == pytest.approx(0.9)
    assert s.format_fit[0, 0] == pytest.approx(0.95)
    assert s.reward[0, 0] == 0.5
    assert s.final[0, 0] == pytest.approx(0.35 * rel(0.48) + 0.35 * 0.9 + 0.2 * 0.95 + 0.1 * 0.5)  # 0.8117
    assert s.decision[0, 0] == RECOMMEND
    # Trend 2: relevance 0.4 (below the gate); volume (2/3 + log 11/log 101)/2 = 0.593120,
    # momentum share 0.4, negative ×0.75 → opportunity 0.386904; opinion → LinkedIn post 0.9;
    # final 0.505416 (> 0.5, but below the gate: watchlist).
    assert s.relevance[1, 0] == pytest.approx(0.4)
    assert s.opportunity[1] == pytest.approx(0.386904, abs=1e-5)
    assert s.format_fit[1, 0] == pytest.approx(0.9)
    assert s.final[1, 0] == pytest.approx(0.505416, abs=1e-5)
    assert s.decision[1, 0] == WATCHLIST
    # Trend 3: one mention, the smallest, falling, neutral → volume (1/3 + log 2/log 101)/2 =
    # 0.241762, opportunity (0.6·0.241762 + 0.4·0.4)·0.9 = 0.274551 → skipped.
    assert s.opportunity[2] == pytest.approx(0.274551, abs=1e-5)
    assert s.decision[2, 0] == SKIP


def _one(cos=0.48, industries=None, brand_industries=None, momentum=0.5, sentiment="positive"):
    trends = trend_batch(
        [cos, 0.48], [100, 10], [momentum, 0.0], [sentiment, "neutral"], ["research", "research"], industries
    )
    return score(trends, brand_batch(industries=brand_industries))


def test_relevance_at_or_below_0_3_is_skipped():
    assert _one(cos=0.31).decision[0, 0] == SKIP  # relevance 0.275
    assert _one(cos=0.33).decision[0, 0] != SKIP  # relevance 0.325


def test_opportunity_at_or_below_0_3_is_skipped():
    # volume share 1.0, momentum -1 → 0.6·1 + 0 = 0.6 × negative 0.75 = 0.45: kept
    assert _one(momentum=-1.0, sentiment="negative").decision[0, 0] != SKIP
    # the smaller of two trends: percentile 1/2, volume share ~0.51, flat, neutral → (0.306 + 0.2)·0.9 = 0.46
    s = _one()
    assert s.opportunity[1] == pytest.approx((0.6 * (0.5 + math.log(11) / math.log(101)) / 2 + 0.2) * 0.9)
    trends = trend_batch(
        [0.48, 0.48], [100, 1], [0.0, -1.0], ["neutral", "negative"], ["research", "research"]
    )
    s = score(trends, brand_batch())
    assert s.opportunity[1] <= 0.3 and s.decision[1, 0] == SKIP


def test_the_industry_is_a_small_prior_and_never_a_skip():
    # Column 0 is fintech; the first trend is fintech, the second is not.
    industries = [[True], [False]]
    trends = trend_batch([0.48, 0.48], [100, 100], [0.5, 0.5], ["positive"] * 2, ["research"] * 2, industries)
    fintech_brand = score(trends, brand_batch(industries=[0]))
    assert fintech_brand.decision[:, 0].tolist() == [RECOMMEND, RECOMMEND]
    assert fintech_brand.relevance[0, 0] == pytest.approx(rel(0.48 + 0.02))
    assert fintech_brand.relevance[1, 0] == pytest.approx(rel(0.48))
    no_industry = score(trends, brand_batch(industries=[-1]))
    assert no_industry.relevance[:, 0] == pytest.approx([rel(0.48)] * 2)


def test_only_trends_past_the_relevance_gate_are_recommended_and_final_orders_them():
    # A loosely related trend with a big volume: final above 0.5, but relevance 0.5 is under the
    # gate (0.55), so it stays on the watchlist; an on-topic one with a smaller volume is recommended.
    trends = trend_batch(
        [0.4, 0.45, 0.45],
        [100_000, 50, 1],
        [1.0, 0.0, 0.0],
        ["positive"] * 3,
        ["research"] * 3,
    )
    s = score(trends, brand_batch())
    assert s.relevance[0, 0] == pytest.approx(0.5)
    assert s.final[0, 0] > s.final[1, 0] > 0.5
    assert s.decision[0, 0] == WATCHLIST
    assert s.decision[1, 0] == RECOMMEND
    # On-topic but with final ≤ 0.5 (culture on LinkedIn only, little volume): the watchlist.
    culture = trend_batch([0.45, 0.45, 0.2], [10, 20, 1000], [0.0] * 3, ["neutral"] * 3, ["culture"] * 3)
    s = score(culture, brand_batch(platforms=[platform_mask({"linkedin"})]))
    assert s.relevance[0, 0] >= 0.55 and s.opportunity[0] > 0.3 and s.final[0, 0] <= 0.5
    assert s.decision[0, 0] == WATCHLIST


def test_format_fit_uses_the_brands_connected_platforms():
    trends = trend_batch([0.48], [10], [0.0], ["neutral"], ["research"])
    brands = brand_batch(
        n=3,
        platforms=[platform_mask({"x"}), platform_mask({"linkedin", "sandbox"}), platform_mask({"sandbox"})],
    )
    s = score(trends, brands)
    assert s.format_fit[0].tolist() == pytest.approx([0.85, 0.95, 0.95])  # X thread, LI carousel, all
    assert s.best_format[0].tolist() == [1, 3, 3]


def test_learned_reward_comes_from_the_brands_model_when_it_has_one():
    from apps.trends.scoring import CATEGORY_INDEX

    rewards = np.full((1, len(CATEGORY_INDEX)), 0.5, dtype=np.float32)
    rewards[0, CATEGORY_INDEX["research"]] = 0.9
    trends = trend_batch([0.48], [10], [0.0], ["neutral"], ["research"])
    s = score(trends, brand_batch(rewards=rewards))
    assert s.reward[0, 0] == pytest.approx(0.9)


def test_scoring_is_one_matrix_operation_over_all_pairs():
    rng = np.random.default_rng(1)
    t, b = 50, 200
    vectors = rng.normal(size=(t, DIM)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    trends = TrendBatch(
        vectors=vectors,
        volumes=rng.integers(1, 1000, t).astype(float),
        momenta=rng.uniform(-1, 1, t),
        sentiments=["neutral"] * t,
        categories=rng.integers(0, 10, t),
        industries=np.ones((t, 1), dtype=bool),
    )
    brand_vectors = rng.normal(size=(b, DIM)).astype(np.float32)
    brand_vectors /= np.linalg.norm(brand_vectors, axis=1, keepdims=True)
    brands = BrandBatch(
        vectors=brand_vectors,
        industries=np.full(b, -1),
        platforms=np.vstack([platform_mask(set())] * b),
    )
    s = score(trends, brands)
    assert s.final.shape == (t, b)
    # Spot-check one pair against the formula computed by hand from the parts.
    i, j = 7, 123
    expected = 0.35 * s.relevance[i, j] + 0.35 * s.opportunity[i] + 0.2 * s.format_fit[i, j] + 0.1 * 0.5
    assert s.final[i, j] == pytest.approx(expected, abs=1e-6)


def test_volume_is_ranked_among_trends_that_count_the_same_thing():
    from apps.trends.scoring import opportunity_vector, volume_normalised_by_kind

    # A story in 2 outlets is the biggest of the articles; 30,000 posts is the smallest on X.
    volumes = np.array([2, 1, 30_000, 90_000, 40_000, 50_000])
    kinds = ["articles", "articles", "x", "x", "x", "x"]
    by_kind = volume_normalised_by_kind(volumes, kinds)
    assert by_kind[0] == pytest.approx(1.0) and by_kind[2] < by_kind[3] == pytest.approx(1.0)
    assert by_kind[1] == pytest.approx(volume_normalised(np.array([2, 1]))[1])
    one_scale = volume_normalised(volumes)
    assert one_scale[0] < 0.4  # on one scale the 2-outlet story looked like nothing
    flat = opportunity_vector(volumes, np.zeros(6), ["neutral"] * 6, kinds)
    assert flat[0] > 0.3 >= opportunity_vector(volumes, np.zeros(6), ["neutral"] * 6)[0]
