"""Template helpers of analytics for other pages: the dashboard's "Last 30 days" strip."""

from dataclasses import dataclass

from django import template

from apps.learning.models import PolicyModel

register = template.Library()


@dataclass
class Performance:
    sandbox: bool
    totals: object  # selectors.reports.Totals
    model: object | None  # PolicyModel


@register.simple_tag
def brand_performance(brand) -> Performance | None:
    """The brand's last 30 days (real, or the sandbox when it has only published there) and its
    model; None when nothing went out in that time. One query, two when there is something."""
    if brand is None:
        return None
    from apps.analytics.selectors.reports import SANDBOX, brand_recent_totals

    data, totals = brand_recent_totals(brand=brand)
    if not totals.posts:
        return None
    return Performance(
        sandbox=data == SANDBOX, totals=totals, model=PolicyModel.objects.filter(brand=brand).first()
    )
