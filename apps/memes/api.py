"""API: generate memes (one or a batch), read, trending and latest feeds, my memes, delete, vote,
react, moderate, and search templates.

Reads of public things (trending, latest, a public meme, templates) need no sign-in, but a signed-in
caller (session or token) is still recognised, so their own private memes and pending templates
show. Making memes counts against the generation rate limit (``ratelimit``): 429 with Retry-After.

``GET /memes/trending`` is on the hottest path of the site: the page's JSON is kept in process
memory per (host, page, page size) until ``trending.trending_version()`` changes, and that version
is read from Redis at most once a second per process; a request is then a dictionary lookup plus
returning bytes (with an ETag; clients may keep it for 2 s).
"""

from __future__ import annotations

import hashlib
import json
import threading
import time

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.utils.http import urlencode
from ninja import Query, Router, Status
from pydantic import ValidationError as PydanticValidationError

from apps.accounts.api_auth import API_AUTH
from apps.core.api import schema_errors, validation_messages
from apps.memes import generation, ratelimit, render, selectors, services, trending
from apps.memes.models import Meme, MemeTemplate
from apps.memes.people import OWNER_RELATED, public_author
from apps.memes.views import files as file_views

from .schemas import (
    MemeBatchIn,
    MemeBatchOut,
    MemeDetailOut,
    MemeErrorOut,
    MemeIn,
    MemeLatestOut,
    MemeModerateIn,
    MemePageOut,
    MemeReactionIn,
    MemeReactionOut,
    MemeTemplateOut,
    MemeTemplatePageOut,
    MemeVoteIn,
    MemeVoteOut,
)

router = Router(tags=["memes"])


def anonymous(request) -> bool:
    """Last in an auth list: lets the request through unauthenticated (request.user is then the
    session's user, or AnonymousUser)."""
    return True


OPTIONAL_AUTH = [*API_AUTH, anonymous]
RATE_LIMITED = {429: MemeErrorOut}


# --- Serialising ----------------------------------------------------------------------------------


def _base(request) -> str:
    return f"{request.scheme}://{request.get_host()}"


_files_prefix: str | None = None


def _file_urls(base: str, key: str, fmt: str) -> dict[str, str]:
    global _files_prefix
    if _files_prefix is None:  # "/memes/r/" (reverse once; it is the same for every key)
        _files_prefix = file_views.file_url("0" * 64, "full", "jpeg").rsplit("/", 1)[0] + "/"
    ext = generation.EXTENSIONS[fmt]
    return {size: f"{base}{_files_prefix}{key}-{size}.{ext}" for size in render.SIZES}


def meme_data(meme: Meme, base: str) -> dict:
    """The public fields of a meme (MemeOut), ready for JSON."""
    return {
        "id": meme.pk,
        "template": meme.template.slug,
        "template_name": meme.template.name,
        "author": public_author(meme.owner).name,
        "texts": meme.texts,
        "format": meme.format,
        "is_public": meme.is_public,
        "moderation": meme.moderation,
        "score": meme.score,
        "up_votes": meme.up_votes,
        "down_votes": meme.down_votes,
        "reactions": meme.reactions or {},
        "created_at": meme.created_at,
        "urls": _file_urls(base, meme.cache_key, meme.format),
    }


def meme_detail(request, meme: Meme) -> dict:
    data = meme_data(meme, _base(request))
    # An animated meme's image is rendered by the worker: "rendering" until its file is stored.
    data["status"] = "ready" if services.rendered_ready(meme=meme, size=meme.size) else "rendering"
    user = request.user
    data["your_vote"] = selectors.votes_of_user(user=user, memes=[meme]).get(meme.pk, 0)
    data["your_reactions"] = sorted(selectors.reactions_of_user(user=user, memes=[meme]).get(meme.pk, ()))
    return data


