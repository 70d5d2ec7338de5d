"""policy_choose_action: the brand's default tone with the best-fitting format, exploring 15 %."""

import random
from types import SimpleNamespace

import pytest

from apps.learning.policy import EXPLORATION_RATE, learning_state, policy_choose_action


def brand(tone="witty"):
    return SimpleNamespace(default_tone=tone, industry_id=None, industry=None)


def test_without_a_model_it_picks_the_default_tone_and_the_best_format_for_the_category():
    state = {"industry": "fintech", "category": "research", "format": "", "tone": ""}
    always_exploit = random.Random(0)
    always_exploit.random = lambda: 0.99
    choice = policy_choose_action(brand=brand(), state=state, platforms=["x", "linkedin"], rng=always_exploit)
    assert choice.action.as_dict() == {"tone": "witty", "platform": "linkedin", "post_format": "carousel"}
    assert not choice.explored
    on_x = policy_choose_action(brand=brand(), state=state, platforms=["x"], rng=always_exploit)
    assert (on_x.action.platform, on_x.action.post_format) == ("x", "thread")


def test_it_explores_about_15_percent_of_the_time_with_other_actions():
    rng = random.Random(42)
    state = {"category": "breaking"}
    choices = [
        policy_choose_action(brand=brand(), state=state, platforms=["x", "linkedin"], rng=rng)
        for _ in range(4000)
    ]
    explored = [c for c in choices if c.explored]
    assert len(explored) / len(choices) == pytest.approx(EXPLORATION_RATE, abs=0.02)
    best = choices[[c.explored for c in choices].index(False)].action
    assert all(c.action != best for c in explored)
    assert len({c.action for c in explored}) > 10


def test_learning_state_is_industry_category_format_and_tone():
    b = SimpleNamespace(industry_id=1, industry=SimpleNamespace(slug="fintech"))
    trend = SimpleNamespace(category="regulation")
    assert learning_state(brand=b, trend=trend, post_format="thread", tone="bold") == {
        "industry": "fintech",
        "category": "regulation",
        "format": "thread",
        "tone": "bold",
    }


@pytest.mark.parametrize("platforms", [["x"], ["linkedin"], ["x", "linkedin"]])
def test_the_policy_suggests_the_same_format_as_the_recommendation_card(platforms):
    import numpy as np

    from apps.core.vocabulary import PLATFORM_FORMAT_PAIRS
    from apps.trends.scoring import (
        CATEGORIES,
        FORMAT_FIT_MATRIX,
        format_fit_matrix,
        platform_mask,
    )

    exploit = random.Random(0)
    exploit.random = lambda: 0.99
    _, best = format_fit_matrix(np.arange(len(CATEGORIES)), np.vstack([platform_mask(set(platforms))]))
    for c, category in enumerate(CATEGORIES):
        choice = policy_choose_action(
            brand=brand(), state={"category": category}, platforms=platforms, rng=exploit
        )
        assert (choice.action.platform, choice.action.post_format) == PLATFORM_FORMAT_PAIRS[
            int(best[c, 0])
        ], category
    assert FORMAT_FIT_MATRIX.shape[0] == len(CATEGORIES)


def test_without_exploration_it_never_explores_even_when_the_dice_say_so():
    always_explore = random.Random(0)
    always_explore.random = lambda: 0.0
    state = {"category": "breaking"}
    choices = [
        policy_choose_action(brand=brand(), state=state, platforms=["x"], rng=always_explore, explore=False)
        for _ in range(50)
    ]
    assert not any(c.explored for c in choices)
    assert {c.action for c in choices} == {choices[0].action}
