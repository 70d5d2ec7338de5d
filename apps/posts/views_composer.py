"""The composer's pages (/brand/<id>/posts/new/): write a post, its live per-platform previews,
autosave of the draft, and the AI helpers on the text."""

from __future__ import annotations

import uuid

from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from apps.accounts.access import brand_user_required
from apps.brands import selectors as brand_selectors
from apps.core import zones
from apps.core.vocabulary import SANDBOX, X, platform_label

from . import selectors
from .composer import (
    COMPOSER_PLATFORMS,
    ComposerDraft,
    composer_assist,
    composer_copies,
    composer_draft_of,
    composer_post_save,
)
from .forms_composer import ComposerForm, composer_initial
from .limits import X_POST_MAX, X_THREAD_MAX_TWEETS, copy_format, length_for, over_limit, post_limit
from .models import PostFormat, PostStatus

PAGE_TEMPLATE = "posts/composer.html"
PREVIEW_TEMPLATE = "posts/partials/composer_preview.html"
SAVED_TEMPLATE = "posts/partials/composer_saved.html"
ASSIST_TEMPLATE = "posts/partials/composer_assist.html"
HELPER_BUTTONS = (
    ("rewrite", "Rewrite in our voice"),
    ("shorten", "Shorten to fit X"),
    ("thread", "Make a thread"),
    ("hashtags", "Suggest hashtags"),
)


def _brand(request, brand_id: int):
    return brand_selectors.brand_get_for_user(user=request.user, brand_id=brand_id)


def _editable_post(request, brand, post_id):
    """The draft being edited (the hidden `post` field or the URL), one of the brand's, else 404."""
    if post_id in (None, ""):
        return None
    try:
        post = selectors.composer_post_get(brand=brand, post_id=int(post_id))
    except (TypeError, ValueError):
        raise Http404("No such post.") from None
    return post


def _form(request, brand, *, initial=None):
    trends = selectors.composer_trends(brand=brand)
    if request.method == "POST":
        return ComposerForm(request.POST, brand=brand, trends=trends)
    return ComposerForm(brand=brand, trends=trends, initial=initial or {})


def _previews(brand, draft: ComposerDraft) -> list[dict]:
    """Each chosen platform's text as it will look there, counted against its limit."""
    post_format = PostFormat.THREAD if draft.is_thread() else PostFormat.POST
    views = []
    copies = composer_copies(draft)
    for platform in COMPOSER_PLATFORMS:
        if platform not in draft.platforms:
            continue
        parts = copies.get(platform) or copies.get(X) or [""]
        shown_as = platform if platform in copies else X  # the Sandbox without its own text shows X's
        fmt = copy_format(shown_as, post_format)
        limit = post_limit(platform)
        views.append(
            {
                "platform": platform,
                "label": platform_label(platform),
                "format": fmt,
                "own": bool(draft.overrides.get(platform)),
                "parts": [
                    {
                        "text": t,
                        "length": length_for(platform)(t),
                        "limit": limit,
                        "over": length_for(platform)(t) > limit,
                    }
                    for t in parts
                ],
                "problems": over_limit(shown_as, fmt, parts) if any(p.strip() for p in parts) else [],
                "uses_x": platform == SANDBOX and platform not in copies,
            }
        )
    return views


def _context(request, brand, form, *, post=None, errors=None, notice=""):
    draft = form.draft() if form.is_bound and form.is_valid() else None
    if draft is None:
        initial = form.initial if not form.is_bound else {}
        draft = ComposerDraft(
            text=(form.data.get("text") if form.is_bound else initial.get("text")) or "",
            platforms=[
                p
                for p in (form.data.getlist("platforms") if form.is_bound else initial.get("platforms", []))
                if p in COMPOSER_PLATFORMS
            ],
            thread=form.thread,
        )
    thread = form.thread or []
    # A bound page keeps its key (its re-render after an error saves into the same draft).
    key = request.POST.get("draft_key", "")[:36] if request.method == "POST" else ""
    return {
        "brand": brand,
        "form": form,
        "post": post,
        "draft_key": key or uuid.uuid4(),
        "thread": [
            {"text": t, "length": length_for(X)(t), "over": length_for(X)(t) > X_POST_MAX} for t in thread
        ],
        "x_limit": X_POST_MAX,
        "max_tweets": X_THREAD_MAX_TWEETS,
        "previews": _previews(brand, draft),
        "errors": errors or {},
        "general_errors": [
            m for key, messages in (errors or {}).items() if key != "thread" for m in messages
        ],
        "helper_buttons": HELPER_BUTTONS,
        "overrides": [form[f"override_{p}"] for p in COMPOSER_PLATFORMS],
        "notice": notice,
        "active": "compose",
    }


def _error_dict(exc: ValidationError) -> dict[str, list[str]]:
    return getattr(exc, "message_dict", None) or {"__all__": exc.messages}


