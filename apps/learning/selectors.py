"""What the Learning page reads of a brand's model and its training runs: a fixed number of
queries whatever the brand has learned. It leads with plain sentences: which tone and format do
best and how sure that is (`Verdict`, from the posts' own scores: the lead over the next action
against the spread of both), what works per kind of trend (lessons resting on LESSON_MIN_POSTS
posts or more), and the scores over time per action; the model's numbers come after. It reads
learning's own tables; how many posts a brand has published is known only to the app that
publishes them, which registers `published_count_provider_register` at start-up."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from django.utils import timezone

from apps.core import zones

from .models import PolicyMode, PolicyModel, TrainingRun, TrainingStatus
from .policy import EXPLORATION_RATE, TRAINING_MIN_POSTS, TRAINING_WINDOW_DAYS, Action, state_from_key
from .training import Sample, training_next, training_samples

RUNS_SHOWN = 12
LESSONS_SHOWN = 8
STATES_SHOWN = 12
ACTIONS_PER_STATE = 3
# A lesson or a verdict rests on at least this many posts: one or two lucky posts say little.
LESSON_MIN_POSTS = 3
CHART_ACTIONS = 5  # the chart draws the actions with the most posts, so its lines stay readable
# How far ahead the best action is, in margins of error of the lead (its standard error): two or
# more is a lead chance alone rarely gives; one to two is a likely one; under one is a tie so far.
CLEARLY_AHEAD_MARGINS = 2.0
PROBABLY_AHEAD_MARGINS = 1.0


@dataclass(frozen=True)
class Lesson:
    """One thing learned, in words: "Witty threads on X on product trends: average performance score 2.3 over 12 posts"."""

    action: Action
    category: str
    value: float
    posts: int

    @property
    def text(self) -> str:
        what = self.action.describe()
        on = f" on {self.category.replace('_', ' ')} trends" if self.category else ""
        posts = f"{self.posts} post{'s' if self.posts != 1 else ''}"
        return f"{what[0].upper()}{what[1:]}{on}: average performance score {self.value:.1f} over {posts}"


@dataclass(frozen=True)
class ActionResult:
    """One action's scored posts of the training window: how many, their mean and their spread."""

    action: Action
    scores: tuple[float, ...]

    @property
    def posts(self) -> int:
        return len(self.scores)

    @property
    def mean(self) -> float:
        return sum(self.scores) / len(self.scores)

    @property
    def spread(self) -> float:
        """The sample standard deviation of the scores (0 with one post)."""
        n = len(self.scores)
        if n < 2:
            return 0.0
        mean = self.mean
        return math.sqrt(sum((x - mean) ** 2 for x in self.scores) / (n - 1))

    @property
    def label(self) -> str:
        what = self.action.describe()
        return f"{what[0].upper()}{what[1:]}"


