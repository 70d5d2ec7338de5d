"""Scoring every trend for every brand at once (SPEC section 4), as NumPy matrix operations.

    final = 0.35·relevance + 0.35·opportunity + 0.20·format fit + 0.10·learned reward

- relevance: cosine similarity of the trend's embedding and the brand's profile embedding
  (pillars + audience), mapped to [0, 1] by clip(cos / RELEVANCE_COSINE_CEILING, 0, 1). With
  all-MiniLM-L6-v2 a headline and a brand profile that are plainly about the same thing score
  about 0.5-0.6 and unrelated texts 0.0-0.15, so 0.6 counts as a full match and the skip rule
  (relevance ≤ 0.3, i.e. cos ≤ 0.18) drops unrelated news.
- opportunity: clip((0.6·v + 0.4·(momentum + 1)/2) · sentiment multiplier, 0, 1), where v is the
  volume normalised against the batch: the mean of its percentile rank among the batch's trends
  and log(1 + volume) / log(1 + the batch's largest volume). Both halves are needed because the
  sources count on very different scales (a hashtag's 80,000 posts, a story in three outlets).
  Sentiment multiplier: positive 1.0, neutral 0.9, negative 0.75 (brands join bad news less).
- format fit: FORMAT_FIT gives, per category, how well each platform/format carries such a story;
  a brand gets the best of the formats on the platforms it has connected (all of them while it
  has only the sandbox account).
- learned reward: the average reward of the brand's similar past posts, in [0, 1]: over the
  brand's rewarded posts whose trend embedding has a cosine similarity ≥ SIMILAR_TREND_COSINE (0.5)
  with this trend, the similarity-weighted mean reward / 5. A neutral 0.5 where the brand has no
  similar past post. The past posts come from whatever registered a `past_rewards_provider`
  (apps.learning, above trends, does at start-up); with none registered every reward is neutral.

Industry filter: a trend is in a brand's industry when a source's query for that industry found
it or its embedding is within INDUSTRY_COSINE of the industry's "name: description"; a brand that
describes its industry in its own words also gets the trends that close to those words. "Other"
filters nothing.

Decision: skip when the trend is outside the brand's industry filter, when relevance ≤ 0.3 or
when opportunity ≤ 0.3; recommend when final > 0.5; otherwise the watchlist.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields

import numpy as np

from apps.core.vocabulary import NETWORKS, PLATFORM_FORMAT_PAIRS, REWARD_MAX

from .categories import TrendCategory

WEIGHTS = {"relevance": 0.35, "opportunity": 0.35, "format_fit": 0.20, "reward": 0.10}
RELEVANCE_COSINE_CEILING = 0.6
SKIP_RELEVANCE_AT_OR_BELOW = 0.3
SKIP_OPPORTUNITY_AT_OR_BELOW = 0.3
# A trend belongs to an industry whose description (or a brand's own words for its industry) it
# is at least this close to; the trend job tags trends with it (apps.trends.pipeline).
INDUSTRY_COSINE = 0.3
RECOMMEND_ABOVE = 0.5
NEUTRAL_REWARD = 0.5
# Learned reward: past posts whose trend's embedding has a cosine similarity of at least this with
# the new trend count, weighted by that similarity. all-MiniLM-L6-v2 puts two headlines about the
# same story at 0.6-0.9 and merely same-industry ones at 0.3-0.5.
SIMILAR_TREND_COSINE = 0.5
SENTIMENT_MULTIPLIER = {"positive": 1.0, "neutral": 0.9, "negative": 0.75}

SKIP, WATCHLIST, RECOMMEND = 0, 1, 2

CATEGORIES: list[str] = [c.value for c in TrendCategory]
CATEGORY_INDEX = {c: i for i, c in enumerate(CATEGORIES)}

# How well each format carries a story of each category, in [0, 1]. The reasoning, per row:
# breaking news is fast and short (an X post); regulation and research need room and structure
# (threads, LinkedIn posts, carousels of the numbers); how-tos are steps (threads, carousels);
# opinion starts conversations on LinkedIn; people and careers belong on LinkedIn; events and
# culture are moments for a quick X post. The columns are the vocabulary's PLATFORM_FORMAT_PAIRS.
#                                 X post  X thread  LI post  LI carousel
FORMAT_FIT: dict[str, tuple[float, float, float, float]] = {
    TrendCategory.BREAKING: (0.90, 0.70, 0.60, 0.40),
    TrendCategory.REGULATION: (0.60, 0.85, 0.85, 0.80),
    TrendCategory.MARKETS: (0.80, 0.70, 0.80, 0.60),
    TrendCategory.PRODUCT: (0.85, 0.60, 0.80, 0.65),
    TrendCategory.RESEARCH: (0.55, 0.85, 0.75, 0.95),
    TrendCategory.HOW_TO: (0.50, 0.90, 0.70, 0.90),
    TrendCategory.OPINION: (0.80, 0.75, 0.90, 0.40),
    TrendCategory.PEOPLE: (0.60, 0.50, 0.95, 0.60),
    TrendCategory.EVENTS: (0.90, 0.50, 0.75, 0.50),
    TrendCategory.CULTURE: (0.95, 0.40, 0.35, 0.30),
}
FORMAT_FIT_MATRIX = np.array([FORMAT_FIT[c] for c in CATEGORIES], dtype=np.float32)  # C × F


@dataclass
class TrendBatch:
    vectors: np.ndarray  # T × D, L2-normalised float32
    volumes: np.ndarray  # T
    momenta: np.ndarray  # T, in [-1, 1]
    sentiments: list[str]  # T labels
    categories: np.ndarray  # T category indexes into CATEGORIES
    industries: np.ndarray  # T × I bool: trend t belongs to industry i


@dataclass
class PastRewards:
    """The brand batch's past posts for the learned reward, grouped by brand (column order)."""

    vectors: np.ndarray  # P × D trend embeddings of the past posts (L2-normalised float32)
    rewards: np.ndarray  # P mean reward of each post, 0-5
    brands: np.ndarray  # P brand column (index into the batch), ascending


