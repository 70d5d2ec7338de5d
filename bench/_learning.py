"""The learning benchmark's simulation (bench/learning.py runs it on a fresh database; the smoke test
in tests/test_bench_learning.py runs a tiny one in the test database).

Each simulated brand has a hidden best action that only the simulator knows: a per-brand table of
engagement multipliers per (tone, sandbox format), put in place of the sandbox model's tone ×
format engagement factors through `hidden_engagement` (a simulator-only hook: the product's code
is not changed, the bench swaps `apps.sandbox.engagement.engagement_multiplier` while it runs).

Two settings (`hard`):
- easy (the first version of this bench): one best action per brand at ×1.35, every other
  action 0.45–0.95;
- hard: brands of two kinds, "global" (one best action for every trend) and "by_category" (the
  best action depends on the trend's category: three different winners, each best on two of the
  six categories, and elsewhere the brand-wide table applies); the best is only ×GAP (1.2) above
  the second best action of its table. The post's trend category reaches the hook through the
  post's noise seed: while the bench runs, the sandbox's seeds are drawn from the run's seed
  (`apps.sandbox.services.secrets.randbits` is swapped too) and each is noted with the category
  of the trend being published.
Everything random is drawn from the run's seed: the hidden tables, the trends, the sandbox's
noise and the policy's exploration (`apps.learning.policy.policy_rng_seed`).
The rest is the product: every week, on a simulated clock (time-machine), trends are scored for
the brands (recommend), the best recommendations become posts through the posts services
(template copy, no LLM; graphics from `SwatchGraphics` when bench.learning runs), are approved and published to the sandbox through the
publishing services (eager Celery: dispatcher, worker, sandbox publisher), their metrics are
fetched by the analytics services (the 4-hourly job's service) and the weekly training runs
(the hourly task's service, after every brand's Sunday 00:00).
"""

from __future__ import annotations

import contextlib
import random
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import numpy as np

from apps.core.vocabulary import FORMATS, PLATFORM_FORMATS
from apps.integrations.images.base import Graphic, GraphicGenerator

TONES = ("professional", "friendly", "witty", "bold", "educational", "inspirational")
SANDBOX_FORMATS = FORMATS
ZONES = ("Europe/Paris", "America/New_York", "Asia/Tokyo", "UTC", "Australia/Sydney", "America/Los_Angeles")
CATEGORIES = ("product", "research", "markets", "how_to", "opinion", "breaking")
BEST_MULTIPLIER = 1.35  # easy setting: the hidden best action's engagement factor
OTHERS = (0.45, 0.95)  # every other action's, drawn uniformly
GAP = 1.2  # hard setting: the best action's factor over the second best's
KINDS = ("global", "by_category")  # hard setting's brands
WINNERS = 3  # a by_category brand's different best actions
START = datetime(2026, 3, 2, tzinfo=UTC)  # a Monday; week k starts START + k weeks


@dataclass
class SimBrand:
    brand: object
    user: object
    connection_id: int
    platform: str  # whose copy the brand writes (X: posts and threads; LinkedIn: posts and carousels)
    kind: str  # "easy", "global" or "by_category"
    hidden: dict[str, dict[tuple[str, str], float]]  # category → (tone, sandbox format) → multiplier
    best: dict[str, tuple[str, str]]  # category → the hidden best (tone, sandbox format)
    # category → action key → expected reward
    expected: dict[str, dict[str, float]] = field(default_factory=dict)
    weekly: list[list[float]] = field(default_factory=list)  # rewards of each week's posts
    weekly_oracle: list[list[float]] = field(default_factory=list)  # their best action's expected

    def oracle_of(self, category: str) -> float:
        return max(self.expected[category].values())

    @property
    def oracle(self) -> float:
        return float(np.mean([self.oracle_of(c) for c in CATEGORIES]))

    @property
    def random_ratio(self) -> float:
        return float(
            np.mean([np.mean(list(self.expected[c].values())) / self.oracle_of(c) for c in CATEGORIES])
        )


def _reachable(platform: str) -> list[tuple[str, str]]:
    return [(t, f) for t in TONES for f in PLATFORM_FORMATS[platform]]


def hidden_table(rng: random.Random, platform: str) -> tuple[dict[tuple[str, str], float], tuple[str, str]]:
    """The easy setting's table: one best action at ×1.35, the others 0.45–0.95."""
    table = {(t, f): rng.uniform(*OTHERS) for t in TONES for f in SANDBOX_FORMATS}
    best = (rng.choice(TONES), rng.choice(PLATFORM_FORMATS[platform]))
    table[best] = BEST_MULTIPLIER
    return table, best


