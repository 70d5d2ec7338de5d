"""The weekly training: the Q update by hand, the skip under 10 posts, the bandit, the policy that
uses the model, the exploration rate, and the Sunday 00:00 schedule in two time zones."""

import random
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from apps.learning.models import PolicyModel, TrainingRun
from apps.learning.policy import (
    EXPLORATION_RATE,
    Action,
    action_key,
    policy_choose_action,
    state_key,
)
from apps.learning.training import (
    alpha_for,
    policy_train,
    policy_train_due,
    q_update,
    training_instant_last,
    training_next,
)
from tests.learning.learning_factories import learning_brand, published, trend_with

pytestmark = pytest.mark.django_db


def exploit_only():
    rng = random.Random(0)
    rng.random = lambda: 0.99
    return rng


def test_q_update_is_q_plus_alpha_times_reward_minus_q():
    assert q_update(0.0, 2.0, 1.0) == 2.0
    assert q_update(2.0, 4.0, 0.5) == 3.0
    assert q_update(3.0, 1.0, 0.1) == pytest.approx(2.8)


def test_alpha_is_one_over_n_for_ten_visits_then_a_tenth():
    assert [alpha_for(n) for n in (1, 2, 4, 10, 11, 50)] == [1.0, 0.5, 0.25, 0.1, 0.1, 0.1]


def test_training_on_ten_posts_stores_hand_computed_q_values_and_visits():
    brand = learning_brand()
    trend = trend_with(category="product")
    now = timezone.now()
    # witty X threads: 2, 4, 3 (oldest first); bold LinkedIn posts: 1 × 7
    for i, reward in enumerate([2.0, 4.0, 3.0]):
        published(brand, reward=reward, trend=trend, at=now - timedelta(days=20 - i))
    for i in range(7):
        published(
            brand,
            reward=1.0 + 0.5 * (i == 6),
            tone="bold",
            post_format="post",
            platform="linkedin",
            trend=trend,
            at=now - timedelta(days=10 - i),
        )
    run = policy_train(brand=brand, now=now)
    assert run.status == "trained" and run.mode == "q" and run.posts_used == 10

    model = PolicyModel.objects.get(brand=brand)
    witty = state_key({"industry": "tech", "category": "product", "format": "thread", "tone": "witty"})
    bold = state_key({"industry": "tech", "category": "product", "format": "post", "tone": "bold"})
    assert witty == "tech|product|thread|witty"
    witty_x = action_key(tone="witty", platform="x", post_format="thread")
    bold_li = action_key(tone="bold", platform="linkedin", post_format="post")
    # Q: 0 → 0 + 1·(2 − 0) = 2 → 2 + ½(4 − 2) = 3 → 3 + ⅓(3 − 3) = 3
    assert model.q_values[witty][witty_x] == pytest.approx(3.0)
    assert model.visits[witty][witty_x] == 3
    # six 1.0s then 1.5 with α = 1/7: 1 + (1.5 − 1)/7
    assert model.q_values[bold][bold_li] == pytest.approx(1 + 0.5 / 7)
    assert model.visits[bold][bold_li] == 7
    assert model.mode == "q" and model.posts_used == 10 and model.trained_at == now
    assert model.bandit[witty_x] == {"n": 3, "mean": pytest.approx(3.0)}


def test_after_ten_visits_alpha_stays_at_a_tenth():
    brand = learning_brand()
    trend = trend_with()
    now = timezone.now()
    for i in range(11):
        published(brand, reward=2.0 if i < 10 else 4.0, trend=trend, at=now - timedelta(days=12 - i))
    policy_train(brand=brand, now=now)
    q = PolicyModel.objects.get(brand=brand).q_values["tech|product|thread|witty"]["witty|x|thread"]
    assert q == pytest.approx(2.0 + 0.1 * (4.0 - 2.0))


