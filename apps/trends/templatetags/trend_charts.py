"""Template helpers for trend pages: score parts with their weights, and charts drawn as inline SVG
on the server from the numbers (no chart library, nothing to load in the browser)."""

from __future__ import annotations

from collections.abc import Sequence

from django import template
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.timesince import timesince

from apps.core import vocabulary
from apps.trends.scoring import WEIGHTS
from apps.trends.selectors import SOURCE_LABELS

register = template.Library()

PART_LABELS = {
    "relevance": ("Relevance", "How close the trend is to your pillars and audience."),
    "opportunity": ("Opportunity", "Volume and momentum across sources, adjusted for sentiment."),
    "format_fit": ("Format fit", "How well the best format on your connected platforms carries it."),
    "reward": ("Learned reward", "What posts like this earned you before (neutral until there is data)."),
}
MOMENTUM_SIGNS = {"rising": "↑", "falling": "↓", "steady": "→", "new": "✦"}


@register.simple_tag
def score_parts(parts: dict, weights: dict | None = None) -> list[dict]:
    """The four parts of a score in the formula's order, each with its label, weight and bar width."""
    weights = weights or WEIGHTS
    rows = []
    for key, (label, help_text) in PART_LABELS.items():
        value = float(parts.get(key, 0.0))
        weight = float(weights.get(key, 0.0))
        rows.append(
            {
                "key": key,
                "label": label,
                "help": help_text,
                "value": value,
                "weight": weight,
                "weight_percent": round(weight * 100),
                "percent": round(max(0.0, min(value, 1.0)) * 100),
                "contribution": value * weight,
            }
        )
    return rows


@register.simple_tag
def score_weights() -> list[dict]:
    return [
        {"label": label, "weight_percent": round(WEIGHTS[key] * 100)}
        for key, (label, _) in PART_LABELS.items()
    ]


