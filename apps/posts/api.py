"""API: generate posts from trends or write them from text, list and read them, edit their copy,
approve and reject; submit for approval and request changes; comments and preview links."""

from django.core.exceptions import ValidationError
from django.utils import timezone
from ninja import Router, Status
from ninja.errors import HttpError
from ninja.pagination import LimitOffsetPagination, paginate

from apps.accounts.access import api_require_role
from apps.accounts.models import Role
from apps.brands.selectors import brand_get_for_user
from apps.integrations.images.storage import graphic_url
from apps.trends.selectors import trend_get

from . import ab, approvals, comments, selectors, services
from .composer import ComposerDraft, composer_post_save
from .schemas import (
    CommentIn,
    CommentOut,
    CopyIn,
    GenerateIn,
    PostOut,
    PreviewLinkIn,
    PreviewLinkOut,
    RejectIn,
    RequestChangesIn,
    ResolveIn,
)

router = Router(tags=["posts"])


def _graphic_out(g) -> dict:
    return {
        "kind": g.kind,
        "index": g.index,
        "layout": g.layout,
        "source": g.source,
        "width": g.width,
        "height": g.height,
        "alt_text": g.alt_text,
        "url": graphic_url(g.full),
        "medium_url": graphic_url(g.medium) if g.medium else "",
        "thumbnail_url": graphic_url(g.thumbnail) if g.thumbnail else "",
    }


def _out(post) -> dict:
    return {
        **{
            f: getattr(post, f)
            for f in (
                "id",
                "brand_id",
                "trend_id",
                "post_format",
                "tone",
                "origin",
                "status",
                "generation_state",
                "generation_progress",
                "generation_stage",
                "generation_error",
                "rejected_reason",
                "learning_state",
                "learning_action",
                "created_at",
                "approved_at",
                "approval_state",
            )
        },
        "copies": list(post.copies.all()),
        "graphics": [_graphic_out(g) for g in post.graphics.all()],
    }


def _invalid(exc: ValidationError) -> HttpError:
    if hasattr(exc, "message_dict"):
        message = "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in exc.message_dict.items())
    else:
        message = " ".join(exc.messages)
    return HttpError(422, message)


@router.post("/brands/{brand_id}/posts", response={201: PostOut, 202: PostOut})
def post_generate(request, brand_id: int, payload: GenerateIn):
    """Write a post from text (201, a draft at once; `trend_id` optional), or start generating one
    for a trend (202; poll the post, or watch the page, until it is ready)."""
    user = api_require_role(request, Role.BRAND)
    brand = brand_get_for_user(user=user, brand_id=brand_id)
    if payload.text is not None or payload.thread or payload.overrides:
        return Status(201, _out(_post_write(user=user, brand=brand, payload=payload)))
    if payload.trend_id is None:
        raise HttpError(422, "Give trend_id to generate a post, or text to write one.")
    trend = trend_get(trend_id=payload.trend_id)
    try:
        post = services.post_generate_request(
            brand=brand,
            trend=trend,
            user=user,
            platforms=payload.platforms,
            post_format=payload.post_format,
            tone=payload.tone,
        )
    except ValidationError as exc:
        raise _invalid(exc) from None
    post.refresh_from_db()
    return Status(202, _out(post))


def _post_write(*, user, brand, payload: GenerateIn):
    trend = (
        selectors.composer_trend_get(brand=brand, trend_id=payload.trend_id)
        if payload.trend_id is not None
        else None
    )
    planned = payload.planned_for
    if planned is not None and timezone.is_naive(planned):
        raise HttpError(422, "planned_for: give a time with its offset (e.g. 2026-05-01T09:00:00+02:00).")
    draft = ComposerDraft(
        text=payload.text or "",
        platforms=list(payload.platforms if payload.platforms is not None else ["x"]),
        overrides={
            k: v
            for k, v in payload.overrides.items()
            if (v or "").strip() or k not in ("x", "linkedin", "sandbox")
        },
        thread=list(payload.thread),
        trend=trend,
        planned_for=planned,
    )
    try:
        post = composer_post_save(brand=brand, user=user, draft=draft, strict=True)
    except ValidationError as exc:
        raise _invalid(exc) from None
    return selectors.post_get_for_user(user=user, post_id=post.pk)


@router.get("/brands/{brand_id}/posts", response=list[PostOut])
@paginate(LimitOffsetPagination)
def post_list(request, brand_id: int, status: str = "", platform: str = "", trend_id: int | None = None):
    user = api_require_role(request, Role.BRAND)
    brand = brand_get_for_user(user=user, brand_id=brand_id)
    return [
        _out(p) for p in selectors.post_list(brand=brand, status=status, platform=platform, trend_id=trend_id)
    ]


@router.get("/posts/{post_id}", response=PostOut)
def post_detail(request, post_id: int):
    user = api_require_role(request, Role.BRAND)
    return _out(selectors.post_get_for_user(user=user, post_id=post_id))


@router.patch("/posts/{post_id}/copy", response=PostOut)
def post_copy_update(request, post_id: int, payload: CopyIn):
    user = api_require_role(request, Role.BRAND)
    post = selectors.post_get_for_user(user=user, post_id=post_id)
    try:
        services.post_copy_update(
            post=post, platform=payload.platform, parts=payload.parts, caption=payload.caption, user=user
        )
    except services.PostCopy.DoesNotExist:
        raise HttpError(404, "This post has no copy for that platform.") from None
    except ValidationError as exc:
        raise _invalid(exc) from None
    return _out(selectors.post_get_for_user(user=user, post_id=post_id))