def test_fewer_than_ten_posts_skip_with_the_reason_and_fit_the_bandit():
    brand = learning_brand()
    now = timezone.now()
    for reward in (1.0, 2.0, 3.0):
        published(brand, reward=reward)
    for reward in (4.0, 4.5):
        published(brand, reward=reward, tone="bold", post_format="post")
    published(brand, reward=5.0, at=now - timedelta(days=31))  # older than 30 days: not counted
    published(brand, reward=None)  # no reward yet: not counted
    run = policy_train(brand=brand, now=now)
    assert run.status == "skipped" and run.mode == "bandit" and run.posts_used == 5
    assert run.reason.startswith(
        "Only 5 published posts with a performance score in the last 30 days; training needs 10."
    )
    model = PolicyModel.objects.get(brand=brand)
    assert model.mode == "bandit" and model.q_values == {} and model.trained_at is None
    assert model.bandit == {
        "witty|x|thread": {"n": 3, "mean": pytest.approx(2.0)},
        "bold|x|post": {"n": 2, "mean": pytest.approx(4.25)},
    }


def test_a_brand_with_nothing_published_skips_and_keeps_no_model():
    brand = learning_brand()
    run = policy_train(brand=brand)
    assert run.status == "skipped" and run.mode == "none"
    assert (
        run.reason
        == "Only 0 published posts with a performance score in the last 30 days; training needs 10."
    )


def test_the_bandit_tries_unseen_actions_then_exploits_the_best_mean():
    brand = learning_brand()
    model = PolicyModel.objects.create(
        brand=brand,
        mode="bandit",
        bandit={"witty|x|thread": {"n": 2, "mean": 4.0}, "bold|x|post": {"n": 1, "mean": 1.0}},
    )
    state = {"industry": "tech", "category": "product"}
    seen = set()
    rng = exploit_only()
    for _ in range(50):
        choice = policy_choose_action(brand=brand, state=state, platforms=["x"], rng=rng)
        assert choice.action.key not in model.bandit  # ten actions on X never tried: one of them
        assert choice.reason.startswith("trying ")
        seen.add(choice.action)
    assert len(seen) > 3
    model.bandit = {a.key: {"n": 1, "mean": 1.0} for a in seen} | {
        f"{tone}|x|{f}": {"n": 1, "mean": 2.0}
        for tone in ("professional", "friendly", "witty", "bold", "educational", "inspirational")
        for f in ("post", "thread")
        if Action(tone, "x", f) not in seen
    }
    model.bandit["educational|x|post"] = {"n": 3, "mean": 4.5}
    model.save()
    choice = policy_choose_action(brand=brand, state=state, platforms=["x"], rng=exploit_only())
    assert choice.action == Action("educational", "x", "post")
    # Its mean, pulled towards the typical action's by one pseudo-post.
    typical = sum(arm["mean"] for arm in model.bandit.values()) / len(model.bandit)
    value = (3 * 4.5 + typical) / 4
    assert choice.reason == f"highest learned reward ({value:.1f} over 3 posts across the brand's posts)"


def test_q_mode_exploits_the_highest_q_for_the_trends_category():
    brand = learning_brand()
    tones = ("professional", "friendly", "witty", "bold", "educational", "inspirational")
    bandit = {f"{t}|x|{f}": {"n": 1, "mean": 2.0} for t in tones for f in ("post", "thread")}
    bandit["bold|x|post"] = {"n": 5, "mean": 3.0}
    PolicyModel.objects.create(
        brand=brand,
        mode="q",
        bandit=bandit,
        q_values={
            "tech|research|thread|witty": {"witty|x|thread": 4.6},
            "tech|product|post|bold": {"bold|x|post": 3.2},
        },
        visits={
            "tech|research|thread|witty": {"witty|x|thread": 12},
            "tech|product|post|bold": {"bold|x|post": 5},
        },
    )
    research = policy_choose_action(
        brand=brand, state={"industry": "tech", "category": "research"}, platforms=["x"], rng=exploit_only()
    )
    # The typical action: (11·2.0 + 3.0) / 12 = 2.08; witty threads brand-wide: (2.0 + 2.08) / 2
    # = 2.04, which weighs as 1/(1/2 + 1/2) = 1 visit of the research state: (12·4.6 + 2.04) / 13
    # = 4.40 beats every other action's 2.04 or (5·3.0 + 2.08) / 6 = 2.85.
    assert research.action == Action("witty", "x", "thread")
    assert research.reason == "highest learned reward (4.4 over 12 posts on this kind of trend)"
    culture = policy_choose_action(
        brand=brand, state={"industry": "tech", "category": "culture"}, platforms=["x"], rng=exploit_only()
    )
    assert culture.action == Action("bold", "x", "post")  # no culture posts: the brand-wide best mean


