"""Post pages: generate a post from a trend, the review page (live progress, copy per platform as
it will look there, inline edits, regenerate, approve, reject), the drafts list with batch actions,
and the graphics' files for members of the post's brand."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

from apps.accounts.access import brand_user_required
from apps.brands import selectors as brand_selectors
from apps.core.files import stored_file_response
from apps.core.vocabulary import NETWORKS, format_on, platform_label
from apps.learning.policy import learning_state, policy_choose_action
from apps.trends.selectors import trend_get

from . import approvals, selectors, services
from .forms import (
    GenerateForm,
    RegenerateForm,
    RejectForm,
    RequestChangesForm,
    copy_from_post,
    format_mapping_notes,
)
from .pages import (
    HISTORY_LIMIT,
    LIST_PAGE_TEMPLATE,
    LIST_TEMPLATE,
    REVIEW_PAGE_TEMPLATE,
    REVIEW_TEMPLATE,
    platform_view,
    post_list_context,
    post_review_context,
)

PLATFORM_TEMPLATE = "posts/partials/platform_copy.html"
GENERATE_TEMPLATE = "posts/partials/generate_panel.html"


def _brand(request, brand_id=None):
    """The brand a request is about: the one named (a member's only, else 404) or the session's."""
    if brand_id not in (None, ""):
        try:
            return brand_selectors.brand_get_for_user(user=request.user, brand_id=int(brand_id))
        except (TypeError, ValueError):
            raise Http404("No such brand.") from None
    if not request.brand:
        raise Http404("No brand yet.")
    return request.brand


# --- Generate -------------------------------------------------------------------------------------


def _suggestion(*, brand, trend) -> dict:
    """What the learning policy would pick for this brand and trend, to preselect and label: its own
    pick, never one of its 15 % explorations (the service still explores when the user takes the
    defaults)."""
    choice = policy_choose_action(
        brand=brand,
        state=learning_state(brand=brand, trend=trend),
        platforms=None,
        explore=False,
        pending_actions=lambda since: selectors.post_action_keys_since(brand_id=brand.pk, since=since),
    )
    return {
        "platform": choice.action.platform,
        "post_format": choice.action.post_format,
        "tone": choice.action.tone,
        "reason": choice.reason,
    }


def _generate_context(*, brand, trend, form=None, non_field_errors=()) -> dict:
    suggested = _suggestion(brand=brand, trend=trend)
    if form is None:
        form = GenerateForm(
            initial={
                "platforms": [suggested["platform"]],
                "post_format": suggested["post_format"],
                "tone": suggested["tone"],
            }
        )
    picked = form.data.getlist("platforms") if form.is_bound else form.initial["platforms"]
    picked_format = form.data.get("post_format") if form.is_bound else form.initial["post_format"]
    return {
        "brand": brand,
        "trend": trend,
        "form": form,
        "suggested": suggested,
        "mapping_notes": format_mapping_notes([p for p in picked if p in NETWORKS], picked_format or ""),
        "non_field_errors": non_field_errors,
    }


@brand_user_required
def generate(request, trend_id: int):
    """GET: the panel to pick platforms, format and tone. POST: start generating, go to review."""
    brand = _brand(request, request.POST.get("brand") or request.GET.get("brand"))
    trend = trend_get(trend_id=trend_id)
    form = GenerateForm(request.POST or None)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            post = services.post_generate_request(
                brand=brand, trend=trend, user=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            for field, messages_ in getattr(exc, "message_dict", {"__all__": exc.messages}).items():
                if field in form.fields:
                    form.add_error(field, messages_)
                else:
                    errors += messages_
        else:
            target = reverse("posts:review", args=[post.pk])
            return HttpResponseClientRedirect(target) if request.htmx else redirect(target)
    context = _generate_context(
        brand=brand, trend=trend, form=form if form.is_bound else None, non_field_errors=errors
    )
    if request.htmx:
        return render(request, GENERATE_TEMPLATE, context)
    return render(request, "posts/generate.html", {**context, "active": "posts"})


# --- Review ---------------------------------------------------------------------------------------


def _review(request, post, *, status: int = 200, **extra):
    context = post_review_context(post=post, **extra)
    if request.htmx:
        return render(request, REVIEW_TEMPLATE, context, status=status)
    return render(request, REVIEW_PAGE_TEMPLATE, {**context, "active": "posts"}, status=status)


@brand_user_required
def review(request, post_id: int):
    post = selectors.post_get_for_user(user=request.user, post_id=post_id)
    return _review(request, post)


@brand_user_required
def review_content(request, post_id: int):
    """The review section alone: fetched once when generation finishes (and while it runs, as a
    slow fallback for a missed live event)."""
    post = selectors.post_get_for_user(user=request.user, post_id=post_id)
    return render(request, REVIEW_TEMPLATE, post_review_context(post=post))


@brand_user_required
@require_POST
def copy_update(request, post_id: int, platform: str):
    post = selectors.post_get_for_user(user=request.user, post_id=post_id)
    copy = next((c for c in post.copies.all() if c.platform == platform), None)
    if copy is None:
        raise Http404("This post has no copy for that platform.")
    parts, caption = copy_from_post(request.POST, post_format=format_on(platform, post.post_format))
    errors: list[str] = []
    try:
        services.post_copy_update(
            post=post, platform=platform, parts=parts, caption=caption, user=request.user
        )
    except ValidationError as exc:
        errors = exc.messages
    post = selectors.post_get_for_user(user=request.user, post_id=post_id)
    if not request.htmx:
        if errors:
            messages.error(request, " ".join(errors))
        else:
            messages.success(request, f"{platform_label(platform)} copy saved.")
        return redirect("posts:review", post_id=post.pk)
    copy = next(c for c in post.copies.all() if c.platform == platform)
    if errors:
        # Not saved: show what the user typed, with the error next to it.
        copy.parts = [p.strip() for p in parts]
        if caption is not None:
            copy.caption = caption
    view = platform_view(post, copy, edit_errors=errors)
    context = {
        "post": post,
        "p": view,
        "saved": not errors,
        "edits": list(post.edits.select_related("user")[:HISTORY_LIMIT]),
        "tone_choices": RegenerateForm.base_fields["tone"].choices,
        "oob": True,
    }
    return render(request, PLATFORM_TEMPLATE, context, status=422 if errors else 200)


@brand_user_required
@require_POST
def regenerate(request, post_id: int):
    post = selectors.post_get_for_user(user=request.user, post_id=post_id)
    form = RegenerateForm(request.POST)
    notice = ""
    if not form.is_valid():
        notice = "Pick a tone or layout from the list."
    else:
        data = form.cleaned_data
        try:
            services.post_regenerate_request(
                post=post,
                user=request.user,
                platform=data["platform"] or None,
                tone=data["tone"] or None,
                graphics=data["graphics"],
                layout=data["layout"],
            )
        except ValidationError as exc:
            notice = " ".join(exc.messages)
    post = selectors.post_get_for_user(user=request.user, post_id=post_id)
    if not request.htmx:
        if notice:
            messages.error(request, notice)
        return redirect("posts:review", post_id=post.pk)
    return _review(request, post, notice=notice, status=422 if notice else 200)


@brand_user_required
@require_POST
def approve(request, post_id: int):
    post = selectors.post_get_for_user(user=request.user, post_id=post_id)
    try:
        services.post_approve(post=post, user=request.user)
    except ValidationError as exc:
        errors = getattr(exc, "message_dict", None) or {"__all__": exc.messages}
        return _review(request, post, approve_errors=errors, status=422)
    post = selectors.post_get_for_user(user=request.user, post_id=post_id)
    return _review(request, post, notice="Approved. It is ready to be scheduled.")


@brand_user_required
@require_POST
def submit_for_approval(request, post_id: int):
    post = selectors.post_get_for_user(user=request.user, post_id=post_id)
    try:
        approvals.post_submit_for_approval(post=post, user=request.user)
    except ValidationError as exc:
        errors = getattr(exc, "message_dict", None) or {"__all__": exc.messages}
        return _review(request, post, approve_errors=errors, status=422)
    post = selectors.post_get_for_user(user=request.user, post_id=post_id)
    return _review(request, post, notice="Submitted. The brand's approvers have been told.")


@brand_user_required
@require_POST
def request_changes(request, post_id: int):
    post = selectors.post_get_for_user(user=request.user, post_id=post_id)
    form = RequestChangesForm(request.POST)
    if form.is_valid():
        try:
            approvals.post_request_changes(post=post, user=request.user, note=form.cleaned_data["note"])
        except ValidationError as exc:
            for field, messages_ in getattr(exc, "message_dict", {None: exc.messages}).items():
                form.add_error(field if field in form.fields else None, messages_)
        else:
            post = selectors.post_get_for_user(user=request.user, post_id=post_id)
            return _review(request, post, notice="Sent back for changes. The author has been told.")
    return _review(request, post, changes_form=form, status=422)


@brand_user_required
@require_POST
def reject(request, post_id: int):
    post = selectors.post_get_for_user(user=request.user, post_id=post_id)
    form = RejectForm(request.POST)
    if form.is_valid():
        try:
            services.post_reject(post=post, user=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            post = selectors.post_get_for_user(user=request.user, post_id=post_id)
            return _review(request, post, notice="Rejected. The reason is kept with the post.")
    return _review(request, post, reject_form=form, status=422)


@brand_user_required
def graphic_file(request, post_id: int, graphic_id: int, variant: str = "full"):
    """A post graphic's stored file, for members of the post's brand only (no public /media/)."""
    post = selectors.post_get_for_user(user=request.user, post_id=post_id)
    graphic = next((g for g in post.graphics.all() if g.pk == graphic_id), None)
    name = (
        getattr(graphic, variant, "")
        if graphic is not None and variant in ("full", "medium", "thumbnail")
        else ""
    )
    if not name:
        raise Http404("No such graphic.")
    try:
        stored = default_storage.open(name, "rb")
    except (FileNotFoundError, OSError):
        raise Http404("No file.") from None
    return stored_file_response(stored)


# --- Drafts list ----------------------------------------------------------------------------------


@brand_user_required
def post_list(request):
    brand = _brand(request, request.GET.get("brand"))
    context = post_list_context(request, brand)
    if request.htmx:
        return render(request, LIST_TEMPLATE, context)
    return render(request, LIST_PAGE_TEMPLATE, {**context, "active": "posts"})


@brand_user_required
@require_POST
def batch(request):
    """Approve or reject the ticked posts; says what happened to each that could not be. (Scheduling,
    queueing and publishing them is publishing's: its buttons in the batch bar post there.)"""
    brand = _brand(request, request.POST.get("brand"))
    action = request.POST.get("action")
    ids = [int(i) for i in request.POST.getlist("post") if i.isdigit()]
    reason = request.POST.get("reason", "").strip()
    verb = "approved" if action == "approve" else "rejected"
    if action not in ("approve", "reject"):
        summary = {"text": "Pick Approve or Reject.", "ok": False}
    elif not ids:
        summary = {"text": "Tick the posts first.", "ok": False}
    else:
        try:
            done, failed = services.posts_batch_decide(
                brand=brand, post_ids=ids, user=request.user, approve=action == "approve", reason=reason
            )
        except ValidationError as exc:
            summary = {"text": _short(exc), "ok": False}
        else:
            text = [f"{len(done)} {verb}"]
            if failed:
                text.append(
                    f"{len(failed)} could not be: " + "; ".join(f"#{p.pk}: {_short(e)}" for p, e in failed)
                )
            summary = {"text": "; ".join(text), "ok": not failed}
    if request.htmx:
        return render(request, LIST_TEMPLATE, post_list_context(request, brand, summary=summary))
    (messages.success if summary["ok"] else messages.warning)(request, summary["text"])
    return redirect("posts:list")


def _short(exc: ValidationError) -> str:
    if hasattr(exc, "message_dict"):
        return " ".join(
            f"{platform_label(field)}: {m}" if field in NETWORKS else m
            for field, msgs in exc.message_dict.items()
            for m in msgs
        )
    return " ".join(exc.messages)
