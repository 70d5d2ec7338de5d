"""Scoring every trend for every brand at once (SPEC section 4), as NumPy matrix operations.

    final = 0.35·relevance + 0.35·opportunity + 0.20·format fit + 0.10·learned reward

- relevance: how a marketer judges fit, from the embeddings (issue 18). For each brand,
      s = 0.8 · max over its pillars of cos(trend, pillar) + 0.2 · cos(trend, profile)
  (the profile is industry, pillars and audience in one text), so a trend squarely on one pillar is
  not hidden by a blended vector, and the audience still counts. Then:
  - a bare hashtag or title of at most THIN_TEXT_WORDS words loses THIN_TEXT_DISCOUNT: a single
    field word ("fitness", "Cyber Security") sits close to every pillar of its field without being
    a story the brand could post about;
  - a trend near one of the brand's negative or banned topics loses
    NEGATIVE_WEIGHT · (cos − max(NEGATIVE_COSINE, its best pillar cosine)) when that is positive:
    it is held back only when it is more about the negative topic than about any pillar;
  - a trend near one the brand dismissed ("Not for us") loses DISMISSED_WEIGHT · (cos −
    DISMISSED_COSINE) likewise;
  - a trend in the brand's industry (a source's query for it, or close to its description or the
    brand's own words for it) gains INDUSTRY_PRIOR: a small prior, never a filter.
  relevance = clip((s − RELEVANCE_COSINE_FLOOR) / (RELEVANCE_COSINE_CEILING −
  RELEVANCE_COSINE_FLOOR), 0, 1). Floor, ceiling, gate and the constants above were chosen on the
  tune half of bench/data/relevance/ (README there; figures from `python -m bench.relevance` on the
  held-out half): with all-MiniLM-L6-v2, s averages about 0.05 for off-topic items, 0.23 for
  near-misses, 0.30 for on-topic and 0.43 for squarely-on-a-pillar ones. The floor is 0.20 and
  the ceiling 0.60, so the gate 0.55 asks s ≥ 0.42 and the relevance skip drops s ≤ 0.32: chosen
  again once single-outlet stories stopped falling under the opportunity skip, when the near-miss
  threads at s ≈ 0.40 ("Best long-lasting lipstick for weddings?" for a skincare brand) were what
  the gate let through (tune 0.902 / 0.976 → 0.923 / 0.982 against a floor of 0.15).
- opportunity: clip((0.6·v + 0.4·(momentum + 1)/2) · sentiment multiplier, 0, 1), where v is the
  volume normalised against the batch's trends whose volume counts the same thing (VOLUME_KINDS:
  articles from NewsAPI and RSS, X posts, Reddit votes and comments, Mastodon uses; a trend counts
  as the kind of its biggest source): the mean of its percentile rank among them and
  log(1 + volume) / log(1 + their largest volume); the percentile is the share of those
  trends whose volume is at most its own, so a tie (every story carried by one outlet) ranks with
  the trends it equals rather than at the middle of the tie. The sources count on very different scales (a
  hashtag's 80,000 posts, a story in three outlets), and ranked on one scale every trade story
  carried by a single outlet fell under the opportunity skip (issue 18).
  Sentiment multiplier: positive 1.0, neutral 0.9, negative 0.75 (brands join bad news less).
- format fit: FORMAT_FIT gives, per category, how well each platform/format carries such a story;
  a brand gets the best of the formats on the platforms it has connected (all of them while it
  has only the sandbox account).
- learned reward: the average reward of the brand's similar past posts, in [0, 1]: over the
  brand's rewarded posts whose trend embedding has a cosine similarity ≥ SIMILAR_TREND_COSINE (0.5)
  with this trend, the similarity-weighted mean reward / 5. A neutral 0.5 where the brand has no
  similar past post. The past posts come from whatever registered a `past_rewards_provider`
  (apps.learning, above trends, does at start-up); with none registered every reward is neutral.

Decision: skip when relevance ≤ 0.3 or opportunity ≤ 0.3 (SPEC); recommend only trends that pass
the relevance gate (relevance ≥ RELEVANCE_GATE: clearly on-topic) and have final > 0.5, so the
final score orders on-topic trends instead of pulling in off-topic ones; otherwise the watchlist.
Second stage, the relevance tier: of those recommendable trends a brand keeps recommended only
its RELEVANCE_TIER_SIZE (5) most relevant and any other whose s is within RELEVANCE_TIER_MARGIN
(0.12) of its best one; the rest go to the watchlist (a trend the brand dismissed holds no place).
Within the gate, relevance is only 0.35 of the final score, so a loud story barely over the gate
outranked a quieter one squarely on a pillar on the dashboard; now the final score orders the
brand's most relevant trends, the dashboard still shows five where five pass the gate, and a
brand with a wide top tier gets all of it. Chosen on the tune half (tune ndcg@5 / precision@5
0.927 / 0.994 → 0.955 / 0.988; size 6 gave 0.945, size 5 without the margin 0.952; a tier by the
margin alone, 0.958, left most brands fewer than five recommendations), then run once on the
held-out half: 0.908 / 0.970 → 0.910 / 0.976 (worst seed 0.903 → 0.897).
The industry is no longer a filter (issue 18): it skipped a security vendor's security news and a
consumer money app's everyday-money stories.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields

import numpy as np

from apps.core.vocabulary import NETWORKS, PLATFORM_FORMAT_PAIRS, REWARD_MAX

from .categories import TrendCategory

WEIGHTS = {"relevance": 0.35, "opportunity": 0.35, "format_fit": 0.20, "reward": 0.10}
# Relevance from the adjusted cosine s (module docstring), calibrated on the tune half.
PILLAR_WEIGHT = 0.8
RELEVANCE_COSINE_FLOOR = 0.20
RELEVANCE_COSINE_CEILING = 0.60
RELEVANCE_GATE = 0.55  # s ≥ 0.42: recommend only above it
# Of the trends that pass the gate with final > RECOMMEND_ABOVE, a brand is recommended its
# RELEVANCE_TIER_SIZE most relevant and any other within RELEVANCE_TIER_MARGIN (of s) of its best one.
RELEVANCE_TIER_SIZE = 5
RELEVANCE_TIER_MARGIN = 0.12
THIN_TEXT_WORDS = 3
THIN_TEXT_DISCOUNT = 0.08
NEGATIVE_COSINE = 0.4
NEGATIVE_WEIGHT = 1.0
DISMISSED_COSINE = 0.5
DISMISSED_WEIGHT = 1.0
INDUSTRY_PRIOR = 0.02
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
# What a source's volume counts; volume is ranked among trends whose counts are alike.
VOLUME_KINDS = {"newsapi": "articles", "rss": "articles", "offline": "articles", "x": "x", "reddit": "reddit"}
VOLUME_KINDS_DEFAULT = "other"  # Mastodon uses and anything else

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
    # T bool: a bare hashtag or title of at most THIN_TEXT_WORDS words (None: none is).
    thin: np.ndarray | None = None
    # T: what the trend's volume counts (VOLUME_KINDS of its biggest source); None: one scale.
    kinds: np.ndarray | None = None


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
class BrandVectors:
    """Several vectors per brand (its pillars, say), stacked and grouped by brand column."""

    vectors: np.ndarray  # N × D, L2-normalised float32
    brands: np.ndarray  # N brand column (index into the batch), ascending

    @classmethod
    def from_lists(cls, per_brand: Sequence[np.ndarray | None]) -> BrandVectors | None:
        """From one (k × D or empty/None) array per brand column; None when all are empty."""
        rows, columns = [], []
        for column, vectors in enumerate(per_brand):
            if vectors is not None and len(vectors):
                vectors = np.asarray(vectors, dtype=np.float32).reshape(len(vectors), -1)
                rows.append(vectors)
                columns.append(np.full(len(vectors), column, dtype=np.int64))
        if not rows:
            return None
        return cls(vectors=np.vstack(rows), brands=np.concatenate(columns))


# Two trends this close are one story (deduplication merges far less alike ones): a dismissed
# trend is not its own look-alike, so its score stays as it was and "Undo" brings it straight back.
SAME_TREND_COSINE = 0.999


def grouped_best(
    trend_vectors: np.ndarray,
    group: BrandVectors | None,
    n_brands: int,
    *,
    skip_same: bool = False,
    with_index: bool = False,
) -> tuple[np.ndarray, np.ndarray | None]:
    """T × B best cosine of each trend with each brand's vectors (-1 where the brand has none) and,
    `with_index`, the index of the best one within the brand's own list (-1: none; else None).
    `skip_same` ignores vectors that are the trend itself (cosine ≥ SAME_TREND_COSINE)."""
    best = np.full((trend_vectors.shape[0], n_brands), -1.0, dtype=np.float32)
    index = np.full(best.shape, -1, dtype=np.int64) if with_index else None
    if group is None or trend_vectors.shape[0] == 0:
        return best, index
    similarity = trend_vectors.astype(np.float32) @ group.vectors.T  # T × N
    if skip_same:
        similarity[similarity >= SAME_TREND_COSINE] = -1.0
    brands, starts = np.unique(group.brands, return_index=True)
    best[:, brands] = np.maximum.reduceat(similarity, starts, axis=1)
    if with_index:
        # The first column of each brand's group that equals the group's best, as an offset.
        offset = np.arange(len(group.brands)) - np.repeat(
            starts, np.diff(np.append(starts, len(group.brands)))
        )
        hits = np.where(similarity == best[:, group.brands], offset, len(group.brands))
        index[:, brands] = np.minimum.reduceat(hits, starts, axis=1)
    return best, index


def final_score(relevance, opportunity, format_fit, reward):
    """SPEC 4: final = 0.35·relevance + 0.35·opportunity + 0.20·format fit + 0.10·learned reward
    (scalars or arrays that broadcast)."""
    return (
        WEIGHTS["relevance"] * relevance
        + WEIGHTS["opportunity"] * opportunity
        + WEIGHTS["format_fit"] * format_fit
        + WEIGHTS["reward"] * reward
    )


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
    # Each brand's pillars, negative (and banned) topics and dismissed trends, as vectors grouped
    # by brand (None: no brand has any; a brand without pillars is matched on its profile alone).
    pillars: BrandVectors | None = None
    negatives: BrandVectors | None = None
    dismissed: BrandVectors | None = None


@dataclass
class Scores:
    relevance: np.ndarray  # T × B
    opportunity: np.ndarray  # T (the same for every brand)
    format_fit: np.ndarray  # T × B
    reward: np.ndarray  # T × B
    final: np.ndarray  # T × B
    decision: np.ndarray  # T × B int8: SKIP, WATCHLIST or RECOMMEND
    best_format: np.ndarray  # T × B index into PLATFORM_FORMAT_PAIRS
    cosine: np.ndarray | None = None  # T × B the adjusted cosine s relevance is mapped from
    pillar: np.ndarray | None = None  # T × B index of the best pillar in the brand's list (-1: none)
    negative: np.ndarray | None = None  # T × B what negative topics took off s (≥ 0)
    dismissed: np.ndarray | None = None  # T × B what dismissed look-alikes took off s (≥ 0)


def volume_normalised(volumes: np.ndarray) -> np.ndarray:
    """Each volume against the batch, in [0, 1]: mean of its percentile (the share of the batch
    whose volume is at most its own) and its log share of the largest."""
    v = np.asarray(volumes, dtype=np.float64)
    n = v.size
    if n == 0:
        return v
    # The share at or below it, so a tie counts as big as the trends it equals: most stories are
    # carried by one or two outlets, and one that is, is a usual story, not a below-average one
    # (ranked at the middle of its tie, every single-outlet story fell under the opportunity skip).
    percentile = np.searchsorted(np.sort(v), v, side="right") / n
    largest = np.log1p(v.max())
    log_share = np.log1p(v) / largest if largest > 0 else np.zeros(n)
    return (percentile + log_share) / 2.0


def volume_normalised_by_kind(volumes: np.ndarray, kinds: Sequence[str] | None) -> np.ndarray:
    """`volume_normalised` within each kind of count (articles, X posts, Reddit votes, Mastodon
    uses): three outlets carrying a story is a big story for news, 3 tweets is nothing on X."""
    if kinds is None:
        return volume_normalised(volumes)
    v = np.asarray(volumes, dtype=np.float64)
    kinds = np.asarray(kinds)
    result = np.zeros(v.size)
    for kind in np.unique(kinds):
        rows = kinds == kind
        result[rows] = volume_normalised(v[rows])
    return result


def opportunity_vector(
    volumes: np.ndarray, momenta: np.ndarray, sentiments: list[str], kinds: Sequence[str] | None = None
) -> np.ndarray:
    multiplier = np.array([SENTIMENT_MULTIPLIER.get(s, 0.9) for s in sentiments], dtype=np.float64)
    momentum_share = (np.clip(np.asarray(momenta, dtype=np.float64), -1, 1) + 1) / 2
    volume = volume_normalised_by_kind(volumes, kinds)
    return np.clip((0.6 * volume + 0.4 * momentum_share) * multiplier, 0, 1)


def relevance_from_cosine(cosine: np.ndarray) -> np.ndarray:
    """The calibrated mapping of the adjusted cosine s to relevance in [0, 1]."""
    span = RELEVANCE_COSINE_CEILING - RELEVANCE_COSINE_FLOOR
    return np.clip((np.asarray(cosine) - RELEVANCE_COSINE_FLOOR) / span, 0, 1)


def relevance_matrix(trend_vectors: np.ndarray, brand_vectors: np.ndarray) -> np.ndarray:
    """Relevance from the profile alone (no pillars, topics or dismissals): the plain baseline."""
    return relevance_from_cosine(trend_vectors @ brand_vectors.T)


@dataclass
class Relevance:
    relevance: np.ndarray  # T × B in [0, 1]
    cosine: np.ndarray  # T × B adjusted cosine s
    pillar: np.ndarray  # T × B best pillar index (-1: matched on the profile)
    negative: np.ndarray  # T × B penalty from negative topics (≥ 0)
    dismissed: np.ndarray  # T × B penalty from dismissed look-alikes (≥ 0)


def relevance_parts(trends: TrendBatch, brands: BrandBatch, in_industry: np.ndarray) -> Relevance:
    """Every trend × brand relevance with its parts (module docstring)."""
    n_brands = brands.vectors.shape[0]
    profile = (trends.vectors @ brands.vectors.T).astype(np.float32)
    pillar_best, pillar = grouped_best(trends.vectors, brands.pillars, n_brands, with_index=True)
    has_pillars = pillar_best > -1
    cosine = np.where(has_pillars, PILLAR_WEIGHT * pillar_best + (1 - PILLAR_WEIGHT) * profile, profile)
    if trends.thin is not None:
        cosine = cosine - THIN_TEXT_DISCOUNT * np.asarray(trends.thin, dtype=np.float32)[:, None]
    negative_best, _ = grouped_best(trends.vectors, brands.negatives, n_brands)
    # Only what is more about a negative topic than about any pillar: "payroll week" stays a
    # payroll brand's even though "sports team payrolls" shares its word.
    negative = NEGATIVE_WEIGHT * np.clip(negative_best - np.maximum(NEGATIVE_COSINE, pillar_best), 0, None)
    dismissed_best, _ = grouped_best(trends.vectors, brands.dismissed, n_brands, skip_same=True)
    dismissed = DISMISSED_WEIGHT * np.clip(dismissed_best - DISMISSED_COSINE, 0, None)
    cosine = cosine - negative - dismissed + INDUSTRY_PRIOR * in_industry
    return Relevance(
        relevance=relevance_from_cosine(cosine).astype(np.float32),
        cosine=cosine.astype(np.float32),
        pillar=pillar,
        negative=negative.astype(np.float32),
        dismissed=dismissed.astype(np.float32),
    )


def industry_matrix(trends: TrendBatch, brands: BrandBatch) -> np.ndarray:
    """T × B bool: the trend is in the brand's industry (a listed one's tag, or close to the
    brand's own words for it). Brands without an industry are in none."""
    n_brands = brands.vectors.shape[0]
    listed = brands.industries >= 0
    if trends.industries.shape[1]:
        in_industry = trends.industries[:, np.maximum(brands.industries, 0)] & listed[None, :]
    else:
        in_industry = np.zeros((trends.vectors.shape[0], n_brands), dtype=bool)
    if brands.own_industries is not None and (own := np.any(brands.own_industries != 0, axis=1)).any():
        in_industry = np.array(in_industry)
        in_industry[:, own] |= trends.vectors @ brands.own_industries[own].T >= INDUSTRY_COSINE
    return in_industry


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


