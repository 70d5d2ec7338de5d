"""The composer: a post the user writes — one text with per-platform overrides (X, LinkedIn, the
Sandbox), an X thread, an optional trend and a planned time — saved as a draft that then goes
through the same review, approval and scheduling as a generated post. Its AI helpers (rewrite in
the brand's voice, shorten to fit X, make a thread, suggest hashtags) each make one LLM call and
fall back to a rule when the model is not configured, fails or answers something unusable."""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction

from apps.core.vocabulary import LINKEDIN, NETWORKS, SANDBOX, X, platform_label
from apps.integrations.http import ServiceError
from apps.integrations.llm import LLMNotConfigured, Message, llm_client
from apps.learning.policy import learning_state

from .limits import (
    X_POST_MAX,
    X_THREAD_MAX_TWEETS,
    copy_format,
    over_limit,
    thread_number,
    thread_number_room,
    trim_to_limit,
    x_weighted_length,
)
from .models import CopySource, GenerationState, Post, PostCopy, PostEdit, PostFormat, PostOrigin, PostStatus
from .prompts import UnreadableAnswer, parse_answer, system_prompt
from .safety import copy_check

logger = logging.getLogger(__name__)

# Where a written post can go, in the composer's order.
COMPOSER_PLATFORMS: tuple[str, ...] = (X, LINKEDIN, SANDBOX)
TEXT_MAX = 10_000  # far above every platform's limit: a paste of a whole article is refused


@dataclass
class ComposerDraft:
    """What the composer holds: the common text, where it goes, each platform's own text (empty:
    the common text), the X thread's tweets (two or more make the post a thread), the trend."""

    text: str = ""
    platforms: list[str] = field(default_factory=list)
    overrides: dict[str, str] = field(default_factory=dict)
    thread: list[str] = field(default_factory=list)
    trend: object | None = None
    planned_for: datetime | None = None

    def cleaned_thread(self) -> list[str]:
        return [t.strip() for t in self.thread if t.strip()]

    def is_thread(self) -> bool:
        return X in self.platforms and len(self.cleaned_thread()) >= 2


def composer_copies(draft: ComposerDraft) -> dict[str, list[str]]:
    """Each chosen platform's parts: its override, else the common text; X's thread when there is
    one. The Sandbox publishes the X copy, so it gets a copy of its own only when its text is
    overridden or the post does not go to X."""
    copies: dict[str, list[str]] = {}
    common = draft.text.strip()
    for platform in COMPOSER_PLATFORMS:
        if platform not in draft.platforms:
            continue
        own = (draft.overrides.get(platform) or "").strip()
        if platform == X and draft.is_thread():
            copies[X] = draft.cleaned_thread()
        elif platform == SANDBOX and not own and X in draft.platforms:
            continue
        else:
            copies[platform] = [own or common]
    return copies


def composer_problems(draft: ComposerDraft) -> dict[str, list[str]]:
    """Each platform's problems against its limits ({} when everything fits)."""
    post_format = PostFormat.THREAD if draft.is_thread() else PostFormat.POST
    problems = {}
    for platform, parts in composer_copies(draft).items():
        found = over_limit(platform, copy_format(platform, post_format), parts)
        if found:
            problems[platform] = found
    return problems


def _validate(draft: ComposerDraft, *, strict: bool) -> dict[str, list[str]]:
    unknown = [p for p in draft.platforms if p not in COMPOSER_PLATFORMS]
    if unknown:
        raise ValidationError(
            {"platforms": f"Unknown platform: {', '.join(unknown)}. Pick X, LinkedIn or Sandbox."}
        )
    if not draft.platforms:
        raise ValidationError({"platforms": "Pick where the post goes: X, LinkedIn or Sandbox."})
    unknown_overrides = [p for p in draft.overrides if p not in COMPOSER_PLATFORMS]
    if unknown_overrides:
        raise ValidationError({"overrides": f"Unknown platform: {', '.join(unknown_overrides)}."})
    texts = [draft.text, *draft.overrides.values(), *draft.thread]
    if any(len(t or "") > TEXT_MAX for t in texts):
        raise ValidationError({"text": f"A text is longer than {TEXT_MAX:,} characters."})
    if len(draft.cleaned_thread()) > X_THREAD_MAX_TWEETS:
        raise ValidationError({"thread": f"A thread has at most {X_THREAD_MAX_TWEETS} tweets."})
    copies = composer_copies(draft)
    empty = [platform_label(p) for p, parts in copies.items() if not any(part.strip() for part in parts)]
    if empty:
        raise ValidationError(
            {
                "text": "Write the post's text first"
                + (f" (nothing for {', '.join(empty)})." if len(copies) > 1 else ".")
            }
        )
    problems = composer_problems(draft)
    if strict and problems:
        raise ValidationError({platform: messages for platform, messages in problems.items()})
    return problems


