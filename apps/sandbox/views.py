"""Sandbox pages of a brand: the timeline, one post with its numbers over time and how they were
computed, the engagement model explained, and the posts' images (members of the brand only)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

from apps.accounts.access import brand_user_required
from apps.brands.selectors import brand_get_for_user
from apps.core.files import stored_file_response

from . import engagement, selectors
from .engagement import Metrics
from .models import SandboxPost

PAGE_SIZE = 20
SPARK_HOURS = 48
SPARK_WIDTH, SPARK_HEIGHT = 120, 32
CHART_WIDTH, CHART_HEIGHT = 640, 220
CHART_PAD = {"left": 48, "right": 12, "top": 12, "bottom": 28}
CHECKPOINTS_HOURS = (1, 3, 6, 12, 24, 48, 168)


@dataclass
class Spark:
    """An impressions curve drawn in an SVG box: the part already lived, and the projected rest."""

    width: int
    height: int
    past: str  # "x,y x,y …" for a polyline
    future: str
    past_area: str  # the lived part closed down to the baseline, for a soft fill
    now_x: float | None = None
    now_y: float | None = None
    top: int = 0  # impressions at the right edge (the box's height)
    left: float = 0
    right: float = 0
    baseline: float = 0
    ceiling: float = 0
    levels: list[dict] = field(default_factory=list)  # horizontal grid lines: y and impressions
    ticks: list[dict] = field(default_factory=list)  # hours along the bottom: x and label


@dataclass
class Card:
    post: SandboxPost
    metrics: Metrics
    spark: Spark | None = None
    parts: list[Card] = field(default_factory=list)

    @property
    def thread_length(self) -> int:
        return len(self.parts) + 1


def _age_hours(post: SandboxPost, now: datetime) -> float:
    return max(0.0, (now - post.posted_at).total_seconds() / 3600)


def _spark(
    post: SandboxPost,
    now: datetime,
    *,
    width: int,
    height: int,
    hours: float = SPARK_HOURS,
    points: int = 25,
    pad: dict | None = None,
) -> Spark:
    pad = pad or {"left": 1, "right": 1, "top": 2, "bottom": 2}
    curve = engagement.impressions_curve(post.inputs, hours=hours, points=points)
    top = max(curve[-1][1], 1)
    inner_w = width - pad["left"] - pad["right"]
    inner_h = height - pad["top"] - pad["bottom"]

    def xy(age: float, value: float) -> tuple[float, float]:
        return (
            round(pad["left"] + inner_w * age / hours, 1),
            round(pad["top"] + inner_h * (1 - value / top), 1),
        )

    age = _age_hours(post, now)
    past, future = [], []
    for point_age, value in curve:
        (past if point_age <= age else future).append(xy(point_age, value))
    now_point = None
    if age < hours:
        now_point = xy(age, engagement.metrics_at_age(post.inputs, age).impressions)
        past.append(now_point)
        future.insert(0, now_point)
    baseline = xy(0, 0)[1]
    area = [*past, (past[-1][0], baseline), (past[0][0], baseline)] if len(past) > 1 else []
    spark = Spark(
        width=width,
        height=height,
        past=" ".join(f"{x},{y}" for x, y in past),
        past_area=" ".join(f"{x},{y}" for x, y in area),
        future=" ".join(f"{x},{y}" for x, y in future) if len(future) > 1 else "",
        now_x=now_point[0] if now_point else None,
        now_y=now_point[1] if now_point else None,
        top=top,
    )
    spark.left, spark.baseline = xy(0, 0)
    spark.right, spark.ceiling = xy(hours, top)
    for fraction in (0, 0.25, 0.5, 0.75, 1):
        spark.levels.append({"y": xy(0, top * fraction)[1], "value": round(top * fraction)})
        spark.ticks.append({"x": xy(hours * fraction, 0)[0], "label": f"{round(hours * fraction)} h"})
    return spark


def _pct(value: float, digits: int = 1) -> str:
    return f"{value * 100:.{digits}f}%"


def _card(post: SandboxPost, now: datetime) -> Card:
    """A timeline entry: the post or thread's first part with its sparkline, and the later parts."""
    return Card(
        post=post,
        metrics=engagement.sandbox_metrics(post, now),
        spark=_spark(post, now, width=SPARK_WIDTH, height=SPARK_HEIGHT),
        parts=[
            Card(post=part, metrics=engagement.sandbox_metrics(part, now)) for part in post.thread_parts.all()
        ],
    )