def score(
    trends: TrendBatch, brands: BrandBatch, *, opportunity: np.ndarray | None = None, tier: bool = True
) -> Scores:
    """Every trend × brand score. `opportunity` is given when `trends` is a slice of a larger batch:
    volume is ranked against the whole batch; every other part is row by row. `tier=False` leaves
    out the relevance tier (it needs every trend of the batch: `score_in_slices` applies it to the
    whole)."""
    parts = relevance_parts(trends, brands, industry_matrix(trends, brands))
    relevance = parts.relevance
    if opportunity is None:
        opportunity = opportunity_vector(trends.volumes, trends.momenta, trends.sentiments, trends.kinds)
    opportunity = opportunity.astype(np.float32)
    fit, best_format = format_fit_matrix(trends.categories, brands.platforms)
    if brands.past is not None:
        reward = learned_reward_matrix(trends.vectors, brands.past, relevance.shape[1])
    elif brands.rewards is None:
        reward = np.full(relevance.shape, NEUTRAL_REWARD, dtype=np.float32)
    else:
        reward = brands.rewards.astype(np.float32)[:, trends.categories].T  # T × B
    final = final_score(relevance, opportunity[:, None], fit, reward)
    skipped = (relevance <= SKIP_RELEVANCE_AT_OR_BELOW) | (
        opportunity[:, None] <= SKIP_OPPORTUNITY_AT_OR_BELOW
    )
    recommended = (relevance >= RELEVANCE_GATE) & (final > RECOMMEND_ABOVE)
    decision = np.where(skipped, SKIP, np.where(recommended, RECOMMEND, WATCHLIST)).astype(np.int8)
    scores = Scores(
        relevance=relevance,
        opportunity=opportunity,
        format_fit=fit.astype(np.float32),
        reward=reward,
        final=final.astype(np.float32),
        decision=decision,
        best_format=best_format,
        cosine=parts.cosine,
        pillar=parts.pillar,
        negative=parts.negative,
        dismissed=parts.dismissed,
    )
    if tier:
        relevance_tier_apply(scores, dismissed_itself(trends, brands))
    return scores