def _apply_errors(form, errors: dict[str, list[str]]) -> dict[str, list[str]]:
    """Field errors go next to their field; a platform's problems stay keyed by platform."""
    rest = {}
    for field, messages in errors.items():
        if field in form.fields:
            form.add_error(field, messages)
        else:
            rest[field] = messages
    return rest


@brand_user_required
def composer_current(request):
    """The nav's "New post": the composer of the brand this session works on (the nav stays free
    of queries; the brand is read here)."""
    if not request.brand:
        raise Http404("No brand yet.")
    return redirect("composer:new", brand_id=request.brand.pk)


@brand_user_required
def composer(request, brand_id: int, post_id: int | None = None):
    """GET: the composer (empty, from a calendar slot's `?at=` and a trend's `?trend=`, or a
    draft's fields). POST: save the draft and go to its post page, where it is approved and
    scheduled like any post."""
    brand = _brand(request, brand_id)
    post = _editable_post(request, brand, request.POST.get("post") if request.method == "POST" else post_id)
    if request.method == "GET":
        if post is not None:
            initial = composer_initial(composer_draft_of(post), tz_name=brand.timezone)
        else:
            initial = {"platforms": [X]}
            at = request.GET.get("at", "")
            if at:
                initial["planned_for"] = at.replace(" ", "T")[:16]
            trend_id = request.GET.get("trend", "")
            if trend_id.isdigit():
                trend = selectors.composer_trend_get(brand=brand, trend_id=int(trend_id))
                initial["trend"] = trend.pk
        form = _form(request, brand, initial=initial)
        return render(request, PAGE_TEMPLATE, _context(request, brand, form, post=post))
    form = _form(request, brand)
    errors = {}
    if form.is_valid():
        try:
            post = composer_post_save(
                brand=brand,
                user=request.user,
                draft=form.draft(),
                post=post,
                key=request.POST.get("draft_key", ""),
            )
        except ValidationError as exc:
            errors = _apply_errors(form, _error_dict(exc))
        else:
            return redirect("posts:review", post_id=post.pk)
    return render(
        request, PAGE_TEMPLATE, _context(request, brand, form, post=post, errors=errors), status=422
    )


@brand_user_required
@require_POST
def composer_autosave(request, brand_id: int):
    """Save the draft as the user types (htmx, after a few quiet seconds): "Saved 12:03", or why
    not (the text stays in the page either way). The first save creates the post; its id comes
    back into the form so the next saves update it."""
    brand = _brand(request, brand_id)
    post = _editable_post(request, brand, request.POST.get("post"))
    form = _form(request, brand)
    context = {"brand": brand, "post": post, "saved_at": None, "problem": ""}
    if not form.is_valid():
        context["problem"] = " ".join(m for messages in form.errors.values() for m in messages)
        return render(request, SAVED_TEMPLATE, context, status=422)
    if post is not None and post.status not in (PostStatus.DRAFT, PostStatus.APPROVED):
        context["problem"] = f"A {post.get_status_display().lower()} post can no longer be edited."
        return render(request, SAVED_TEMPLATE, context, status=422)
    try:
        post = composer_post_save(
            brand=brand,
            user=request.user,
            draft=form.draft(),
            post=post,
            key=request.POST.get("draft_key", ""),
        )
    except ValidationError as exc:
        context["problem"] = " ".join(m for messages in _error_dict(exc).values() for m in messages)
        return render(request, SAVED_TEMPLATE, context, status=422)
    context.update(post=post, saved_at=timezone.now().astimezone(zones.zone(brand.timezone)))
    return render(request, SAVED_TEMPLATE, context)


@brand_user_required
@require_POST
def composer_preview(request, brand_id: int):
    """The per-platform previews of what is in the composer now (nothing is saved)."""
    brand = _brand(request, brand_id)
    form = _form(request, brand)
    return render(request, PREVIEW_TEMPLATE, _context(request, brand, form))


@brand_user_required
@require_POST
def composer_help(request, brand_id: int):
    """One AI helper on the composer's text (`assist`: rewrite, shorten, thread, hashtags): the
    text, the thread or the hashtags it suggests, to use or leave."""
    brand = _brand(request, brand_id)
    kind = request.POST.get("assist", "")
    trend = None
    trend_id = request.POST.get("trend", "")
    if trend_id.isdigit():
        trend = selectors.composer_trend_get(brand=brand, trend_id=int(trend_id))
    context = {"brand": brand, "kind": kind, "result": None, "problem": ""}
    try:
        context["result"] = composer_assist(
            brand=brand, kind=kind, text=request.POST.get("text", ""), trend=trend
        )
    except ValidationError as exc:
        context["problem"] = " ".join(exc.messages)
        return render(request, ASSIST_TEMPLATE, context, status=422)
    return render(request, ASSIST_TEMPLATE, context)
