"""Template helpers of post pages: a brand's latest drafts for the dashboard's card."""

from django import template

from apps.posts.models import PostStatus
from apps.posts.selectors import post_list

register = template.Library()

DASHBOARD_DRAFTS = 5


@register.simple_tag
def brand_drafts(brand) -> list:
    """The brand's newest drafts (with their graphics, for thumbnails)."""
    if brand is None:
        return []
    return list(post_list(brand=brand, status=PostStatus.DRAFT)[:DASHBOARD_DRAFTS])
