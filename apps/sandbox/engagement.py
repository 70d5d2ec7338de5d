"""The sandbox network's engagement model: how many people see, like, repost, answer and click a
sandbox post, and how those numbers grow after it is posted.

Everything here is a pure function of a post's inputs (frozen on the post when it is made) and
its age, so the same post shows the same numbers at the same moment on every page, in every
process, and to the engagement tracker. The model page of every brand's sandbox
(/brand/<id>/sandbox/model/) shows these same tables, read from the constants below.

Final numbers
-------------
A post's expected final impressions are

    E = audience × 0.4 × tone.reach × format.reach × image.reach × hour(h) × weekday(d)
        × (1 + 0.5·m) × 0.6^(n−1)

and its final impressions are I = E × exp(0.25·z₀ − 0.25²/2), with z₀ a standard normal draw.

- audience: the sandbox account's followers, fixed per brand: 1,000 + (a hash of the brand id)
  mod 4,001, so between 1,000 and 5,000. 40% of them is the reach of an average post.
- tone (reach, engagement); a tone we do not know counts as professional:

      professional   1.00  1.00
      friendly       1.05  1.10
      witty          1.25  1.30
      bold           1.15  1.15
      educational    0.95  1.20
      inspirational  1.00  0.90

- format (reach, engagement); an unknown format counts as a post:

      post           1.00  1.00
      thread         1.10  1.15
      carousel       1.20  1.35

- image (reach, engagement): with at least one image 1.25 and 1.10; text only 1.00 and 1.00.
- hour(h), h the brand-local time of posting in hours (10:30 is 10.5): a smooth daily curve
  with a morning peak and an evening peak, distances measured around the clock:
  hour(h) = 0.35 + 0.75·exp(−d(h, 10.5)²/(2·2.0²)) + 0.6·exp(−d(h, 18)²/(2·1.5²)).
  It is 1.10 at 10:30, about 0.92 at 9:00 and 12:00, 0.95 at 18:00, 0.53 at 14:00 and
  0.35–0.37 at night (0:00–5:00).
- weekday(d), brand-local: Mon 1.00, Tue 1.08, Wed 1.08, Thu 1.05, Fri 0.95, Sat 0.75, Sun 0.80.
- m: the momentum of the post's trend, in [−1, 1] (0 when the post has no trend): a rising
  trend (+1) gives ×1.5, a fading one (−1) ×0.5.
- n: the part's position in a thread (1 for a post or a thread's first part). Each later part
  of a thread is seen by 60% of the people who saw the part before it; it has its own numbers
  with the same tone, format and time as the first.

Engagements are impressions times a rate. The base rates are likes 1.2%, reposts 0.25%,
replies 0.15% and clicks 0.6%; each is multiplied by the tone's and the format's and the
image's engagement factors, and by its own noise exp(0.15·zₖ − 0.15²/2):

    likes = I × 0.012 × tone.engagement × format.engagement × image.engagement × noise_likes

and likewise for reposts, replies and clicks. The noise draws (z₀ for impressions, z₁…z₄ for
likes, reposts, replies and clicks) come from a random generator seeded with the post's seed (drawn when the post is made), so a post's numbers
never change between page loads, while two equal posts still differ. The noise has mean 1: it
scatters the numbers without moving their average.

Growth over time
----------------
Every number at age t (hours since posting) is its final value times 1 − exp(−t/6), rounded
down: 15% after 1 hour, 63% after 6 hours, 98% after a day; nothing before the post exists.
All counts grow on the same curve, so a post's engagement rate,
(likes + reposts + replies + clicks) / impressions, stays the same over time (apart from
rounding to whole numbers while the counts are small).

Sandbox numbers are simulated: they are never counted in a brand's real analytics.
"""

from __future__ import annotations

import hashlib
import math
import random
from dataclasses import dataclass
from datetime import datetime

AUDIENCE_MIN = 1_000
AUDIENCE_MAX = 5_000
REACH_SHARE = 0.4  # of the followers: the impressions of an average post

DEFAULT_TONE = "professional"
DEFAULT_FORMAT = "post"


@dataclass(frozen=True)
class Effect:
    """A factor's multiplier on impressions (reach) and on every engagement rate."""

    reach: float
    engagement: float


TONES: dict[str, Effect] = {
    "professional": Effect(1.00, 1.00),
    "friendly": Effect(1.05, 1.10),
    "witty": Effect(1.25, 1.30),
    "bold": Effect(1.15, 1.15),
    "educational": Effect(0.95, 1.20),
    "inspirational": Effect(1.00, 0.90),
}
FORMATS: dict[str, Effect] = {
    "post": Effect(1.00, 1.00),
    "thread": Effect(1.10, 1.15),
    "carousel": Effect(1.20, 1.35),
}
WITH_IMAGE = Effect(1.25, 1.10)
TEXT_ONLY = Effect(1.00, 1.00)

