"""The A/B card's actions on a post page: create variant B (then go to it) and put both variants
on the calendar. The card is publishing's (apps.publishing.ab); variant B itself is posts'."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

from apps.accounts.access import brand_user_required
from apps.posts import ab as variants
from apps.posts.selectors import post_get_for_user

from .. import ab
from .post import post_review


def _messages(exc: ValidationError) -> list[str]:
    if hasattr(exc, "message_dict"):
        return [m for msgs in exc.message_dict.values() for m in msgs]
    return list(exc.messages)


def _with_card(request, post, *, errors=(), notice: str = "", status: int = 200):
    """The review section with the A/B card showing `errors` or `notice`; without JavaScript, the
    post page with a message."""
    if not request.htmx:
        if errors:
            messages.error(request, " ".join(errors))
        elif notice:
            messages.success(request, notice)
        return redirect("posts:review", post_id=post.pk)
    card = ab.ab_panel_context(post=post, errors=list(errors), notice=notice)
    return post_review(request, post, ab_card=card, status=status)


@brand_user_required
@require_POST
def ab_variant_create(request, post_id: int):
    post = post_get_for_user(user=request.user, post_id=post_id)
    try:
        variant = variants.ab_variant_create(post=post, user=request.user)
    except ValidationError as exc:
        conflict = isinstance(exc, variants.ABConflict)
        return _with_card(request, post, errors=_messages(exc), status=409 if conflict else 422)
    target = reverse("posts:review", args=[variant.pk])
    return HttpResponseClientRedirect(target) if request.htmx else redirect(target)


@brand_user_required
@require_POST
def ab_schedule(request, post_id: int):
    post = post_get_for_user(user=request.user, post_id=post_id)
    try:
        planned = ab.ab_schedule(post=post, user=request.user, mode=request.POST.get("mode") or "slots")
    except ValidationError as exc:
        return _with_card(request, post, errors=_messages(exc), status=422)
    post = post_get_for_user(user=request.user, post_id=post_id)
    return _with_card(request, post, notice=planned.summary)
