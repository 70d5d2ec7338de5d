"""Everything that changes a post: status transitions (enforced here and nowhere else), copy
edits with their history, approval (only within each platform's limits) and rejection."""

from __future__ import annotations

import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from apps.brands.models import Tone
from apps.core.vocabulary import FORMATS, NETWORKS, format_on, platform_label
from apps.integrations.images.base import LAYOUTS, GraphicSpec, graphic_generate
from apps.integrations.images.storage import graphic_delete, graphic_store
from apps.learning.policy import learning_state, policy_choose_action

from . import approvals, selectors
from .models import TRANSITIONS, CopySource, Post, PostCopy, PostEdit, PostOrigin, PostStatus

logger = logging.getLogger(__name__)


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


# From scheduled on, a post's status follows its publications. Publishing (above posts) works out
# which status they call for; these services write it, only along TRANSITIONS.
FOLLOWS_PUBLICATIONS = (
    PostStatus.APPROVED,
    PostStatus.SCHEDULED,
    PostStatus.PUBLISHING,
    PostStatus.PUBLISHED,
    PostStatus.FAILED,
    PostStatus.EXPIRED,
)


def post_status_set_from_publications(*, post_id: int, status: str, only_if=None) -> bool:
    """Set the status the post's publications call for, in one UPDATE: only from a status that
    TRANSITIONS lets move to it (never from draft or rejected, a post its publications no longer
    steer), and only if the caller's condition `only_if` (a filter expression on the post's row)
    holds. Published stamps published_at. No history row: the publications are the record. True if
    the post changed."""
    if status not in FOLLOWS_PUBLICATIONS:
        raise ValueError(f"{status!r} is not a status a post's publications decide")
    allowed_from = [
        before
        for before, after in TRANSITIONS.items()
        if status in after and before not in (PostStatus.DRAFT, PostStatus.REJECTED)
    ]
    now = timezone.now()
    updates = {"status": status, "updated_at": now}
    if status == PostStatus.PUBLISHED:
        updates["published_at"] = now
    rows = Post.objects.filter(pk=post_id, status__in=allowed_from)
    if only_if is not None:
        rows = rows.filter(only_if)
    return bool(rows.update(**updates))


def post_mark_scheduled(*, post: Post, at, user, note: str) -> Post:
    """A post put on the calendar (or moved on it) at `at`: scheduled, with a history row saying
    how. `post` is the caller's row, locked in the caller's transaction."""
    if post.status != PostStatus.SCHEDULED and PostStatus.SCHEDULED not in TRANSITIONS[post.status]:
        raise TransitionError(f"A {post.get_status_display().lower()} post cannot be scheduled.")
    before = post.status
    post.status, post.scheduled_for = PostStatus.SCHEDULED, at
    post.save(update_fields=["status", "scheduled_for", "updated_at"])
    PostEdit.objects.create(
        post=post, user=user, field="schedule", before=before, after=PostStatus.SCHEDULED, note=note[:300]
    )
    return post


def post_history_record(
    *, post_id: int, user, field: str, before=None, after=None, platform: str = "", note: str = ""
) -> PostEdit:
    """A line in the post's history for something done to it elsewhere (unscheduled, retried, an
    A/B test scheduled)."""
    return PostEdit.objects.create(
        post_id=post_id,
        user=user,
        field=field,
        before=before,
        after=after,
        platform=platform,
        note=note[:300],
    )


def post_copy_errors(*, post: Post) -> dict[str, list[str]]:
    """Each platform's copy checked against its limits: {platform: [messages]} for those that fail."""
    from .limits import copy_format, over_limit

    errors = {}
    for copy in post.copies.all():
        problems = over_limit(
            copy.platform,
            copy_format(copy.platform, post.post_format),
            copy.parts,
            caption=copy.caption or None,
        )
        if problems:
            errors[copy.platform] = problems
    return errors


def post_approve(*, post: Post, user) -> Post:
    """Approve a draft. Copy over a platform's limit cannot be approved: the errors name the part.
    Under the brand's approval setting, apps.posts.approvals decides who may."""
    errors = post_copy_errors(post=post)
    if errors:
        raise ValidationError({platform: messages for platform, messages in errors.items()})
    if not post.copies.exists():
        raise ValidationError("This post has no copy yet; wait for generation to finish or regenerate.")
    # When the brand's posts need approval: owners and approvers only, never their own post
    # (unless nobody else may approve), and the approval step's history and notice.
    note = approvals.approval_check(post=post, user=user)
    with transaction.atomic():
        post = post_transition(post=post, to=PostStatus.APPROVED, user=user)
        if post.brand.posts_need_approval:
            approvals.post_approval_decided(post=post, user=user, note=note)
    return post


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


# --- Generation -----------------------------------------------------------------------------


def _pending_actions_of(brand):
    """What the learning policy asks to skip actions being tried: the action keys of the brand's
    posts written since its model last trained (posts owns them; learning sits below)."""
    return lambda since: selectors.post_action_keys_since(brand_id=brand.pk, since=since)


