"""Everything that changes a post: status transitions (enforced here and nowhere else), copy
edits with their history, approval (only within each platform's limits) and rejection."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from .models import TRANSITIONS, Post, PostCopy, PostEdit, PostStatus


class TransitionError(ValidationError):
    """The post cannot go from its status to the one asked for."""


def post_transition(*, post: Post, to: str, user=None, note: str = "") -> Post:
    """Move a post to status `to`, if TRANSITIONS allows it from its current status (read under a
    row lock, so two requests cannot both move it), and record the change."""
    with transaction.atomic():
        locked = Post.objects.select_for_update().get(pk=post.pk)
        if to not in TRANSITIONS[locked.status]:
            raise TransitionError(
                f"A {locked.get_status_display().lower()} post cannot become {PostStatus(to).label.lower()}."
            )
        before = locked.status
        locked.status = to
        fields = ["status", "updated_at"]
        if to == PostStatus.APPROVED:
            locked.approved_by, locked.approved_at = user, timezone.now()
            fields += ["approved_by", "approved_at"]
        if to == PostStatus.PUBLISHED:
            locked.published_at = timezone.now()
            fields.append("published_at")
        locked.save(update_fields=fields)
        PostEdit.objects.create(
            post=locked, user=user, field="status", before=before, after=to, note=note[:300]
        )
    post.refresh_from_db()
    return post


def post_copy_errors(*, post: Post) -> dict[str, list[str]]:
    """Each platform's copy checked against its limits: {platform: [messages]} for those that fail."""
    from .limits import over_limit

    errors = {}
    for copy in post.copies.all():
        problems = over_limit(copy.platform, post.post_format, copy.parts, caption=copy.caption or None)
        if problems:
            errors[copy.platform] = problems
    return errors


def post_approve(*, post: Post, user) -> Post:
    """Approve a draft. Copy over a platform's limit cannot be approved: the errors name the part."""
    errors = post_copy_errors(post=post)
    if errors:
        raise ValidationError({platform: messages for platform, messages in errors.items()})
    if not post.copies.exists():
        raise ValidationError("This post has no copy yet; wait for generation to finish or regenerate.")
    return post_transition(post=post, to=PostStatus.APPROVED, user=user)


def post_reject(*, post: Post, user, reason: str) -> Post:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why, so the next version can do better."})
    post = post_transition(post=post, to=PostStatus.REJECTED, user=user, note=reason)
    post.rejected_reason = reason[:2000]
    post.save(update_fields=["rejected_reason", "updated_at"])
    return post


def post_copy_update(
    *, post: Post, platform: str, parts: list[str], user, caption: str | None = None
) -> PostCopy:
    """The user's edit of one platform's copy, kept in the post's history. Drafts only."""
    if post.status not in (PostStatus.DRAFT, PostStatus.APPROVED):
        raise ValidationError(f"A {post.get_status_display().lower()} post can no longer be edited.")
    parts = [p.strip() for p in parts]
    if not any(parts):
        raise ValidationError({"parts": "The copy cannot be empty."})
    with transaction.atomic():
        copy = PostCopy.objects.select_for_update().get(post=post, platform=platform)
        before = {"parts": copy.parts, "caption": copy.caption}
        copy.parts = [p for p in parts if p]
        if caption is not None:
            copy.caption = caption.strip()
        copy.save()
        PostEdit.objects.create(
            post=post,
            user=user,
            field="copy",
            platform=platform,
            before=before,
            after={"parts": copy.parts, "caption": copy.caption},
        )
        if post.status == PostStatus.APPROVED:
            # Edited after approval: it needs approving again.
            post_transition(post=post, to=PostStatus.DRAFT, user=user, note="edited after approval")
    return copy
