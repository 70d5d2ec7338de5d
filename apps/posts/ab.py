"""A/B variants of a post: variant B written with a different hook. Putting both on the calendar
apart and calling the winner are publishing's (apps.publishing.ab), where the publications are.

Variant B is a second post (`Post.ab_parent` → A, `variant_label` "B") with the same brand, trend,
format and tone, and copy for the same platforms. The worker writes its copy like any post's
(`post_generate_execute` calls `copy_generate_variant` for a variant): the LLM is shown A's text
and asked for a different opening hook (one of `HOOKS`); the answer goes through the same checks
as any copy (length, limits, brand safety) and must also differ from A (`too_similar`), else it
is asked again. Without an LLM (or when it fails) another template is used: the first whose text
is not too similar to A's. A variant's copy is never stored as the reusable copy of its trend.
"""

from __future__ import annotations

import difflib
import re

from django.core.exceptions import ValidationError
from django.db import transaction

from apps.integrations.llm import LLMNotConfigured, Message, llm_client

from .models import GenerationState, Post, PostCopy, PostEdit, PostStatus

# Above this similarity (difflib ratio of the normalised texts) B is "the same copy" as A.
SIMILARITY_MAX = 0.8
# The openings the LLM is asked to use for variant B (by the variant's id, so a regeneration of B
# tries the next one).
HOOKS = (
    "open with a direct question to the reader",
    "open with a short, concrete scene from the reader's working day",
    "open with a bold one-line claim",
    "open with a contrast: what most people assume, then what is actually true",
    "open with the single most practical takeaway, then explain why",
)
# A test can start while A has not gone out yet.
CREATABLE = (PostStatus.DRAFT, PostStatus.APPROVED, PostStatus.SCHEDULED)


class ABConflict(ValidationError):
    """The post is already in an A/B test."""


# --- the pair -------------------------------------------------------------------------------------


def ab_pair(*, post: Post) -> tuple[Post, Post] | None:
    """(A, B) for a post in an A/B test, else None."""
    if post.ab_parent_id:
        return post.ab_parent, post
    variant = Post.objects.filter(ab_parent=post).first()
    return (post, variant) if variant is not None else None


@transaction.atomic
def ab_variant_create(*, post: Post, user) -> Post:
    """Variant B of `post` (A): a new draft for the same trend, format, tone and platforms whose
    copy the worker writes with a different hook. It needs approving like any post."""
    from .tasks import post_generate

    locked = Post.objects.select_for_update().get(pk=post.pk)
    if locked.ab_parent_id:
        raise ABConflict(
            f"This post is variant B of post #{locked.ab_parent_id}; create variants from variant A."
        )
    existing = Post.objects.filter(ab_parent=locked).first()
    if existing is not None:
        raise ABConflict(f"This post already has variant B (post #{existing.pk}).")
    if locked.status not in CREATABLE:
        raise ValidationError(
            f"A {locked.get_status_display().lower()} post cannot get an A/B variant: both variants "
            "must still be ahead of publishing."
        )
    if locked.generation_state != GenerationState.READY:
        raise ValidationError("Wait until this post's copy is written, then create the variant.")
    platforms = [c.platform for c in locked.copies.order_by("platform")]
    if not platforms:
        raise ValidationError("This post has no copy to make a variant of.")
    variant = Post.objects.create(
        brand_id=locked.brand_id,
        trend_id=locked.trend_id,
        created_by=user,
        post_format=locked.post_format,
        tone=locked.tone,
        learning_state=locked.learning_state,
        learning_action=locked.learning_action,
        ab_parent=locked,
        variant_label="B",
        generation_stage="Waiting for a worker",
    )
    locked.variant_label = "A"
    locked.save(update_fields=["variant_label", "updated_at"])
    PostEdit.objects.create(
        post=variant,
        user=user,
        field="A/B test",
        after={"platforms": platforms, "ab_variant_of": locked.pk},
        note=f"created as variant B of post #{locked.pk}",
    )
    PostEdit.objects.create(
        post=locked,
        user=user,
        field="A/B test",
        after={"variant": variant.pk},
        note=f"variant B created (post #{variant.pk})",
    )
    transaction.on_commit(lambda: post_generate.delay(variant.pk, platforms))
    post.refresh_from_db()
    return variant


# --- variant B's copy -------------------------------------------------------------------------------


