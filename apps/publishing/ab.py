"""A/B tests on the calendar and their outcome: both variants scheduled apart (different slots or
different platforms), the winner by reward with a stated confidence, and the A/B card of a post
page. Variant B itself (its post and its copy) is posts' (apps.posts.ab).

Both go out through the publishing services: A keeps the time it has (or takes the next free
queue slot), and B takes, by default, the next free preferred slot after A's on the same accounts
("slots"), or A's time on the brand's other platform ("platforms").

The winner. Each variant's reward is the impression-weighted mean of its publications' rewards
(SPEC 7; one publication: its reward). The variant with the higher reward leads. How sure we are
is measured on the engagement rate: each variant's engagements k (likes + comments + shares +
quotes + bookmarks) out of its impressions n are taken as a binomial with a uniform prior, so its
rate has the posterior Beta(1 + k, 1 + n − k). P(leader's rate > other's) is computed with the
normal approximation of the two posteriors:

    mean = a / (a + b),  var = a·b / ((a + b)² (a + b + 1)),  a = 1 + k, b = 1 + n − k
    P(B > A) = Φ((mean_B − mean_A) / √(var_A + var_B))

(Φ by math.erf; `prob_b_beats_a_monte_carlo` draws 20,000 seeded samples with numpy and agrees to
about a hundredth at these sizes.) A winner is called when both rewards are final (7 days after
publishing) and that probability is at least `CONFIDENCE_TO_CALL` (90 %); before that the page
says "too early to call" with the numbers so far.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from apps.core.vocabulary import platform_label
from apps.learning.policy import REWARD_FINAL_AFTER
from apps.posts.ab import CREATABLE, ab_pair, copy_text
from apps.posts.models import GenerationState, Post, PostStatus
from apps.posts.services import post_history_record

from .models import PENDING, Publication, PublicationStatus
from .services import SCHEDULABLE, post_queue_slot, post_schedule, publication_targets
from .services.labels import platforms_label
from .timing import next_free_slot

CONFIDENCE_TO_CALL = 0.90
MONTE_CARLO_DRAWS = 20_000
MODES = {"slots": "Different slots (same accounts)", "platforms": "Different platforms (same time)"}


# --- both on the calendar ---------------------------------------------------------------------------


@dataclass
class ABSchedule:
    mode: str
    a: list = field(default_factory=list)  # Publications
    b: list = field(default_factory=list)

    @property
    def summary(self) -> str:
        def where(publications) -> str:
            first = publications[0]
            local = timezone.localtime(first.scheduled_for, _zone(first))
            return f"{local:%a %-d %b, %H:%M} on {platforms_label(publications)}"

        return f"A goes out {where(self.a)}; B goes out {where(self.b)}."


def _zone(publication):
    return ZoneInfo(publication.brand.timezone or "UTC")


def ab_schedule(*, post: Post, user, mode: str = "slots", now: datetime | None = None) -> ABSchedule:
    """Put both variants on the calendar through the publishing services. A keeps its time and
    accounts when it is scheduled, else takes the next free queue slot. "slots": B goes on A's
    accounts at the next free preferred slot after A's. "platforms": B goes at A's time on the
    brand's other platform's accounts (A keeps the first platform)."""
    if mode not in MODES:
        raise ValidationError({"mode": "Pick different slots or different platforms."})
    pair = ab_pair(post=post)
    if pair is None:
        raise ValidationError("This post has no A/B variant; create variant B first.")
    a, b = pair
    for label, variant in (("A", a), ("B", b)):
        if variant.status not in SCHEDULABLE:
            raise ValidationError(
                f"Variant {label} is {variant.get_status_display().lower()}; approve both variants first."
                if variant.status in (PostStatus.DRAFT, PostStatus.REJECTED)
                else f"Variant {label} is {variant.get_status_display().lower()} and cannot be scheduled again."
            )
    now = now or timezone.now()
    with transaction.atomic():
        a_waiting = list(
            a.publications.filter(status=PublicationStatus.SCHEDULED).select_related("connection")
        )
        if a_waiting:
            a_at, a_connections = (
                a_waiting[0].scheduled_for,
                [p.connection for p in a_waiting if p.connection],
            )
        else:
            try:
                a_at = post_queue_slot(post=a, now=now)
            except ValueError as exc:
                raise ValidationError(str(exc)) from None
            a_connections = publication_targets(post=a)
        if mode == "platforms":
            a_platforms = sorted({c.platform for c in a_connections}, key=lambda p: p != "x")
            if not a_waiting and len(a_platforms) > 1:
                a_connections = [c for c in a_connections if c.platform == a_platforms[0]]
            b_connections = [
                c
                for c in publication_targets(post=b)
                if c.platform not in {c.platform for c in a_connections}
            ]
            if not b_connections:
                names = ", ".join(sorted({_platform_name(c.platform) for c in a_connections}))
                raise ValidationError(
                    f"Variant A goes out on {names} and the brand has no other connected platform with "
                    "copy for B. Use different slots, or connect another account."
                )
            b_at = a_at
        else:
            b_connections = a_connections
            taken = list(
                Publication.objects.filter(brand_id=a.brand_id, status__in=PENDING, scheduled_for__gte=now)
                .exclude(post__in=(a, b))
                .values_list("scheduled_for", flat=True)
            )
            try:
                b_at = next_free_slot(b.brand, taken=[*taken, a_at], after=a_at)
            except ValueError as exc:
                raise ValidationError(str(exc)) from None
        a_ids = [c.pk for c in a_connections]
        if a_waiting and {p.connection_id for p in a_waiting} == set(a_ids):
            a_publications = a_waiting
        else:
            a_publications = post_schedule(
                post=a, user=user, at=a_at, connection_ids=a_ids, queued_by="queue"
            )
        b_publications = post_schedule(
            post=b, user=user, at=b_at, connection_ids=[c.pk for c in b_connections], queued_by="queue"
        )
        for variant in (a, b):
            post_history_record(
                post_id=variant.pk, user=user, field="A/B test", note=f"both scheduled: {MODES[mode].lower()}"
            )
    return ABSchedule(mode=mode, a=a_publications, b=b_publications)


def _platform_name(platform: str) -> str:
    return platform_label(platform)


# --- the winner ---------------------------------------------------------------------------------------


def _phi(z: float) -> float:
    return 0.5 * (1.0 + math.erf(z / math.sqrt(2.0)))


def _beta_moments(k: int, n: int) -> tuple[float, float]:
    a, b = 1 + k, 1 + max(n - k, 0)
    return a / (a + b), a * b / ((a + b) ** 2 * (a + b + 1))


def prob_b_beats_a(*, k_a: int, n_a: int, k_b: int, n_b: int) -> float:
    """P(B's engagement rate > A's) under Beta(1+k, 1+n−k) posteriors, by the normal approximation."""
    mean_a, var_a = _beta_moments(k_a, n_a)
    mean_b, var_b = _beta_moments(k_b, n_b)
    return _phi((mean_b - mean_a) / math.sqrt(var_a + var_b))


def prob_b_beats_a_monte_carlo(
    *, k_a: int, n_a: int, k_b: int, n_b: int, draws: int = MONTE_CARLO_DRAWS, seed: int = 0
) -> float:
    """The same probability by drawing from the two Beta posteriors (seeded: repeatable)."""
    import numpy as np

    rng = np.random.default_rng(seed)
    a = rng.beta(1 + k_a, 1 + max(n_a - k_a, 0), draws)
    b = rng.beta(1 + k_b, 1 + max(n_b - k_b, 0), draws)
    return float((b > a).mean())


@dataclass
class VariantResult:
    label: str
    post: Post
    published: bool = False
    reward: float | None = None
    engagements: int = 0
    impressions: int = 0
    final: bool = False
    final_at: datetime | None = None
    sandbox: bool = False
    platforms: list[str] = field(default_factory=list)

    @property
    def engagement_rate(self) -> float | None:
        return self.engagements / self.impressions if self.impressions else None

    @property
    def impressions_text(self) -> str:
        return _number(self.impressions)

    @property
    def engagements_text(self) -> str:
        return _number(self.engagements)

    @property
    def engagement_percent(self) -> str:
        rate = self.engagement_rate
        return "" if rate is None else f"{rate * 100:.2f} %"


@dataclass
class ABResult:
    a: VariantResult
    b: VariantResult
    state: str  # waiting | provisional | too_close | winner | tie
    leader: str = ""  # "A" or "B" by reward, "" while waiting or on a tie
    confidence: float | None = None  # P(leader's engagement rate is higher)
    headline: str = ""
    detail: str = ""

    @property
    def variants(self) -> list[VariantResult]:
        return [self.a, self.b]

    @property
    def started(self) -> bool:
        return self.a.published or self.b.published

    @property
    def body(self) -> str:
        """The detail without the headline it repeats ("B wins: reward …" under "B wins")."""
        prefix = f"{self.headline}: "
        rest = self.detail.removeprefix(prefix)
        return rest[:1].upper() + rest[1:] if rest != self.detail else self.detail

    @property
    def confidence_percent(self) -> str:
        if self.confidence is None:
            return ""
        if self.confidence >= 0.995:
            return "over 99 %"
        return f"{round(self.confidence * 100)} %"


def _variant_result(label: str, post: Post, now: datetime) -> VariantResult:
    published = [p for p in post.publications.all() if p.status == PublicationStatus.PUBLISHED]
    result = VariantResult(label=label, post=post, published=bool(published))
    result.platforms = sorted({p.platform for p in published})
    result.sandbox = any(p.is_sandbox for p in published)
    if not published or any(p.reward is None for p in published):
        return result
    result.engagements = sum(p.likes + p.comments + p.shares + p.quotes + p.bookmarks for p in published)
    result.impressions = sum(p.impressions for p in published)
    if result.impressions:
        result.reward = sum(p.reward * p.impressions for p in published) / result.impressions
    else:
        result.reward = sum(p.reward for p in published) / len(published)
    ends = [(p.published_at or now) + REWARD_FINAL_AFTER for p in published]
    result.final_at = max(ends)
    result.final = all(p.reward_final or end <= now for p, end in zip(published, ends, strict=True))
    return result


def _number(value: int) -> str:
    return f"{value:,}"


def ab_result(*, post: Post, now: datetime | None = None) -> ABResult | None:
    """Who won the A/B test `post` is in (None when it is in none); see the module docstring."""
    pair = ab_pair(post=post)
    if pair is None:
        return None
    now = now or timezone.now()
    a = _variant_result("A", pair[0], now)
    b = _variant_result("B", pair[1], now)
    if a.reward is None or b.reward is None:
        missing = [v.label for v in (a, b) if not v.published]
        if missing:
            detail = (
                f"Variant {' and '.join(missing)} {'is' if len(missing) == 1 else 'are'} not published yet."
            )
        else:
            detail = "Waiting for the first metrics of both variants (fetched every 4 hours)."
        return ABResult(a=a, b=b, state="waiting", headline="No result yet", detail=detail)
    if round(a.reward, 2) == round(b.reward, 2):
        return ABResult(
            a=a,
            b=b,
            state="tie",
            headline="Too close to call",
            detail=f"Both have a reward of {a.reward:.1f}.",
        )
    leader, other = (b, a) if b.reward > a.reward else (a, b)
    p_b = prob_b_beats_a(k_a=a.engagements, n_a=a.impressions, k_b=b.engagements, n_b=b.impressions)
    confidence = p_b if leader is b else 1.0 - p_b
    result = ABResult(a=a, b=b, state="", leader=leader.label, confidence=confidence)
    numbers = (
        f"reward {leader.reward:.1f} vs {other.reward:.1f}; {result.confidence_percent} confident "
        f"{leader.label}'s engagement rate is higher ({_number(leader.impressions)} vs "
        f"{_number(other.impressions)} impressions)"
    )
    if not (a.final and b.final):
        result.state, result.headline = "provisional", "Too early to call"
        final_at = max(v.final_at for v in (a, b) if v.final_at)
        result.detail = (
            f"{leader.label} leads for now: {numbers}. Rewards are provisional until 7 days after "
            f"publishing ({timezone.localtime(final_at).strftime('%-d %b')})."
        )
    elif confidence < CONFIDENCE_TO_CALL:
        result.state, result.headline = "too_close", "Too early to call"
        result.detail = (
            f"{leader.label} leads: {numbers}. A winner is called at {round(CONFIDENCE_TO_CALL * 100)} %."
        )
    else:
        result.state, result.headline = "winner", f"{leader.label} wins"
        result.detail = f"{leader.label} wins: {numbers}."
    return result


# --- the post page's panel ------------------------------------------------------------------------------


def ab_panel_context(*, post: Post, errors: list[str] | None = None, notice: str = "") -> dict:
    """What the A/B card on a post page shows."""
    pair = ab_pair(post=post)
    if pair is None:
        can_create = (
            post.status in CREATABLE
            and post.generation_state == GenerationState.READY
            and not post.ab_parent_id
        )
        return {
            "show": post.status in CREATABLE or bool(errors),
            "post": post,
            "pair": None,
            "can_create": can_create,
            "errors": errors or [],
            "notice": notice,
        }
    a, b = pair
    variants = []
    for label, variant in (("A", a), ("B", b)):
        copies = sorted(variant.copies.all(), key=lambda c: c.platform != "x")
        first = copies[0] if copies else None
        waiting = sorted(
            (p for p in variant.publications.all() if p.is_pending),
            key=lambda p: p.scheduled_for,
        )
        variants.append(
            {
                "label": label,
                "post": variant,
                "current": variant.pk == post.pk,
                "text": copy_text(first.parts, first.caption) if first else "",
                "platform": first.platform if first else "",
                "next": waiting[0] if waiting else None,
            }
        )
    scheduled = all(v["next"] is not None for v in variants)
    published = any(p.status == "published" for v in (a, b) for p in v.publications.all())
    return {
        "show": True,
        "post": post,
        "pair": (a, b),
        "variants": variants,
        "can_schedule": not scheduled and not published and all(v.status in SCHEDULABLE for v in (a, b)),
        "needs_approval": [v["label"] for v in variants if v["post"].status == PostStatus.DRAFT],
        "modes": MODES,
        "result": ab_result(post=post),
        "errors": errors or [],
        "notice": notice,
    }
