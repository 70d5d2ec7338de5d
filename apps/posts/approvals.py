"""Approvals by role: when a brand's posts need approval, editors submit drafts, owners and
approvers approve them or ask for changes (with a note), and every step is a line in the post's
history. Without the brand setting, any member approves as before.

Approving your own post (one you wrote or submitted) is refused while approval is on, unless
nobody else in the brand may approve: a brand whose only approver is you would otherwise never
publish. That exception is written in the history ("approved own post: no other approver").
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from apps.brands.models import APPROVING_ROLES, BrandMembership
from apps.notifications.services import notification_create

from .models import ApprovalState, Post, PostEdit, PostStatus

NOTE_MAX = 300


def member_role(*, brand, user) -> str:
    """The user's role in the brand ('' when not a member)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return ""
    return BrandMembership.objects.filter(brand=brand, user=user).values_list("role", flat=True).first() or ""


def user_can_approve(*, brand, user) -> bool:
    """Whether the user may approve the brand's posts: anyone when approval is off."""
    role = member_role(brand=brand, user=user)
    if not role:
        return False
    return not brand.posts_need_approval or role in APPROVING_ROLES


def brand_approvers(*, brand, exclude=None) -> list:
    """The members who may approve the brand's posts (owners and approvers)."""
    members = BrandMembership.objects.filter(brand=brand, role__in=APPROVING_ROLES).select_related("user")
    if exclude is not None:
        members = members.exclude(user=exclude)
    return [m.user for m in members.order_by("pk")]


def _is_own(post: Post, user) -> bool:
    return user is not None and user.pk in (post.created_by_id, post.submitted_by_id)


def _record(post: Post, *, user, before: str, after: str, note: str = "") -> PostEdit:
    return PostEdit.objects.create(
        post=post, user=user, field="approval", before=before, after=after, note=note[:NOTE_MAX]
    )


def _post_url(post: Post) -> str:
    return reverse("posts:review", args=[post.pk])


def post_submit_for_approval(*, post: Post, user) -> Post:
    """An editor's draft sent to the brand's approvers, who are notified. Only when the brand's
    posts need approval, only a draft with copy within every platform's limits."""
    from .services import post_copy_errors

    brand = post.brand
    if not brand.posts_need_approval:
        raise ValidationError("This brand's posts do not need approval; approve it directly.")
    if not member_role(brand=brand, user=user):
        raise ValidationError("Only members of the brand can submit its posts.")
    with transaction.atomic():
        locked = Post.objects.select_for_update().get(pk=post.pk)
        if locked.status != PostStatus.DRAFT:
            raise ValidationError(
                f"A {locked.get_status_display().lower()} post cannot be submitted for approval."
            )
        if locked.approval_state == ApprovalState.PENDING:
            raise ValidationError("This post is already awaiting approval.")
        if not locked.copies.exists():
            raise ValidationError("This post has no copy yet; wait for generation to finish.")
        errors = post_copy_errors(post=locked)
        if errors:
            raise ValidationError({platform: messages for platform, messages in errors.items()})
        before = locked.approval_state or "draft"
        locked.approval_state = ApprovalState.PENDING
        locked.submitted_by, locked.submitted_at = user, timezone.now()
        locked.save(update_fields=["approval_state", "submitted_by", "submitted_at", "updated_at"])
        _record(locked, user=user, before=before, after="submitted")
        title = f"{user.name} asks you to approve a post for {brand.name}"
        body = f"Post #{locked.pk} is awaiting your approval."
        for approver in brand_approvers(brand=brand, exclude=user):
            notification_create(user=approver, title=title, body=body, url=_post_url(locked))
    post.refresh_from_db()
    return post


def approval_check(*, post: Post, user) -> str:
    """Why `user` may not approve `post` under the brand's approval setting ('' when they may),
    and the history note an allowed self-approval carries."""
    brand = post.brand
    if not brand.posts_need_approval:
        return ""
    role = member_role(brand=brand, user=user)
    if role not in APPROVING_ROLES:
        raise ValidationError(
            "Only an owner or an approver can approve this brand's posts; submit it for approval."
        )
    if _is_own(post, user):
        if brand_approvers(brand=brand, exclude=user):
            raise ValidationError(
                "You cannot approve your own post; another owner or approver has to approve it."
            )
        return "approved own post: no other approver"
    return ""