@dataclass(frozen=True)
class Verdict:
    """The page's first sentence: the action that does best (of those with LESSON_MIN_POSTS posts
    or more) and how sure that is, from its lead over the next one against the lead's margin of
    error √(s₁²/n₁ + s₂²/n₂)."""

    best: ActionResult
    runner_up: ActionResult | None

    @property
    def lead(self) -> float | None:
        return self.best.mean - self.runner_up.mean if self.runner_up else None

    @property
    def margin(self) -> float | None:
        """The margin of error (standard error) of the lead."""
        if self.runner_up is None:
            return None
        a, b = self.best, self.runner_up
        return math.sqrt(a.spread**2 / a.posts + b.spread**2 / b.posts)

    @property
    def confidence(self) -> str:
        """ "clearly ahead", "probably ahead", "too close to call" or "alone" (nothing to compare)."""
        if self.runner_up is None:
            return "alone"
        lead, margin = self.lead, self.margin
        if lead <= 0:
            return "too close to call"
        if margin == 0 or lead >= CLEARLY_AHEAD_MARGINS * margin:
            return "clearly ahead"
        if lead >= PROBABLY_AHEAD_MARGINS * margin:
            return "probably ahead"
        return "too close to call"

    @property
    def headline(self) -> str:
        best, n = self.best.label, self.best.posts
        if self.confidence == "clearly ahead":
            return f"{best} do best for you — {n} posts, clearly ahead"
        if self.confidence == "probably ahead":
            return f"{best} look best for you — {n} posts, probably ahead"
        if self.confidence == "too close to call":
            other = self.runner_up.action.describe()
            return f"{best} and {other} are neck and neck — too close to call yet"
        return f"{best} are the only kind with {LESSON_MIN_POSTS} posts or more — {n} posts so far"

    @property
    def detail(self) -> str:
        """The numbers behind the headline, in one sentence."""
        best = self.best
        if self.runner_up is None:
            return (
                f"Average performance score {best.mean:.1f}. Nothing else has {LESSON_MIN_POSTS} posts yet to "
                "compare it with; new posts keep trying other tones and formats."
            )
        other = self.runner_up
        lead, margin = self.lead, self.margin
        numbers = (
            f"Average performance score {best.mean:.1f} over {best.posts} posts, against {other.mean:.1f} "
            f"for {other.action.describe()} ({other.posts} posts)"
        )
        if self.confidence == "clearly ahead":
            how = (
                f"a lead of {lead:.1f} points with no spread in the scores"
                if margin == 0
                else f"a lead of {lead:.1f} points, {lead / margin:.1f} times its margin of error (±{margin:.1f})"
            )
        elif self.confidence == "probably ahead":
            how = (
                f"a lead of {lead:.1f} points, more than its margin of error (±{margin:.1f}) but less than "
                "twice it: a few more posts will tell"
            )
        else:
            how = (
                f"a difference of {abs(lead):.1f} points, within its margin of error (±{margin:.1f}): "
                "more posts will tell them apart"
            )
        return f"{numbers}: {how}."


@dataclass(frozen=True)
class ActionRow:
    action: Action
    q: float
    visits: int


@dataclass
class StateRow:
    key: str
    state: dict
    visits: int
    actions: list[ActionRow] = field(default_factory=list)

    @property
    def label(self) -> str:
        s = self.state
        parts = [s["category"].replace("_", " ") + " trends" if s["category"] else "no trend"]
        if s["format"] or s["tone"]:
            parts.append(f"{s['tone']} {s['format']}".strip())
        if s["industry"]:
            parts.append(s["industry"])
        return " · ".join(parts)


@dataclass
class LearningPage:
    brand: object
    model: PolicyModel | None
    runs: list[TrainingRun]
    published: int  # published publications ever (the empty state when 0)
    last_trained: datetime | None
    last_skip: TrainingRun | None  # the latest run, when it was skipped
    next_training: datetime
    next_is_due: bool
    lessons: list[Lesson]  # those resting on LESSON_MIN_POSTS posts or more
    lessons_hidden: int  # lessons left out for resting on fewer posts
    states: list[StateRow]
    arms: list[ActionRow]
    results: list[ActionResult]  # per action, the window's scored posts, the most posts first
    verdict: Verdict | None
    scored_posts: int  # posts with a performance score in the training window
    chart: list[tuple[date, dict[str, float]]]  # per brand-local day, each action's mean score
    exploration_rate: float = EXPLORATION_RATE
    min_posts: int = TRAINING_MIN_POSTS
    window_days: int = TRAINING_WINDOW_DAYS
    lesson_min_posts: int = LESSON_MIN_POSTS

    @property
    def chart_actions(self) -> list[ActionResult]:
        return self.results[:CHART_ACTIONS]

    @property
    def mode_label(self) -> str:
        """The stage of learning in words."""
        if self.mode == PolicyMode.Q:
            return "Learning per kind of trend"
        if self.mode == PolicyMode.BANDIT:
            return "Early days: comparing tones and formats"
        return "Not started"

    @property
    def mode(self) -> str:
        return self.model.mode if self.model else PolicyMode.NONE

    @property
    def mode_reason(self) -> str:
        n = self.model.posts_used if self.model else 0
        posts = (
            f"{n} published post{'s' if n != 1 else ''} with a performance score in the last "
            f"{self.window_days} days"
        )
        if self.mode == PolicyMode.Q:
            return f"Q-learning: {posts}, and {self.min_posts} or more are enough to learn per kind of trend."
        if self.mode == PolicyMode.BANDIT:
            return (
                f"Bandit: only {posts}. Until there are {self.min_posts}, generation picks the tone and format "
                "with the best average reward so far, trying each one once first."
            )
        return (
            "Nothing learned yet: generation uses the brand's default tone with the format that fits each "
            "kind of trend best."
        )


