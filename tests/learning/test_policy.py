"""policy_choose_action: the brand's default tone with the best-fitting format, exploring 15 %."""

import random
from types import SimpleNamespace

import pytest

from apps.learning.policy import EXPLORATION_RATE, Action, learning_state, policy_choose_action


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


# --- Backing off from sparse estimates (no database: the model is passed in) ---------------------

X_ACTIONS = [
    f"{t}|x|{f}"
    for t in ("professional", "friendly", "witty", "bold", "educational", "inspirational")
    for f in ("post", "thread")
]


def model_of(*, bandit, mode="q", q_values=None, visits=None):
    from datetime import UTC, datetime

    posts = sum(arm["n"] for arm in bandit.values())
    return SimpleNamespace(
        mode=mode,
        bandit=bandit,
        q_values=q_values or {},
        visits=visits or {},
        posts_used=posts,
        updated_at=datetime(2026, 3, 1, tzinfo=UTC),
    )


def exploit():
    rng = random.Random(0)
    rng.random = lambda: 0.99
    return rng


def test_an_action_posted_once_is_pulled_towards_the_typical_actions_mean():
    bandit = {key: {"n": 1, "mean": 1.0} for key in X_ACTIONS}
    bandit["witty|x|thread"] = {"n": 1, "mean": 3.6}  # one lucky post
    bandit["bold|x|post"] = {"n": 10, "mean": 3.2}
    # The typical action: (3.6 + 3.2 + 10 × 1.0) / 12 = 1.4. Witty threads: (3.6 + 1.4) / 2 = 2.5;
    # bold posts: (32 + 1.4) / 11 = 3.04.
    choice = policy_choose_action(
        brand=brand(),
        state={"category": "product"},
        platforms=["x"],
        rng=exploit(),
        model=model_of(bandit=bandit, mode="bandit"),
    )
    assert choice.action.key == "bold|x|post"
    assert choice.reason == "highest learned reward (3.0 over 10 posts across the brand's posts)"


def test_a_category_with_no_posts_backs_off_to_the_pooled_best_action():
    from apps.learning.policy import action_estimates, policy_actions

    bandit = {key: {"n": 2, "mean": 1.5} for key in X_ACTIONS}
    bandit["bold|x|post"] = {"n": 8, "mean": 3.0}
    q_values = {
        "tech|product|post|bold": {"bold|x|post": 3.0},
        "tech|product|thread|witty": {"witty|x|thread": 1.5},
    }
    visits = {
        "tech|product|post|bold": {"bold|x|post": 8},
        "tech|product|thread|witty": {"witty|x|thread": 2},
    }
    model = model_of(bandit=bandit, q_values=q_values, visits=visits)
    state = {"industry": "tech", "category": "opinion"}  # never posted on
    estimates = action_estimates(model=model, state=state, actions=policy_actions(platforms=["x"]))
    assert not any(e.in_state for e in estimates.values())
    choice = policy_choose_action(brand=brand(), state=state, platforms=["x"], rng=exploit(), model=model)
    assert choice.action.key == "bold|x|post"
    assert choice.reason.endswith("over 8 posts across the brand's posts)")


def test_a_category_visited_once_does_not_override_what_the_brand_learned_elsewhere():
    bandit = {key: {"n": 1, "mean": 1.0} for key in X_ACTIONS}
    bandit["bold|x|post"] = {"n": 10, "mean": 3.2}
    bandit["witty|x|thread"] = {"n": 2, "mean": 2.0}
    q_values = {
        "tech|research|post|bold": {"bold|x|post": 2.0},  # one weak post on research
        "tech|product|post|bold": {"bold|x|post": 3.33},
        "tech|research|thread|witty": {"witty|x|thread": 3.0},  # one good one
        "tech|product|thread|witty": {"witty|x|thread": 1.0},
    }
    visits = {k: {next(iter(v)): 9 if k == "tech|product|post|bold" else 1} for k, v in q_values.items()}
    model = model_of(bandit=bandit, q_values=q_values, visits=visits)
    choice = policy_choose_action(
        brand=brand(),
        state={"industry": "tech", "category": "research"},
        platforms=["x"],
        rng=exploit(),
        model=model,
    )
    assert choice.action.key == "bold|x|post"
    assert choice.reason.startswith("highest learned reward (2.6 over 1 post on this kind of trend")


def test_a_category_with_enough_posts_has_its_own_best_action():
    bandit = {key: {"n": 1, "mean": 1.0} for key in X_ACTIONS}
    bandit["bold|x|post"] = {"n": 10, "mean": 3.0}
    bandit["witty|x|thread"] = {"n": 5, "mean": 3.0}
    q_values = {
        "tech|research|post|bold": {"bold|x|post": 2.0},
        "tech|product|post|bold": {"bold|x|post": 3.5},
        "tech|research|thread|witty": {"witty|x|thread": 3.6},
        "tech|product|thread|witty": {"witty|x|thread": 2.1},
    }
    visits = {
        "tech|research|post|bold": {"bold|x|post": 4},
        "tech|product|post|bold": {"bold|x|post": 6},
        "tech|research|thread|witty": {"witty|x|thread": 3},
        "tech|product|thread|witty": {"witty|x|thread": 2},
    }
    model = model_of(bandit=bandit, q_values=q_values, visits=visits)

    def pick(category):
        state = {"industry": "tech", "category": category}
        return policy_choose_action(
            brand=brand(), state=state, platforms=["x"], rng=exploit(), model=model
        ).action.key

    assert pick("research") == "witty|x|thread"
    assert pick("product") == "bold|x|post"


def test_with_little_data_every_action_is_tried_first_but_not_again_once_the_brand_has_data():
    bandit = {key: {"n": 3, "mean": 1.5} for key in X_ACTIONS if key != "witty|x|thread"}
    bandit["bold|x|post"] = {"n": 10, "mean": 3.2}
    state = {"industry": "tech", "category": "product"}
    # 40 rewarded posts in 30 days: witty threads were posted before the window, or never.
    settled = model_of(bandit=bandit)
    choice = policy_choose_action(brand=brand(), state=state, platforms=["x"], rng=exploit(), model=settled)
    assert choice.action.key == "bold|x|post"
    # With fewer than two posts per action, the action never rewarded is tried first.
    new = model_of(
        bandit={"bold|x|post": {"n": 10, "mean": 3.2}, "professional|x|post": {"n": 2, "mean": 1.0}}
    )
    choice = policy_choose_action(brand=brand(), state=state, platforms=["x"], rng=exploit(), model=new)
    assert choice.action.key not in new.bandit and choice.reason.startswith("trying ")


def test_an_action_with_no_post_in_the_window_is_valued_at_the_typical_actions_mean():
    from apps.learning.policy import action_estimates, policy_actions

    bandit = {key: {"n": 3, "mean": 2.0} for key in X_ACTIONS if key != "witty|x|thread"}
    model = model_of(bandit=bandit)
    state = {"industry": "tech", "category": "product"}
    estimates = action_estimates(model=model, state=state, actions=policy_actions(platforms=["x"]))
    assert estimates[Action.from_key("witty|x|thread")].value == pytest.approx(2.0)
    assert estimates[Action.from_key("witty|x|thread")].posts == 0
