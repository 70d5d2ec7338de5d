"""Template helpers of post pages: a brand's latest drafts for the dashboard's card, the approval
options of a post's decision card, and its comment thread."""

from django import template

from apps.posts.approvals import approval_view
from apps.posts.models import PostStatus
from apps.posts.pages import post_thread_context
from apps.posts.selectors import post_list

register = template.Library()

DASHBOARD_DRAFTS = 5


@register.simple_tag
def brand_drafts(brand) -> list:
    """The brand's newest drafts (with their graphics, for thumbnails)."""
    if brand is None:
        return []
    return list(post_list(brand=brand, status=PostStatus.DRAFT)[:DASHBOARD_DRAFTS])


@register.simple_tag
def post_approval(post, user) -> dict:
    """The decision card's approval options for this user (apps.posts.approvals.approval_view)."""
    return approval_view(post=post, user=user)


@register.inclusion_tag("posts/partials/comments.html", takes_context=True)
def post_thread(context, post) -> dict:
    """The post's comment thread and preview links, for the member viewing the page."""
    return post_thread_context(post=post, request=context["request"])