@router.post("/posts/{post_id}/approve", response=PostOut)
def post_approve(request, post_id: int):
    user = api_require_role(request, Role.BRAND)
    post = selectors.post_get_for_user(user=user, post_id=post_id)
    try:
        services.post_approve(post=post, user=user)
    except ValidationError as exc:
        raise _invalid(exc) from None
    return _out(selectors.post_get_for_user(user=user, post_id=post_id))


@router.post("/posts/{post_id}/reject", response=PostOut)
def post_reject(request, post_id: int, payload: RejectIn):
    user = api_require_role(request, Role.BRAND)
    post = selectors.post_get_for_user(user=user, post_id=post_id)
    try:
        services.post_reject(post=post, user=user, reason=payload.reason)
    except ValidationError as exc:
        raise _invalid(exc) from None
    return _out(selectors.post_get_for_user(user=user, post_id=post_id))


# --- A/B variants (apps.posts.ab; both on the calendar and the result: apps.publishing.api) -------


@router.post("/posts/{post_id}/ab-variant", response={202: PostOut})
def post_ab_variant(request, post_id: int):
    """Start writing variant B of a post (409 when it is already in an A/B test)."""
    user = api_require_role(request, Role.BRAND)
    post = selectors.post_get_for_user(user=user, post_id=post_id)
    try:
        variant = ab.ab_variant_create(post=post, user=user)
    except ab.ABConflict as exc:
        raise HttpError(409, " ".join(exc.messages)) from None
    except ValidationError as exc:
        raise _invalid(exc) from None
    return Status(202, _out(selectors.post_get_for_user(user=user, post_id=variant.pk)))


# --- Approvals (apps.posts.approvals) --------------------------------------------------------------


@router.post("/posts/{post_id}/submit", response=PostOut)
def post_submit(request, post_id: int):
    """Submit a draft for approval (the brand's posts need approval); its approvers are notified."""
    user = api_require_role(request, Role.BRAND)
    post = selectors.post_get_for_user(user=user, post_id=post_id)
    try:
        approvals.post_submit_for_approval(post=post, user=user)
    except ValidationError as exc:
        raise _invalid(exc) from None
    return _out(selectors.post_get_for_user(user=user, post_id=post_id))


@router.post("/posts/{post_id}/request-changes", response=PostOut)
def post_request_changes(request, post_id: int, payload: RequestChangesIn):
    """An owner or approver sends a draft back with a note; the author is notified."""
    user = api_require_role(request, Role.BRAND)
    post = selectors.post_get_for_user(user=user, post_id=post_id)
    try:
        approvals.post_request_changes(post=post, user=user, note=payload.note)
    except ValidationError as exc:
        raise _invalid(exc) from None
    return _out(selectors.post_get_for_user(user=user, post_id=post_id))


# --- Comments and preview links (apps.posts.comments) ----------------------------------------------


def _comment_out(c) -> dict:
    return {
        "id": c.pk,
        "post_id": c.post_id,
        "author_id": c.author_id,
        "author_name": c.author.name if c.author_id else c.author_name,
        "body": c.body,
        "mentions": [u.pk for u in c.mentions.all()],
        "resolved_at": c.resolved_at,
        "resolved_by_id": c.resolved_by_id,
        "created_at": c.created_at,
    }


def _link_out(request, link) -> dict:
    return {
        "id": link.pk,
        "post_id": link.post_id,
        "url": request.build_absolute_uri(comments.preview_link_url(link)),
        "expires_at": link.expires_at,
        "revoked_at": link.revoked_at,
    }


@router.get("/posts/{post_id}/comments", response=list[CommentOut])
def comment_list(request, post_id: int):
    user = api_require_role(request, Role.BRAND)
    post = selectors.post_get_for_user(user=user, post_id=post_id)
    return [_comment_out(c) for c in selectors.comment_list(post=post)]


@router.post("/posts/{post_id}/comments", response={201: CommentOut})
def comment_create(request, post_id: int, payload: CommentIn):
    """Comment on a post; members it @mentions are notified."""
    user = api_require_role(request, Role.BRAND)
    post = selectors.post_get_for_user(user=user, post_id=post_id)
    try:
        comment = comments.comment_create(post=post, user=user, body=payload.body)
    except ValidationError as exc:
        raise _invalid(exc) from None
    return Status(201, _comment_out(comment))


@router.post("/posts/{post_id}/comments/{comment_id}/resolve", response=CommentOut)
def comment_resolve(request, post_id: int, comment_id: int, payload: ResolveIn):
    """Resolve a comment (or reopen it with `resolved: false`)."""
    user = api_require_role(request, Role.BRAND)
    comment = selectors.comment_get_for_user(user=user, post_id=post_id, comment_id=comment_id)
    comment = comments.comment_resolve(comment=comment, user=user, resolved=payload.resolved)
    return _comment_out(comment)


@router.post("/posts/{post_id}/preview-links", response={201: PreviewLinkOut})
def preview_link_create(request, post_id: int, payload: PreviewLinkIn):
    """A read-only preview link for someone outside the brand (1 to 30 days, default 7)."""
    user = api_require_role(request, Role.BRAND)
    post = selectors.post_get_for_user(user=user, post_id=post_id)
    try:
        link = comments.preview_link_create(post=post, user=user, days=payload.days)
    except ValidationError as exc:
        raise _invalid(exc) from None
    return Status(201, _link_out(request, link))


@router.delete("/posts/{post_id}/preview-links/{link_id}", response=PreviewLinkOut)
def preview_link_revoke(request, post_id: int, link_id: int):
    """Revoke a preview link: its page then says it was withdrawn (410)."""
    user = api_require_role(request, Role.BRAND)
    link = selectors.preview_link_get_for_user(user=user, post_id=post_id, link_id=link_id)
    return _link_out(request, comments.preview_link_revoke(link=link, user=user))
