"""Template filters of the analytics pages: rates as percentages, rewards, bar widths."""

from __future__ import annotations

from django import template

register = template.Library()
DASH = "—"


@register.filter
def pct(value, digits: int = 1) -> str:
    """A fraction as a percentage ("3.4%"); a dash when there is no number."""
    if value is None or value == "":
        return DASH
    return f"{float(value) * 100:.{int(digits)}f}%"


@register.filter
def reward(value) -> str:
    """A reward on its 0–5 scale, two decimals; a dash when there is none yet."""
    if value is None or value == "":
        return DASH
    return f"{float(value):.2f}"


@register.filter
def share_of(value, top) -> int:
    """value / top as a whole percentage (0–100) for a bar's width; 0 without numbers."""
    try:
        value, top = float(value or 0), float(top or 0)
    except (TypeError, ValueError):
        return 0
    if top <= 0 or value <= 0:
        return 0
    return max(2, min(100, round(value / top * 100)))