def post_generate_request(
    *, brand, trend, user, platforms: list[str] | None = None, post_format: str = "", tone: str = ""
) -> Post:
    """A draft for `trend` that a worker fills with copy and graphics. Platforms, format and tone
    default to what the learning policy suggests; whatever the user picks is kept as the action."""

    from .tasks import post_generate

    state = learning_state(brand=brand, trend=trend)
    choice = policy_choose_action(
        brand=brand, state=state, platforms=platforms, pending_actions=_pending_actions_of(brand)
    )
    platforms = [p for p in (platforms or [choice.action.platform]) if p in NETWORKS]
    if not platforms:
        raise ValidationError({"platforms": "Pick X, LinkedIn or both."})
    post_format = post_format or choice.action.post_format
    if post_format not in FORMATS:
        raise ValidationError({"post_format": "Pick post, thread or carousel."})
    tone = tone or choice.action.tone
    if tone not in Tone.values:
        raise ValidationError({"tone": "Pick one of the tones."})
    state.update({"format": post_format, "tone": tone})
    with transaction.atomic():
        post = Post.objects.create(
            brand=brand,
            trend=trend,
            created_by=user,
            post_format=post_format,
            tone=tone,
            learning_state=state,
            learning_action={"tone": tone, "post_format": post_format, "platforms": platforms},
            explored=choice.explored
            and tone == choice.action.tone
            and post_format == choice.action.post_format,
            generation_stage="Waiting for a worker",
        )
        PostEdit.objects.create(post=post, user=user, field="created", after={"platforms": platforms})
        transaction.on_commit(lambda: post_generate.delay(post.pk, platforms))
    return post


def _progress(post: Post, **fields) -> None:
    from . import events

    for name, value in fields.items():
        setattr(post, name, value)
    post.save(update_fields=[*fields, "updated_at"])
    events.post_progress(post)


def post_generate_execute(*, post: Post, platforms: list[str], regenerate: bool = False) -> Post:
    """The worker's job: copy for every platform, then the graphics, with live progress."""
    from .generation import copy_generate
    from .models import GenerationState

    brand, trend = post.brand, post.trend
    _progress(
        post, generation_state=GenerationState.RUNNING, generation_progress=5, generation_stage="Writing copy"
    )
    sources = set()
    try:
        for i, platform in enumerate(platforms):
            post_format = format_on(platform, post.post_format)
            if post.ab_parent_id:  # variant B of an A/B test: a different hook, never A's text
                from .ab import copy_generate_variant

                result = copy_generate_variant(post=post, platform=platform, post_format=post_format)
            else:
                result = copy_generate(
                    brand=brand,
                    trend=trend,
                    platform=platform,
                    post_format=post_format,
                    tone=post.tone,
                    regenerate=regenerate,
                )
            sources.add(result.source)
            PostCopy.objects.update_or_create(
                post=post,
                platform=platform,
                defaults={
                    "parts": result.parts,
                    "caption": result.caption,
                    "source": result.source,
                    "llm_model": result.llm_model,
                    "prompt_tokens": result.prompt_tokens,
                    "completion_tokens": result.completion_tokens,
                    "attempts": max(result.attempts, 1),
                },
            )
            _progress(
                post,
                generation_progress=5 + int(55 * (i + 1) / len(platforms)),
                generation_stage=f"Wrote the {platform_label(platform)} copy",
            )
        if post.origin in (PostOrigin.AI, PostOrigin.TEMPLATE):
            # All from templates (the AI model was down): the post says so.
            origin = PostOrigin.TEMPLATE if sources == {CopySource.TEMPLATE} else PostOrigin.AI
            if origin != post.origin:
                post.origin = origin
                post.save(update_fields=["origin", "updated_at"])
        _progress(post, generation_stage="Drawing the graphics")
        post_graphics_generate(post=post)
        _progress(
            post,
            generation_state=GenerationState.READY,
            generation_progress=100,
            generation_stage="Ready for review",
        )
    except Exception as exc:
        logger.exception("generating post %s failed", post.pk)
        _progress(
            post,
            generation_state=GenerationState.FAILED,
            generation_stage="Failed",
            generation_error=f"{exc.__class__.__name__}: {exc}"[:2000],
        )
        raise
    return post