@register.filter
def signed(value, digits: int = 2) -> str:
    """+0.42 / −0.17 / 0.00: momentum and sentiment with their sign."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return ""
    text = f"{abs(number):.{int(digits)}f}"
    if round(number, int(digits)) > 0:
        return f"+{text}"
    if round(number, int(digits)) < 0:
        return f"−{text}"
    return text


@register.filter
def momentum_sign(label: str) -> str:
    return MOMENTUM_SIGNS.get(label, "")


register.filter("platform_label", vocabulary.platform_label)


def _fmt(number: float) -> str:
    return f"{number:.1f}".rstrip("0").rstrip(".")


@register.simple_tag
def volume_sparkline(volumes: Sequence[int], width: int = 132, height: int = 36) -> SafeString:
    """A small bar chart of a trend's volume at each refresh, oldest first.

    One refresh draws one bar; all-zero volumes draw flat stubs on the baseline, so the chart
    always says how many refreshes there were without claiming a size that is not there.
    """
    volumes = [max(int(v or 0), 0) for v in volumes]
    label = (
        "Volume at each refresh, oldest first: " + ", ".join(str(v) for v in volumes)
        if volumes
        else "No volume recorded yet"
    )
    if not volumes:
        return format_html(
            '<svg class="sparkline" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" aria-label="{label}">'
            '<line class="spark-base" x1="0" y1="{y}" x2="{w}" y2="{y}" /></svg>',
            w=width,
            h=height,
            y=height - 1,
            label=label,
        )
    peak = max(volumes)
    slots = max(len(volumes), 6)  # a lone bar stays a bar, not a block the width of the chart
    gap = 2.0
    bar_width = (width - gap * (slots - 1)) / slots
    left = width - len(volumes) * (bar_width + gap) + gap  # right-aligned: the newest at the edge
    bars = []
    for i, volume in enumerate(volumes):
        bar_height = max((volume / peak) * (height - 2), 2.0) if peak else 2.0
        x = left + i * (bar_width + gap)
        latest = " spark-latest" if i == len(volumes) - 1 else ""
        bars.append(
            (
                f"spark-bar{latest}",
                _fmt(x),
                _fmt(height - bar_height),
                _fmt(bar_width),
                _fmt(bar_height),
                f"{volume:,}",
            )
        )
    return format_html(
        '<svg class="sparkline" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" aria-label="{label}">'
        '<line class="spark-base" x1="0" y1="{base}" x2="{w}" y2="{base}" />{bars}</svg>',
        w=width,
        h=height,
        base=height - 0.5,
        label=label,
        bars=format_html_join(
            "",
            '<rect class="{}" x="{}" y="{}" width="{}" height="{}" rx="1.5"><title>{}</title></rect>',
            bars,
        ),
    )


@register.simple_tag
def snapshot_chart(snapshots: Sequence, width: int = 720, height: int = 240) -> SafeString:
    """A trend's snapshots: volume bars coloured by sentiment, and momentum as a line on its own
    axis (−1 to +1). The page shows the same figures in a table for screen readers."""
    pad_left, pad_right, pad_top, pad_bottom = 48, 40, 14, 30
    plot_w, plot_h = width - pad_left - pad_right, height - pad_top - pad_bottom
    bottom = pad_top + plot_h
    points = list(snapshots)
    if not points:
        return format_html(
            '<svg class="snapshot-chart" viewBox="0 0 {w} {h}" role="img" aria-label="No snapshots yet">'
            '<text class="chart-note" x="{x}" y="{y}" text-anchor="middle">No snapshots yet</text></svg>',
            w=width,
            h=height,
            x=width / 2,
            y=height / 2,
        )
    peak = max(s.volume for s in points) or 1
    slot = plot_w / len(points)
    bar_width = max(min(slot * 0.6, 48), 3)
    parts: list[SafeString] = []
    # Grid: volume ticks on the left, momentum on the right.
    for fraction in (0, 0.5, 1):
        y = bottom - fraction * plot_h
        parts.append(
            format_html(
                '<line class="chart-grid" x1="{}" y1="{}" x2="{}" y2="{}" />'
                '<text class="chart-tick" x="{}" y="{}" text-anchor="end">{}</text>'
                '<text class="chart-tick" x="{}" y="{}" text-anchor="start">{}</text>',
                pad_left,
                _fmt(y),
                pad_left + plot_w,
                _fmt(y),
                pad_left - 6,
                _fmt(y + 4),
                f"{round(peak * fraction):,}",
                pad_left + plot_w + 6,
                _fmt(y + 4),
                {0: "−1", 0.5: "0", 1: "+1"}[fraction],
            )
        )
    line = []
    label_every = max(1, len(points) // 8)
    # Refreshes are hours apart: ticks show the time, and the date only when it changes.
    local_times = [timezone.localtime(s.taken_at) for s in points]
    tick_labels = [
        t.strftime("%H:%M") if i and t.date() == local_times[i - 1].date() else t.strftime("%d %b %H:%M")
        for i, t in enumerate(local_times)
    ]
    for i, s in enumerate(points):
        cx = pad_left + slot * (i + 0.5)
        bar_height = max(s.volume / peak * plot_h, 1.5)
        parts.append(
            format_html(
                '<rect class="chart-bar sentiment-{}" x="{}" y="{}" width="{}" height="{}" rx="2">'
                "<title>{}: volume {}, momentum {}, sentiment {} ({})</title></rect>",
                s.sentiment_label,
                _fmt(cx - bar_width / 2),
                _fmt(bottom - bar_height),
                _fmt(bar_width),
                _fmt(bar_height),
                local_times[i].strftime("%d %b %H:%M"),
                f"{s.volume:,}",
                signed(s.momentum),
                s.get_sentiment_label_display().lower(),
                signed(s.sentiment_score),
            )
        )
        my = pad_top + (1 - (max(-1.0, min(1.0, s.momentum)) + 1) / 2) * plot_h
        line.append((cx, my))
        if i % label_every == 0 or i == len(points) - 1:
            parts.append(
                format_html(
                    '<text class="chart-tick" x="{}" y="{}" text-anchor="middle">{}</text>',
                    _fmt(cx),
                    bottom + 18,
                    tick_labels[i],
                )
            )
    if len(line) > 1:
        parts.append(
            format_html(
                '<polyline class="chart-momentum" points="{}" />',
                " ".join(f"{_fmt(x)},{_fmt(y)}" for x, y in line),
            )
        )
    for x, y in line:
        parts.append(
            format_html('<circle class="chart-momentum-dot" cx="{}" cy="{}" r="3" />', _fmt(x), _fmt(y))
        )
    return format_html(
        '<svg class="snapshot-chart" viewBox="0 0 {w} {h}" preserveAspectRatio="xMidYMid meet" role="img" '
        'aria-label="Volume and momentum at each of {n} refreshes; the table below has the figures">{body}</svg>',
        w=width,
        h=height,
        n=len(points),
        body=SafeString("".join(parts)),
    )


@register.filter
def isodate(value):
    """The cached cards keep times as ISO strings; templates want datetimes for |timesince."""
    return parse_datetime(value) if isinstance(value, str) else value


@register.filter
def source_label(source: str) -> str:
    return SOURCE_LABELS.get(source, source)


@register.filter
def source_state(status) -> str:
    """ok, partial (some parts failed), failing, skipped or idle, for a TrendSourceStatus row."""
    if status.skipped_reason:
        return "skipped"
    if status.last_error_at and (not status.last_success_at or status.last_error_at > status.last_success_at):
        return "failing"
    if status.last_success_at:
        return "partial" if status.last_error_at and status.last_error_at == status.last_success_at else "ok"
    return "idle"


@register.filter
def ago(value) -> str:
    """“just now” under a minute, else “5 minutes ago” (timesince's “0 minutes” reads as a bug)."""
    value = isodate(value)
    if not value:
        return ""
    if (timezone.now() - value).total_seconds() < 60:
        return "just now"
    return f"{timesince(value)} ago"


@register.filter
def duration(start, end) -> str:
    """A run's length: “42 s”, “3 min 5 s”, “1 h 12 min”."""
    if not start or not end:
        return ""
    seconds = max(int((end - start).total_seconds()), 0)
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60} s"
    return f"{seconds // 3600} h {seconds % 3600 // 60} min"


@register.filter
def thousands(value) -> str:
    try:
        return f"{int(value):,}"
    except (TypeError, ValueError):
        return ""
