"""One request, many posts: approve, reject, schedule, queue or publish a selection."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction

from apps.posts.models import Post, PostStatus
from apps.posts.services import post_approve, posts_batch_decide

from .schedule import post_publish_now, post_queue, post_schedule

BATCH_ACTIONS = ("approve", "reject", "schedule", "queue", "publish")


@dataclass
class BatchResult:
    action: str
    done: list[Post]
    failed: list[tuple[Post, ValidationError]]

    @property
    def summary(self) -> str:
        verb = {
            "approve": "approved",
            "reject": "rejected",
            "schedule": "scheduled",
            "queue": "added to the queue",
            "publish": "sent to publish now",
        }[self.action]
        text = f"{len(self.done)} {'post' if len(self.done) == 1 else 'posts'} {verb}"
        if self.failed:
            reasons = "; ".join(
                f"#{post.pk}: {' '.join(validation_error_messages(exc))}" for post, exc in self.failed
            )
            text += f"; {len(self.failed)} could not be: {reasons}"
        return text + "."


def validation_error_messages(exc: ValidationError) -> list[str]:
    if hasattr(exc, "message_dict"):
        return [m for msgs in exc.message_dict.values() for m in msgs]
    return list(exc.messages)


def posts_batch(
    *,
    brand,
    user,
    action: str,
    post_ids: list[int],
    at: datetime | None = None,
    reason: str = "",
    connection_ids: list[int] | None = None,
) -> BatchResult:
    """One request, many posts: approve, reject, schedule (all at `at`), queue (each in the next
    free slot) or publish now. Drafts are approved on the way when they are scheduled, queued or
    published. Each post stands alone: one that cannot (copy over a limit, wrong status) does not
    stop the others. Another brand's ids are ignored as if they did not exist."""
    if action not in BATCH_ACTIONS:
        raise ValidationError({"action": "Pick approve, reject, schedule, queue or publish."})
    if not post_ids:
        raise ValidationError({"posts": "Tick the posts first."})
    if action == "schedule" and at is None:
        raise ValidationError({"at": "Pick a date and time to schedule them."})
    if action == "reject" and not reason.strip():
        raise ValidationError({"reason": "Say why you reject them, so the next versions can do better."})
    if action in ("approve", "reject"):  # posts' own batch decision
        done, failed = posts_batch_decide(
            brand=brand, post_ids=post_ids, user=user, approve=action == "approve", reason=reason
        )
        return BatchResult(action=action, done=done, failed=failed)
    result = BatchResult(action=action, done=[], failed=[])
    posts = Post.objects.filter(brand=brand, pk__in=post_ids).prefetch_related("copies").order_by("pk")
    for post in posts:
        try:
            with transaction.atomic():
                if post.status == PostStatus.DRAFT:  # approved on the way
                    post_approve(post=post, user=user)
                if action == "schedule":
                    post_schedule(post=post, user=user, at=at, connection_ids=connection_ids)
                elif action == "queue":
                    post_queue(post=post, user=user, connection_ids=connection_ids)
                elif action == "publish":
                    post_publish_now(post=post, user=user, connection_ids=connection_ids)
            result.done.append(post)
        except ValidationError as exc:
            post.refresh_from_db()
            result.failed.append((post, exc))
    return result