def test_exploration_with_a_model_is_15_percent_and_never_the_exploited_action():
    brand = learning_brand()
    tones = ("professional", "friendly", "witty", "bold", "educational", "inspirational")
    bandit = {
        f"{t}|{p}|{f}": {"n": 2, "mean": 1.0}
        for t in tones
        for p, f in (("x", "post"), ("x", "thread"), ("linkedin", "post"), ("linkedin", "carousel"))
    }
    bandit["witty|linkedin|carousel"] = {"n": 4, "mean": 4.0}
    model = PolicyModel.objects.create(brand=brand, mode="bandit", bandit=bandit)
    rng = random.Random(7)
    choices = [
        policy_choose_action(
            brand=brand, state={"category": "research"}, platforms=["x", "linkedin"], rng=rng, model=model
        )
        for _ in range(4000)
    ]
    explored = [c for c in choices if c.explored]
    assert len(explored) / len(choices) == pytest.approx(EXPLORATION_RATE, abs=0.02)
    assert all(c.action == Action("witty", "linkedin", "carousel") for c in choices if not c.explored)
    assert all(c.action != Action("witty", "linkedin", "carousel") for c in explored)
    assert len({c.action for c in explored}) == 23


# --- Schedule -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("zone", "sunday_midnight_utc"),
    [
        ("Europe/Paris", datetime(2026, 11, 28, 23, 0, tzinfo=UTC)),  # UTC+1 in November
        ("America/New_York", datetime(2026, 11, 29, 5, 0, tzinfo=UTC)),  # UTC−5
    ],
)
def test_the_weekly_run_happens_once_after_sunday_midnight_in_the_brands_zone(zone, sunday_midnight_utc):
    brand = learning_brand(timezone=zone)
    other = learning_brand(timezone="Asia/Tokyo")
    TrainingRun.objects.create(
        brand=other, status="skipped", started_at=sunday_midnight_utc - timedelta(hours=2)
    )
    # An earlier run (the Sunday before): the next one is due at this Sunday's midnight.
    TrainingRun.objects.create(
        brand=brand, status="skipped", started_at=sunday_midnight_utc - timedelta(days=6)
    )
    assert (
        training_next(
            brand=brand,
            now=sunday_midnight_utc - timedelta(hours=1),
            last_run_at=sunday_midnight_utc - timedelta(days=6),
        )
        == sunday_midnight_utc
    )

    before = policy_train_due(now=sunday_midnight_utc - timedelta(minutes=1))
    assert brand.pk not in {r.brand_id for r in before}

    runs = policy_train_due(now=sunday_midnight_utc + timedelta(minutes=1))
    assert [r.brand_id for r in runs if r.brand_id == brand.pk] == [brand.pk]
    assert policy_train_due(now=sunday_midnight_utc + timedelta(hours=1)) == []  # idempotent

    last = TrainingRun.objects.filter(brand=brand).first().started_at
    following = training_next(brand=brand, now=sunday_midnight_utc + timedelta(hours=1), last_run_at=last)
    assert following == sunday_midnight_utc + timedelta(days=7)
    assert (
        training_instant_last(brand=brand, now=sunday_midnight_utc + timedelta(days=6, hours=23))
        == sunday_midnight_utc
    )