def dismissed_itself(trends: TrendBatch, brands: BrandBatch) -> np.ndarray | None:
    """T × B bool: the trend is one the brand dismissed (hidden from its lists); None: none is."""
    if brands.dismissed is None:
        return None
    best, _ = grouped_best(trends.vectors, brands.dismissed, brands.vectors.shape[0])
    return best >= SAME_TREND_COSINE


def relevance_tier_apply(scores: Scores, hidden: np.ndarray | None = None) -> None:
    """Second stage of the decision, in place: of each brand's recommendable trends (gated, final
    above RECOMMEND_ABOVE), only its RELEVANCE_TIER_SIZE most relevant and any others whose s is
    within RELEVANCE_TIER_MARGIN of its best stay recommended; the rest go to the watchlist.
    `hidden` (T × B) marks trends the brand dismissed: they hold no place in the tier."""
    recommended = scores.decision == RECOMMEND
    if hidden is not None:
        recommended = recommended & ~hidden
    for column in np.nonzero(recommended.sum(axis=0) > RELEVANCE_TIER_SIZE)[0]:
        rows = np.nonzero(recommended[:, column])[0]
        cosine = scores.cosine[rows, column]
        kth = np.sort(scores.relevance[rows, column])[::-1][RELEVANCE_TIER_SIZE - 1]
        near_best = relevance_from_cosine(float(cosine.max()) - RELEVANCE_TIER_MARGIN)
        threshold = min(float(kth), float(near_best))
        below = rows[scores.relevance[rows, column] < threshold]
        scores.decision[below, column] = WATCHLIST