def _page_context(brand) -> dict:
    connection = selectors.sandbox_connection(brand=brand)
    return {
        "brand": brand,
        "handle": connection.handle if connection else brand.slug,
        "followers": engagement.brand_audience(brand.pk),
        "active": "sandbox",
    }


@brand_user_required
def timeline(request, brand_id: int):
    """The brand's sandbox account as a social timeline, newest first, 20 posts a page."""
    brand = brand_get_for_user(user=request.user, brand_id=brand_id)
    page = Paginator(selectors.sandbox_timeline(brand=brand), PAGE_SIZE).get_page(request.GET.get("page"))
    now = timezone.now()
    return render(
        request,
        "sandbox/timeline.html",
        {**_page_context(brand), "page": page, "cards": [_card(post, now) for post in page], "now": now},
    )


def _checkpoints(post: SandboxPost, now: datetime) -> list[dict]:
    age = _age_hours(post, now)
    totals = engagement.final_totals(post.inputs)
    rows = []
    for hours in CHECKPOINTS_HOURS:
        metrics = engagement.metrics_from_totals(totals, hours)
        label = f"{hours} h" if hours < 48 else f"{hours // 24} days"
        rows.append(
            {
                "label": label,
                "metrics": metrics,
                "rate": _pct(metrics.engagement_rate, 2),
                "projected": hours > age,
            }
        )
    return rows


def _rates(post: SandboxPost) -> list[dict]:
    """Each engagement rate of the post: base × tone, format and image × the post's own noise."""
    inputs = post.inputs
    lift = engagement.engagement_multiplier(inputs)
    draws = engagement.noise(inputs.seed)
    return [
        {
            "kind": kind,
            "base": engagement.BASE_RATES[kind],
            "lift": lift,
            "noise": draws[kind],
            "base_pct": _pct(engagement.BASE_RATES[kind], 2),
            "rate_pct": _pct(engagement.BASE_RATES[kind] * lift * draws[kind], 2),
        }
        for kind in engagement.KINDS
    ]


@brand_user_required
def post_detail(request, brand_id: int, external_id: str):
    """One sandbox post: its thread, its numbers now and over time, and how they were computed."""
    brand = brand_get_for_user(user=request.user, brand_id=brand_id)
    post = selectors.sandbox_post_get(brand=brand, external_id=external_id)
    now = timezone.now()
    thread = selectors.sandbox_thread(post=post)
    totals = engagement.final_totals(post.inputs)
    metrics = engagement.metrics_from_totals(totals, _age_hours(post, now))
    context = {
        **_page_context(brand),
        "post": post,
        "thread": [Card(post=part, metrics=engagement.sandbox_metrics(part, now)) for part in thread],
        "metrics": metrics,
        "engagement_pct": _pct(metrics.engagement_rate, 2),
        "share_now": _pct(engagement.growth(_age_hours(post, now)), 0),
        "reach_share_pct": _pct(engagement.REACH_SHARE, 0),
        "chart": _spark(post, now, width=CHART_WIDTH, height=CHART_HEIGHT, points=97, pad=CHART_PAD),
        "checkpoints": _checkpoints(post, now),
        "factors": engagement.factor_rows(post.inputs),
        "base_reach": engagement.base_reach(post.inputs),
        "expected_reach": engagement.expected_reach(post.inputs),
        "final_impressions": totals.impressions,
        "rates": _rates(post),
        "now": now,
    }
    return render(request, "sandbox/post_detail.html", context)