def _mean(lessons: list[Lesson]) -> float:
    posts = sum(lesson.posts for lesson in lessons)
    return sum(lesson.value * lesson.posts for lesson in lessons) / posts if posts else 0.0


# Lessons are ranked by their average pulled toward the brand's overall average as if each had this
# many more posts at the overall average: one lucky post does not outrank a steady five.
LESSON_SHRINKAGE_POSTS = 2


def _lessons(model: PolicyModel) -> list[Lesson]:
    """What was learned, per action on each kind of trend and per action over all trends (the
    latter has more posts behind it), ranked by the shrunk average; the text states the plain one."""
    if model.mode == PolicyMode.Q:
        pooled: dict[tuple[str, str], tuple[float, int]] = {}
        for skey, row in (model.q_values or {}).items():
            category = state_from_key(skey)["category"]
            visits = (model.visits or {}).get(skey, {})
            for akey, q in row.items():
                n = int(visits.get(akey, 1))
                for where in {category, ""}:
                    total, count = pooled.get((where, akey), (0.0, 0))
                    pooled[(where, akey)] = (total + n * float(q), count + n)
        lessons = [
            Lesson(Action.from_key(akey), category, total / count, count)
            for (category, akey), (total, count) in pooled.items()
            if count
        ]
        mean = _mean([lesson for lesson in lessons if not lesson.category])
        # An action whose posts were all on one kind of trend: its overall lesson says less.
        specific = {(lesson.action, lesson.posts) for lesson in lessons if lesson.category}
        lessons = [
            lesson for lesson in lessons if lesson.category or (lesson.action, lesson.posts) not in specific
        ]
    else:
        lessons = [
            Lesson(Action.from_key(akey), "", float(arm["mean"]), int(arm["n"]))
            for akey, arm in (model.bandit or {}).items()
            if arm.get("n")
        ]
        mean = _mean(lessons)
    k = LESSON_SHRINKAGE_POSTS

    def shrunk(lesson: Lesson) -> float:
        return (lesson.value * lesson.posts + mean * k) / (lesson.posts + k)

    return sorted(lessons, key=lambda lesson: (-shrunk(lesson), -lesson.posts))


def top_lesson(*, brand_id: int) -> Lesson | None:
    """The first lesson the Learning page shows (one resting on LESSON_MIN_POSTS posts or more), or None."""
    model = PolicyModel.objects.filter(brand_id=brand_id).first()
    lessons = lessons_shown(_lessons(model)) if model is not None else []
    return lessons[0] if lessons else None


def lessons_shown(lessons: list[Lesson]) -> list[Lesson]:
    """The lessons that rest on LESSON_MIN_POSTS posts or more, in their order."""
    return [lesson for lesson in lessons if lesson.posts >= LESSON_MIN_POSTS]


def action_results(samples: list[Sample]) -> list[ActionResult]:
    """Each action's scores, the most posts first (then the best mean)."""
    scores: dict[str, list[float]] = {}
    for sample in samples:
        scores.setdefault(sample.action, []).append(sample.reward)
    results = [ActionResult(Action.from_key(key), tuple(values)) for key, values in scores.items()]
    return sorted(results, key=lambda r: (-r.posts, -r.mean, r.action.key))


