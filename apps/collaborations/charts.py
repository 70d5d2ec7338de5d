"""Charts of the marketplace pages: specs for the analytics pages' uPlot helper
(static/js/analytics-charts.js) and a small inline SVG line for the public profile, which works
with no script at all."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

COLORS = {"main": "#4f46e5", "second": "#0d9488", "third": "#db2777", "fourth": "#d97706"}


def _timestamp(moment: date | datetime, zone: ZoneInfo) -> int:
    if isinstance(moment, datetime):
        return int(moment.timestamp())
    return int(datetime.combine(moment, time(), tzinfo=zone).timestamp())


def uplot_chart(
    x: list[date | datetime], *, zone: ZoneInfo, bucket: str, series: list[dict], kind: str = "line"
) -> dict:
    """{x, tz, bucket, kind, series: [{label, color, format, values}]}, as analytics-charts.js reads it."""
    return {
        "x": [_timestamp(moment, zone) for moment in x],
        "tz": zone.key,
        "bucket": bucket,
        "kind": kind,
        "series": [
            {
                "label": s["label"],
                "color": s.get("color", COLORS["main"]),
                "format": s.get("format", "number"),
                "values": s["values"],
            }
            for s in series
        ],
    }


@dataclass(frozen=True)
class SvgPoint:
    x: float
    y: float
    label: str


@dataclass(frozen=True)
class SvgLine:
    width: int
    height: int
    points: str  # the polyline's "x,y x,y …"
    dots: list[SvgPoint]
    gridlines: list[tuple[float, str]]  # (y, label)


def svg_line(
    values: list[float],
    labels: list[str],
    *,
    width: int = 560,
    height: int = 140,
    lo: float = 0,
    hi: float = 100,
) -> SvgLine | None:
    """A line through `values` (scaled between lo and hi), evenly spaced, with a dot and a label per
    value; None for no values. Room is left on the left for the scale's labels."""
    if not values:
        return None
    left, right, top, bottom = 34, 8, 8, 8
    inner_w, inner_h = width - left - right, height - top - bottom
    step = inner_w / (len(values) - 1) if len(values) > 1 else 0

    def y_of(value: float) -> float:
        share = (min(max(value, lo), hi) - lo) / (hi - lo)
        return round(top + inner_h * (1 - share), 1)

    dots = [
        SvgPoint(round(left + (i * step if len(values) > 1 else inner_w / 2), 1), y_of(v), label)
        for i, (v, label) in enumerate(zip(values, labels, strict=True))
    ]
    grid = [(y_of(v), f"{v:g}") for v in (lo, (lo + hi) / 2, hi)]
    return SvgLine(width, height, " ".join(f"{d.x},{d.y}" for d in dots), dots, grid)
