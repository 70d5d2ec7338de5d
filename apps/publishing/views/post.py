"""Publishing's part of a post page: the publish panel and its actions (publish now, schedule,
queue, unschedule, retry) beside the A/B card. The post page (posts') leaves a slot for them and
fetches them on load; after an action, or for a browser without JavaScript, this app renders the
post's review section itself with them in the slot."""

from __future__ import annotations

from datetime import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from apps.accounts.access import brand_user_required
from apps.core import zones
from apps.posts.pages import REVIEW_PAGE_TEMPLATE, REVIEW_TEMPLATE, post_review_context
from apps.posts.selectors import post_get_for_user

from .. import ab, selectors, services
from ..forms import ScheduleForm

PANEL_TEMPLATE = "publishing/partials/publish_panel.html"
PANELS_TEMPLATE = "publishing/partials/post_panels.html"


def _when(at: datetime, tz_name: str) -> str:
    local = at.astimezone(zones.zone(tz_name))
    return f"{local:%a %-d %b %Y, %H:%M} {local.tzname()}"


def _accounts(publications) -> str:
    labels = [selectors.connection_label(p.connection) for p in publications if p.connection]
    if len(labels) <= 1:
        return "".join(labels)
    return ", ".join(labels[:-1]) + " and " + labels[-1]


def _messages(exc: ValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "message_dict"):
        return exc.message_dict
    return {"__all__": exc.messages}


def panels_context(post, *, publish=None, ab_card=None) -> dict:
    """This app's cards on a post page (PANELS_TEMPLATE): the publish panel and the A/B card."""
    return {
        "post": post,
        "publish": publish or selectors.publish_panel_context(post=post),
        "ab": ab_card or ab.ab_panel_context(post=post),
    }


def post_review(request, post, *, status: int = 200, publish=None, ab_card=None):
    """The post's review section with this app's cards in its slot (htmx), else the whole post page."""
    context = {
        **post_review_context(post=post),
        **panels_context(post, publish=publish, ab_card=ab_card),
        "publish_panels": PANELS_TEMPLATE,
    }
    if request.htmx:
        return render(request, REVIEW_TEMPLATE, context, status=status)
    return render(request, REVIEW_PAGE_TEMPLATE, {**context, "active": "posts"}, status=status)


@brand_user_required
@require_GET
def post_panels(request, post_id: int):
    """The publish panel and the A/B card of a post page, fetched by the page on load; without
    JavaScript (the page's fallback link), the whole post page with them."""
    post = post_get_for_user(user=request.user, post_id=post_id)
    if not request.htmx:
        return post_review(request, post)
    return render(request, PANELS_TEMPLATE, panels_context(post))


def _panel(request, post_id: int, *, form=None, notice: str = "", errors=None, status: int = 200):
    """After an action: the post's review section with the refreshed panel (htmx; the decision,
    copy and history change with the post's status too), the whole post page again when it was
    refused without JavaScript, else a redirect to it with a message."""
    post = post_get_for_user(user=request.user, post_id=post_id)
    context = selectors.publish_panel_context(post=post, form=form, notice=notice, errors=errors)
    if request.htmx or status >= 400:
        return post_review(request, post, publish=context, status=status)
    if notice:
        messages.success(request, notice)
    return redirect("posts:review", post_id=post.pk)


def _act(request, post_id: int, action: str):
    post = post_get_for_user(user=request.user, post_id=post_id)
    form = ScheduleForm(
        request.POST,
        post=post,
        connections=selectors.brand_connections(brand_id=post.brand_id),
        needs_time=action == "schedule",
    )
    if not form.is_valid():
        return _panel(request, post.pk, form=form, status=422)
    accounts = form.cleaned_data["accounts"]
    user = request.user
    try:
        if action == "publish":
            publications = services.post_publish_now(post=post, user=user, connection_ids=accounts)
        elif action == "queue":
            publications = services.post_queue(post=post, user=user, connection_ids=accounts)
        else:
            at = form.cleaned_data["at"]
            publications = services.post_schedule(post=post, user=user, at=at, connection_ids=accounts)
    except ValidationError as exc:
        errors = []
        for field, texts in _messages(exc).items():
            if field == "accounts":
                form.add_error("accounts", texts)
            elif field == "at" and action == "schedule":
                form.add_error("time", texts)
            else:
                errors += texts
        return _panel(request, post.pk, form=form, errors=errors, status=422)
    tz_name = post.brand.timezone
    on = _accounts(publications)
    if action == "publish":
        notice = f"Publishing now on {on}. You will be told when it is live."
    elif action == "queue":
        notice = f"Added to the queue: {_when(publications[0].scheduled_for, tz_name)} on {on}."
    else:
        notice = f"Scheduled for {_when(publications[0].scheduled_for, tz_name)} on {on}."
        if form.note:
            notice += f" {form.note}"
    return _panel(request, post.pk, notice=notice)


@brand_user_required
@require_GET
def panel(request, post_id: int):
    """The panel alone (and the post's status, out of band): the post page refreshes it while a
    publication is about to go out, and when a live notification arrives."""
    post = post_get_for_user(user=request.user, post_id=post_id)
    context = selectors.publish_panel_context(post=post)
    return render(request, PANEL_TEMPLATE, {"publish": context, "post": post, "oob": True})


@brand_user_required
@require_POST
def publish_now(request, post_id: int):
    return _act(request, post_id, "publish")


@brand_user_required
@require_POST
def schedule(request, post_id: int):
    return _act(request, post_id, "schedule")


@brand_user_required
@require_POST
def queue(request, post_id: int):
    return _act(request, post_id, "queue")


@brand_user_required
@require_POST
def unschedule(request, post_id: int):
    post = post_get_for_user(user=request.user, post_id=post_id)
    try:
        services.post_unschedule(post=post, user=request.user)
    except ValidationError as exc:
        return _panel(request, post.pk, errors=exc.messages, status=422)
    return _panel(request, post.pk, notice="Unscheduled: the post is approved and off the calendar.")


@brand_user_required
@require_POST
def retry(request, publication_id: int):
    publication = selectors.publication_get_for_user(user=request.user, publication_id=publication_id)
    try:
        services.publication_retry(publication=publication, user=request.user)
    except ValidationError as exc:
        return _panel(request, publication.post_id, errors=exc.messages, status=422)
    label = selectors.connection_label(publication.connection) if publication.connection else ""
    return _panel(request, publication.post_id, notice=f"Trying again on {label} now.")
