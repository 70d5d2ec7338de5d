"""What the Learning page reads of a brand's model and its training runs: a fixed number of
queries whatever the brand has learned."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.utils import timezone

from .learning import EXPLORATION_RATE, TRAINING_MIN_POSTS, TRAINING_WINDOW_DAYS, Action, state_from_key
from .models import PolicyMode, PolicyModel, TrainingRun, TrainingStatus
from .training import brand_zone, training_next

RUNS_SHOWN = 12
LESSONS_SHOWN = 8
STATES_SHOWN = 12
ACTIONS_PER_STATE = 3


@dataclass(frozen=True)
class Lesson:
    """One thing learned, in words: "witty X threads on product trends: average reward 2.3 over 12 posts"."""

    action: Action
    category: str
    value: float
    posts: int

    @property
    def text(self) -> str:
        what = self.action.describe()
        on = f" on {self.category.replace('_', ' ')} trends" if self.category else ""
        return f"{what[0].upper()}{what[1:]}{on}: average reward {self.value:.1f} over {self.posts} post{'s' if self.posts != 1 else ''}"


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
    lessons: list[Lesson]
    states: list[StateRow]
    arms: list[ActionRow]
    exploration_rate: float = EXPLORATION_RATE
    min_posts: int = TRAINING_MIN_POSTS
    window_days: int = TRAINING_WINDOW_DAYS

    @property
    def mode(self) -> str:
        return self.model.mode if self.model else PolicyMode.NONE

    @property
    def mode_reason(self) -> str:
        n = self.model.posts_used if self.model else 0
        posts = f"{n} published post{'s' if n != 1 else ''} with a reward in the last {self.window_days} days"
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

    return sorted(lessons, key=lambda lesson: (-shrunk(lesson), -lesson.posts))[:LESSONS_SHOWN]


def top_lesson(*, brand_id: int) -> Lesson | None:
    """The first thing the Learning page says the brand's model learned, or None."""
    model = PolicyModel.objects.filter(brand_id=brand_id).first()
    lessons = _lessons(model) if model is not None else []
    return lessons[0] if lessons else None


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


def learning_page_get(*, brand, now: datetime | None = None) -> LearningPage:
    """Everything the Learning page shows: three queries."""
    from apps.publishing.models import Publication, PublicationStatus

    now = now or timezone.now()
    model = PolicyModel.objects.filter(brand=brand).first()
    runs = list(TrainingRun.objects.filter(brand=brand).order_by("-started_at")[:RUNS_SHOWN])
    published = Publication.objects.filter(brand=brand, status=PublicationStatus.PUBLISHED).count()
    last_run = runs[0] if runs else None
    upcoming = training_next(brand=brand, now=now, last_run_at=last_run.started_at if last_run else None)
    return LearningPage(
        brand=brand,
        model=model,
        runs=runs,
        published=published,
        last_trained=model.trained_at if model else None,
        last_skip=last_run if last_run and last_run.status == TrainingStatus.SKIPPED else None,
        next_training=upcoming.astimezone(brand_zone(brand)),
        next_is_due=upcoming <= now,
        lessons=_lessons(model) if model else [],
        states=_states(model) if model else [],
        arms=sorted(
            (
                ActionRow(Action.from_key(a), float(arm["mean"]), int(arm["n"]))
                for a, arm in ((model.bandit or {}).items() if model else [])
            ),
            key=lambda r: (-r.q, -r.visits),
        )[:STATES_SHOWN],
    )
