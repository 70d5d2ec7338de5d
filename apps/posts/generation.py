"""Writing a post's copy (SPEC section 5): the LLM with the brand's prompts, then validation —
length (trim at a sentence boundary), the platform's limits, brand safety — regenerating at most
twice with the reasons fed back, and the template copy when the LLM is not configured, fails or
never gets it right. The same brand, trend, platform, format and tone reuse the stored LLM copy
unless the user asks to regenerate."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from apps.integrations.http import ServiceError
from apps.integrations.llm import LLMNotConfigured, Message, llm_client

from .copy_templates import template_copy
from .limits import (
    CAROUSEL_BODY_MAX,
    CAROUSEL_HEADLINE_MAX,
    LINKEDIN_POST_MAX,
    X_POST_MAX,
    length_for,
    over_limit,
    slide_join,
    slide_split,
    thread_number,
    thread_number_room,
    trim_to_limit,
)
from .models import CopySource, GeneratedCopy
from .prompts import UnreadableAnswer, parse_answer, system_prompt, user_prompt
from .safety import copy_check

logger = logging.getLogger(__name__)

MAX_REGENERATIONS = 2


@dataclass
class CopyResult:
    parts: list[str]
    caption: str
    source: str
    llm_model: str = ""
    prompt_tokens: int = 0
    completion_tokens: int = 0
    attempts: int = 0
    notes: list[str] = field(default_factory=list)  # why earlier answers were not used


def _fit(platform: str, post_format: str, parts: list[str], caption: str) -> tuple[list[str], str]:
    """Trim what is too long at a sentence boundary; number thread tweets."""
    length = length_for(platform)
    if post_format == "thread" and platform == "x":
        room = X_POST_MAX - thread_number_room(len(parts))
        return thread_number([trim_to_limit(p, room, length=length) for p in parts]), caption
    if post_format == "carousel" and platform == "linkedin":
        slides = []
        for slide in parts:
            headline, body = slide_split(slide)
            slides.append(
                slide_join(
                    trim_to_limit(headline, CAROUSEL_HEADLINE_MAX), trim_to_limit(body, CAROUSEL_BODY_MAX)
                )
            )
        return slides, trim_to_limit(caption, LINKEDIN_POST_MAX)
    limit = X_POST_MAX if platform == "x" else LINKEDIN_POST_MAX
    return [
        trim_to_limit(" ".join(parts) if platform == "x" else "\n\n".join(parts), limit, length=length)
    ], caption


def copy_template(*, brand, trend, platform: str, post_format: str, tone: str, notes=()) -> CopyResult:
    made = template_copy(brand=brand, trend=trend, platform=platform, post_format=post_format, tone=tone)
    return CopyResult(
        parts=list(made.parts), caption=made.caption or "", source=CopySource.TEMPLATE, notes=list(notes)
    )


def copy_generate(
    *, brand, trend, platform: str, post_format: str, tone: str, regenerate: bool = False
) -> CopyResult:
    """The copy for one platform: reused, written by the LLM and validated, or from a template."""
    if not regenerate:
        stored = GeneratedCopy.objects.filter(
            brand=brand, trend=trend, platform=platform, post_format=post_format, tone=tone
        ).first()
        if stored is not None:
            return CopyResult(
                parts=stored.parts, caption=stored.caption, source=stored.source, llm_model=stored.llm_model
            )
    client = llm_client()
    try:
        client.check_configured()
    except LLMNotConfigured as exc:
        logger.info("post copy from a template: %s", exc)
        return copy_template(
            brand=brand, trend=trend, platform=platform, post_format=post_format, tone=tone, notes=[str(exc)]
        )
    messages = [
        Message.system(system_prompt(brand=brand)),
        Message.user(user_prompt(platform=platform, post_format=post_format, tone=tone, trend=trend)),
    ]
    notes: list[str] = []
    result, model, tokens = copy_from_llm(
        client=client,
        brand=brand,
        messages=messages,
        platform=platform,
        post_format=post_format,
        purpose=f"post_copy:{platform}:{post_format}",
        notes=notes,
    )
    if result is not None:
        GeneratedCopy.objects.update_or_create(
            brand=brand,
            trend=trend,
            platform=platform,
            post_format=post_format,
            tone=tone,
            defaults={
                "parts": result.parts,
                "caption": result.caption,
                "source": CopySource.LLM,
                "llm_model": model,
            },
        )
        return result
    result = copy_template(
        brand=brand, trend=trend, platform=platform, post_format=post_format, tone=tone, notes=notes
    )
    result.llm_model, result.prompt_tokens, result.completion_tokens = model, tokens[0], tokens[1]
    result.attempts = len([n for n in notes if n.startswith("answer")])
    return result


def copy_from_llm(
    *,
    client,
    brand,
    messages,
    platform: str,
    post_format: str,
    purpose: str,
    notes: list[str],
    extra_check=None,
) -> tuple[CopyResult | None, str, list[int]]:
    """Ask the LLM for copy and check the answer (platform limits, brand safety, then
    `extra_check(parts, caption) -> [problems]`), asking again with the reasons up to
    MAX_REGENERATIONS times. Returns (the copy, or None when no answer could be used; the model;
    [prompt tokens, completion tokens]); `notes` gets why each unused answer was not used."""
    tokens, model = [0, 0], ""
    for attempt in range(1, MAX_REGENERATIONS + 2):
        try:
            completion = client.complete(messages=messages, purpose=purpose, brand_id=brand.pk)
        except ServiceError as exc:
            notes.append(f"the AI model failed: {exc}")
            logger.warning("LLM failed (%s, brand %s), using a template: %s", purpose, brand.pk, exc)
            break
        tokens[0] += completion.prompt_tokens
        tokens[1] += completion.completion_tokens
        model = completion.model
        problems: list[str]
        try:
            parts, caption = parse_answer(completion.text)
            parts, caption = _fit(platform, post_format, parts, caption)
            problems = over_limit(platform, post_format, parts, caption=caption or None)
            if not problems:
                problems = copy_check(text="\n\n".join([*parts, caption]), brand=brand).reasons
            if not problems and extra_check is not None:
                problems = list(extra_check(parts, caption))
        except UnreadableAnswer as exc:
            problems = [str(exc)]
        if not problems:
            result = CopyResult(
                parts=parts,
                caption=caption,
                source=CopySource.LLM,
                llm_model=model,
                prompt_tokens=tokens[0],
                completion_tokens=tokens[1],
                attempts=attempt,
                notes=notes,
            )
            return result, model, tokens
        notes.append(f"answer {attempt} was not used: " + "; ".join(problems))
        messages = [
            *messages,
            Message.assistant(completion.text),
            Message.user(
                "That answer cannot be used: " + "; ".join(problems) + ". Write it again, fixing this."
            ),
        ]
    return None, model, tokens