@transaction.atomic
def composer_post_save(
    *,
    brand,
    user,
    draft: ComposerDraft,
    post: Post | None = None,
    strict: bool = False,
    key: str = "",
    origin: str = PostOrigin.WRITTEN,
) -> Post:
    """Create the written post (origin "written"; "imported" for a CSV's rows), or update the
    composer's draft `post`: its copies follow the draft (platforms dropped lose theirs), one
    history row per save. Copy over a limit is kept as a draft (the page shows it and approval
    refuses it) unless `strict` (the API, the CSV import), which refuses it. Nothing is written
    when the draft is refused."""
    _validate(draft, strict=strict)
    if draft.trend is not None and draft.trend.pk is None:
        raise ValidationError({"trend": "No such trend."})
    post_format = PostFormat.THREAD if draft.is_thread() else PostFormat.POST
    copies = composer_copies(draft)
    # The networks it was written for (the learning policy's actions know no Sandbox).
    action = {
        "tone": brand.default_tone,
        "post_format": post_format,
        "platforms": [p for p in copies if p in NETWORKS],
    }
    state = learning_state(brand=brand, trend=draft.trend, post_format=post_format, tone=brand.default_tone)
    key = (key or "")[:36]
    if post is None and key:
        # The page's first saves may arrive together: one at a time per brand, and a later one
        # finds the post the first made under the page's key.
        type(brand).objects.select_for_update().filter(pk=brand.pk).first()
        post = Post.objects.filter(brand=brand, composer_key=key).first()
    if post is None:
        post = Post.objects.create(
            brand=brand,
            trend=draft.trend,
            created_by=user,
            post_format=post_format,
            tone=brand.default_tone,
            origin=origin,
            composer_key=key,
            generation_state=GenerationState.READY,
            generation_progress=100,
            generation_stage="Imported from a CSV"
            if origin == PostOrigin.IMPORTED
            else "Written in the composer",
            learning_state=state,
            learning_action=action,
            scheduled_for=draft.planned_for,
        )
        PostEdit.objects.create(
            post=post,
            user=user,
            field="created",
            after={"platforms": list(copies)},
            note="imported from a CSV" if origin == PostOrigin.IMPORTED else "written in the composer",
        )
        before = {}
    else:
        post = Post.objects.select_for_update().get(pk=post.pk, brand=brand)
        if post.status not in (PostStatus.DRAFT, PostStatus.APPROVED):
            raise ValidationError(f"A {post.get_status_display().lower()} post can no longer be edited.")
        before = {c.platform: c.parts for c in post.copies.all()}
        post.trend, post.post_format, post.learning_state, post.learning_action = (
            draft.trend,
            post_format,
            state,
            action,
        )
        post.scheduled_for = draft.planned_for
        post.save(
            update_fields=[
                "trend",
                "post_format",
                "learning_state",
                "learning_action",
                "scheduled_for",
                "updated_at",
            ]
        )
        post.copies.exclude(platform__in=list(copies)).delete()
    for platform, parts in copies.items():
        PostCopy.objects.update_or_create(
            post=post,
            platform=platform,
            defaults={"parts": [p.strip() for p in parts], "caption": "", "source": CopySource.WRITTEN},
        )
    after = {p: [part.strip() for part in parts] for p, parts in copies.items()}
    if before and before != after:
        PostEdit.objects.create(
            post=post, user=user, field="copy", before=before, after=after, note="composer"
        )
        if post.status == PostStatus.APPROVED:
            from .services import post_transition

            post_transition(post=post, to=PostStatus.DRAFT, user=user, note="edited after approval")
    post.refresh_from_db()
    return post


