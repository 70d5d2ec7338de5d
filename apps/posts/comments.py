"""Comments on posts: a thread per post with @mentions of the brand's members (notified live and
by email), resolvable; and preview links, read-only pages of a post's previews for someone outside
the brand, who may leave a comment with a name and no account."""

from __future__ import annotations

import re
import secrets
from datetime import timedelta

from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from apps.brands.models import BrandMembership
from apps.notifications.services import notification_create

from .models import Post, PostComment, PostPreviewLink

BODY_MAX = 2000
NAME_MAX = 80
PREVIEW_DAYS_DEFAULT = 7
PREVIEW_DAYS_MAX = 30
# A link anyone holding it can post through: a cap keeps a leaked link from flooding the thread.
GUEST_COMMENTS_PER_LINK = 100
_SALT = "posts.preview-link"


# --- Mentions -------------------------------------------------------------------------------------


def _handles(user) -> list[str]:
    """What a member can be @mentioned as: their email's name, their display name, and that name
    without spaces (@Ada Lovelace, @AdaLovelace, @ada)."""
    names = {user.email.split("@")[0]}
    if user.display_name:
        names |= {user.display_name, user.display_name.replace(" ", "")}
    return [n for n in names if n]


def mentions_parse(*, brand, body: str) -> list:
    """The brand's members the text @mentions, in the order the members joined; the longest name
    wins where one is a prefix of another (@Ada Lovelace over @Ada)."""
    members = [m.user for m in BrandMembership.objects.filter(brand=brand).select_related("user")]
    found = []
    lowered = body.lower()
    for user in members:
        for handle in sorted(_handles(user), key=len, reverse=True):
            pattern = r"(?<![\w@])@" + re.escape(handle.lower()) + r"(?![\w-])"
            if re.search(pattern, lowered):
                found.append(user)
                break
    return found


def _post_url(post: Post) -> str:
    return reverse("posts:review", args=[post.pk]) + "#comments"


def _clean_body(body: str) -> str:
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": "Write a comment first."})
    if len(body) > BODY_MAX:
        raise ValidationError({"body": f"Keep a comment under {BODY_MAX} characters ({len(body)} now)."})
    return body


def _notify_mentions(comment: PostComment, mentioned: list, *, by_name: str) -> None:
    post = comment.post
    for user in mentioned:
        if user.pk == comment.author_id:
            continue
        notification_create(
            user=user,
            title=f"{by_name} mentioned you on a post for {post.brand.name}",
            body=comment.body[:300],
            url=_post_url(post),
        )


# --- Comments ------------------------------------------------------------------------------------


def comment_create(*, post: Post, user, body: str) -> PostComment:
    """A member's comment; members it @mentions are notified (in-app, live, email)."""
    body = _clean_body(body)
    if not BrandMembership.objects.filter(brand_id=post.brand_id, user=user).exists():
        raise ValidationError("Only members of the brand can comment here.")
    mentioned = mentions_parse(brand=post.brand, body=body)
    with transaction.atomic():
        comment = PostComment.objects.create(post=post, author=user, body=body)
        if mentioned:
            comment.mentions.set(mentioned)
        _notify_mentions(comment, mentioned, by_name=user.name)
    return comment


def comment_resolve(*, comment: PostComment, user, resolved: bool = True) -> PostComment:
    """Mark a comment resolved (or open it again)."""
    if not BrandMembership.objects.filter(brand_id=comment.post.brand_id, user=user).exists():
        raise ValidationError("Only members of the brand can resolve comments.")
    if resolved and comment.resolved_at is None:
        comment.resolved_at, comment.resolved_by = timezone.now(), user
    elif not resolved:
        comment.resolved_at, comment.resolved_by = None, None
    comment.save(update_fields=["resolved_at", "resolved_by"])
    return comment


# --- Preview links -------------------------------------------------------------------------------


class PreviewLinkGone(Exception):
    """The link expired or was revoked: the page says which (410), never a 500."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def preview_link_token(link: PostPreviewLink) -> str:
    return signing.dumps(link.key, salt=_SALT)


def preview_link_url(link: PostPreviewLink) -> str:
    return reverse("posts:preview", args=[preview_link_token(link)])


def preview_link_create(*, post: Post, user, days: int = PREVIEW_DAYS_DEFAULT) -> PostPreviewLink:
    """A read-only link to the post's previews, valid for `days` (1 to 30)."""
    if not BrandMembership.objects.filter(brand_id=post.brand_id, user=user).exists():
        raise ValidationError("Only members of the brand can share its posts.")
    try:
        days = int(days)
    except (TypeError, ValueError):
        raise ValidationError({"days": "Give the number of days the link stays valid."}) from None
    if not 1 <= days <= PREVIEW_DAYS_MAX:
        raise ValidationError({"days": f"A link is valid for 1 to {PREVIEW_DAYS_MAX} days."})
    return PostPreviewLink.objects.create(
        post=post,
        key=secrets.token_urlsafe(24)[:32],
        created_by=user,
        expires_at=timezone.now() + timedelta(days=days),
    )


def preview_link_revoke(*, link: PostPreviewLink, user) -> PostPreviewLink:
    if link.revoked_at is None:
        link.revoked_at, link.revoked_by = timezone.now(), user
        link.save(update_fields=["revoked_at", "revoked_by"])
    return link


def preview_link_open(*, token: str) -> PostPreviewLink:
    """The link a token names, if live. Http404 for a token that was never ours (or tampered
    with), PreviewLinkGone for an expired or revoked one."""
    try:
        key = signing.loads(token, salt=_SALT)
    except signing.BadSignature:
        raise Http404("No such preview link.") from None
    link = PostPreviewLink.objects.select_related("post__brand").filter(key=key).first()
    if link is None:
        raise Http404("No such preview link.")
    if link.revoked_at is not None:
        raise PreviewLinkGone("This preview link was withdrawn by the brand.")
    if link.expires_at <= timezone.now():
        raise PreviewLinkGone(
            f"This preview link expired on {link.expires_at:%-d %b %Y}. Ask the brand for a new one."
        )
    return link


def guest_comment_create(*, link: PostPreviewLink, name: str, body: str) -> PostComment:
    """An outside reviewer's comment through a live preview link; the link's creator is told."""
    name = " ".join((name or "").split())
    errors = {}
    if not name:
        errors["name"] = "Give your name, so the brand knows who wrote it."
    elif len(name) > NAME_MAX:
        errors["name"] = f"Keep your name under {NAME_MAX} characters."
    try:
        body = _clean_body(body)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    if PostComment.objects.filter(preview_link=link).count() >= GUEST_COMMENTS_PER_LINK:
        raise ValidationError(
            f"This link has taken its {GUEST_COMMENTS_PER_LINK} comments; ask the brand for a new one."
        )
    post = link.post
    mentioned = mentions_parse(brand=post.brand, body=body)
    with transaction.atomic():
        comment = PostComment.objects.create(post=post, author_name=name, body=body, preview_link=link)
        if mentioned:
            comment.mentions.set(mentioned)
        _notify_mentions(comment, mentioned, by_name=f"{name} (guest)")
        if link.created_by is not None and link.created_by not in mentioned:
            notification_create(
                user=link.created_by,
                title=f"{name} commented on the preview of a post for {post.brand.name}",
                body=body[:300],
                url=_post_url(post),
            )
    return comment