def _normalised(text: str) -> str:
    text = re.sub(r"(^|\s)\d+/\d*", " ", text.lower())  # thread numbering
    text = re.sub(r"[#@]\w+", " ", text)
    return " ".join(re.findall(r"\w+", text))


def copy_text(parts: list[str], caption: str = "") -> str:
    return "\n\n".join([*parts, caption]).strip()


def too_similar(a: str, b: str) -> bool:
    """B reads as the same copy as A: equal once case, numbering and tags are ignored, or nearly so."""
    na, nb = _normalised(a), _normalised(b)
    if not na or not nb or na == nb:
        return True
    return difflib.SequenceMatcher(None, na, nb, autojunk=False).ratio() > SIMILARITY_MAX


def _variant_template(*, brand, trend, platform: str, post_format: str, tone: str, avoid: str, notes):
    """A template copy that is not too similar to `avoid`: the templates in turn after the one the
    inputs would pick, then with other seeds; the most different one if none is different enough."""
    from .copy_templates import template_copy, template_variant_count
    from .generation import CopyResult
    from .models import CopySource

    count = template_variant_count(tone=tone, platform=platform, post_format=post_format)
    first = template_copy(brand=brand, trend=trend, platform=platform, post_format=post_format, tone=tone)
    best, best_ratio = None, 2.0
    for seed in (None, "ab-1", "ab-2"):
        for step in range(1, count + 1):
            made = template_copy(
                brand=brand,
                trend=trend,
                platform=platform,
                post_format=post_format,
                tone=tone,
                variant=first.variant + step,
                seed=seed,
            )
            if not too_similar(avoid, made.text):
                return CopyResult(
                    parts=list(made.parts),
                    caption=made.caption or "",
                    source=CopySource.TEMPLATE,
                    notes=notes,
                )
            ratio = difflib.SequenceMatcher(None, _normalised(avoid), _normalised(made.text)).ratio()
            if ratio < best_ratio:
                best, best_ratio = made, ratio
    notes.append("no template differs much from variant A")
    return CopyResult(
        parts=list(best.parts), caption=best.caption or "", source=CopySource.TEMPLATE, notes=notes
    )


def variant_prompt(*, hook: str, a_text: str) -> str:
    return (
        "This is variant B of an A/B test. Variant A of this post is:\n"
        f'"""\n{a_text[:3000]}\n"""\n'
        f"Write variant B: the same facts and format, but {hook}, take a different angle, and reuse none "
        "of variant A's sentences or its opening."
    )


def copy_generate_variant(*, post: Post, platform: str, post_format: str):
    """Variant B's copy for one platform (see the module docstring); a CopyResult."""

    from .generation import copy_from_llm
    from .prompts import system_prompt, user_prompt

    brand, trend, tone = post.brand, post.trend, post.tone
    a_copy = PostCopy.objects.filter(post_id=post.ab_parent_id, platform=platform).first()
    avoid = copy_text(a_copy.parts, a_copy.caption) if a_copy else ""
    notes: list[str] = []
    template = dict(brand=brand, trend=trend, platform=platform, post_format=post_format, tone=tone)
    client = llm_client()
    try:
        client.check_configured()
    except LLMNotConfigured as exc:
        notes.append(str(exc))
        return _variant_template(**template, avoid=avoid, notes=notes)
    hook = HOOKS[post.pk % len(HOOKS)]
    messages = [
        Message.system(system_prompt(brand=brand)),
        Message.user(
            user_prompt(platform=platform, post_format=post_format, tone=tone, trend=trend)
            + "\n\n"
            + variant_prompt(hook=hook, a_text=avoid)
        ),
    ]

    def differs_from_a(parts: list[str], caption: str) -> list[str]:
        return (
            ["it reads almost the same as variant A"] if too_similar(avoid, copy_text(parts, caption)) else []
        )

    result, model, tokens = copy_from_llm(
        client=client,
        brand=brand,
        messages=messages,
        platform=platform,
        post_format=post_format,
        purpose=f"post_copy_variant:{platform}:{post_format}",
        notes=notes,
        extra_check=differs_from_a,
    )
    if result is not None:
        result.notes = [f"variant B: asked to {hook}", *notes]
        return result
    result = _variant_template(**template, avoid=avoid, notes=notes)
    result.llm_model, result.prompt_tokens, result.completion_tokens = model, tokens[0], tokens[1]
    result.attempts = len([n for n in notes if n.startswith("answer")])
    return result
