"""Comment pages of a post: its thread (write, resolve), its preview links (create, revoke), and
the public read-only preview page an outside reviewer opens from a link and comments on."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from apps.accounts.access import brand_user_required

from . import comments as services
from . import selectors
from .forms import CommentForm, GuestCommentForm, PreviewLinkForm
from .pages import COMMENTS_TEMPLATE, post_thread_context, preview_platforms


def _add_errors(form, exc: ValidationError) -> None:
    for field, messages_ in getattr(exc, "message_dict", {None: exc.messages}).items():
        form.add_error(field if field in form.fields else None, messages_)


def _thread(request, post, *, status: int = 200, **extra):
    if not request.htmx:
        return redirect(reverse("posts:review", args=[post.pk]) + "#comments")
    return render(
        request, COMMENTS_TEMPLATE, post_thread_context(post=post, request=request, **extra), status=status
    )


@brand_user_required
def comments(request, post_id: int):
    """GET: the thread. POST: a member's comment (its @mentions are notified)."""
    post = selectors.post_get_for_user(user=request.user, post_id=post_id)
    if request.method != "POST":
        return _thread(request, post)
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            services.comment_create(post=post, user=request.user, body=form.cleaned_data["body"])
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            return _thread(request, post)
    if not request.htmx:
        messages.error(request, " ".join(m for errs in form.errors.values() for m in errs))
    return _thread(request, post, comment_form=form, status=422)


@brand_user_required
@require_POST
def resolve(request, post_id: int, comment_id: int):
    comment = selectors.comment_get_for_user(user=request.user, post_id=post_id, comment_id=comment_id)
    services.comment_resolve(comment=comment, user=request.user, resolved=request.POST.get("resolved") != "0")
    return _thread(request, comment.post)


@brand_user_required
@require_POST
def preview_link_create(request, post_id: int):
    post = selectors.post_get_for_user(user=request.user, post_id=post_id)
    form = PreviewLinkForm(request.POST)
    if form.is_valid():
        try:
            link = services.preview_link_create(post=post, user=request.user, days=form.cleaned_data["days"])
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            return _thread(request, post, new_link=link)
    if not request.htmx:
        messages.error(request, " ".join(m for errs in form.errors.values() for m in errs))
    return _thread(request, post, link_form=form, status=422)


@brand_user_required
@require_POST
def preview_link_revoke(request, post_id: int, link_id: int):
    link = selectors.preview_link_get_for_user(user=request.user, post_id=post_id, link_id=link_id)
    services.preview_link_revoke(link=link, user=request.user)
    return _thread(request, link.post)


def preview(request, token: str):
    """The public preview page: no account needed. An unknown token is a 404; an expired or
    revoked link is a 410 page that says which."""
    try:
        link = services.preview_link_open(token=token)
    except services.PreviewLinkGone as gone:
        return render(request, "posts/preview_gone.html", {"reason": gone.reason}, status=410)
    post = link.post
    form = GuestCommentForm(request.POST or None)
    status, sent = 200, False
    if request.method == "POST":
        if form.is_valid():
            try:
                services.guest_comment_create(
                    link=link, name=form.cleaned_data["name"], body=form.cleaned_data["body"]
                )
            except ValidationError as exc:
                _add_errors(form, exc)
                status = 422
            else:
                sent, form = True, GuestCommentForm(initial={"name": form.cleaned_data["name"]})
        else:
            status = 422
    context = {
        "post": post,
        "brand": post.brand,
        "link": link,
        "previews": preview_platforms(post),
        "comments": [
            c for c in selectors.comment_list(post=post) if c.author_id is None and c.resolved_at is None
        ],
        "form": form,
        "sent": sent,
    }
    return render(request, "posts/preview_public.html", context, status=status)
