"""What the post pages show (the review section, the posts list), public so that a page of an app
above posts (publishing's publish panel, A/B card and batch scheduling) can render them with its
own part in the slot the page leaves for it."""

from __future__ import annotations

from django.utils import timezone

from apps.core.vocabulary import platform_label

from . import selectors
from .comments import preview_link_url
from .forms import CommentForm, FilterForm, PreviewLinkForm, RegenerateForm, RejectForm, RequestChangesForm
from .limits import (
    CAROUSEL_BODY_MAX,
    CAROUSEL_HEADLINE_MAX,
    LINKEDIN_CAPTION_MAX,
    copy_format,
    length_for,
    over_limit,
    post_limit,
    slide_split,
)
from .models import GenerationState, PostStatus

REVIEW_TEMPLATE = "posts/partials/review.html"
REVIEW_PAGE_TEMPLATE = "posts/review.html"
LIST_TEMPLATE = "posts/partials/post_list.html"
LIST_PAGE_TEMPLATE = "posts/post_list.html"
HISTORY_LIMIT = 20


def _counted(text: str, platform: str, limit: int) -> dict:
    length = length_for(platform)(text)
    return {"text": text, "length": length, "limit": limit, "over": length > limit}


def platform_view(post, copy, *, approve_errors=None, edit_errors=None) -> dict:
    """One platform's copy as the page shows it: each part with its count against its limit."""
    post_format = copy_format(copy.platform, post.post_format)
    view = {
        "copy": copy,
        "platform": copy.platform,
        "label": platform_label(copy.platform),
        "format": post_format,
        "mapped_from": post.post_format if post_format != post.post_format else "",
        "problems": over_limit(copy.platform, post_format, copy.parts, caption=copy.caption or None),
        "approve_errors": approve_errors or [],
        "edit_errors": edit_errors or [],
        "editable": post.status in (PostStatus.DRAFT, PostStatus.APPROVED),
        "regenerable": post.status == PostStatus.DRAFT
        and post.generation_state not in (GenerationState.QUEUED, GenerationState.RUNNING),
    }
    if post_format == "carousel":
        slides = [g for g in post.graphics.all() if g.kind == "carousel_slide"]
        view["slides"] = []
        for i, slide in enumerate(copy.parts):
            headline, body = slide_split(slide)
            view["slides"].append(
                {
                    "headline": _counted(headline, "linkedin", CAROUSEL_HEADLINE_MAX),
                    "body": _counted(body, "linkedin", CAROUSEL_BODY_MAX),
                    "graphic": slides[i] if i < len(slides) else None,
                }
            )
        view["caption"] = _counted(copy.caption, "linkedin", LINKEDIN_CAPTION_MAX)
    else:
        limit = post_limit(copy.platform)
        view["parts"] = [_counted(text, copy.platform, limit) for text in copy.parts]
    return view


def post_review_context(
    *, post, approve_errors=None, reject_form=None, changes_form=None, notice: str = ""
) -> dict:
    """The review section of a post page (REVIEW_TEMPLATE). Its side column leaves a slot for the
    publish panel and the A/B card: the page fetches them from publishing (`hx-get` on load), or
    publishing renders this section itself with `publish_panels` (the template to include there)
    and its panels' context added."""
    approve_errors = approve_errors or {}
    graphics = list(post.graphics.all())
    return {
        "post": post,
        "brand": post.brand,
        "platforms": [
            platform_view(post, copy, approve_errors=approve_errors.get(copy.platform))
            for copy in sorted(post.copies.all(), key=lambda c: (c.platform != "x", c.platform))  # X first
        ],
        "cards": [g for g in graphics if g.kind != "carousel_slide"],
        "approve_errors": approve_errors.get("__all__", []),
        "reject_form": reject_form or RejectForm(),
        "changes_form": changes_form or RequestChangesForm(),
        "edits": list(post.edits.select_related("user")[:HISTORY_LIMIT]),
        "generating": post.generation_state in (GenerationState.QUEUED, GenerationState.RUNNING),
        "tone_choices": RegenerateForm.base_fields["tone"].choices,
        "layout_choices": RegenerateForm.base_fields["layout"].choices,
        "notice": notice,
    }


def post_list_context(request, brand, *, summary=None) -> dict:
    """The posts list (LIST_TEMPLATE) filtered by the request's query. Its batch bar leaves a slot
    for scheduling the ticked posts: fetched from publishing (`hx-get` on load), or publishing
    renders the list itself with `batch_publish` (the template to include there) and its form."""
    trends = selectors.post_trends(brand=brand)
    form = FilterForm(request.GET or None, trends=trends)
    filters = form.cleaned_data if form.is_valid() else {"status": "", "platform": "", "trend": None}
    posts = list(
        selectors.post_list(
            brand=brand, status=filters["status"], platform=filters["platform"], trend_id=filters["trend"]
        )[:100]
    )
    trend = next((p.trend for p in posts if filters["trend"] and p.trend_id == filters["trend"]), None)
    return {
        "brand": brand,
        "posts": posts,
        "filter_form": form if form.is_bound else FilterForm(trends=trends),
        "filters": filters,
        "filter_trend": trend,
        "filtered": any(filters.values()),
        "summary": summary,
        "query": request.GET.urlencode(),
    }


COMMENTS_TEMPLATE = "posts/partials/comments.html"


def post_thread_context(*, post, request, comment_form=None, link_form=None, new_link=None) -> dict:
    """The comments card of a post page: the thread, the form, and the post's preview links."""
    now = timezone.now()
    links = []
    for link in selectors.preview_link_list(post=post):
        live = link.revoked_at is None and link.expires_at > now
        links.append(
            {
                "link": link,
                "live": live,
                "url": request.build_absolute_uri(preview_link_url(link)) if live else "",
                "state": "Live" if live else ("Revoked" if link.revoked_at else "Expired"),
            }
        )
    return {
        "post": post,
        "request": request,
        "comments": selectors.comment_list(post=post),
        "comment_form": comment_form or CommentForm(),
        "link_form": link_form or PreviewLinkForm(),
        "links": links,
        "new_link": new_link,
    }


def preview_platforms(post) -> list[dict]:
    """Each platform's copy as the composer previews it (composer_preview.html), from the saved post."""
    views = []
    for copy in sorted(post.copies.all(), key=lambda c: (c.platform != "x", c.platform)):
        view = platform_view(post, copy)
        if "slides" in view:
            parts = [
                {**s["body"], "text": f"{s['headline']['text']}\n{s['body']['text']}"} for s in view["slides"]
            ]
        else:
            parts = view["parts"]
        views.append({**view, "parts": parts, "own": True})
    return views
