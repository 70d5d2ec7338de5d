"""Numbers on the collaboration analytics pages: rates as percentages."""

from django import template

register = template.Library()


@register.filter
def percent(value, digits: int = 1) -> str:
    """0.0345 → "3.5%"; empty for None."""
    if value is None or value == "":
        return "—"
    return f"{float(value) * 100:.{int(digits)}f}%"
