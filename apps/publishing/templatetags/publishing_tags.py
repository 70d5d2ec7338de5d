"""Template helpers of publishing for other pages: the dashboard's "Scheduled queue"."""

from django import template

from apps.core.vocabulary import platform_label
from apps.publishing.selectors import upcoming_publications

register = template.Library()


@register.simple_tag
def brand_upcoming(brand) -> list:
    return upcoming_publications(brand=brand) if brand is not None else []


@register.filter
def platform_name(platform: str) -> str:
    return platform_label(platform)