def test_the_schedule_follows_the_brands_clock_across_a_dst_change():
    brand = learning_brand(timezone="Europe/Paris")
    # 29 March 2026: clocks go forward at 02:00; midnight is still 23:00 UTC the evening before.
    instant = training_instant_last(brand=brand, now=datetime(2026, 3, 30, 12, tzinfo=UTC))
    assert instant == datetime(2026, 3, 28, 23, 0, tzinfo=UTC)
    following = training_next(brand=brand, now=datetime(2026, 3, 30, 12, tzinfo=UTC), last_run_at=instant)
    assert following == datetime(2026, 4, 4, 22, 0, tzinfo=UTC)  # summer time: UTC+2


def test_the_hourly_task_is_registered_and_scheduled():
    from apps.core.schedules import PERIODIC_TASKS
    from apps.learning import tasks as tasks_learning

    assert tasks_learning.policy_train_due.name == "analytics.policy_train_due"
    assert any(t["task"] == "analytics.policy_train_due" for t in PERIODIC_TASKS)


def test_an_action_already_being_tried_since_the_last_training_is_not_tried_again():
    from apps.posts.models import Post
    from apps.posts.selectors import post_action_keys_since

    brand = learning_brand()

    def pending(since):  # what posts passes: its posts written since the model last trained
        return post_action_keys_since(brand_id=brand.pk, since=since)

    tones = ("professional", "friendly", "witty", "bold", "educational", "inspirational")
    bandit = {f"{t}|x|{f}": {"n": 1, "mean": 2.0} for t in tones for f in ("post", "thread")}
    del bandit["bold|x|post"], bandit["witty|x|thread"]
    bandit["friendly|x|post"] = {"n": 3, "mean": 4.0}
    PolicyModel.objects.create(brand=brand, mode="bandit", bandit=bandit)
    state = {"industry": "tech", "category": "product"}
    first = policy_choose_action(
        brand=brand, state=state, platforms=["x"], rng=exploit_only(), pending_actions=pending
    )
    assert first.action in (Action("bold", "x", "post"), Action("witty", "x", "thread"))
    for tone, post_format in (("bold", "post"), ("witty", "thread")):  # written, no reward yet
        Post.objects.create(
            brand=brand, tone=tone, post_format=post_format, learning_action={"platforms": ["x"]}
        )
    then = policy_choose_action(
        brand=brand, state=state, platforms=["x"], rng=exploit_only(), pending_actions=pending
    )
    assert then.action == Action("friendly", "x", "post")
    assert then.reason.startswith("highest learned reward (") and "over 3 posts" in then.reason


def test_the_weekly_run_tells_the_brand_what_it_learned_or_why_it_skipped():
    from apps.notifications.models import Notification
    from tests.factories import MembershipFactory

    sunday = datetime(2026, 3, 15, 0, 1, tzinfo=UTC)  # just after Sunday 00:00 UTC
    learner, starter, silent = (learning_brand(timezone="UTC") for _ in range(3))
    owner = MembershipFactory(brand=learner).user
    newcomer = MembershipFactory(brand=starter).user
    quiet = MembershipFactory(brand=silent).user
    tech = trend_with(category="product")
    for i in range(10):
        published(learner, reward=2.3, trend=tech, at=sunday - timedelta(days=1 + i))
    for i in range(3):
        published(starter, reward=1.0, at=sunday - timedelta(days=1 + i))

    policy_train_due(now=sunday)

    (trained,) = Notification.objects.filter(user=owner)
    assert trained.title == "This week's learning: trained on 10 posts" and trained.level == "success"
    assert trained.body.startswith(
        "Best so far: Witty threads on X on product trends: average performance score 2.3"
    )
    assert trained.url == f"/brand/{learner.pk}/learning/"
    (skipped,) = Notification.objects.filter(user=newcomer)
    assert skipped.title == "This week's learning was skipped"
    assert (
        "Only 3 published posts with a performance score in the last 30 days; training needs 10."
        in skipped.body
    )
    assert not Notification.objects.filter(user=quiet).exists()  # nothing published: nothing to say
