"""Read queries for memes and templates, used by pages, the API and the live feed."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from apps.memes import trending
from apps.memes.models import Meme, MemeReaction, MemeTemplate, MemeVote
from apps.memes.people import OWNER_RELATED
from apps.trends.models import Trend


def _signed_in(user) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False))


def feed_memes() -> QuerySet[Meme]:
    """Memes everyone may see: public and not flagged or hidden."""
    return Meme.objects.filter(is_public=True, moderation=Meme.Moderation.VISIBLE).select_related(
        "template", *OWNER_RELATED
    )


def meme_get_visible(*, meme_id: int, user=None) -> Meme:
    """A meme the user may see: in the feed, their own, or any for staff. 404 otherwise (never 403:
    a private meme's existence is not revealed)."""
    queryset = Meme.objects.select_related("template", *OWNER_RELATED)
    if not _signed_in(user):
        queryset = queryset.filter(is_public=True, moderation=Meme.Moderation.VISIBLE)
    elif not user.is_staff:
        queryset = queryset.filter(Q(is_public=True, moderation=Meme.Moderation.VISIBLE) | Q(owner=user))
    meme = queryset.filter(pk=meme_id).first()
    if meme is None:
        raise Http404("No such meme.")
    return meme


def meme_get_owned(*, meme_id: int, user) -> Meme:
    """The user's own meme (staff: any); 404 otherwise."""
    queryset = Meme.objects.select_related("template", "owner")
    if not user.is_staff:
        queryset = queryset.filter(owner=user)
    meme = queryset.filter(pk=meme_id).first()
    if meme is None:
        raise Http404("No such meme.")
    return meme


def memes_of_owner(*, user) -> QuerySet[Meme]:
    return Meme.objects.filter(owner=user).select_related("template").order_by("-created_at")


def feed_latest(*, before_id: int | None = None, limit: int = 20) -> list[Meme]:
    queryset = feed_memes().order_by("-created_at", "-pk")
    if before_id:
        queryset = queryset.filter(pk__lt=before_id)
    return list(queryset[:limit])


def feed_trending(*, offset: int = 0, limit: int = 20) -> tuple[list[Meme], int]:
    """One page of the trending order (from the sorted set, see trending.py) and the feed's size.
    Ids that are no longer visible (hidden between two reads) are dropped."""
    ids, total = trending.trending_ids(offset=offset, limit=limit)
    by_id = feed_memes().in_bulk(ids)
    return [by_id[i] for i in ids if i in by_id], total


def votes_of_user(*, user, memes) -> dict[int, int]:
    """{meme id: 1 or -1} for the user's votes on `memes` (one query)."""
    if not _signed_in(user):
        return {}
    return dict(MemeVote.objects.filter(user=user, meme__in=memes).values_list("meme_id", "value"))


def reactions_of_user(*, user, memes) -> dict[int, set[str]]:
    """{meme id: {emoji key, …}} for the user's reactions on `memes` (one query)."""
    if not _signed_in(user):
        return {}
    out: dict[int, set[str]] = {}
    for meme_id, emoji in MemeReaction.objects.filter(user=user, meme__in=memes).values_list(
        "meme_id", "emoji"
    ):
        out.setdefault(meme_id, set()).add(emoji)
    return out


def templates_usable(*, user=None) -> QuerySet[MemeTemplate]:
    """Approved templates, plus the user's own uploads that wait for approval."""
    condition = Q(status=MemeTemplate.Status.APPROVED)
    if _signed_in(user):
        condition |= Q(status=MemeTemplate.Status.PENDING, uploaded_by=user)
    return MemeTemplate.objects.filter(condition)


def template_search(*, query: str = "", tag: str = "", user=None, limit: int = 50) -> list[MemeTemplate]:
    """Templates whose name or tags match every word of `query` (and `tag`, when given), most
    used first."""
    queryset = templates_usable(user=user)
    for word in query.split()[:8]:
        queryset = queryset.filter(Q(name__icontains=word) | Q(tags__icontains=word))
    if tag:
        queryset = queryset.with_tag(tag)
    return list(queryset.order_by("-use_count", "name")[:limit])


def template_get_usable(*, slug: str, user=None) -> MemeTemplate:
    template = templates_usable(user=user).filter(slug=slug).first()
    if template is None:
        raise Http404("No such template.")
    return template


def templates_of_uploader(*, user) -> QuerySet[MemeTemplate]:
    return MemeTemplate.objects.filter(uploaded_by=user).order_by("-created_at")


def templates_pending() -> QuerySet[MemeTemplate]:
    return MemeTemplate.objects.filter(status=MemeTemplate.Status.PENDING).select_related("uploaded_by")


def memes_flagged() -> QuerySet[Meme]:
    return Meme.objects.filter(is_public=True, moderation=Meme.Moderation.FLAGGED).select_related(
        "template", "owner"
    )


# --- feed


def memes_hidden_recent(*, limit: int = 20) -> list[Meme]:
    """Memes staff hid, newest first (the moderation page lists them with a Show button)."""
    return list(
        Meme.objects.filter(moderation=Meme.Moderation.HIDDEN)
        .select_related("template", "owner")
        .order_by("-created_at", "-pk")[:limit]
    )


# --- maker


def trends_for_captions(*, limit: int = 20) -> list:
    """The latest trends that have not expired, for the caption helper's trend picker."""

    return list(
        Trend.objects.active().order_by("-last_seen_at", "-pk").only("pk", "title", "summary")[:limit]
    )


def trend_for_captions(*, trend_id) -> object | None:
    """One trend of the caption helper's picker (not expired), or None."""

    try:
        trend_id = int(trend_id)
    except (TypeError, ValueError):
        return None
    return Trend.objects.active().filter(pk=trend_id).only("pk", "title", "summary").first()


# --- API


def template_search_page(
    *, query: str = "", tag: str = "", user=None, offset: int = 0, limit: int = 50
) -> tuple[list[MemeTemplate], int]:
    """One page of ``template_search``'s order and the number of matches."""
    queryset = templates_usable(user=user)
    for word in query.split()[:8]:
        queryset = queryset.filter(Q(name__icontains=word) | Q(tags__icontains=word))
    if tag:
        queryset = queryset.with_tag(tag)
    return list(queryset.order_by("-use_count", "name")[offset : offset + limit]), queryset.count()