def verdict_of(results: list[ActionResult]) -> Verdict | None:
    """The best action of those with LESSON_MIN_POSTS posts or more, and the next one."""
    ranked = sorted(
        (r for r in results if r.posts >= LESSON_MIN_POSTS), key=lambda r: (-r.mean, -r.posts, r.action.key)
    )
    if not ranked:
        return None
    return Verdict(ranked[0], ranked[1] if len(ranked) > 1 else None)


def scores_by_day(
    samples: list[Sample], *, zone, actions: list[Action]
) -> list[tuple[date, dict[str, float]]]:
    """Per brand-local day with a post of one of `actions`, each of those actions' mean score."""
    keys = {action.key for action in actions}
    days: dict[date, dict[str, list[float]]] = {}
    for sample in samples:
        if sample.action in keys and sample.published_at is not None:
            day = sample.published_at.astimezone(zone).date()
            days.setdefault(day, {}).setdefault(sample.action, []).append(sample.reward)
    return [
        (day, {key: sum(values) / len(values) for key, values in per_action.items()})
        for day, per_action in sorted(days.items())
    ]


def _states(model: PolicyModel) -> list[StateRow]:
    rows = []
    for skey, row in (model.q_values or {}).items():
        visits = (model.visits or {}).get(skey, {})
        actions = sorted(
            (ActionRow(Action.from_key(a), float(q), int(visits.get(a, 0))) for a, q in row.items()),
            key=lambda r: (-r.q, -r.visits),
        )
        rows.append(
            StateRow(skey, state_from_key(skey), sum(r.visits for r in actions), actions[:ACTIONS_PER_STATE])
        )
    return sorted(rows, key=lambda r: (-r.visits, r.key))[:STATES_SHOWN]


# How many publications a brand has ever published (the page's empty state when 0 and nothing was
# learned). Publishing sits above learning, so the app that can count them registers the function
# at start-up (apps.analytics); until one does, the brand counts as having published nothing.
PublishedCount = Callable[[int], int]
_published_count_provider: PublishedCount | None = None


def published_count_provider_register(provider: PublishedCount | None) -> None:
    global _published_count_provider
    _published_count_provider = provider


def brand_published_count(*, brand_id: int) -> int:
    return _published_count_provider(brand_id) if _published_count_provider is not None else 0


def learning_page_get(*, brand, now: datetime | None = None) -> LearningPage:
    """Everything the Learning page shows: four queries."""
    now = now or timezone.now()
    model = PolicyModel.objects.filter(brand=brand).first()
    runs = list(TrainingRun.objects.filter(brand=brand).order_by("-started_at")[:RUNS_SHOWN])
    published = brand_published_count(brand_id=brand.pk)
    last_run = runs[0] if runs else None
    upcoming = training_next(brand=brand, now=now, last_run_at=last_run.started_at if last_run else None)
    samples = training_samples(brand=brand, now=now)
    results = action_results(samples)
    lessons = _lessons(model) if model else []
    shown = lessons_shown(lessons)
    return LearningPage(
        brand=brand,
        model=model,
        runs=runs,
        published=published,
        last_trained=model.trained_at if model else None,
        last_skip=last_run if last_run and last_run.status == TrainingStatus.SKIPPED else None,
        next_training=upcoming.astimezone(zones.zone(brand.timezone)),
        next_is_due=upcoming <= now,
        lessons=shown[:LESSONS_SHOWN],
        lessons_hidden=len(lessons) - len(shown),
        results=results,
        verdict=verdict_of(results),
        scored_posts=len(samples),
        chart=scores_by_day(
            samples, zone=zones.zone(brand.timezone), actions=[r.action for r in results[:CHART_ACTIONS]]
        ),
        states=_states(model) if model else [],
        arms=sorted(
            (
                ActionRow(Action.from_key(a), float(arm["mean"]), int(arm["n"]))
                for a, arm in ((model.bandit or {}).items() if model else [])
            ),
            key=lambda r: (-r.q, -r.visits),
        )[:STATES_SHOWN],
    )
