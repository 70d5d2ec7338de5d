"""Scheduling from the posts list: the batch bar's date and time with Schedule selected, Add to
queue and Publish now (the list and its Approve and Reject are posts'). The list fetches the bar
on load; after an action, or without JavaScript, this app renders the list with the bar in it."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render

from apps.accounts.access import brand_user_required
from apps.brands.selectors import brand_get_for_user
from apps.core.vocabulary import NETWORKS, platform_label
from apps.posts.pages import LIST_PAGE_TEMPLATE, LIST_TEMPLATE, post_list_context

from ..forms import BatchWhenForm
from ..services import posts_batch

BATCH_BAR_TEMPLATE = "publishing/partials/batch_publish.html"
PUBLISH_ACTIONS = ("schedule", "queue", "publish")


def _brand(request, brand_id=None):
    """The brand named (a member's only, else 404) or the session's."""
    if brand_id not in (None, ""):
        try:
            return brand_get_for_user(user=request.user, brand_id=int(brand_id))
        except (TypeError, ValueError):
            raise Http404("No such brand.") from None
    if not request.brand:
        raise Http404("No brand yet.")
    return request.brand


def _short(exc: ValidationError) -> str:
    if hasattr(exc, "message_dict"):
        return " ".join(
            f"{platform_label(field)}: {m}" if field in NETWORKS else m
            for field, msgs in exc.message_dict.items()
            for m in msgs
        )
    return " ".join(exc.messages)


def _batch_publish(request, brand, action: str, ids: list[int]):
    """Schedule (at one brand-local time), queue or publish the ticked posts now
    (services.posts_batch); drafts are approved on the way."""
    when = BatchWhenForm(request.POST, brand=brand, needs_time=action == "schedule")
    if not ids:
        return {"text": "Tick the posts first.", "ok": False}, when
    if not when.is_valid():
        return {"text": "Pick a date and time in the future to schedule them.", "ok": False}, when
    try:
        result = posts_batch(
            brand=brand, user=request.user, action=action, post_ids=ids, at=when.cleaned_data.get("at")
        )
    except ValidationError as exc:
        return {"text": _short(exc), "ok": False}, when
    text = result.summary
    if when.note:
        text += f" {when.note}"
    return {"text": text, "ok": not result.failed}, (when if result.failed else None)


@brand_user_required
def batch(request):
    """GET: the batch bar (htmx), or without JavaScript the posts list with it. POST: schedule,
    queue or publish the ticked posts; says what happened to each that could not be."""
    if request.method != "POST":
        brand = _brand(request, request.GET.get("brand"))
        when_form = BatchWhenForm(brand=brand)
        if request.htmx:
            query = request.GET.copy()
            query.pop("brand", None)  # the list's filters, for the list the bar's answer re-renders
            context = {"brand": brand, "when_form": when_form, "query": query.urlencode()}
            return render(request, BATCH_BAR_TEMPLATE, context)
        context = {**post_list_context(request, brand), "batch_publish": BATCH_BAR_TEMPLATE}
        return render(request, LIST_PAGE_TEMPLATE, {**context, "when_form": when_form, "active": "posts"})
    brand = _brand(request, request.POST.get("brand"))
    action = request.POST.get("action")
    ids = [int(i) for i in request.POST.getlist("post") if i.isdigit()]
    when_form = None
    if action in PUBLISH_ACTIONS:
        summary, when_form = _batch_publish(request, brand, action, ids)
    else:
        summary = {"text": "Pick Schedule selected, Add to queue or Publish now.", "ok": False}
    if request.htmx:
        context = {
            **post_list_context(request, brand, summary=summary),
            "batch_publish": BATCH_BAR_TEMPLATE,
            "when_form": when_form or BatchWhenForm(brand=brand),
        }
        return render(request, LIST_TEMPLATE, context)
    (messages.success if summary["ok"] else messages.warning)(request, summary["text"])
    return redirect("posts:list")