# The daily curve: a floor, and two bumps (centre in hours, width in hours, height).
HOUR_FLOOR = 0.35
HOUR_PEAKS: tuple[tuple[float, float, float], ...] = ((10.5, 2.0, 0.75), (18.0, 1.5, 0.6))
WEEKDAYS: tuple[float, ...] = (1.00, 1.08, 1.08, 1.05, 0.95, 0.75, 0.80)  # Monday first
WEEKDAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MOMENTUM_WEIGHT = 0.5
THREAD_DECAY = 0.6

BASE_RATES: dict[str, float] = {"likes": 0.012, "reposts": 0.0025, "replies": 0.0015, "clicks": 0.006}
IMPRESSIONS_SIGMA = 0.25
RATE_SIGMA = 0.15
GROWTH_TAU_HOURS = 6.0

KINDS = ("likes", "reposts", "replies", "clicks")


@dataclass(frozen=True)
class PostInputs:
    """What the model knows of a post (SandboxPost.inputs)."""

    audience: int
    tone: str
    post_format: str
    media_count: int
    local_hour: float
    local_weekday: int
    trend_momentum: float
    thread_position: int
    seed: int


@dataclass(frozen=True)
class Totals:
    """A post's final (expected after a long time) numbers, not rounded."""

    impressions: float
    likes: float
    reposts: float
    replies: float
    clicks: float


@dataclass(frozen=True)
class Metrics:
    """A post's numbers at one moment."""

    impressions: int = 0
    likes: int = 0
    reposts: int = 0
    replies: int = 0
    clicks: int = 0
    engagement_rate: float = 0.0  # (likes + reposts + replies + clicks) / impressions

    @property
    def engagements(self) -> int:
        return self.likes + self.reposts + self.replies + self.clicks


@dataclass(frozen=True)
class FactorRow:
    """One line of "how these numbers were computed" for a post."""

    name: str
    value: str  # the input, in words
    reach: float
    engagement: float | None  # None: the factor does not touch the rates


# --- Inputs ---------------------------------------------------------------------------------------


def brand_audience(brand_id: int) -> int:
    """The sandbox account's followers: fixed per brand, between 1,000 and 5,000."""
    digest = hashlib.blake2b(f"sandbox-audience:{brand_id}".encode(), digest_size=8).digest()
    return AUDIENCE_MIN + int.from_bytes(digest, "big") % (AUDIENCE_MAX - AUDIENCE_MIN + 1)


def tone_of(value: object) -> str:
    return value if isinstance(value, str) and value in TONES else DEFAULT_TONE


def format_of(value: object) -> str:
    return value if isinstance(value, str) and value in FORMATS else DEFAULT_FORMAT


def momentum_of(value: object) -> float:
    """A trend momentum clamped to [-1, 1]; 0 when missing or not a number."""
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return 0.0
    if math.isnan(number):
        return 0.0
    return max(-1.0, min(1.0, number))


def local_hour_of(moment: datetime) -> float:
    """The time of day of an aware datetime (already in the brand's zone), in hours."""
    return moment.hour + moment.minute / 60 + moment.second / 3600


# --- Factors --------------------------------------------------------------------------------------


def _clock_distance(a: float, b: float) -> float:
    d = abs(a - b) % 24
    return min(d, 24 - d)


def hour_factor(hour: float) -> float:
    value = HOUR_FLOOR
    for centre, width, height in HOUR_PEAKS:
        d = _clock_distance(hour, centre)
        value += height * math.exp(-(d * d) / (2 * width * width))
    return value


def weekday_factor(weekday: int) -> float:
    return WEEKDAYS[weekday % 7]


def momentum_factor(momentum: float) -> float:
    return 1 + MOMENTUM_WEIGHT * momentum_of(momentum)


def image_effect(media_count: int) -> Effect:
    return WITH_IMAGE if media_count > 0 else TEXT_ONLY


def thread_factor(position: int) -> float:
    return THREAD_DECAY ** max(0, position - 1)


def _lognormal(z: float, sigma: float) -> float:
    return math.exp(sigma * z - sigma * sigma / 2)  # mean 1


def noise(seed: int) -> dict[str, float]:
    """The post's multiplicative noise on impressions and on each rate (z0 … z4, in that order)."""
    rng = random.Random(seed)  # noqa: S311 - a simulation, not a secret
    draws = {"impressions": _lognormal(rng.gauss(0, 1), IMPRESSIONS_SIGMA)}
    for kind in KINDS:
        draws[kind] = _lognormal(rng.gauss(0, 1), RATE_SIGMA)
    return draws


