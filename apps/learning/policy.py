"""The learning side's answers to the rest of the product (SPEC section 7): the keys of the brand's
model, the action generation writes with (`policy_choose_action`), and the learned-reward inputs of
the trend scorer (`brand_past_rewards`, registered with apps.trends.scoring at start-up). Training
itself is in apps/learning/training.py. All of it reads learning's own tables (the reward ledger,
the models) and the brands and trends below; what only the apps above know is passed in.

How an action is chosen
-----------------------
- Exploitation, by the brand's PolicyModel:
  - no model yet (mode none): the brand's default tone with the format that fits the trend's
    category best on its platforms (the recommendation card's suggestion);
  - little data (fewer than TRY_EVERY_ACTION_BELOW rewarded posts per action in the 30 days, so
    always in bandit mode): an action never rewarded is tried before any is exploited (an
    optimistic start, so the bandit sees every action once); one already being tried by a post
    written since the last training (the caller, posts, says which: `pending_actions`) is not
    picked again until the next training. With more data an action that has no post in the
    30 days (tried long ago, or only by chance never) is not forced again: it is valued at the
    typical action's mean like any other estimate, so it comes back only if it looks better;
  - otherwise the action with the highest estimated reward, backing off from sparse estimates to
    pooled ones:
    - brand-wide, an action's mean reward is pulled towards the typical action's (the mean of
      the actions' means) by ARM_PRIOR_POSTS pseudo-posts, so one lucky post does not make a
      winner;
    - Q-learning mode: the trend's state at choice time has no format and tone yet (they are what
      is being chosen), so the learned states of the brand's industry and the trend's category
      are pooled, visit-weighted, per action (the Q of that kind of trend), and pulled towards
      the action's brand-wide value, which weighs as PRIOR_VISITS visits but no more than the
      posts it rests on (1/(1/(n + ARM_PRIOR_POSTS) + 1/PRIOR_VISITS)): a category seen once
      does not override what the brand learned elsewhere, a category seen often has its own
      best action, and a category never posted on falls back to the brand-wide values;
    - bandit mode: the brand-wide values alone.
- Exploration: with probability EXPLORATION_RATE (15 %) another action, drawn uniformly.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
from django.db.models import Avg, Max
from django.utils import timezone

from apps.brands.models import ConnectionStatus, Tone
from apps.core.vocabulary import NETWORKS, PLATFORM_FORMAT_PAIRS, platform_label
from apps.trends.scoring import (
    CATEGORY_INDEX,
    FORMAT_FIT_MATRIX,
    PastRewards,
    past_rewards_provider_register,
)

from .models import PolicyModel, RewardRecord

EXPLORATION_RATE = 0.15  # SPEC section 7: generation explores 15 % of the time
PRIOR_VISITS = 2.0  # pseudo-visits of the action's brand-wide value in a category's Q estimate
ARM_PRIOR_POSTS = 1.0  # pseudo-posts of the typical action's mean in an action's brand-wide mean
# Under this many posts per action the model has little data: actions never rewarded are tried first.
TRY_EVERY_ACTION_BELOW = 2
TRAINING_MIN_POSTS = 10  # SPEC section 7: fewer and the weekly run skips Q-learning
TRAINING_WINDOW_DAYS = 30
# A publication's reward is final this long after publishing (analytics fixes it then; the ledger
# marks it final) and never changes afterwards.
REWARD_FINAL_AFTER = timedelta(days=7)

# Exploration's draws when the caller passes no rng: one module-level generator, unseeded (a fresh
# system seed), which a simulation may reseed with policy_rng_seed for a reproducible run.
_rng = random.Random()  # noqa: S311 (exploration, not security)


def policy_rng_seed(seed: int | None) -> None:
    """Reseed the policy's own generator (bench.learning does, from its run's seed); None: fresh."""
    _rng.seed(seed)


# Learned reward of the trend scorer (apps.trends.scoring: similarity threshold and scale): the
# past posts it weighs, per brand.
PAST_POSTS_WINDOW_DAYS = 90
PAST_POSTS_PER_BRAND = 200


# --- Keys -----------------------------------------------------------------------------------


def state_key(state: dict) -> str:
    """ "industry|category|format|tone" (PolicyModel.q_values' outer keys)."""
    return "|".join(str(state.get(k) or "") for k in ("industry", "category", "format", "tone"))


def state_from_key(key: str) -> dict:
    parts = ([*key.split("|"), "", "", "", ""])[:4]
    return dict(zip(("industry", "category", "format", "tone"), parts, strict=True))


# --- Choosing how to write a post -----------------------------------------------------------


@dataclass(frozen=True)
class Action:
    """What the generator is asked to write: tone, and format on a platform."""

    tone: str
    platform: str
    post_format: str

    def as_dict(self) -> dict:
        return {"tone": self.tone, "platform": self.platform, "post_format": self.post_format}

    @property
    def key(self) -> str:
        """ "tone|platform|format" (PolicyModel's action keys)."""
        return f"{self.tone}|{self.platform}|{self.post_format}"

    @classmethod
    def from_key(cls, key: str) -> Action:
        tone, platform, post_format = ([*key.split("|"), "", "", ""])[:3]
        return cls(tone, platform, post_format)

    def describe(self) -> str:
        """ "witty threads on X"."""
        return f"{self.tone} {self.post_format}s on {platform_label(self.platform)}"


def action_key(*, tone: str, platform: str, post_format: str) -> str:
    return Action(tone, platform, post_format).key


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
    return [Action(tone, p, f) for tone in Tone.values for p, f in PLATFORM_FORMAT_PAIRS if p in platforms]


def _default_action(*, brand, state: dict, usable: Sequence[str]) -> Action:
    row = FORMAT_FIT_MATRIX[CATEGORY_INDEX.get(state.get("category", ""), 0)]
    # The first best column, as apps.trends.scoring.format_fit_matrix takes it, so the format a
    # recommendation card suggests and the one generation starts from are the same.
    columns = [i for i, (p, _) in enumerate(PLATFORM_FORMAT_PAIRS) if p in usable]
    platform, post_format = PLATFORM_FORMAT_PAIRS[max(columns, key=lambda i: (row[i], -i))]
    return Action(brand.default_tone, platform, post_format)


def _model_of(brand):
    """The brand's PolicyModel, or None (also for brands that are not saved rows)."""
    if getattr(brand, "pk", None) is None:
        return None
    return PolicyModel.objects.filter(brand_id=brand.pk).first()


@dataclass(frozen=True)
class Estimate:
    action: Action
    value: float  # expected reward, 0-5
    posts: int  # how many rewarded posts it rests on (in the state, or brand-wide)
    in_state: bool  # the state's own visits count in it


def action_estimates(*, model, state: dict, actions: Sequence[Action]) -> dict[Action, Estimate]:
    """What the model expects of each action in `state`, backing off from sparse estimates to
    pooled ones (see the module docstring). In bandit mode the actions never rewarded are left out
    (they are tried first); in Q-learning mode they are valued at the typical action's mean."""
    arms = {
        key: (int(arm["n"]), float(arm["mean"]))
        for key, arm in (model.bandit or {}).items()
        if arm and arm.get("n")
    }
    # The typical action's mean reward: the mean of the actions' means, not of the posts (those
    # lean to the actions exploited most).
    typical = sum(mean for _, mean in arms.values()) / len(arms) if arms else 0.0
    q_mode = model.mode == "q"
    pooled: dict[str, tuple[float, float]] = {}
    if q_mode:
        industry, category = state.get("industry") or "", state.get("category") or ""
        for skey, row in (model.q_values or {}).items():
            s = state_from_key(skey)
            if s["industry"] != industry or s["category"] != category:
                continue
            visits = (model.visits or {}).get(skey, {})
            for akey, q in row.items():
                n = float(visits.get(akey, 1))
                total, weight = pooled.get(akey, (0.0, 0.0))
                pooled[akey] = (total + n * float(q), weight + n)
    estimates: dict[Action, Estimate] = {}
    for action in actions:
        n, mean = arms.get(action.key, (0, 0.0))
        if not n and not q_mode:
            continue
        value = (n * mean + ARM_PRIOR_POSTS * typical) / (n + ARM_PRIOR_POSTS)
        total, weight = pooled.get(action.key, (0.0, 0.0))
        if weight:
            # The brand-wide value weighs as PRIOR_VISITS visits of the state, but no more than the
            # posts it rests on itself (with its prior): one post elsewhere says little here either.
            pull = 1.0 / (1.0 / (n + ARM_PRIOR_POSTS) + 1.0 / PRIOR_VISITS)
            value = (total + pull * value) / (weight + pull)
        estimates[action] = Estimate(action, value, int(weight) if weight else n, bool(weight))
    return estimates


def policy_choose_action(
    *,
    brand,
    state: dict,
    platforms: Sequence[str] | None,
    rng: random.Random | None = None,
    model=None,
    explore: bool = True,
    pending_actions: Callable[[datetime], Collection[str]] | None = None,
) -> Choice:
    """The tone and format to generate with (see the module docstring for the rule).

    `platforms` defaults to the brand's connected ones; a brand with only the sandbox may use all.
    `model` is the brand's PolicyModel when the caller has it already (read here otherwise).
    `explore=False` gives the policy's own pick without the 15 % exploration (what a page suggests);
    it is said outright rather than with a rigged `Random`, whose `choice` could then never end.
    `pending_actions(since)` gives the action keys of the brand's posts written after `since` (the
    model's last training); posts, which owns them, passes it. Asked only when it matters.
    """
    rng = rng or _rng
    if platforms is None:
        platforms = list(
            brand.connections.filter(status=ConnectionStatus.CONNECTED).values_list("platform", flat=True)
        )
    usable = [p for p in platforms if p in NETWORKS] or list(NETWORKS)
    actions = policy_actions(platforms=usable)
    model = model if model is not None else _model_of(brand)
    best, reason = None, ""
    if model is not None and model.mode in ("bandit", "q") and model.bandit:
        estimates = action_estimates(model=model, state=state, actions=actions)
        untried = []
        if model.posts_used < TRY_EVERY_ACTION_BELOW * len(actions):
            # Little data: every action is tried once before any is exploited (an optimistic
            # start), but not one a post written since the last training is already trying.
            untried = [a for a in actions if a.key not in model.bandit]
            if untried and pending_actions is not None and model.updated_at is not None:
                pending = set(pending_actions(model.updated_at))
                untried = [a for a in untried if a.key not in pending]
        if untried:
            best = rng.choice(untried)
            reason = f"trying {best.describe()}: never published yet ({len(untried)} actions left to try)"
        elif estimates:
            top = max(estimates.values(), key=lambda e: (e.value, e.posts))
            best = top.action
            if not top.posts:
                reason = f"trying {best.describe()}: not published in the last {TRAINING_WINDOW_DAYS} days"
            else:
                where = "on this kind of trend" if top.in_state else "across the brand's posts"
                reason = (
                    f"highest learned reward ({top.value:.1f} over {top.posts} "
                    f"post{'s' if top.posts != 1 else ''} {where})"
                )
    if best is None:
        best = _default_action(brand=brand, state=state, usable=usable)
        reason = "the brand's default tone with the format that fits this kind of trend best"
    if explore and rng.random() < EXPLORATION_RATE:
        others = [a for a in actions if a != best]
        if others:
            return Choice(rng.choice(others), True, "exploring another tone or format (15 % of the time)")
    return Choice(best, False, reason)


# --- The trend scorer's learned reward ------------------------------------------------------


def brand_past_rewards(brand_ids: Sequence[int], *, now=None) -> PastRewards | None:
    """Each brand's rewarded posts of the last 90 days (at most 200 a brand, newest first) with
    their trend's embedding, from the reward ledger (a post published on two accounts counts once,
    with its mean reward): one query. None when no brand of the batch has one."""
    now = now or timezone.now()
    column = {bid: i for i, bid in enumerate(brand_ids)}
    rows = (
        RewardRecord.objects.filter(
            brand_id__in=list(brand_ids),
            published_at__gte=now - timedelta(days=PAST_POSTS_WINDOW_DAYS),
            trend__embedding__isnull=False,
        )
        .values("brand_id", "post_id", "trend__embedding")
        .annotate(reward_mean=Avg("reward"), last=Max("published_at"))
        .order_by("brand_id", "-last")
    )
    vectors, rewards, brands = [], [], []
    kept: dict[int, int] = {}
    for row in rows:
        data = row["trend__embedding"]
        if not data or kept.get(row["brand_id"], 0) >= PAST_POSTS_PER_BRAND:
            continue
        vector = np.frombuffer(bytes(data), dtype=np.float32)
        kept[row["brand_id"]] = kept.get(row["brand_id"], 0) + 1
        vectors.append(vector)
        rewards.append(float(row["reward_mean"]))
        brands.append(column[row["brand_id"]])
    if not vectors:
        return None
    dims = {v.shape[0] for v in vectors}
    if len(dims) != 1:  # embeddings of an older model mixed in: keep the most common size
        common = max(dims, key=lambda d: sum(v.shape[0] == d for v in vectors))
        keep = [i for i, v in enumerate(vectors) if v.shape[0] == common]
        vectors = [vectors[i] for i in keep]
        rewards = [rewards[i] for i in keep]
        brands = [brands[i] for i in keep]
    order = np.argsort(np.array(brands), kind="stable")
    return PastRewards(
        vectors=np.vstack(vectors)[order].astype(np.float32),
        rewards=np.array(rewards, dtype=np.float32)[order],
        brands=np.array(brands, dtype=np.int64)[order],
    )


def trend_scorer_provider_register() -> None:
    """Hand the trend scorer this ledger reader (LearningConfig.ready()): trends sits below
    learning, so it asks whatever registered instead of importing it."""
    past_rewards_provider_register(brand_past_rewards)
