"""Why one trend is (or is not) recommended to one brand: the relevance parts, in words.

Computed in the web process for the trend page, with NumPy and the stored vectors only (the
brand's BrandEmbedding, the trend's embedding, the dismissed trends' embeddings): the embedding
model is never loaded here. The same functions as the scorer (scoring.relevance_parts on a 1 × 1
batch built by services.trend_batch_build / brand_batch_build) give the figures, so the page says
what the next scoring will do. Where the LLM review (apps.trends.rerank) graded the trend for the
brand's current profile, its cached grade is read too: it decides, and the page says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
from django.conf import settings

from apps.brands.models import Brand, Industry

from .models import BrandEmbedding, BrandTrendScore, Decision, Trend, TrendDismissal, vector_from_bytes
from .rerank import GRADE_MAX, RECOMMEND_GRADE, Grade, brand_brief, cached_grades, grades_digest
from .scoring import (
    RECOMMEND_ABOVE,
    RELEVANCE_GATE,
    RELEVANCE_TIER_MARGIN,
    RELEVANCE_TIER_SIZE,
    SKIP_OPPORTUNITY_AT_OR_BELOW,
    BrandVectors,
    industry_matrix,
    opportunity_vector,
    relevance_parts,
)
from .services import (
    DISMISSALS_REMEMBERED,
    SCORES_KEPT_PER_BRAND,
    brand_batch_build,
    brand_negatives,
    embedding_rows,
    trend_batch_build,
)

OFF_TOPIC = "off_topic"
NEGATIVE_TOPIC = "negative_topic"
DISMISSED_SIMILAR = "dismissed_similar"
LOW_OPPORTUNITY = "low_opportunity"
# On-topic and lively enough, yet not recommended: the other parts of the score fell short, or
# other trends outscored it for the brand's lists.
LOW_SCORE = "low_score"
OUTRANKED = "outranked"
# The LLM review (apps.trends.rerank) graded it under RECOMMEND_GRADE.
LLM_GRADE = "llm_grade"
# On-topic and scoring well, but below the brand's relevance tier (scoring.relevance_tier_apply).
BELOW_TIER = "below_tier"
GRADE_WORDS = {0: "off-topic", 1: "loosely related", 2: "on-topic", 3: "squarely on your brand"}


class Reason(NamedTuple):
    """One reason a trend is held back: a code for code and tests, a sentence for people."""

    code: str
    sentence: str


@dataclass
class TrendFit:
    relevance: float  # 0-1, as the next scoring computes it
    matched_pillar: str | None  # the brand's closest pillar; None: matched on its profile alone
    gated: bool  # relevance ≥ RELEVANCE_GATE: clearly on-topic
    # Why it is held back, most telling first; empty for a recommended trend.
    held_back: list[Reason] = field(default_factory=list)
    recommended: bool = False  # the stored score recommends it (what the dashboard shows)
    opportunity: float | None = None
    # The nearest negative (or banned) topic and the dismissed trend it resembles, when they count.
    negative_topic: str | None = None
    negative_is_banned: bool = False
    dismissed_like: Trend | None = None
    # The brand's profile changed since its vectors were stored: a rescore is on its way.
    stale: bool = False
    # The LLM review's grade (0-3) of the trend for this profile, when it graded it.
    llm_grade: int | None = None

    @property
    def on_topic(self) -> bool:
        """Past the relevance gate, or graded on-topic by the LLM review (which then decides)."""
        if self.llm_grade is not None:
            return self.llm_grade >= RECOMMEND_GRADE
        return self.gated

    @property
    def review(self) -> str:
        """What the LLM review said, in words ('' when it did not grade the trend)."""
        if self.llm_grade is None:
            return ""
        return f"The AI review graded it {GRADE_WORDS[self.llm_grade]} ({self.llm_grade} of {GRADE_MAX})."

    @property
    def codes(self) -> list[str]:
        return [reason.code for reason in self.held_back]


def _quoted(text: str) -> str:
    return f"“{text}”"


def trend_fit(brand: Brand, trend: Trend, *, score: BrandTrendScore | None = None) -> TrendFit | None:
    """Why `trend` is (not) recommended to `brand`; None when the brand has no stored embedding
    yet (its first scoring has not run). `score` is the brand's stored row for the trend, if any
    (read here when not given)."""
    embedding = BrandEmbedding.objects.filter(brand=brand).first()
    trend_vector = trend.vector
    if embedding is None or trend_vector is None:
        return None
    if score is None:
        score = BrandTrendScore.objects.filter(brand=brand, trend=trend).first()
    industry_slugs = list(Industry.objects.exclude(slug=Industry.OTHER).values_list("slug", flat=True))
    trend_batch = trend_batch_build([trend], industry_slugs)
    brand_batch = brand_batch_build([brand], {brand.pk: embedding}, industry_slugs)
    # The look-alikes are the brand's other dismissals: this trend's own "Not for us" is said apart.
    dismissed = _dismissed_trends(brand, exclude=trend)
    brand_batch.dismissed = BrandVectors.from_lists(
        [np.vstack([v for _, v in dismissed]) if dismissed else None]
    )
    parts = relevance_parts(trend_batch, brand_batch, industry_matrix(trend_batch, brand_batch))

    relevance = float(parts.relevance[0, 0])
    pillar_index = int(parts.pillar[0, 0])
    pillars = list(embedding.pillars or [])
    matched = pillars[pillar_index] if 0 <= pillar_index < len(pillars) else None
    grade = _llm_grade(brand, embedding, trend)
    fit = TrendFit(
        relevance=relevance,
        # The reranked score names the pillar the LLM saw; the page says the same.
        matched_pillar=(grade.pillar if grade is not None and grade.pillar else matched),
        gated=relevance >= RELEVANCE_GATE,
        stale=list(embedding.pillars or []) != list(brand.pillars or [])
        or list(embedding.negatives or []) != brand_negatives(brand),
        llm_grade=grade.grade if grade is not None else None,
    )

    if float(parts.negative[0, 0]) > 0:
        fit.negative_topic = _nearest_negative(embedding, trend_vector)
        if fit.negative_topic:
            fit.negative_is_banned = fit.negative_topic.lower() in {
                t.lower() for t in brand.banned_topics or []
            } and fit.negative_topic.lower() not in {t.lower() for t in brand.negative_topics or []}
            where = "Never mention" if fit.negative_is_banned else "Not about"
            fit.held_back.append(
                Reason(
                    NEGATIVE_TOPIC,
                    f"Close to {_quoted(fit.negative_topic)}, which you listed under “{where}”.",
                )
            )
    if float(parts.dismissed[0, 0]) > 0 and dismissed:
        similarity = np.vstack([v for _, v in dismissed]) @ trend_vector
        fit.dismissed_like = dismissed[int(similarity.argmax())][0]
        fit.held_back.append(
            Reason(
                DISMISSED_SIMILAR,
                f"Resembles {_quoted(fit.dismissed_like.title)}, which you marked “Not for us”.",
            )
        )
    if fit.llm_grade is not None and not fit.on_topic:
        fit.held_back.append(
            Reason(
                LLM_GRADE,
                f"{fit.review[:-1]}; recommendations need {RECOMMEND_GRADE} ({GRADE_WORDS[RECOMMEND_GRADE]}).",
            )
        )
    elif not fit.on_topic:
        closest = _quoted(matched) if matched else "your profile"
        fit.held_back.append(
            Reason(
                OFF_TOPIC,
                f"Not clearly about your pillars: closest is {closest} "
                f"(relevance {relevance:.2f}; recommendations need {RELEVANCE_GATE:.2f}).",
            )
        )
    fit.opportunity = score.opportunity if score is not None else _opportunity(trend)
    if fit.opportunity <= SKIP_OPPORTUNITY_AT_OR_BELOW:
        fit.held_back.append(
            Reason(
                LOW_OPPORTUNITY,
                f"Too quiet to be worth a post right now: opportunity {fit.opportunity:.2f} "
                f"(volume and momentum against this refresh's trends; {SKIP_OPPORTUNITY_AT_OR_BELOW:.2f} "
                "or less is left out).",
            )
        )
    fit.recommended = score is not None and score.decision == Decision.RECOMMEND
    if not fit.held_back and not fit.recommended:
        if score is None:
            fit.held_back.append(
                Reason(
                    OUTRANKED,
                    f"Other trends scored higher: your lists keep your best {SCORES_KEPT_PER_BRAND} "
                    "from the last scoring.",
                )
            )
        elif score.final <= RECOMMEND_ABOVE:
            fit.held_back.append(
                Reason(
                    LOW_SCORE,
                    f"On-topic, but its overall score {score.final:.2f} is not above "
                    f"{RECOMMEND_ABOVE:.2f}: it is quieter or fits your formats less well than the "
                    "recommended ones.",
                )
            )
        elif score.decision == Decision.WATCHLIST and fit.on_topic and fit.llm_grade is None:
            fit.held_back.append(
                Reason(
                    BELOW_TIER,
                    f"On-topic, but other trends are closer to your pillars: recommendations are your "
                    f"{RELEVANCE_TIER_SIZE} most relevant trends and any others nearly as close as your "
                    f"best match (within {RELEVANCE_TIER_MARGIN:.2f}).",
                )
            )
    return fit


def _llm_grade(brand: Brand, embedding: BrandEmbedding, trend: Trend) -> Grade | None:
    """The LLM review's cached grade of the trend for the brand's current profile, if any."""
    if not settings.TREND_LLM_RERANK:
        return None
    digest = grades_digest(embedding.text_digest, brand_brief(brand))
    return cached_grades(brand.pk, digest, [trend.pk]).get(trend.pk)


def _dismissed_trends(brand: Brand, *, exclude: Trend) -> list[tuple[Trend, np.ndarray]]:
    """The trends the brand dismissed (newest first, as many as the scorer remembers) with their
    vectors, without `exclude`."""
    rows = (
        TrendDismissal.objects.filter(brand=brand)
        .exclude(trend=exclude)
        .select_related("trend")
        .only("trend__id", "trend__title", "trend__embedding", "created_at")
        .order_by("-created_at")[:DISMISSALS_REMEMBERED]
    )
    found = []
    for row in rows:
        vector = vector_from_bytes(row.trend.embedding)
        if vector is not None:
            found.append((row.trend, vector))
    return found


def _nearest_negative(embedding: BrandEmbedding, trend_vector: np.ndarray) -> str | None:
    """The stored negative (or banned) topic closest to the trend."""
    negatives = list(embedding.negatives or [])
    vectors = embedding_rows(embedding.negative_vectors, len(negatives))
    if vectors is None:
        return None
    return negatives[int((vectors @ trend_vector).argmax())]


def _opportunity(trend: Trend) -> float:
    """The trend's opportunity as the scorer computes it: its volume is ranked against every
    active trend's (one query of three numbers per trend)."""
    rows = list(Trend.objects.active().values_list("pk", "volume", "momentum", "sentiment_label"))
    position = next((k for k, row in enumerate(rows) if row[0] == trend.pk), None)
    if position is None:
        rows.append((trend.pk, trend.volume, trend.momentum, trend.sentiment_label))
        position = len(rows) - 1
    volumes = np.array([r[1] for r in rows], dtype=np.float64)
    momenta = np.array([r[2] for r in rows], dtype=np.float64)
    return float(opportunity_vector(volumes, momenta, [r[3] for r in rows])[position])