def trend_batch_slice(trends: TrendBatch, rows: slice) -> TrendBatch:
    return TrendBatch(
        vectors=trends.vectors[rows],
        volumes=trends.volumes[rows],
        momenta=trends.momenta[rows],
        sentiments=trends.sentiments[rows],
        categories=trends.categories[rows],
        industries=trends.industries[rows],
        thin=None if trends.thin is None else trends.thin[rows],
        kinds=None if trends.kinds is None else trends.kinds[rows],
    )


def score_in_slices(
    trends: TrendBatch, brands: BrandBatch, *, rows: int, progress: Callable[[int, int], None]
) -> Scores:
    """The same scores as `score`, computed `rows` trends at a time, calling `progress(done,
    total)` after each slice (a brand's first scoring shows how far it is)."""
    total = len(trends.volumes)
    opportunity = opportunity_vector(trends.volumes, trends.momenta, trends.sentiments, trends.kinds)
    parts = []
    for start in range(0, total, rows):
        part = slice(start, start + rows)
        parts.append(
            score(trend_batch_slice(trends, part), brands, opportunity=opportunity[part], tier=False)
        )
        progress(min(start + rows, total), total)
    if not parts:
        return score(trends, brands)
    scores = Scores(**{f.name: np.concatenate([getattr(p, f.name) for p in parts]) for f in fields(Scores)})
    relevance_tier_apply(scores, dismissed_itself(trends, brands))
    return scores


def platform_mask(platforms: set[str]) -> np.ndarray:
    """Which PLATFORM_FORMAT_PAIRS a brand can use: those of its connected networks, or all of them."""
    usable = platforms & set(NETWORKS) or set(NETWORKS)
    return np.array([p in usable for p, _ in PLATFORM_FORMAT_PAIRS], dtype=bool)
