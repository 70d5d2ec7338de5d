"""The learning side's answers to the rest of the product. The weekly Q-learning model (SPEC
section 7) fills these in; until a brand has a model they return the documented neutral values."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


def brand_category_rewards(brand_ids: Sequence[int]) -> np.ndarray | None:
    """Expected reward per trend category for each brand (B × categories, in [0, 1]).

    None means no brand has a trained model yet, and scoring uses the neutral 0.5 for all.
    """
    return None


# --- Choosing how to write a post -----------------------------------------------------------

EXPLORATION_RATE = 0.15  # SPEC section 7: generation explores 15 % of the time


@dataclass(frozen=True)
class Action:
    """What the generator is asked to write: tone, and format on a platform."""

    tone: str
    platform: str
    post_format: str

    def as_dict(self) -> dict:
        return {"tone": self.tone, "platform": self.platform, "post_format": self.post_format}


@dataclass(frozen=True)
class Choice:
    action: Action
    explored: bool
    reason: str


def learning_state(*, brand, trend=None, post_format: str = "", tone: str = "") -> dict:
    """The learning state of SPEC section 7: (industry, trend category, format, tone)."""
    return {
        "industry": brand.industry.slug if brand.industry_id else "",
        "category": trend.category if trend is not None else "",
        "format": post_format,
        "tone": tone,
    }


def policy_actions(*, platforms: Sequence[str]) -> list[Action]:
    """Every action the policy may pick for a brand publishing on `platforms`."""
    from apps.brands.models import Tone
    from apps.trends.scoring import PLATFORM_FORMATS

    return [Action(tone, p, f) for tone in Tone.values for p, f in PLATFORM_FORMATS if p in platforms]


def policy_choose_action(
    *, brand, state: dict, platforms: Sequence[str], rng: random.Random | None = None
) -> Choice:
    """The tone and format to generate with.

    Until the brand has a trained model (the learning issue fills this in), exploitation means the
    brand's default tone with the format that fits the trend's category best on the brand's
    platforms (apps.trends.scoring.FORMAT_FIT). With probability EXPLORATION_RATE (15 %) another
    action is drawn uniformly from the rest, so the model later learns from more than one choice.
    `platforms` defaults to the brand's connected ones; a brand with only the sandbox may use all.
    """
    from apps.trends.scoring import CATEGORY_INDEX, FORMAT_FIT_MATRIX, PLATFORM_FORMATS

    rng = rng or random.Random()  # noqa: S311 (exploration, not security)
    if platforms is None:
        from apps.brands.models import ConnectionStatus

        platforms = list(
            brand.connections.filter(status=ConnectionStatus.CONNECTED).values_list("platform", flat=True)
        )
    usable = [p for p in platforms if p in {pf[0] for pf in PLATFORM_FORMATS}] or ["x", "linkedin"]
    row = FORMAT_FIT_MATRIX[CATEGORY_INDEX.get(state.get("category", ""), 0)]
    # The first best column, as apps.trends.scoring.format_fit_matrix takes it, so the format a
    # recommendation card suggests and the one generation starts from are the same.
    columns = [i for i, (p, _) in enumerate(PLATFORM_FORMATS) if p in usable]
    platform, post_format = PLATFORM_FORMATS[max(columns, key=lambda i: (row[i], -i))]
    best = Action(brand.default_tone, platform, post_format)
    if rng.random() < EXPLORATION_RATE:
        others = [a for a in policy_actions(platforms=usable) if a != best]
        if others:
            return Choice(rng.choice(others), True, "exploring another tone or format (15 % of the time)")
    return Choice(best, False, "the brand's default tone with the format that fits this kind of trend best")