# The learned reward's seam: trends sits below the learning loop, so it does not ask it; learning
# registers the function that gives a brand batch's past rewards (its AppConfig.ready()).
PastRewardsProvider = Callable[[Sequence[int]], "PastRewards | None"]
_past_rewards_provider: PastRewardsProvider | None = None


def past_rewards_provider_register(provider: PastRewardsProvider | None) -> None:
    """Set (or with None, clear) the function `brand_past_rewards` asks."""
    global _past_rewards_provider
    _past_rewards_provider = provider


def brand_past_rewards(brand_ids: Sequence[int]) -> PastRewards | None:
    """The brands' rewarded past posts from the registered provider; None (a neutral learned
    reward) when none is registered or no brand of the batch has one."""
    if _past_rewards_provider is None:
        return None
    return _past_rewards_provider(brand_ids)


@dataclass
class BrandBatch:
    vectors: np.ndarray  # B × D, L2-normalised float32
    industries: np.ndarray  # B industry index into TrendBatch.industries' columns; -1 = no filter
    platforms: np.ndarray  # B × F bool: the brand can publish format f
    rewards: np.ndarray | None = None  # B × C expected reward per category in [0, 1]; None = neutral
    # The brands' rewarded past posts (PastRewards: vectors P × D, rewards P in 0-5, brands P
    # column index, ascending); when set, the learned reward comes from them.
    past: PastRewards | None = None
    # B × D: each brand's industry in its own words, embedded (a zero row: it gave none). A trend
    # is in such a brand's industry when it is this close to those words (as close as a listed
    # industry's description would have to be) or in the listed industry the brand picked.
    own_industries: np.ndarray | None = None


