"""The public live meme feed (Latest and Trending), a meme's own page, votes and reactions from those
pages, the owner's and staff's actions on a meme, and the staff moderation page."""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_GET, require_POST

from apps.accounts.access import staff_required
from apps.memes import cards, generation, selectors, services, trending
from apps.memes.models import REACTIONS, MemeTemplate
from apps.memes.render import RenderError
from apps.memes.views.files import template_image_url

PAGE_SIZE = 10
_reactions_per_vote = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five"}.get(
    round(1 / trending.REACTION_WEIGHT), f"{1 / trending.REACTION_WEIGHT:g}"
)
# Said in words for visitors; the formula itself is in apps/memes/trending.py and the README.
TRENDING_HELP = (
    "Trending puts first the memes people like most: up votes count for a meme, down votes against "
    f"it, and every {_reactions_per_vote} reactions count as one more up vote. Newer memes get a head "
    "start, so a fresh meme with a few votes can sit above an older one with many, and yesterday's "
    "favourites slowly make room."
)


def member_required(view):
    """Signed-in users only. A page request goes to the login page; an htmx request (a vote button
    on a card that arrived live) is told to go there, with the page it came from as ``next``."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.user.is_authenticated:
            return view(request, *args, **kwargs)
        if request.htmx:
            current = request.htmx.current_url_abs_path or reverse("memes:feed")
            response = HttpResponse("Log in to do this.", status=401)
            response["HX-Redirect"] = f"{reverse('account_login')}?{urlencode({'next': current})}"
            return response
        return redirect_to_login(request.get_full_path())

    return wrapper


def _next_url(request, default: str) -> str:
    url = request.POST.get("next") or request.GET.get("next") or ""
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return default


def _validation_message(exc: ValidationError) -> str:
    if hasattr(exc, "message_dict"):
        return " ".join(message for messages_ in exc.message_dict.values() for message in messages_)
    return " ".join(exc.messages)


def _cards(request, memes) -> list[cards.MemeCard]:
    return cards.cards_for(
        memes,
        votes=selectors.votes_of_user(user=request.user, memes=memes),
        reactions=selectors.reactions_of_user(user=request.user, memes=memes),
    )


# --- The feed ---------------------------------------------------------------------------------------


def _feed_context(request, tab: str) -> dict:
    if tab == "latest":
        raw = request.GET.get("before", "")
        if raw and not raw.isdigit():
            raise ValueError("before must be a meme id (a whole number).")
        memes = selectors.feed_latest(before_id=int(raw) if raw else None, limit=PAGE_SIZE + 1)
        has_more, memes = len(memes) > PAGE_SIZE, memes[:PAGE_SIZE]
        more_url = f"{reverse('memes:feed')}?before={memes[-1].pk}" if has_more else ""
        first_page = not raw
    else:
        raw = request.GET.get("page", "1")
        if not raw.isdigit() or not 1 <= int(raw) <= 1000:
            raise ValueError("page must be a whole number from 1 to 1000.")
        page = int(raw)
        memes, total = selectors.feed_trending(offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE)
        has_more = page * PAGE_SIZE < total
        more_url = f"{reverse('memes:trending')}?page={page + 1}" if has_more else ""
        first_page = page == 1
    return {
        "tab": tab,
        "list_id": f"feed-{tab}",
        "cards": _cards(request, memes),
        "more_url": more_url,
        "first_page": first_page,
        "viewer": cards.audience_of(request.user),
        "next_url": request.path,
        "trending_help": TRENDING_HELP,
        "active": "memes",
    }


def _feed(request, tab: str):
    try:
        context = _feed_context(request, tab)
    except ValueError as exc:
        return HttpResponseBadRequest(str(exc))
    if request.htmx and not context["first_page"]:
        return render(request, "memes/partials/feed_page.html", context)
    return render(request, "memes/feed.html", context)


@require_GET
def feed_latest(request):
    return _feed(request, "latest")


@require_GET
def feed_trending(request):
    return _feed(request, "trending")


# --- One meme ---------------------------------------------------------------------------------------


def _figure(meme, *, wait: float | None) -> dict:
    """The detail page's picture: ready, or (an animated meme the worker is still drawing) on its
    way, or why it cannot be drawn. Stills are drawn on request by the file view as before."""
    if not (meme.template.is_animated and meme.format in ("gif", "webp")):
        return {"image_ready": True}
    try:
        services.meme_size_ensure(meme=meme, size="full", background=True, wait=wait)
    except generation.RenderPending:
        return {"image_ready": False}
    except RenderError as exc:
        return {"image_ready": False, "image_error": str(exc)}
    return {"image_ready": True}


@require_GET
def meme_detail(request, meme_id: int):
    meme = selectors.meme_get_visible(meme_id=meme_id, user=request.user)
    card = _cards(request, [meme])[0]
    user = request.user
    return render(
        request,
        "memes/detail.html",
        {
            **_figure(meme, wait=0),
            "card": card,
            "meme": meme,
            "viewer": cards.audience_of(user),
            "is_owner": user.is_authenticated and meme.owner_id == user.pk,
            "is_live": meme.is_public and meme.moderation == meme.Moderation.VISIBLE,
            "next_url": request.path,
            "make_url": f"/memes/make/?template={meme.template.slug}",
            "active": "memes",
        },
    )


@require_GET
def meme_detail_image(request, meme_id: int):
    """The detail page's picture (htmx polls it while the worker renders an animated meme)."""
    meme = selectors.meme_get_visible(meme_id=meme_id, user=request.user)
    context = {**_figure(meme, wait=None), "card": cards.MemeCard(meme), "meme": meme}
    return render(request, "memes/partials/detail_figure.html", context)