# --- The model ------------------------------------------------------------------------------------


def base_reach(inputs: PostInputs) -> float:
    """The impressions of an average post of this account: 40% of its followers."""
    return inputs.audience * REACH_SHARE


def expected_reach(inputs: PostInputs) -> float:
    """Final impressions before noise (E in the module docstring)."""
    tone = TONES[tone_of(inputs.tone)]
    fmt = FORMATS[format_of(inputs.post_format)]
    return (
        base_reach(inputs)
        * tone.reach
        * fmt.reach
        * image_effect(inputs.media_count).reach
        * hour_factor(inputs.local_hour)
        * weekday_factor(inputs.local_weekday)
        * momentum_factor(inputs.trend_momentum)
        * thread_factor(inputs.thread_position)
    )


def engagement_multiplier(inputs: PostInputs) -> float:
    """What tone, format and image do to every engagement rate."""
    return (
        TONES[tone_of(inputs.tone)].engagement
        * FORMATS[format_of(inputs.post_format)].engagement
        * image_effect(inputs.media_count).engagement
    )


def final_totals(inputs: PostInputs) -> Totals:
    draws = noise(inputs.seed)
    impressions = expected_reach(inputs) * draws["impressions"]
    lift = engagement_multiplier(inputs)
    return Totals(
        impressions=impressions,
        **{kind: impressions * BASE_RATES[kind] * lift * draws[kind] for kind in KINDS},
    )


def growth(age_hours: float) -> float:
    """The share of the final numbers reached `age_hours` after posting."""
    if age_hours <= 0:
        return 0.0
    return 1 - math.exp(-age_hours / GROWTH_TAU_HOURS)


def metrics_from_totals(totals: Totals, age_hours: float) -> Metrics:
    share = growth(age_hours)
    impressions = math.floor(totals.impressions * share)
    counts = {kind: math.floor(getattr(totals, kind) * share) for kind in KINDS}
    engaged = sum(counts.values())
    return Metrics(
        impressions=impressions,
        engagement_rate=engaged / impressions if impressions else 0.0,
        **counts,
    )


def metrics_at_age(inputs: PostInputs, age_hours: float) -> Metrics:
    return metrics_from_totals(final_totals(inputs), age_hours)


def sandbox_metrics(post, at: datetime) -> Metrics:
    """A post's numbers at `at`: anything with `.inputs` (PostInputs) and `.posted_at`."""
    age_hours = (at - post.posted_at).total_seconds() / 3600
    return metrics_at_age(post.inputs, age_hours)


def impressions_curve(inputs: PostInputs, *, hours: float = 48, points: int = 25) -> list[tuple[float, int]]:
    """(age in hours, impressions) at `points` even steps from posting to `hours` after."""
    totals = final_totals(inputs)
    steps = max(2, points)
    return [
        (age, metrics_from_totals(totals, age).impressions)
        for age in (hours * i / (steps - 1) for i in range(steps))
    ]


def factor_rows(inputs: PostInputs) -> list[FactorRow]:
    """Each factor of a post (after the base reach) with its input in words: the "how these
    numbers were computed" table."""
    tone = tone_of(inputs.tone)
    fmt = format_of(inputs.post_format)
    image = image_effect(inputs.media_count)
    hour = inputs.local_hour
    minutes = int(hour * 60) % (24 * 60)
    clock = f"{minutes // 60:02d}:{minutes % 60:02d}"
    momentum = momentum_of(inputs.trend_momentum)
    draws = noise(inputs.seed)
    images = inputs.media_count
    rows = [
        FactorRow("Tone", tone.capitalize(), TONES[tone].reach, TONES[tone].engagement),
        FactorRow("Format", fmt.capitalize(), FORMATS[fmt].reach, FORMATS[fmt].engagement),
        FactorRow(
            "Images",
            f"{images} image{'s' if images != 1 else ''}" if images else "Text only",
            image.reach,
            image.engagement,
        ),
        FactorRow("Hour", f"{clock} brand time", hour_factor(hour), None),
        FactorRow(
            "Weekday", WEEKDAY_NAMES[inputs.local_weekday % 7], weekday_factor(inputs.local_weekday), None
        ),
        FactorRow("Trend momentum", f"{momentum:+.2f}", momentum_factor(momentum), None),
    ]
    if inputs.thread_position > 1:
        rows.append(
            FactorRow(
                "Thread part", f"Part {inputs.thread_position}", thread_factor(inputs.thread_position), None
            )
        )
    rows.append(FactorRow("Noise", f"drawn once, σ {IMPRESSIONS_SIGMA}", draws["impressions"], None))
    return rows