@dataclass
class Scores:
    relevance: np.ndarray  # T × B
    opportunity: np.ndarray  # T (the same for every brand)
    format_fit: np.ndarray  # T × B
    reward: np.ndarray  # T × B
    final: np.ndarray  # T × B
    decision: np.ndarray  # T × B int8: SKIP, WATCHLIST or RECOMMEND
    best_format: np.ndarray  # T × B index into PLATFORM_FORMAT_PAIRS


def volume_normalised(volumes: np.ndarray) -> np.ndarray:
    """Each volume against the batch, in [0, 1]: mean of percentile rank and log share of the largest."""
    v = np.asarray(volumes, dtype=np.float64)
    n = v.size
    if n == 0:
        return v
    if n == 1:
        return np.ones(1)
    # Percentile rank with ties sharing their average rank.
    _, inverse, counts = np.unique(v, return_inverse=True, return_counts=True)
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    average_rank = starts + (counts - 1) / 2.0
    percentile = average_rank[inverse] / (n - 1)
    largest = np.log1p(v.max())
    log_share = np.log1p(v) / largest if largest > 0 else np.zeros(n)
    return (percentile + log_share) / 2.0


def opportunity_vector(volumes: np.ndarray, momenta: np.ndarray, sentiments: list[str]) -> np.ndarray:
    multiplier = np.array([SENTIMENT_MULTIPLIER.get(s, 0.9) for s in sentiments], dtype=np.float64)
    momentum_share = (np.clip(np.asarray(momenta, dtype=np.float64), -1, 1) + 1) / 2
    return np.clip((0.6 * volume_normalised(volumes) + 0.4 * momentum_share) * multiplier, 0, 1)


def relevance_matrix(trend_vectors: np.ndarray, brand_vectors: np.ndarray) -> np.ndarray:
    cosine = trend_vectors @ brand_vectors.T
    return np.clip(cosine / RELEVANCE_COSINE_CEILING, 0, 1)