def _card_for_user(request, meme, *, vote=None, mine=None) -> cards.MemeCard:
    if vote is None:
        vote = selectors.votes_of_user(user=request.user, memes=[meme]).get(meme.pk, 0)
    if mine is None:
        mine = selectors.reactions_of_user(user=request.user, memes=[meme]).get(meme.pk, set())
    return cards.MemeCard(meme, vote=vote, mine=frozenset(mine))


@require_POST
@member_required
def meme_vote(request, meme_id: int):
    meme = selectors.meme_get_visible(meme_id=meme_id, user=request.user)
    raw = request.POST.get("value", "")
    if raw not in ("1", "-1", "0"):
        return HttpResponseBadRequest("value must be 1 (up), -1 (down) or 0 (take the vote back).")
    try:
        meme, value = services.meme_vote(meme=meme, user=request.user, value=int(raw))
    except ValidationError as exc:
        return HttpResponseBadRequest(_validation_message(exc))
    if not request.htmx:
        return redirect(_next_url(request, reverse("memes:detail", args=[meme.pk])))
    card = _card_for_user(request, meme, vote=value, mine=())
    return render(
        request,
        "memes/partials/vote.html",
        {"card": card, "viewer": cards.audience_of(request.user), "next_url": _next_url(request, "")},
    )


@require_POST
@member_required
def meme_react(request, meme_id: int):
    meme = selectors.meme_get_visible(meme_id=meme_id, user=request.user)
    # A button says what it wants ("laugh:on" / "laugh:off"), so a double click does not undo itself.
    emoji, _, state = request.POST.get("emoji", "").partition(":")
    if emoji not in REACTIONS:
        return HttpResponseBadRequest(f"emoji must be one of {', '.join(REACTIONS)}.")
    if state not in ("", "on", "off"):
        return HttpResponseBadRequest("A reaction is turned on or off.")
    on = None if not state else state == "on"
    meme, _ = services.meme_react(meme=meme, user=request.user, emoji=emoji, on=on)
    if not request.htmx:
        return redirect(_next_url(request, reverse("memes:detail", args=[meme.pk])))
    card = _card_for_user(request, meme, vote=0)
    return render(
        request,
        "memes/partials/reactions.html",
        {"card": card, "viewer": cards.audience_of(request.user), "next_url": _next_url(request, "")},
    )


@require_POST
@member_required
def meme_delete(request, meme_id: int):
    meme = selectors.meme_get_visible(meme_id=meme_id, user=request.user)
    services.meme_delete(meme=meme, user=request.user)  # owner or staff, else 404
    messages.success(request, "The meme was deleted.")
    target = reverse("memes:feed")
    if request.htmx:
        response = HttpResponse(status=204)
        response["HX-Redirect"] = target
        return response
    return redirect(target)


@require_POST
@member_required
def meme_publish(request, meme_id: int):
    meme = selectors.meme_get_owned(meme_id=meme_id, user=request.user)
    try:
        meme = services.meme_publish(meme=meme, user=request.user)
    except ValidationError as exc:
        messages.error(request, _validation_message(exc))
    else:
        if meme.moderation == meme.Moderation.FLAGGED:
            messages.warning(
                request,
                f"Your meme waits for a staff review before it enters the feed: {meme.moderation_reason}",
            )
        else:
            messages.success(request, "Your meme is in the public feed.")
    return redirect("memes:detail", meme_id=meme.pk)


@require_POST
@staff_required
def meme_moderate(request, meme_id: int):
    meme = selectors.meme_get_visible(meme_id=meme_id, user=request.user)
    action = request.POST.get("action", "")
    reason = request.POST.get("reason", "").strip()[:300]
    try:
        meme = services.meme_moderate(meme=meme, user=request.user, action=action, reason=reason)
    except ValidationError as exc:
        return HttpResponseBadRequest(_validation_message(exc))
    if request.htmx and request.POST.get("from") == "card":
        return HttpResponse("")  # the card is swapped out; other viewers lose it by the live event
    messages.success(
        request,
        "The meme is hidden and left every open feed." if action == "hide" else "The meme is visible again.",
    )
    return redirect(_next_url(request, reverse("memes:detail", args=[meme.pk])))


# --- Staff moderation -------------------------------------------------------------------------------


@require_GET
@staff_required
def moderation(request):
    flagged = list(selectors.memes_flagged().order_by("-created_at")[:50])
    hidden = selectors.memes_hidden_recent(limit=20)
    return render(
        request,
        "memes/moderation.html",
        {
            "flagged": cards.cards_for(flagged),
            "hidden": cards.cards_for(hidden),
            "pending": [
                (template, template_image_url(template))
                for template in selectors.templates_pending().order_by("created_at")[:50]
            ],
            "next_url": request.path,
            "active": "moderation",
        },
    )


@require_POST
@staff_required
def template_review(request, template_id: int):
    template = get_object_or_404(MemeTemplate, pk=template_id, status=MemeTemplate.Status.PENDING)
    decision = request.POST.get("decision", "")
    if decision not in ("approve", "reject"):
        return HttpResponseBadRequest("decision must be approve or reject.")
    note = request.POST.get("note", "").strip()[:300]
    try:
        services.template_review(
            template=template, user=request.user, approve=decision == "approve", note=note
        )
    except PermissionDenied:
        raise Http404 from None
    if decision == "approve":
        messages.success(request, f"“{template.name}” is approved; everyone can make memes from it now.")
    else:
        messages.success(request, f"“{template.name}” is rejected; its uploader was told why.")
    return redirect("memes:moderation")
