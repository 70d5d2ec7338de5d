"""The learning side's answers to the rest of the product. The weekly Q-learning model (SPEC
section 7) fills these in; until a brand has a model they return the documented neutral values."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def brand_category_rewards(brand_ids: Sequence[int]) -> np.ndarray | None:
    """Expected reward per trend category for each brand (B × categories, in [0, 1]).

    None means no brand has a trained model yet, and scoring uses the neutral 0.5 for all.
    """
    return None