def composer_draft_of(post: Post) -> ComposerDraft:
    """The composer's fields for a saved post: the common text is the first platform's text."""
    copies = {c.platform: c.parts for c in post.copies.all()}
    thread = copies.get(X, []) if post.post_format == PostFormat.THREAD else []
    singles = {p: "\n\n".join(parts) for p, parts in copies.items() if not (p == X and thread)}
    common = singles.get(LINKEDIN) or singles.get(X) or singles.get(SANDBOX) or (thread[0] if thread else "")
    overrides = {p: text for p, text in singles.items() if text != common}
    platforms = [p for p in COMPOSER_PLATFORMS if p in copies]
    return ComposerDraft(
        text=common,
        platforms=platforms,
        overrides=overrides,
        thread=thread,
        trend=post.trend,
        planned_for=post.scheduled_for,
    )


# --- AI helpers ----------------------------------------------------------------------------------


@dataclass
class AssistResult:
    """A helper's answer: the new parts of the text (one, or a thread's tweets), or hashtags;
    where it came from ("llm", or "rule" when the model could not be used) and why."""

    kind: str
    parts: list[str] = field(default_factory=list)
    hashtags: list[str] = field(default_factory=list)
    source: str = "llm"
    note: str = ""


ASSISTS = ("rewrite", "shorten", "thread", "hashtags")

_ASK = {
    "rewrite": (
        "Rewrite this post in the brand's voice and tone. Keep its facts, its links and its language; "
        'change nothing it does not say. Answer with JSON only: {{"parts": ["…"]}}\n\nThe post:\n{text}'
    ),
    "shorten": (
        "Shorten this post so it fits one X post of at most 270 characters (a link counts 23). Keep its "
        'point, its links and its language. Answer with JSON only: {{"parts": ["…"]}}\n\nThe post:\n{text}'
    ),
    "thread": (
        "Turn this post into an X thread of 2 to 6 tweets, each at most 260 characters, without numbering "
        "(the app numbers them). Keep its facts and links. Answer with JSON only: "
        '{{"parts": ["tweet 1", "tweet 2", …]}}\n\nThe post:\n{text}'
    ),
    "hashtags": (
        "Suggest 3 to 5 hashtags for this post, from the brand's pillars{trend}. No spaces inside a "
        'hashtag. Answer with JSON only: {{"hashtags": ["#…", …]}}\n\nThe post:\n{text}'
    ),
}


def composer_assist(*, brand, kind: str, text: str, trend=None) -> AssistResult:
    """One AI helper on the text: one LLM call, checked (limits, brand safety); the rule's answer
    when the model is not configured, fails, or its answer cannot be used."""
    if kind not in ASSISTS:
        raise ValidationError({"assist": "Pick rewrite, shorten, thread or hashtags."})
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": "Write something first; the helpers work on your text."})
    if len(text) > TEXT_MAX:
        raise ValidationError({"text": f"A text is longer than {TEXT_MAX:,} characters."})
    client = llm_client()
    try:
        client.check_configured()
    except LLMNotConfigured as exc:
        return _assist_rule(brand=brand, kind=kind, text=text, trend=trend, why=str(exc))
    about = f" and this trend: {trend.title}" if trend is not None else ""
    messages = [
        Message.system(system_prompt(brand=brand)),
        Message.user(_ASK[kind].format(text=text, trend=about)),
    ]
    try:
        completion = client.complete(messages=messages, purpose=f"composer:{kind}", brand_id=brand.pk)
    except ServiceError as exc:
        logger.warning("composer %s: the LLM failed (brand %s), using the rule: %s", kind, brand.pk, exc)
        return _assist_rule(brand=brand, kind=kind, text=text, trend=trend, why="the AI model failed")
    try:
        result = _assist_answer(brand=brand, kind=kind, answer=completion.text)
    except UnreadableAnswer as exc:
        return _assist_rule(brand=brand, kind=kind, text=text, trend=trend, why=str(exc))
    return result


