"""{% post_metrics_for post as metrics %}: the post page's Metrics card data (two queries)."""

from django import template

from apps.analytics.selectors.metrics import metrics_next_fetch, post_metrics

register = template.Library()

# A post in these states has never gone out: nothing to read.
NEVER_PUBLISHED = {"draft", "approved", "rejected", "expired"}


@register.simple_tag
def post_metrics_for(post) -> dict:
    if post is None or post.status in NEVER_PUBLISHED:
        return {"publications": [], "next_fetch": None}
    return {"publications": post_metrics(post_id=post.pk), "next_fetch": metrics_next_fetch()}


@register.filter
def pm_percent(value) -> str:
    """An engagement rate (0.0213) as a percentage ("2.13 %"); "—" when there is none."""
    if value is None:
        return "—"
    return f"{float(value) * 100:.2f} %"


@register.filter
def pm_age(hours) -> str:
    """A publication's age at a fetch: "16 h" under two days, else "6 d 16 h"."""
    hours = round(float(hours or 0))
    if hours < 48:
        return f"{hours} h"
    days, rest = divmod(hours, 24)
    return f"{days} d {rest} h" if rest else f"{days} d"