def post_approval_decided(*, post: Post, user, note: str = "") -> None:
    """After post_approve moved the post to approved under the approval step: clear the pending
    state, write the history line and tell whoever submitted it. In the caller's transaction."""
    before = post.approval_state or "draft"
    post.approval_state = ApprovalState.NONE
    post.save(update_fields=["approval_state", "updated_at"])
    _record(post, user=user, before=before, after="approved", note=note)
    author = post.submitted_by or post.created_by
    if author is not None and author != user:
        notification_create(
            user=author,
            title=f"{user.name} approved your post for {post.brand.name}",
            body=f"Post #{post.pk} is approved and can be scheduled.",
            url=_post_url(post),
        )


def post_request_changes(*, post: Post, user, note: str) -> Post:
    """An owner or approver sends a draft back with a note saying what to change; the author is
    notified. Refused for members who may not approve, and for posts past draft."""
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": "Say what should change."})
    if len(note) > NOTE_MAX:
        raise ValidationError({"note": f"Keep the note under {NOTE_MAX} characters."})
    brand = post.brand
    if not brand.posts_need_approval:
        raise ValidationError("This brand's posts do not need approval; edit or reject the post instead.")
    if member_role(brand=brand, user=user) not in APPROVING_ROLES:
        raise ValidationError("Only an owner or an approver can request changes.")
    with transaction.atomic():
        locked = Post.objects.select_for_update().get(pk=post.pk)
        if locked.status != PostStatus.DRAFT:
            raise ValidationError(
                f"A {locked.get_status_display().lower()} post cannot be sent back for changes."
            )
        before = locked.approval_state or "draft"
        locked.approval_state = ApprovalState.CHANGES_REQUESTED
        locked.save(update_fields=["approval_state", "updated_at"])
        _record(locked, user=user, before=before, after="changes requested", note=note)
        author = locked.submitted_by or locked.created_by
        if author is not None and author != user:
            notification_create(
                user=author,
                title=f"{user.name} asked for changes to your post for {brand.name}",
                body=note,
                url=_post_url(locked),
            )
    post.refresh_from_db()
    return post


def schedule_refusal(*, post: Post) -> str:
    """Why a post of a brand whose posts need approval cannot be scheduled yet ('' if it can)."""
    if not post.brand.posts_need_approval or post.status != PostStatus.DRAFT:
        return ""
    if post.approval_state == ApprovalState.PENDING:
        return "This post is awaiting approval; it can be scheduled once an owner or approver approves it."
    return (
        "This brand's posts need approval: submit it, and schedule it once an owner or approver approves it."
    )


def approval_view(*, post: Post, user) -> dict:
    """What the post page's decision card offers this user under the brand's approval setting."""
    brand = post.brand
    needed = brand.posts_need_approval
    is_member = bool(member_role(brand=brand, user=user))
    may_approve = is_member and user_can_approve(brand=brand, user=user)
    self_blocked = (
        needed and may_approve and _is_own(post, user) and bool(brand_approvers(brand=brand, exclude=user))
    )
    draft = post.status == PostStatus.DRAFT
    last = None
    if needed and post.approval_state == ApprovalState.CHANGES_REQUESTED:
        last = (
            PostEdit.objects.filter(post=post, field="approval", after="changes requested")
            .select_related("user")
            .order_by("-created_at", "-pk")
            .first()
        )
    return {
        "needed": needed,
        "state": post.approval_state,
        "state_label": ApprovalState(post.approval_state).label,
        "can_approve": draft and may_approve and not self_blocked,
        "self_blocked": draft and self_blocked,
        "can_submit": needed and draft and is_member and post.approval_state != ApprovalState.PENDING,
        "can_request_changes": needed and draft and may_approve and not _is_own(post, user),
        "changes_request": last,
    }