def _with_best(base: dict, best: tuple[str, str], platform: str) -> dict:
    table = dict(base)
    table[best] = GAP * max(v for a, v in base.items() if a != best and a in _reachable(platform))
    return table


def hidden_tables(
    rng: random.Random, platform: str, kind: str
) -> tuple[dict[str, dict[tuple[str, str], float]], dict[str, tuple[str, str]]]:
    """Per category, the brand's hidden table and its best action (see the module docstring)."""
    if kind == "easy":
        table, best = hidden_table(rng, platform)
        return {c: table for c in CATEGORIES}, {c: best for c in CATEGORIES}
    base = {(t, f): rng.uniform(*OTHERS) for t in TONES for f in SANDBOX_FORMATS}
    if kind == "global":
        best = rng.choice(_reachable(platform))
        table = _with_best(base, best, platform)
        return {c: table for c in CATEGORIES}, {c: best for c in CATEGORIES}
    winners = rng.sample(_reachable(platform), WINNERS)
    order = rng.sample(CATEGORIES, len(CATEGORIES))
    bests = {c: winners[i % WINNERS] for i, c in enumerate(order)}
    return {c: _with_best(base, bests[c], platform) for c in CATEGORIES}, bests


@dataclass
class Hidden:
    """What the hook reads: each brand (by its sandbox audience), the category of the trend behind
    each sandbox post (by its noise seed), and a forced category while expected rewards are taken."""

    by_audience: dict[int, SimBrand]
    noise_rng: random.Random
    category_of_seed: dict[int, str] = field(default_factory=dict)
    current_category: str = ""  # the trend being published
    forced_category: str | None = None

    def multiplier(self, sim: SimBrand, tone: str, post_format: str, seed: int) -> float:
        category = self.forced_category
        if category is None:
            category = self.category_of_seed.get(seed, CATEGORIES[0])
        return sim.hidden[category][(tone, post_format)]


class _SeededSecrets:
    """apps.sandbox.services' `secrets` while the bench runs: noise seeds from the run's seed."""

    def __init__(self, hidden: Hidden):
        self.hidden = hidden

    def randbits(self, k: int) -> int:
        value = self.hidden.noise_rng.getrandbits(k)
        self.hidden.category_of_seed[value] = self.hidden.current_category
        return value

    def __getattr__(self, name):
        import secrets

        return getattr(secrets, name)


@contextlib.contextmanager
def hidden_engagement(hidden: Hidden):
    """Swap the sandbox model's tone × format engagement factors for each brand's hidden table,
    and the sandbox's noise seeds for the run's.

    The sandbox freezes the account's audience on each post and the audience is fixed per brand,
    so it tells the brands apart (the bench makes sure no two share one)."""
    from apps.sandbox import engagement
    from apps.sandbox import services as sandbox_services

    original = engagement.engagement_multiplier
    original_secrets = sandbox_services.secrets

    def multiplier(inputs):
        sim = hidden.by_audience.get(inputs.audience)
        if sim is None:
            return original(inputs)
        tone, post_format = engagement.tone_of(inputs.tone), engagement.format_of(inputs.post_format)
        factor = hidden.multiplier(sim, tone, post_format, inputs.seed)
        return factor * engagement.image_effect(inputs.media_count).engagement

    engagement.engagement_multiplier = multiplier
    sandbox_services.secrets = _SeededSecrets(hidden)
    try:
        yield
    finally:
        engagement.engagement_multiplier = original
        sandbox_services.secrets = original_secrets


