"""The weekly training of each brand's model (SPEC section 7), its schedule (Sunday 00:00 in the
brand's time zone) and what the Learning page reads of it.

Every run starts again from the brand's published posts of the last 30 days that have a reward
(the reward ledger, RewardRecord, that analytics fills as it fetches metrics), oldest first, so a post older than 30 days drops out and running twice gives the same model:

- the epsilon-greedy bandit over actions ("tone|platform|format") is always refitted: per action
  the number of posts and their mean reward;
- with at least 10 posts, Q-learning over state = (industry, trend category, format, tone) and
  action = (tone, platform, format):  Q(s,a) ← Q(s,a) + α[r − Q(s,a)], Q starting at 0, with
  α = max(1/n, ALPHA_FLOOR) for the n-th visit of (s,a): the plain mean of the first ten rewards
  (a constant 0.1 from the start would leave a pair seen twice at a fifth of its reward), then a
  constant 0.1 so the newest posts weigh more than old ones. With fewer than 10 the run is
  recorded as skipped with its reason in words, and the bandit serves the brand.

A post's action is its tone, the platform whose copy was published (a sandbox publication
carries the X or LinkedIn copy) and the format as that platform carries it; its state is the
post's learning state (filled from the post where an older post lacks a field). Sandbox posts count:
that is how brands without accounts learn.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from apps.brands.models import Brand, BrandMembership
from apps.core import zones
from apps.core.vocabulary import format_on
from apps.notifications.services import notification_create

from .models import PolicyMode, PolicyModel, RewardRecord, TrainingRun, TrainingStatus
from .policy import TRAINING_MIN_POSTS, TRAINING_WINDOW_DAYS, Action, state_key

logger = logging.getLogger(__name__)

ALPHA_FLOOR = 0.1


@dataclass(frozen=True)
class Sample:
    state: str
    action: str
    reward: float
    published_at: datetime | None = None  # the Learning page charts rewards over time


def q_update(q: float, reward: float, alpha: float) -> float:
    """Q(s,a) ← Q(s,a) + α[r − Q(s,a)]."""
    return q + alpha * (reward - q)


def alpha_for(visit: int) -> float:
    """α of the n-th visit (n ≥ 1): 1/n for the first ten, then ALPHA_FLOOR."""
    return max(1.0 / visit, ALPHA_FLOOR)


def training_samples(*, brand, now: datetime) -> list[Sample]:
    """The brand's rewarded publications of the last 30 days (its reward ledger), oldest first:
    one query."""
    rows = (
        RewardRecord.objects.filter(
            brand=brand,
            published_at__gt=now - timedelta(days=TRAINING_WINDOW_DAYS),
            published_at__lte=now,
        )
        .select_related("trend")
        .order_by("published_at", "publication_id")
    )
    industry = brand.industry.slug if brand.industry_id else ""
    samples = []
    for record in rows:
        state = {
            "industry": industry,
            "category": record.trend.category if record.trend_id else "",
            "format": record.post_format,
            "tone": record.tone,
            **{k: v for k, v in (record.state or {}).items() if v},
        }
        action = Action(record.tone, record.platform, format_on(record.platform, record.post_format))
        samples.append(Sample(state_key(state), action.key, float(record.reward), record.published_at))
    return samples


def q_learn(samples: list[Sample]) -> tuple[dict, dict]:
    """Q-values and visit counts, {state: {action: …}}, from the samples in order."""
    q: dict[str, dict[str, float]] = {}
    visits: dict[str, dict[str, int]] = {}
    for s in samples:
        n = visits.setdefault(s.state, {}).get(s.action, 0) + 1
        visits[s.state][s.action] = n
        row = q.setdefault(s.state, {})
        row[s.action] = q_update(row.get(s.action, 0.0), s.reward, alpha_for(n))
    return q, visits


def bandit_fit(samples: list[Sample]) -> dict:
    """{action: {"n", "mean"}}: the epsilon-greedy bandit's arms."""
    arms: dict[str, dict] = {}
    for s in samples:
        arm = arms.setdefault(s.action, {"n": 0, "mean": 0.0})
        arm["n"] += 1
        arm["mean"] += (s.reward - arm["mean"]) / arm["n"]
    return arms


def _summary(samples: list[Sample], arms: dict) -> dict:
    best = sorted(arms.items(), key=lambda kv: -kv[1]["mean"])[:3]
    return {
        "mean_reward": round(sum(s.reward for s in samples) / len(samples), 3) if samples else None,
        "actions": len(arms),
        "states": len({s.state for s in samples}),
        "best": [{"action": k, "n": v["n"], "mean": round(v["mean"], 3)} for k, v in best],
    }


