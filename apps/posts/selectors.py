"""Read queries for posts: a brand's drafts list with filters, one post with its copy and graphics."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from apps.brands.selectors import brand_scoped
from apps.core.vocabulary import format_on
from apps.learning.policy import Action
from apps.trends.models import Trend

from .models import Post, PostComment, PostCopy, PostGraphic, PostPreviewLink


def post_list(*, brand, status: str = "", platform: str = "", trend_id: int | None = None) -> QuerySet[Post]:
    posts = (
        Post.objects.filter(brand=brand)
        .select_related("trend")
        .prefetch_related(
            Prefetch("copies", queryset=PostCopy.objects.order_by("platform")),
            Prefetch("graphics", queryset=PostGraphic.objects.order_by("kind", "index")),
        )
    )
    if status:
        posts = posts.filter(status=status)
    if platform:
        posts = posts.filter(copies__platform=platform)
    if trend_id:
        posts = posts.filter(trend_id=trend_id)
    return posts.order_by("-created_at").distinct()


def post_get_for_user(*, user, post_id: int) -> Post:
    """A post of one of the user's brands, else 404 (another brand's post does not exist)."""
    post = (
        brand_scoped(Post.objects, user=user)
        .select_related("brand", "trend")
        .prefetch_related("copies", "graphics")
        .filter(pk=post_id)
        .first()
    )
    if post is None:
        raise Http404("No such post.")
    return post


def post_trends(*, brand) -> list:
    """The trends a brand has posts about, newest post first (the drafts list's trend filter)."""
    from django.db.models import Max

    return list(
        Trend.objects.filter(posts__brand=brand)
        .annotate(latest_post=Max("posts__created_at"))
        .order_by("-latest_post", "pk")[:50]
    )


def post_action_keys_since(*, brand_id: int | None, since) -> set[str]:
    """Action keys ("tone|platform|format") of the brand's posts written after `since`, one query:
    the learning policy does not try one of them again before its next training."""
    if brand_id is None or since is None:
        return set()
    keys = set()
    rows = Post.objects.filter(brand_id=brand_id, created_at__gt=since).values_list(
        "tone", "post_format", "learning_action"
    )
    for tone, post_format, action in rows:
        for platform in (action or {}).get("platforms") or []:
            keys.add(Action(tone, platform, format_on(platform, post_format)).key)
    return keys


def composer_trends(*, brand, limit: int = 40) -> list[Trend]:
    """The active trends a brand can link a written post to: those scored for it, best first."""
    return list(
        Trend.objects.active()
        .filter(brand_scores__brand=brand)
        .order_by("-brand_scores__final", "pk")[:limit]
    )


def composer_trend_get(*, brand, trend_id: int) -> Trend:
    """An active trend scored for the brand, else 404 (another brand's trend does not exist here)."""
    trend = Trend.objects.active().filter(pk=trend_id, brand_scores__brand=brand).first()
    if trend is None:
        raise Http404("No such trend.")
    return trend


def composer_post_get(*, brand, post_id: int) -> Post:
    """One of the brand's posts for the composer, else 404."""
    post = (
        Post.objects.filter(brand=brand, pk=post_id)
        .select_related("trend")
        .prefetch_related("copies")
        .first()
    )
    if post is None:
        raise Http404("No such post.")
    return post


def comment_list(*, post) -> list[PostComment]:
    """The post's thread, oldest first, with authors and mentions in a fixed number of queries."""
    return list(
        PostComment.objects.filter(post=post)
        .select_related("author", "resolved_by")
        .prefetch_related("mentions")
        .order_by("created_at", "pk")
    )


def comment_get_for_user(*, user, post_id: int, comment_id: int) -> PostComment:
    """A comment on a post of one of the user's brands, else 404."""
    comment = (
        brand_scoped(PostComment.objects, user=user, brand_field="post__brand")
        .select_related("post__brand", "author")
        .filter(pk=comment_id, post_id=post_id)
        .first()
    )
    if comment is None:
        raise Http404("No such comment.")
    return comment


def preview_link_list(*, post) -> list[PostPreviewLink]:
    return list(
        PostPreviewLink.objects.filter(post=post).select_related("created_by").order_by("-created_at")
    )


def preview_link_get_for_user(*, user, post_id: int, link_id: int) -> PostPreviewLink:
    """A preview link of a post of one of the user's brands, else 404."""
    link = (
        brand_scoped(PostPreviewLink.objects, user=user, brand_field="post__brand")
        .filter(pk=link_id, post_id=post_id)
        .first()
    )
    if link is None:
        raise Http404("No such preview link.")
    return link