def _hour_curve() -> dict:
    """The hour factor over a day as an SVG polyline, with the hours labelled every 3."""
    width, height, pad = 960, 220, {"left": 44, "right": 12, "top": 12, "bottom": 28}
    top = 1.2
    inner_w = width - pad["left"] - pad["right"]
    inner_h = height - pad["top"] - pad["bottom"]

    def xy(hour: float, value: float) -> tuple[float, float]:
        return round(pad["left"] + inner_w * hour / 24, 1), round(pad["top"] + inner_h * (1 - value / top), 1)

    points = [xy(i / 4, engagement.hour_factor(i / 4)) for i in range(24 * 4 + 1)]
    return {
        "width": width,
        "height": height,
        "points": " ".join(f"{x},{y}" for x, y in points),
        "hours": [{"x": xy(h, 0)[0], "label": f"{h:02d}:00"} for h in range(0, 25, 3)],
        "levels": [{"y": xy(0, v)[1], "label": f"{v:.1f}"} for v in (0, 0.4, 0.8, 1.2)],
        "baseline": xy(0, 0)[1],
        "left": pad["left"],
        "right": width - pad["right"],
    }


@brand_user_required
def model(request, brand_id: int):
    """How the sandbox's numbers are made: the formula and every factor's values."""
    brand = brand_get_for_user(user=request.user, brand_id=brand_id)
    context = {
        **_page_context(brand),
        "tones": engagement.TONES.items(),
        "formats": engagement.FORMATS.items(),
        "with_image": engagement.WITH_IMAGE,
        "weekdays": list(zip(engagement.WEEKDAY_NAMES, engagement.WEEKDAYS, strict=True)),
        "base_rates": [(kind, _pct(rate, 2)) for kind, rate in engagement.BASE_RATES.items()],
        "hour_curve": _hour_curve(),
        "hour_samples": [
            {"label": label, "value": engagement.hour_factor(hour)}
            for label, hour in (("03:00", 3), ("09:00", 9), ("10:30", 10.5), ("14:00", 14), ("18:00", 18))
        ],
        "reach_share": engagement.REACH_SHARE,
        "base_reach": engagement.brand_audience(brand.pk) * engagement.REACH_SHARE,
        "growth": [
            {"hours": h, "share": _pct(share, 0 if share < 0.995 else 2)}
            for h in (1, 3, 6, 12, 24, 48)
            for share in [engagement.growth(h)]
        ],
        "constants": {
            "impressions_sigma": engagement.IMPRESSIONS_SIGMA,
            "rate_sigma": engagement.RATE_SIGMA,
            "tau": engagement.GROWTH_TAU_HOURS,
            "momentum_weight": engagement.MOMENTUM_WEIGHT,
            "thread_decay": engagement.THREAD_DECAY,
            "audience_min": engagement.AUDIENCE_MIN,
            "audience_max": engagement.AUDIENCE_MAX,
        },
    }
    return render(request, "sandbox/model.html", context)


@brand_user_required
def media_file(request, brand_id: int, external_id: str):
    """A sandbox image, for members of the brand only (there is no public /media/)."""
    brand = brand_get_for_user(user=request.user, brand_id=brand_id)
    media = selectors.sandbox_media_get(brand=brand, external_id=external_id)
    return stored_file_response(media.file)


@login_required
def repost_detail(request, external_id: str):
    """An influencer's sandbox repost of a brand's post, for the influencer and the brand's members
    (anyone else gets a 404): what they wrote, the post it shares, and its numbers now."""
    post = selectors.sandbox_post_get_for_viewer(user=request.user, external_id=external_id)
    if not post.is_repost:
        raise Http404("No such sandbox repost.")
    metrics = engagement.sandbox_metrics(post, timezone.now())
    context = {
        "post": post,
        "brand": post.brand,
        "original": post.repost_of,
        "is_member": post.influencer_user_id != request.user.pk,
        "metrics": metrics,
        "m": metrics,
        "rate_pct": _pct(metrics.engagement_rate, 2),
        "followers": post.audience,
    }
    return render(request, "sandbox/repost_detail.html", context)