def policy_train(*, brand, now: datetime | None = None) -> TrainingRun:
    """Train the brand's model from its last 30 days (see the module docstring) and record the
    run. Under the brand's model row lock, so two runs for one brand do not interleave."""
    now = now or timezone.now()
    started = time.monotonic()
    with transaction.atomic():
        PolicyModel.objects.get_or_create(brand=brand)
        model = PolicyModel.objects.select_for_update().get(brand=brand)
        samples = training_samples(brand=brand, now=now)
        arms = bandit_fit(samples)
        model.bandit = arms
        model.posts_used = len(samples)
        model.epsilon = 0.15
        if len(samples) >= TRAINING_MIN_POSTS:
            model.q_values, model.visits = q_learn(samples)
            model.mode, model.alpha, model.trained_at = PolicyMode.Q, ALPHA_FLOOR, now
            status, reason = TrainingStatus.TRAINED, ""
        else:
            model.q_values, model.visits = {}, {}
            model.mode = PolicyMode.BANDIT if samples else PolicyMode.NONE
            status = TrainingStatus.SKIPPED
            n = len(samples)
            reason = (
                f"Only {n} published post{'s' if n != 1 else ''} with a performance score in the last "
                f"{TRAINING_WINDOW_DAYS} days; training needs {TRAINING_MIN_POSTS}."
            )
            if samples:
                reason += " Until then, new posts use the tone and format with the best score so far."
        model.save()
        run = TrainingRun.objects.create(
            brand=brand,
            started_at=now,
            finished_at=now + timedelta(seconds=time.monotonic() - started),
            status=status,
            mode=model.mode,
            reason=reason,
            posts_used=len(samples),
            summary=_summary(samples, arms),
        )
    if status == TrainingStatus.SKIPPED:
        logger.info("learning: brand %s skipped training: %s", brand.pk, reason)
    else:
        logger.info("learning: brand %s trained on %s posts", brand.pk, len(samples))
    return run


# --- The weekly schedule --------------------------------------------------------------------


def training_instant_last(*, brand, now: datetime) -> datetime:
    """The latest Sunday 00:00 in the brand's time zone at or before `now`."""
    zone = zones.zone(brand.timezone)
    local = now.astimezone(zone)
    sunday = local.date() - timedelta(days=(local.weekday() + 1) % 7)
    return datetime(sunday.year, sunday.month, sunday.day, tzinfo=zone)


def training_next(*, brand, now: datetime | None = None, last_run_at: datetime | None = None) -> datetime:
    """When the brand trains next: its last Sunday 00:00 if no run has happened since (the hourly
    task picks it up within the hour), else the next Sunday 00:00 (brand-local, aware)."""
    now = now or timezone.now()
    instant = training_instant_last(brand=brand, now=now)
    if last_run_at is None or last_run_at < instant:
        return instant
    following = (instant + timedelta(days=7, hours=12)).astimezone(zones.zone(brand.timezone)).date()
    return datetime(following.year, following.month, following.day, tzinfo=zones.zone(brand.timezone))


def policy_train_due(*, now: datetime | None = None) -> list[TrainingRun]:
    """Train every brand whose Sunday 00:00 (its own time zone) has passed with no run since:
    the hourly task's work. Safe to run twice: the check is repeated under the model's row lock."""
    now = now or timezone.now()
    last = dict(TrainingRun.objects.values_list("brand_id").annotate(last=Max("started_at")))
    runs = []
    for brand in Brand.objects.select_related("industry").order_by("pk"):
        instant = training_instant_last(brand=brand, now=now)
        if last.get(brand.pk) is not None and last[brand.pk] >= instant:
            continue
        with transaction.atomic():
            PolicyModel.objects.get_or_create(brand=brand)
            PolicyModel.objects.select_for_update().get(brand=brand)
            if TrainingRun.objects.filter(brand=brand, started_at__gte=instant).exists():
                continue
            run = policy_train(brand=brand, now=now)
            runs.append(run)
            training_notify(run=run)
    return runs


def training_notify(*, run: TrainingRun) -> None:
    """Tell the brand's members what this week's training did (in-app, live, and by email for
    those who want it): what it learned best, or why it skipped. Nothing for a brand that has
    not published anything yet (its skip says nothing new)."""
    from .selectors import top_lesson  # the Learning page's selectors read this module's schedule

    if run.status != TrainingStatus.TRAINED and not run.posts_used:
        return
    if run.status == TrainingStatus.TRAINED:
        lesson = top_lesson(brand_id=run.brand_id)
        title = f"This week's learning: trained on {run.posts_used} posts"
        body = (f"Best so far: {lesson.text}. " if lesson else "") + "New posts use what it learned."
        level = "success"
    else:
        title = "This week's learning was skipped"
        body = run.reason  # it says what new posts use until training can run
        level = "info"
    members = BrandMembership.objects.filter(brand_id=run.brand_id, user__is_active=True).select_related(
        "user"
    )
    for membership in members:
        notification_create(
            user=membership.user, title=title, body=body, url=f"/brand/{run.brand_id}/learning/", level=level
        )