def template_data(template: MemeTemplate, base: str) -> dict:
    return {
        "slug": template.slug,
        "name": template.name,
        "tags": template.tag_list,
        "width": template.width,
        "height": template.height,
        "is_animated": template.is_animated,
        "frame_count": template.frame_count,
        "status": template.status,
        "boxes": [
            {k: getattr(box, k) for k in ("x", "y", "w", "h", "align", "valign", "uppercase")}
            for box in template.text_boxes()
        ],
        "image_url": base + file_views.template_image_url(template),
        "render_url": base + file_views.render_url(template),
    }


def _page_links(request, page: int, page_size: int, count: int, **extra) -> tuple[str | None, str | None]:
    url = f"{_base(request)}{request.path}?"
    pages = max(1, -(-count // page_size))
    next_url = (
        f"{url}{urlencode({**extra, 'page': page + 1, 'page_size': page_size})}" if page < pages else None
    )
    previous_url = (
        f"{url}{urlencode({**extra, 'page': min(page - 1, pages), 'page_size': page_size})}"
        if page > 1
        else None
    )
    return next_url, previous_url


class RateLimited(Exception):
    def __init__(self, wait: int):
        super().__init__(f"Too many memes generated; try again in {wait} s.")
        self.wait = wait


def _rate_limited(wait: int) -> HttpResponse:
    response = HttpResponse(
        json.dumps({"detail": str(RateLimited(wait))}),
        status=429,
        content_type="application/json",
    )
    response["Retry-After"] = str(wait)
    return response


# --- Making memes ---------------------------------------------------------------------------------


def _spec(item: MemeIn, template: MemeTemplate) -> generation.MemeSpec:
    """The checked spec of a request; raises ValidationError naming each bad field."""
    errors = {}
    try:
        spec = generation.spec_from_input(
            template=template,
            texts=item.texts,
            boxes=[box.model_dump() for box in item.boxes] if item.boxes else None,
            font=item.font,
            fill=item.fill,
            stroke=item.stroke,
            effect=item.effect,
            align=item.align,
            filters=item.filters,
            format=item.format,
        )
    except ValidationError as exc:
        errors = validation_messages(exc)
        spec = None
    for i, flt in enumerate(item.filters if isinstance(item.filters, list) else ()):
        unknown = set(flt) - {"name", "value"} if isinstance(flt, dict) else ()
        if unknown:
            errors[f"filters[{i}]"] = [f"Unknown field(s) {', '.join(sorted(unknown))}; use name and value."]
    if item.size not in render.SIZES:
        errors["size"] = [f"Unknown size {item.size[:20]!r}; use {', '.join(render.SIZES)}."]
    if errors:
        raise ValidationError(errors)
    return spec


def _generate(
    request, item: MemeIn, templates: dict | None = None, wait: float | None = None
) -> tuple[Meme, bool]:
    """Check, rate-limit and make one meme (an animated one rendered by the worker, waited for
    up to `wait` seconds). Raises Http404 (unknown template), ValidationError (bad input, per
    field) or RateLimited."""
    user = request.user
    templates = {} if templates is None else templates
    template = templates.get(item.template)
    if template is None:
        template = templates[item.template] = selectors.template_get_usable(slug=item.template, user=user)
    spec = _spec(item, template)
    # Asking again for a meme one already has costs no rendering (and a retry after a timeout
    # should not use up the limit).
    if not Meme.objects.filter(owner=user, cache_key=spec.key).exists():
        wait = ratelimit.generation_take_for_request(request, user)
        if wait:
            raise RateLimited(wait)
    try:
        return services.meme_create(
            user=user, spec=spec, size=item.size, is_public=item.is_public, background=True, wait=wait
        )
    except render.RenderError as exc:  # a template image that no longer decodes
        raise ValidationError({"template": [str(exc)]}) from exc


@router.post(
    "/memes",
    response={
        200: MemeDetailOut,
        201: MemeDetailOut,
        202: MemeDetailOut,
        404: MemeErrorOut,
        422: MemeErrorOut,
        **RATE_LIMITED,
    },
    summary="Generate a meme",
)
def meme_create(request, payload: MemeIn, response: HttpResponse):
    """Make a meme: 201 with its id and an image URL per size. Asking for the same pixels again
    answers 200 with the meme you already have. An animated meme is rendered by the worker; when
    it takes longer than about two seconds the answer is 202 with `status` "rendering": the
    meme's URLs answer 202 (Retry-After) until the image is stored, and GET /memes/{id} (the
    Location) says `status` "ready" once it is."""
    try:
        meme, created = _generate(request, payload)
    except RateLimited as exc:
        return _rate_limited(exc.wait)
    data = meme_detail(request, meme)
    if data["status"] == "rendering":
        response["Location"] = f"{_base(request)}{request.path.rstrip('/')}/{meme.pk}"
        response["Retry-After"] = str(generation.RENDER_RETRY_AFTER)
        return Status(202, data)
    return Status(201 if created else 200, data)


@router.post(
    "/memes/batch",
    response={200: MemeBatchOut, 207: MemeBatchOut, 422: MemeErrorOut},
    summary="Generate up to 50 memes",
)
def meme_batch(request, payload: MemeBatchIn):
    """Make up to 50 memes. Each item is checked, rate-limited and made on its own and has its own
    result: `status` 201 (made), 202 (made, its animation still being rendered by the worker), 200
    (you had it already), 404 (unknown template), 422 (bad input,
    `errors` per field) or 429 (over the rate limit, `retry_after` seconds). The response is 200
    when every item succeeded, 207 (Multi-Status) when at least one did not."""
    results = []
    templates: dict[str, MemeTemplate] = {}
    base = _base(request)
    for index, raw in enumerate(payload.items):
        entry = {"index": index}
        results.append(entry)
        if not isinstance(raw, dict):
            entry.update(
                status=422, detail="Each item must be an object.", errors={"item": ["Not an object."]}
            )
            continue
        try:
            item = MemeIn.model_validate(raw)
            # Animated items are queued for the worker, not waited for one by one.
            meme, created = _generate(request, item, templates, wait=0)
        except RateLimited as exc:
            entry.update(status=429, detail=str(exc), retry_after=exc.wait)
            continue
        except PydanticValidationError as exc:
            errors = schema_errors(exc.errors())
            entry.update(status=422, detail=_first(errors), errors=errors)
            continue
        except Http404:
            entry.update(status=404, detail=f"No such template: {str(raw.get('template'))[:60]!r}.")
            continue
        except ValidationError as exc:
            errors = validation_messages(exc)
            entry.update(status=422, detail=_first(errors), errors=errors)
            continue
        status = 201 if created else 200
        if not services.rendered_ready(meme=meme, size=meme.size):
            status = 202
        entry.update(status=status, meme=meme_data(meme, base))
    ok = [r for r in results if r["status"] in (200, 201, 202)]
    summary = {
        "created": sum(r["status"] in (201, 202) for r in ok),
        "existing": sum(r["status"] == 200 for r in ok),
        "failed": len(results) - len(ok),
    }
    return Status(200 if len(ok) == len(results) else 207, {"results": results, "summary": summary})


def _first(errors: dict[str, list[str]]) -> str:
    field, messages = next(iter(errors.items()))
    return f"{field}: {messages[0]}"


# --- Feeds ----------------------------------------------------------------------------------------

# The trending pages' JSON, kept per process for one trending version at a time: (base, page,
# page_size) → (etag, bytes). The version is read from Redis at most once per TRENDING_VERSION_TTL
# seconds; responses may be cached by clients for longer than that anyway (max-age=2).
TRENDING_VERSION_TTL = 1.0
TRENDING_CACHE_CONTROL = "public, max-age=2"
_trending_lock = threading.Lock()
_trending = {"version": None, "read_at": float("-inf"), "pages": {}}


def trending_cache_clear() -> None:
    """Forget the cached pages and version (tests: Redis is flushed between them)."""
    with _trending_lock:
        _trending.update(version=None, read_at=float("-inf"), pages={})


def _trending_version() -> tuple[str, dict]:
    """The current trending version and its page cache (re-read when older than the TTL)."""
    now = time.monotonic()
    if now - _trending["read_at"] < TRENDING_VERSION_TTL:
        return _trending["version"], _trending["pages"]
    version = trending.trending_version()
    with _trending_lock:
        if version != _trending["version"] or version == "unavailable":
            _trending["pages"] = {}
        _trending.update(version=version, read_at=now if version != "unavailable" else float("-inf"))
        return version, _trending["pages"]


def _json_default(value):
    if hasattr(value, "isoformat"):
        return value.isoformat().replace("+00:00", "Z")
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


@router.get("/memes/trending", auth=None, response=MemePageOut, summary="Trending memes (public feed)")
def meme_trending(request, page: int = Query(1, ge=1), page_size: int = Query(20, ge=1, le=100)):
    """The public feed in trending order (hot rank: votes and reactions with time decay, see
    apps/memes/trending.py). Anonymous. Each server process keeps the page until the feed changes
    (read at most once a second); answers If-None-Match with 304."""
    version, pages = _trending_version()
    base = _base(request)
    key = (base, page, page_size)
    cached = pages.get(key)
    if cached is None:
        memes, total = selectors.feed_trending(offset=(page - 1) * page_size, limit=page_size)
        next_url, previous_url = _page_links(request, page, page_size, total)
        body = json.dumps(
            {
                "count": total,
                "page": page,
                "page_size": page_size,
                "next": next_url,
                "previous": previous_url,
                "results": [meme_data(meme, base) for meme in memes],
            },
            default=_json_default,
            ensure_ascii=False,
            separators=(",", ":"),
        ).encode()
        cached = (f'"{hashlib.blake2b(body, digest_size=12).hexdigest()}"', body)
        # Pages read before the version are at least as new as it (never older data under a newer
        # version); without Redis' version ("unavailable") nothing is kept.
        if version != "unavailable" and len(pages) < 1024:
            pages[key] = cached
    etag, body = cached
    if request.META.get("HTTP_IF_NONE_MATCH") == etag:
        response = HttpResponse(status=304)
    else:
        response = HttpResponse(body, content_type="application/json")
    response["ETag"] = etag
    response["Cache-Control"] = TRENDING_CACHE_CONTROL
    return response


@router.get("/memes/latest", auth=None, response=MemeLatestOut, summary="Latest memes (public feed)")
def meme_latest(request, before: int | None = None, limit: int = Query(20, ge=1, le=100)):
    """The public feed, newest first. `next` continues below the last meme (?before=<id>)."""
    memes = selectors.feed_latest(before_id=before, limit=limit)
    base = _base(request)
    next_url = None
    if len(memes) == limit:
        next_url = f"{base}{request.path}?{urlencode({'before': memes[-1].pk, 'limit': limit})}"
    return {"results": [meme_data(meme, base) for meme in memes], "next": next_url}


@router.get("/memes/mine", response=MemePageOut, summary="My memes")
def meme_mine(request, page: int = Query(1, ge=1), page_size: int = Query(20, ge=1, le=100)):
    """Your memes, newest first, private ones included."""
    queryset = selectors.memes_of_owner(user=request.user).select_related(*OWNER_RELATED)
    count = queryset.count()
    memes = list(queryset[(page - 1) * page_size : page * page_size])
    next_url, previous_url = _page_links(request, page, page_size, count)
    base = _base(request)
    return {
        "count": count,
        "page": page,
        "page_size": page_size,
        "next": next_url,
        "previous": previous_url,
        "results": [meme_data(meme, base) for meme in memes],
    }


# --- One meme -------------------------------------------------------------------------------------


@router.get(
    "/memes/{meme_id}",
    auth=OPTIONAL_AUTH,
    response={200: MemeDetailOut, 404: MemeErrorOut},
    summary="Get a meme",
)
def meme_get(request, meme_id: int):
    """A meme in the public feed, one of yours, or (staff) any. Others are 404."""
    return meme_detail(request, selectors.meme_get_visible(meme_id=meme_id, user=request.user))


@router.delete("/memes/{meme_id}", response={204: None, 404: MemeErrorOut}, summary="Delete a meme")
def meme_delete(request, meme_id: int):
    """Delete one of your memes (staff: any). Others are 404."""
    meme = selectors.meme_get_owned(meme_id=meme_id, user=request.user)
    services.meme_delete(meme=meme, user=request.user)
    return Status(204, None)


@router.post(
    "/memes/{meme_id}/vote",
    response={200: MemeVoteOut, 404: MemeErrorOut, 422: MemeErrorOut},
    summary="Vote on a meme",
)
def meme_vote(request, meme_id: int, payload: MemeVoteIn):
    """Vote up (1) or down (-1), or take your vote back (0). One vote per user: the same vote
    again changes nothing."""
    meme = selectors.meme_get_visible(meme_id=meme_id, user=request.user)
    meme, value = services.meme_vote(meme=meme, user=request.user, value=payload.value)
    return {"score": meme.score, "up_votes": meme.up_votes, "down_votes": meme.down_votes, "your_vote": value}


@router.post(
    "/memes/{meme_id}/reactions",
    response={200: MemeReactionOut, 404: MemeErrorOut, 422: MemeErrorOut},
    summary="React to a meme",
)
def meme_react(request, meme_id: int, payload: MemeReactionIn):
    """Add (`on: true`), remove (`on: false`) or toggle (no `on`) your emoji reaction."""
    meme = selectors.meme_get_visible(meme_id=meme_id, user=request.user)
    meme, _ = services.meme_react(meme=meme, user=request.user, emoji=payload.emoji, on=payload.on)
    yours = selectors.reactions_of_user(user=request.user, memes=[meme]).get(meme.pk, set())
    return {"reactions": meme.reactions or {}, "yours": sorted(yours)}


@router.post(
    "/memes/{meme_id}/moderate",
    response={200: MemeDetailOut, 403: MemeErrorOut, 404: MemeErrorOut, 422: MemeErrorOut},
    summary="Hide or show a meme (staff)",
)
def meme_moderate(request, meme_id: int, payload: MemeModerateIn):
    """Staff: `hide` a meme (it leaves open feeds at once) or `show` a hidden or flagged one."""
    if not request.user.is_staff:
        return Status(403, {"detail": "Only staff can moderate memes."})
    meme = selectors.meme_get_visible(meme_id=meme_id, user=request.user)
    meme = services.meme_moderate(meme=meme, user=request.user, action=payload.action, reason=payload.reason)
    return meme_detail(request, Meme.objects.select_related("template", *OWNER_RELATED).get(pk=meme.pk))


# --- Templates ------------------------------------------------------------------------------------


@router.get(
    "/meme-templates", auth=OPTIONAL_AUTH, response=MemeTemplatePageOut, summary="Search meme templates"
)
def template_list(
    request,
    q: str = Query("", max_length=200),
    tag: str = Query("", max_length=60),
    page: int = Query(1, ge=1),
    page_size: int = Query(50, ge=1, le=100),
):
    """Templates whose name or tags match every word of `q` (and the `tag`), most used first:
    approved ones, and your own uploads waiting for approval."""
    templates, count = selectors.template_search_page(
        query=q, tag=tag, user=request.user, offset=(page - 1) * page_size, limit=page_size
    )
    filters = {name: value for name, value in (("q", q), ("tag", tag)) if value}
    next_url, previous_url = _page_links(request, page, page_size, count, **filters)
    return {
        "count": count,
        "page": page,
        "page_size": page_size,
        "next": next_url,
        "previous": previous_url,
        "results": [template_data(t, _base(request)) for t in templates],
    }


@router.get(
    "/meme-templates/{slug}",
    auth=OPTIONAL_AUTH,
    response={200: MemeTemplateOut, 404: MemeErrorOut},
    summary="Get a meme template",
)
def template_get(request, slug: str):
    """One template (approved, or your own waiting for approval)."""
    return template_data(selectors.template_get_usable(slug=slug, user=request.user), _base(request))