def post_graphics_generate(*, post: Post, layout: str | None = None) -> list:
    """Draw the post's graphics from the brand's colours, logo and copy, replacing any old ones:
    a 1200×630 card and a 1080×1920 story, or one 1080×1080 slide per carousel slide."""
    from dataclasses import replace

    from .limits import slide_split
    from .models import PostGraphic

    brand = post.brand
    layout = layout or LAYOUTS[post.pk % len(LAYOUTS)]
    headline = post.trend.title if post.trend_id else brand.name
    # The logo is read once, through its storage (local files or S3).
    base = GraphicSpec.for_brand(brand, headline=headline, layout=layout)
    specs = []
    carousel = post.copies.filter(platform="linkedin").first() if post.post_format == "carousel" else None
    if carousel is not None and carousel.parts:
        for i, slide in enumerate(carousel.parts, start=1):
            title, body = slide_split(slide)
            specs.append(
                replace(
                    base,
                    kind="carousel_slide",
                    headline=title,
                    body=body,
                    slide_index=i,
                    slide_total=len(carousel.parts),
                )
            )
    else:
        specs += [replace(base, kind="post_card"), replace(base, kind="story")]
    made = []
    for index, spec in enumerate(specs):
        graphic = graphic_generate(spec)
        stored = graphic_store(graphic, path_prefix=f"posts/{post.pk}/graphics")
        made.append(
            PostGraphic(
                post=post,
                kind=graphic.kind,
                index=index,
                layout=graphic.layout,
                source=graphic.source,
                full=stored["full"]["name"],
                medium=stored.get("medium", {}).get("name", ""),
                thumbnail=stored.get("thumbnail", {}).get("name", ""),
                width=graphic.width,
                height=graphic.height,
                alt_text=graphic.alt_text[:500],
            )
        )
    old = list(post.graphics.all())
    with transaction.atomic():
        post.graphics.all().delete()
        PostGraphic.objects.bulk_create(made)
    names = [n for g in old for n in (g.full, g.medium, g.thumbnail) if n]
    transaction.on_commit(lambda: graphic_delete(names))
    return made


def post_regenerate_request(
    *,
    post: Post,
    user,
    platform: str | None = None,
    tone: str | None = None,
    graphics: bool = False,
    layout: str = "",
) -> Post:
    """Regenerate one platform's copy (optionally in another tone) or the graphics (optionally in
    another layout), in the worker. Drafts only; the history records what was asked."""

    from .models import GenerationState
    from .tasks import post_generate, post_graphics_regenerate

    if graphics:
        if layout and layout not in LAYOUTS:
            raise ValidationError({"layout": f"Pick one of: {', '.join(LAYOUTS)}."})
        note = f"graphics{f' in the {layout} layout' if layout else ''}"
    else:
        if tone and tone not in Tone.values:
            raise ValidationError({"tone": "Pick one of the tones."})
        note = f"{platform_label(platform or '')} copy{f' in a {tone} tone' if tone else ''}"
    with transaction.atomic():
        # Under the row lock: the worker may have moved the post on since `post` was read, and two
        # presses of "regenerate" must not both start.
        locked = Post.objects.select_for_update().get(pk=post.pk)
        if locked.status != PostStatus.DRAFT:
            raise ValidationError(f"A {locked.get_status_display().lower()} post cannot be regenerated.")
        if locked.generation_state in (GenerationState.QUEUED, GenerationState.RUNNING):
            raise ValidationError("This post is still being generated.")
        if not graphics and platform not in {c.platform for c in locked.copies.all()}:
            raise ValidationError({"platform": "This post has no copy for that platform."})
        if not graphics and tone:
            locked.tone = tone
        locked.generation_state, locked.generation_progress = GenerationState.QUEUED, 0
        locked.generation_stage, locked.generation_error = f"Regenerating the {note}", ""
        locked.save(
            update_fields=[
                "tone",
                "generation_state",
                "generation_progress",
                "generation_stage",
                "generation_error",
                "updated_at",
            ]
        )
        PostEdit.objects.create(
            post=locked, user=user, field="regenerate", platform=platform or "", note=note
        )
        if graphics:
            transaction.on_commit(lambda: post_graphics_regenerate.delay(locked.pk, layout))
        else:
            transaction.on_commit(lambda: post_generate.delay(locked.pk, [platform], True))
    post.refresh_from_db()
    return post


def post_graphics_regenerate_execute(*, post: Post, layout: str = "") -> Post:
    from .models import GenerationState

    _progress(
        post,
        generation_state=GenerationState.RUNNING,
        generation_progress=20,
        generation_stage="Drawing the graphics",
    )
    try:
        post_graphics_generate(post=post, layout=layout or None)
    except Exception as exc:
        logger.exception("redrawing the graphics of post %s failed", post.pk)
        _progress(
            post,
            generation_state=GenerationState.FAILED,
            generation_stage="Failed",
            generation_error=str(exc)[:2000],
        )
        raise
    _progress(
        post,
        generation_state=GenerationState.READY,
        generation_progress=100,
        generation_stage="Ready for review",
    )
    return post


def posts_batch_decide(
    *, brand, post_ids: list[int], user, approve: bool, reason: str = ""
) -> tuple[list[Post], list[tuple[Post, ValidationError]]]:
    """Approve or reject several of a brand's posts (the posts list's batch bar, and publishing's
    batch for these two actions). Each post stands alone, in a transaction of its own, so one that
    cannot be approved (copy over a limit, wrong status) does not stop the others; another brand's
    ids are ignored as if they did not exist. Returns the posts decided and the failures with their
    reasons."""
    if not approve and not (reason or "").strip():
        raise ValidationError({"reason": "Say why you reject them, so the next versions can do better."})
    done, failed = [], []
    posts = Post.objects.filter(brand=brand, pk__in=post_ids).prefetch_related("copies").order_by("pk")
    for post in posts:
        try:
            with transaction.atomic():
                if approve:
                    post_approve(post=post, user=user)
                else:
                    post_reject(post=post, user=user, reason=reason)
            done.append(post)
        except ValidationError as exc:
            post.refresh_from_db()
            failed.append((post, exc))
    return done, failed