class SwatchGraphics(GraphicGenerator):
    """The bench's graphics generator (settings.GRAPHICS_GENERATOR while bench.learning runs): a flat
    swatch of the brand's primary colour at a tenth of the graphic's size, with the template's own
    alt text. Drawing and storing the full template graphics took two thirds of a run; all the
    sandbox reads of a post's graphics is how many it carries (an image on the first part), and
    that stays the same: the posts services still make, store and attach every graphic."""

    name = "bench swatch"

    def generate(self, spec):
        import io

        from PIL import Image

        from apps.integrations.images.layouts import alt_text

        width, height = (max(1, side // 10) for side in spec.size)
        out = io.BytesIO()
        Image.new("RGB", (width, height), _hex_rgb(spec.primary_color)).save(out, format="PNG")
        return Graphic(
            png=out.getvalue(),
            width=width,
            height=height,
            layout=spec.layout,
            source="template",
            alt_text=alt_text(spec),
            kind=spec.kind,
        )


def _hex_rgb(colour: str) -> tuple[int, int, int]:
    digits = colour.lstrip("#")
    if len(digits) == 3:
        digits = "".join(d * 2 for d in digits)
    return tuple(int(digits[i : i + 2], 16) for i in (0, 2, 4))


THREAD_PARTS = 5  # template threads run 4-7 parts; the fetch sums every part's numbers


def slots(week_start: datetime, posts_per_week: int) -> list[datetime]:
    """When the bench publishes a week's posts: weekdays, spread over 08:00-17:00 UTC."""
    return [
        week_start + timedelta(days=(i * 5) // posts_per_week, hours=8 + (i * 7) % 10)
        for i in range(posts_per_week)
    ]


def expected_reward(brand, tone: str, post_format: str, posts_per_week: int, draws: int = 40) -> float:
    """The mean reward of an action as the bench posts it (the brand's audience, its local posting
    hours and weekdays, a trend momentum of 0.5, an image on the first part, a thread's parts
    summed as the metrics fetch sums them), over the sandbox's noise, with the hidden factors in
    place. Counts are whole numbers, so small posts lose a little to rounding down: the expected
    value has to be taken the same way."""
    from zoneinfo import ZoneInfo

    from apps.analytics.rewards import reward_of
    from apps.sandbox import engagement

    audience, zone = engagement.brand_audience(brand.pk), ZoneInfo(brand.timezone)
    parts = THREAD_PARTS if post_format == "thread" else 1
    total, n = 0.0, 0
    for at in slots(START, posts_per_week):
        local = at.astimezone(zone)
        for seed in range(draws):
            likes = comments = shares = impressions = 0
            for position in range(1, parts + 1):
                inputs = engagement.PostInputs(
                    audience,
                    tone,
                    post_format,
                    1 if position == 1 else 0,
                    engagement.local_hour_of(local),
                    local.weekday(),
                    0.5,
                    position,
                    seed * 100 + position,
                )
                m = engagement.metrics_at_age(inputs, 24 * 7)
                likes, comments, shares = likes + m.likes, comments + m.replies, shares + m.reposts
                impressions += m.impressions
            total += reward_of(likes=likes, comments=comments, shares=shares, impressions=impressions)
            n += 1
    return total / n


def _unit(v: np.ndarray) -> np.ndarray:
    return (v / np.linalg.norm(v)).astype(np.float32)


def make_brands(n: int, rng: random.Random, hard: bool = True) -> tuple[list[SimBrand], np.ndarray]:
    from django.utils import timezone

    from apps.accounts.models import Role, User
    from apps.brands.models import (
        Brand,
        BrandMembership,
        Industry,
        MembershipRole,
        Platform,
        SocialConnection,
    )
    from apps.sandbox.engagement import brand_audience
    from apps.trends.models import BrandEmbedding, vector_to_bytes
    from apps.trends.services import brand_embeddings_ensure

    industry, _ = Industry.objects.get_or_create(slug="tech", defaults={"name": "Tech"})
    topic = _unit(np.random.default_rng(rng.randrange(2**32)).normal(size=384))
    brands, audiences = [], set()
    while len(brands) < n:
        i = len(brands)
        tag = f"{rng.randrange(10**9):09d}"
        brand = Brand.objects.create(
            name=f"Sim brand {i + 1}",
            slug=f"sim-{tag}",
            industry=industry,
            timezone=ZONES[i % len(ZONES)],
            default_tone="professional",
            pillars=["Developer tools", "Cloud costs"],
            audience_roles=["CTOs"],
            onboarding_completed_at=timezone.now(),
        )
        audience = brand_audience(brand.pk)
        if audience in audiences:  # the hidden hook tells brands apart by audience
            brand.delete()
            continue
        audiences.add(audience)
        user = User.objects.create(
            email=f"sim-{tag}@bench-learning.example", role=Role.BRAND, email_notifications=False
        )
        BrandMembership.objects.create(brand=brand, user=user, role=MembershipRole.OWNER)
        connection, _ = SocialConnection.objects.get_or_create(
            brand=brand,
            platform=Platform.SANDBOX,
            defaults={"handle": brand.slug, "display_name": brand.name},
        )
        vector = _unit(
            topic + 0.3 * np.random.default_rng(rng.randrange(2**32)).normal(size=384) / np.sqrt(384)
        )
        # The trends services compute the brand's embedding (and its digest, so a scoring run keeps
        # it); the bench then puts its own topic vector in place of the profile and pillar vectors.
        brand_embeddings_ensure([brand])
        BrandEmbedding.objects.filter(brand=brand).update(
            vector=vector_to_bytes(vector), pillar_vectors=vector_to_bytes(np.vstack([vector, vector]))
        )
        platform = ("x", "linkedin")[i % 2]
        # Both kinds on both platforms: global, by_category, by_category, global, global, …
        kind = ("global", "by_category", "by_category", "global")[i % 4] if hard else "easy"
        tables, bests = hidden_tables(rng, platform, kind)
        brands.append(SimBrand(brand, user, connection.pk, platform, kind, tables, bests))
    return brands, topic


def make_trends(week: int, count: int, topic: np.ndarray, rng: random.Random) -> list:
    from django.utils import timezone

    from apps.trends.models import Trend, vector_to_bytes

    now = timezone.now()
    noise = np.random.default_rng(rng.randrange(2**32))
    trends = []
    for i in range(count):
        vector = _unit(topic + 0.8 * _unit(noise.normal(size=384)))
        trends.append(
            Trend(
                title=f"Week {week + 1} story {i + 1}: cloud bills fall as teams adopt new tooling",
                summary="Engineering teams report lower cloud costs after switching build tools.",
                category=CATEGORIES[i % len(CATEGORIES)],
                industries=["tech"],
                embedding=vector_to_bytes(vector),
                first_seen_at=now - timedelta(hours=6),
                last_seen_at=now,
                expires_at=now + timedelta(days=6),
                volume=100 + rng.randrange(5000),
                momentum=rng.uniform(0.1, 0.9),
                sentiment_label="positive",
                sentiment_score=0.4,
            )
        )
    return Trend.objects.bulk_create(trends)


def recommended(brand, count: int) -> list:
    from apps.trends.models import BrandTrendScore

    rows = (
        BrandTrendScore.objects.filter(brand=brand)
        .select_related("trend")
        .order_by("-decision", "-final")[: count * 2]
    )
    trends = [r.trend for r in rows]
    return [trends[i % len(trends)] for i in range(count)] if trends else []


def publish_one(sim: SimBrand, trend, hidden: Hidden | None = None) -> object:
    from apps.posts.services import post_approve, post_generate_request
    from apps.publishing.models import PublicationStatus
    from apps.publishing.services import post_publish_now

    post = post_generate_request(brand=sim.brand, trend=trend, user=sim.user, platforms=[sim.platform])
    post.refresh_from_db()
    post = post_approve(post=post, user=sim.user)
    if hidden is not None:
        hidden.current_category = trend.category
    publications = post_publish_now(post=post, user=sim.user, connection_ids=[sim.connection_id])
    for publication in publications:
        publication.refresh_from_db()
        if publication.status != PublicationStatus.PUBLISHED:
            raise RuntimeError(
                f"publication {publication.pk} is {publication.status}: {publication.last_error}"
            )
    return post


def _expected_rewards(sims: list[SimBrand], hidden: Hidden, posts_per_week: int) -> None:
    """Each brand's expected reward per category and action; an action whose factor is the same
    in two categories is taken once."""
    for sim in sims:
        cache: dict[tuple[str, str, float], float] = {}
        for category in CATEGORIES:
            hidden.forced_category = category
            sim.expected[category] = {}
            for tone in TONES:
                for post_format in PLATFORM_FORMATS[sim.platform]:
                    factor = sim.hidden[category][(tone, post_format)]
                    if (tone, post_format, factor) not in cache:
                        cache[(tone, post_format, factor)] = expected_reward(
                            sim.brand, tone, post_format, posts_per_week
                        )
                    key = f"{tone}|{sim.platform}|{post_format}"
                    sim.expected[category][key] = cache[(tone, post_format, factor)]
    hidden.forced_category = None


def simulate(
    *, brands: int, weeks: int, posts_per_week: int, seed: int = 7, hard: bool = True, log=print
) -> dict:
    """Run the weeks and return the figures (see bench/learning.py)."""
    import time_machine
    from django.db.models import Avg

    from apps.analytics.services import metrics_fetch_due
    from apps.learning.policy import policy_rng_seed
    from apps.learning.training import policy_train_due
    from apps.publishing.models import Publication
    from apps.sandbox.engagement import brand_audience
    from apps.trends.services import trends_score_brands

    rng = random.Random(seed)
    policy_rng_seed(rng.randrange(2**32))
    hidden = Hidden({}, random.Random(rng.randrange(2**32)))
    started = time.perf_counter()
    with time_machine.travel(START - timedelta(days=1), tick=True):
        sims, topic = make_brands(brands, rng, hard=hard)
    for sim in sims:
        hidden.by_audience[brand_audience(sim.brand.pk)] = sim
    try:
        with hidden_engagement(hidden):
            _expected_rewards(sims, hidden, posts_per_week)
            for week in range(weeks):
                week_start = START + timedelta(weeks=week)
                with time_machine.travel(week_start + timedelta(hours=1), tick=True):
                    make_trends(week, max(12, posts_per_week * 2), topic, rng)
                    trends_score_brands(brand_ids=[s.brand.pk for s in sims])
                    picks = {s.brand.pk: recommended(s.brand, posts_per_week) for s in sims}
                post_ids = {s.brand.pk: [] for s in sims}
                for i, at in enumerate(slots(week_start, posts_per_week)):
                    with time_machine.travel(at, tick=True):
                        for sim in sims:
                            trend = picks[sim.brand.pk][i]
                            post = publish_one(sim, trend, hidden)
                            post_ids[sim.brand.pk].append((post.pk, trend.category))
                # Sunday noon UTC: every brand's Sunday 00:00 (UTC−8 … UTC+11) has passed.
                sunday = week_start + timedelta(days=6, hours=12)
                with time_machine.travel(sunday, tick=True):
                    fetched = metrics_fetch_due()
                    runs = policy_train_due()
                rewards = dict(
                    Publication.objects.filter(post_id__in=[p for ids in post_ids.values() for p, _ in ids])
                    .values_list("post_id")
                    .annotate(r=Avg("reward"))
                )
                ratios = []
                for sim in sims:
                    done = [(rewards[p], c) for p, c in post_ids[sim.brand.pk] if rewards.get(p) is not None]
                    sim.weekly.append([r for r, _ in done])
                    sim.weekly_oracle.append([sim.oracle_of(c) for _, c in done])
                    ratios.append(_ratio(sim, week))
                modes = sorted({r.mode for r in runs})
                log(
                    f"week {week + 1}: {sum(len(v) for v in post_ids.values())} posts published, "
                    f"{fetched.handled if hasattr(fetched, 'handled') else '?'} metrics fetched, "
                    f"{len(runs)} trainings ({', '.join(modes) or 'none'}); mean reward / oracle "
                    f"{np.mean(ratios):.3f} ({time.perf_counter() - started:.0f} s)"
                )
    finally:
        policy_rng_seed(None)
    per_week = [float(np.mean([_ratio(s, w) for s in sims if s.weekly[w]])) for w in range(weeks)]
    for sim in sims:
        bests = sorted({f"{t} {f}" for t, f in sim.best.values()})
        log(
            f"  {sim.brand.name} ({sim.brand.timezone}, {sim.platform} copy, {sim.kind}): hidden best "
            f"{' / '.join(bests)} (expected reward {sim.oracle:.2f}); random ratio {sim.random_ratio:.2f}; "
            f"week ratios " + ", ".join(f"{_ratio(sim, w):.2f}" for w in range(len(sim.weekly)))
        )

    def week(n: int) -> float | None:
        return round(per_week[n - 1], 3) if weeks >= n else None

    return {
        "brands": len(sims),
        "weeks": weeks,
        "posts_per_week": posts_per_week,
        "seed": seed,
        "setting": "hard" if hard else "easy",
        "oracle_ratio_week4": week(4),
        "oracle_ratio_week6": week(6),
        "oracle_ratio_by_week": [round(r, 3) for r in per_week],
        "random_ratio": round(float(np.mean([s.random_ratio for s in sims])), 3),
        "oracle_reward_mean": round(float(np.mean([s.oracle for s in sims])), 3),
        "seconds": round(time.perf_counter() - started, 1),
    }


def _ratio(sim: SimBrand, week: int) -> float:
    """The brand's mean reward that week over the mean expected reward of the best action for each
    of its posts' trends (0 when nothing was rewarded)."""
    if not sim.weekly[week]:
        return 0.0
    return float(np.mean(sim.weekly[week]) / np.mean(sim.weekly_oracle[week]))