def format_fit_matrix(categories: np.ndarray, platforms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Best fit and its format index for every trend × brand.

    Brands share few distinct platform sets, so the fit is computed once per set and then
    gathered for every brand: T × K × F work instead of T × B × F.
    """
    sets, brand_set = np.unique(platforms.astype(bool), axis=0, return_inverse=True)
    per_category = FORMAT_FIT_MATRIX[categories]  # T × F
    masked = per_category[:, None, :] * sets[None, :, :]  # T × K × F
    best = masked.argmax(axis=2)  # T × K
    fit = np.take_along_axis(masked, best[:, :, None], axis=2)[:, :, 0]
    brand_set = brand_set.reshape(-1)
    return fit[:, brand_set], best[:, brand_set]


def learned_reward_matrix(
    trend_vectors: np.ndarray, past: PastRewards | None, n_brands: int, threshold: float | None = None
) -> np.ndarray:
    """T × B: the similarity-weighted mean reward / 5 of each brand's past posts whose trend is
    similar (cosine ≥ threshold) to each trend; NEUTRAL_REWARD where a brand has none.

    The past posts are sorted by brand, so each brand's sums are one np.add.reduceat over its
    columns of the T × P similarity matrix: no loop over brands."""
    threshold = SIMILAR_TREND_COSINE if threshold is None else threshold
    reward = np.full((trend_vectors.shape[0], n_brands), NEUTRAL_REWARD, dtype=np.float32)
    if past is None or len(past.rewards) == 0 or trend_vectors.shape[0] == 0:
        return reward
    similarity = trend_vectors.astype(np.float32) @ past.vectors.T  # T × P
    weights = np.where(similarity >= threshold, similarity, 0).astype(np.float64)
    brands, starts = np.unique(past.brands, return_index=True)
    weight_sums = np.add.reduceat(weights, starts, axis=1)  # T × brands-with-posts
    reward_sums = np.add.reduceat(weights * past.rewards[None, :], starts, axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        learned = np.where(weight_sums > 0, reward_sums / weight_sums / REWARD_MAX, NEUTRAL_REWARD)
    reward[:, brands] = np.clip(learned, 0, 1)
    return reward


def score(trends: TrendBatch, brands: BrandBatch, *, opportunity: np.ndarray | None = None) -> Scores:
    """Every trend × brand score. `opportunity` is given when `trends` is a slice of a larger batch:
    volume is ranked against the whole batch; every other part is row by row."""
    relevance = relevance_matrix(trends.vectors, brands.vectors).astype(np.float32)
    if opportunity is None:
        opportunity = opportunity_vector(trends.volumes, trends.momenta, trends.sentiments)
    opportunity = opportunity.astype(np.float32)
    fit, best_format = format_fit_matrix(trends.categories, brands.platforms)
    if brands.past is not None:
        reward = learned_reward_matrix(trends.vectors, brands.past, relevance.shape[1])
    elif brands.rewards is None:
        reward = np.full(relevance.shape, NEUTRAL_REWARD, dtype=np.float32)
    else:
        reward = brands.rewards.astype(np.float32)[:, trends.categories].T  # T × B
    final = (
        WEIGHTS["relevance"] * relevance
        + WEIGHTS["opportunity"] * opportunity[:, None]
        + WEIGHTS["format_fit"] * fit
        + WEIGHTS["reward"] * reward
    )
    no_filter = brands.industries < 0
    if trends.industries.shape[1]:
        in_industry = trends.industries[:, np.maximum(brands.industries, 0)] | no_filter[None, :]
    else:
        in_industry = np.broadcast_to(no_filter[None, :], relevance.shape)
    if brands.own_industries is not None and (own := np.any(brands.own_industries != 0, axis=1)).any():
        in_industry = np.array(in_industry)
        listed = in_industry[:, own] & ~no_filter[None, own]
        in_industry[:, own] = listed | (trends.vectors @ brands.own_industries[own].T >= INDUSTRY_COSINE)
    skipped = (
        ~in_industry
        | (relevance <= SKIP_RELEVANCE_AT_OR_BELOW)
        | (opportunity[:, None] <= SKIP_OPPORTUNITY_AT_OR_BELOW)
    )
    decision = np.where(skipped, SKIP, np.where(final > RECOMMEND_ABOVE, RECOMMEND, WATCHLIST)).astype(
        np.int8
    )
    return Scores(
        relevance=relevance,
        opportunity=opportunity,
        format_fit=fit.astype(np.float32),
        reward=reward,
        final=final.astype(np.float32),
        decision=decision,
        best_format=best_format,
    )


def trend_batch_slice(trends: TrendBatch, rows: slice) -> TrendBatch:
    return TrendBatch(
        vectors=trends.vectors[rows],
        volumes=trends.volumes[rows],
        momenta=trends.momenta[rows],
        sentiments=trends.sentiments[rows],
        categories=trends.categories[rows],
        industries=trends.industries[rows],
    )


def score_in_slices(
    trends: TrendBatch, brands: BrandBatch, *, rows: int, progress: Callable[[int, int], None]
) -> Scores:
    """The same scores as `score`, computed `rows` trends at a time, calling `progress(done,
    total)` after each slice (a brand's first scoring shows how far it is)."""
    total = len(trends.volumes)
    opportunity = opportunity_vector(trends.volumes, trends.momenta, trends.sentiments)
    parts = []
    for start in range(0, total, rows):
        part = slice(start, start + rows)
        parts.append(score(trend_batch_slice(trends, part), brands, opportunity=opportunity[part]))
        progress(min(start + rows, total), total)
    if not parts:
        return score(trends, brands)
    return Scores(**{f.name: np.concatenate([getattr(p, f.name) for p in parts]) for f in fields(Scores)})


def platform_mask(platforms: set[str]) -> np.ndarray:
    """Which PLATFORM_FORMAT_PAIRS a brand can use: those of its connected networks, or all of them."""
    usable = platforms & set(NETWORKS) or set(NETWORKS)
    return np.array([p in usable for p, _ in PLATFORM_FORMAT_PAIRS], dtype=bool)