def _assist_answer(*, brand, kind: str, answer: str) -> AssistResult:
    if kind == "hashtags":
        match = re.search(r"\{.*\}", answer or "", re.S)
        try:
            data = json.loads(match.group(0)) if match else None
        except json.JSONDecodeError:
            data = None
        tags = data.get("hashtags") if isinstance(data, dict) else None
        if not isinstance(tags, list):
            raise UnreadableAnswer("the answer has no list of hashtags")
        cleaned = _hashtags_clean(t for t in tags if isinstance(t, str))
        if not cleaned:
            raise UnreadableAnswer("the answer's hashtags are empty")
        # Hashtags are not a post: only what they say is checked (offensive, banned, divisive).
        words = " ".join(re.sub(r"(?<=[a-z])(?=[A-Z])", " ", t.lstrip("#")) for t in cleaned)
        problems = [r for r in copy_check(text=words, brand=brand).reasons if not r.startswith("The copy")]
        if problems:
            raise UnreadableAnswer("; ".join(problems))
        return AssistResult(kind=kind, hashtags=cleaned)
    parts, _caption = parse_answer(answer)
    if kind == "thread":
        if len(parts) < 2:
            raise UnreadableAnswer("the answer is not a thread")
        parts = thread_number(
            [
                trim_to_limit(p, X_POST_MAX - thread_number_room(len(parts)), length=x_weighted_length)
                for p in parts[:X_THREAD_MAX_TWEETS]
            ]
        )
    else:
        parts = ["\n\n".join(parts)]
    if kind == "shorten" and x_weighted_length(parts[0]) > X_POST_MAX:
        raise UnreadableAnswer("the shortened text is still over 280 characters")
    problems = copy_check(text="\n\n".join(parts), brand=brand).reasons
    if problems:
        raise UnreadableAnswer("; ".join(problems))
    return AssistResult(kind=kind, parts=parts)


_SENTENCE = re.compile(r"(?<=[.!?…])\s+|\n+")


def _assist_rule(*, brand, kind: str, text: str, trend, why: str) -> AssistResult:
    """The helper without the model: rewrite keeps the text (tidied), shorten trims at a sentence
    or word, thread packs sentences into tweets, hashtags come from the pillars and the trend."""
    note = f"The AI model could not help ({why}); "
    if kind == "rewrite":
        tidy = "\n\n".join(" ".join(p.split()) for p in re.split(r"\n\s*\n", text) if p.strip())
        return AssistResult(kind=kind, parts=[tidy], source="rule", note=note + "your text is kept as it is.")
    if kind == "shorten":
        return AssistResult(
            kind=kind,
            parts=[trim_to_limit(text, X_POST_MAX, length=x_weighted_length)],
            source="rule",
            note=note + "it was cut at the last sentence that fits.",
        )
    if kind == "thread":
        return AssistResult(
            kind=kind, parts=thread_split(text), source="rule", note=note + "it was split at sentences."
        )
    words = [*(brand.pillars or []), *([trend.title] if trend is not None else [])]
    return AssistResult(
        kind=kind,
        hashtags=_hashtags_clean(words)[:5],
        source="rule",
        note=note + "these come from the brand's pillars" + (" and the trend." if trend is not None else "."),
    )


def thread_split(text: str) -> list[str]:
    """The text as a numbered thread: whole sentences packed into tweets that fit with their
    number (a sentence too long for one tweet is cut at a word); at least two tweets."""
    room = X_POST_MAX - thread_number_room(X_THREAD_MAX_TWEETS)
    sentences = [s.strip() for s in _SENTENCE.split(text) if s and s.strip()]
    tweets: list[str] = []
    for sentence in sentences:
        sentence = trim_to_limit(sentence, room, length=x_weighted_length)
        if tweets and x_weighted_length(f"{tweets[-1]} {sentence}") <= room:
            tweets[-1] = f"{tweets[-1]} {sentence}"
        else:
            tweets.append(sentence)
    if len(tweets) < 2:
        # One tweet's worth: two tweets, split at the middle sentence (or word).
        pieces = sentences if len(sentences) > 1 else text.split()
        half = max(1, len(pieces) // 2)
        tweets = [t for t in (" ".join(pieces[:half]), " ".join(pieces[half:])) if t] or [text]
        tweets = [trim_to_limit(t, room, length=x_weighted_length) for t in tweets]
    return thread_number(tweets[:X_THREAD_MAX_TWEETS])


def _hashtags_clean(words) -> list[str]:
    """Hashtags from words or phrases: "#FasterCashFlow" from "Faster cash flow"; no duplicates."""
    seen, tags = set(), []
    for word in words:
        pieces = re.findall(r"[^\W_]+", word.lstrip("#"))
        if not pieces:
            continue
        tag = "#" + (
            pieces[0]
            if len(pieces) == 1 and word.startswith("#")
            else "".join(p[:1].upper() + p[1:] for p in pieces)
        )
        tag = tag[:40]
        if tag.lower() not in seen:
            seen.add(tag.lower())
            tags.append(tag)
    return tags
