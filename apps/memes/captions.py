"""Caption ideas for a meme template, optionally about a trend: the LLM when one is configured,
patterns filled with the trend's words otherwise (and whenever the LLM fails or answers junk).

A suggestion is one text per text box of the template. The patterns are data: per template tag a
list of caption sets whose length is the number of boxes they were written for, plus generic sets
for any box count. Placeholders:

- ``{topic}`` a short noun phrase from the trend's title ("instant payments"), or a generic meme
  topic when there is no trend; ``{other}`` a second phrase from the title (or another topic);
- ``{title}`` the trend's title, shortened at a word boundary.

The same template, trend and seed always give the same suggestions; different seeds reorder them.
"""

from __future__ import annotations

import json
import logging
import random
import re
import zlib
from dataclasses import dataclass

from django.core.cache import cache

from apps.integrations.http import ServiceError
from apps.integrations.llm import LLMNotConfigured, Message, llm_client

logger = logging.getLogger(__name__)

MAX_CAPTION_LENGTH = 80  # per box: longer captions shrink to unreadable sizes on a meme
MAX_SUGGESTIONS = 10
TITLE_LENGTH = 70
LLM_CALLS_PER_USER = 20  # per LLM_WINDOW_SECONDS; beyond it suggestions come from the patterns
LLM_WINDOW_SECONDS = 600

# Used when there is no trend: things everyone has an opinion about.
GENERIC_TOPICS = (
    "Monday meetings",
    "reply-all emails",
    "one more coffee",
    "deploying on Friday",
    "reading the docs",
    "the group chat",
    "inbox zero",
    "the new password rules",
    "a quick sync",
    "working from the couch",
    "the office printer",
    "weekend plans",
)

# Words that end a phrase in a headline (articles, prepositions, common headline verbs).
_PHRASE_BREAKS_TEXT = """a about above after again against all also am amid among an and any are as at be because been
    before being below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers him his how i if in into is it its itself just let
    me more most my no nor not now of off on once only or our ours out over own same says she should
    so some such than that the their theirs them then there these they this those through to too
    under until up very was we were what when where which while who whom why will with would you
    your yours via onto across inside outside new news still go goes going gone live lives get gets
    got make makes made take takes took hit hits launch launches launched unveil unveils unveiled
    announce announces announced raise raises raised reveal reveals revealed find finds found show
    shows showed warn warns warned plan plans planned open opens opened win wins won lose loses lost
    cut cuts add adds added see sees saw expect expects expected face faces faced jump jumps jumped
    fall falls fell rise rises rose surge surges surged drop drops dropped become becomes became
    bring brings brought introduce introduces introduced publish publishes published pass passes
    passed approve approves approved name names named acquire acquires acquired buy buys bought
    sell sells sold sign signs signed set sets say said past despite toward towards ahead behind beyond
    near within without vs versus"""
_PHRASE_BREAKS = frozenset(_PHRASE_BREAKS_TEXT.split())
_WORD = re.compile(r"[^\W_][\w'’&.-]*", re.UNICODE)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")

# Caption sets per template tag, each as long as the number of boxes it was written for.
TAG_PATTERNS: dict[str, list[tuple[str, ...]]] = {
    "two-buttons": [
        ("Talk about {topic}", "Ignore {topic}", "Me, every single day"),
        ("Read about {topic}", "Read about {other}", "Me with 5 minutes left"),
        ("Have an opinion on {topic}", "Have a life", "Sweating"),
        ("Love {topic}", "Hate {topic}", "Me, reading one more headline"),
    ],
    "choice": [
        ("{topic}", "{other}", "Why not both?"),
        ("Learn about {topic}", "Pretend to know", "Every meeting"),
    ],
    "change-my-mind": [
        ("{topic} is overrated", "Change my mind"),
        ("{topic} is the future", "Change my mind"),
        ("Nobody actually understands {topic}", "Change my mind"),
        ("{other} matters more than {topic}", "Change my mind"),
    ],
    "opinion": [
        ("Hot take: {topic}", "Is fine, actually"),
        ("{topic}", "Is not the problem"),
    ],
    "this-is-fine": [
        ("{topic}", "This is fine"),
        ("Me watching {topic} unfold", "This is fine"),
        ("Reading “{title}”", "This is fine"),
        ("Everyone: {topic}!", "Me, calmly: this is fine"),
    ],
    "approve-reject": [
        ("{other}", "{topic}"),
        ("Doing it the old way", "{topic}"),
        ("Ignoring {topic}", "Writing a meme about {topic}"),
        ("Panicking about {topic}", "Reading the actual details"),
    ],
    "before-after": [
        ("Before {topic}", "After {topic}"),
        ("Me hearing about {topic}", "Me explaining {topic} to everyone"),
        ("Day 1 of {topic}", "Day 30 of {topic}"),
    ],
    "distracted": [
        ("{topic}", "Me", "My actual work"),
        ("{other}", "The internet", "{topic}"),
        ("One more article on {topic}", "Me", "Sleep"),
    ],
    "expanding-brain": [
        ("Ignoring {topic}", "Reading about {topic}", "Tweeting about {topic}", "Making memes about {topic}"),
        ("{topic}", "{topic}, but faster", "{topic}, but everywhere", "{topic}, but as a meme"),
        ("Hearing of {topic}", "Googling {topic}", "Explaining {topic}", "Becoming {topic}"),
    ],
    "galaxy-brain": [
        ("Worrying about {topic}", "Making memes about {topic}"),
        ("Reading the headline", "Reading the article about {topic}"),
        ("{other}", "{topic}"),
    ],
    "hype": [
        ("{topic}", "Let's go!"),
        ("When {topic} finally happens", "Hype!"),
        ("Me hearing about {topic}", "Absolutely buzzing"),
    ],
    "comparison": [
        ("{topic}", "{other}"),
        ("What they promise: {topic}", "What we get: {other}"),
    ],
}

# Any template, by box count; longer counts cycle through the escalating steps.
GENERIC_PATTERNS: dict[int, list[tuple[str, ...]]] = {
    1: [("{topic}",), ("When {topic} hits",), ("Me vs {topic}",), ("{topic}: a thread",)],
    2: [
        ("{topic}", "Everywhere"),
        ("Nobody:", "Absolutely everyone: {topic}"),
        ("When someone mentions {topic}", "And you actually read about it"),
        ("{topic}", "Is this the future?"),
        ("Me: I'll just skim {topic}", "Three hours later"),
        ("One does not simply", "Ignore {topic}"),
    ],
    3: [
        ("{topic}", "{other}", "Me"),
        ("Everyone: {topic}", "Me: {other}", "Both of us: tired"),
        ("Step 1: {topic}", "Step 2: ???", "Step 3: profit"),
    ],
}
ESCALATION = ("{topic}", "{topic}, but faster", "{topic}, but everywhere", "{topic}, as a meme")


@dataclass(frozen=True)
class TrendWords:
    topic: str
    other: str
    title: str

    def fill(self, text: str) -> str:
        return text.format(topic=self.topic, other=self.other, title=self.title)


def _short(text: str, limit: int) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit + 1].rsplit(" ", 1)[0].rstrip(" ,;:-–—")
    return (cut or text[:limit]).strip() + "…"


def trend_phrases(title: str) -> list[str]:
    """Runs of content words in a headline, at most three words each, in order:
    "Instant payments go live across Europe" → ["Instant payments", "Europe"]."""
    phrases, run = [], []
    for word in _WORD.findall(title):
        bare = word.strip(".'’&-").lower()
        if not bare or bare in _PHRASE_BREAKS or bare.isdigit():
            if run:
                phrases.append(run)
            run = []
            continue
        run.append(word.rstrip(".,"))
        if len(run) == 3:
            phrases.append(run)
            run = []
    if run:
        phrases.append(run)
    out = []
    for words in phrases:
        first = words[0]
        # A headline capitalises its first word; a proper noun or acronym keeps its capitals.
        if len(out) == 0 and title.lstrip().startswith(first) and first[1:].islower() and len(words) > 1:
            words = [first.lower(), *words[1:]]
        phrase = " ".join(words)
        if phrase.lower() not in (p.lower() for p in out):
            out.append(phrase)
    return out


def trend_words(trend, rng: random.Random) -> TrendWords:
    if trend is None:
        topic, other = rng.sample(GENERIC_TOPICS, 2)
        return TrendWords(topic=topic, other=other, title=topic)
    title = _short(trend.title, TITLE_LENGTH)
    phrases = trend_phrases(trend.title)
    # The longest of the first phrases reads best as the topic.
    ranked = sorted(phrases[:3], key=lambda p: -len(p.split()))
    topic = ranked[0] if ranked else title
    others = [p for p in phrases if p != topic]
    other = others[0] if others else rng.choice(GENERIC_TOPICS)
    return TrendWords(topic=_short(topic, 40), other=_short(other, 40), title=title)


def _fit(pattern: tuple[str, ...], count: int) -> tuple[str, ...]:
    """A pattern for `count` boxes: cut (the last boxes are punchlines; keep the first ones) or
    continued with the escalation steps."""
    if len(pattern) >= count:
        return pattern[:count]
    extra = [ESCALATION[min(i, len(ESCALATION) - 1)] for i in range(len(pattern), count)]
    return (*pattern, *extra)


def _candidates(template, box_count: int) -> tuple[list[tuple[str, ...]], list[tuple[str, ...]]]:
    """(patterns written for this template's tags, generic ones), all fitted to `box_count`."""
    own, adapted = [], []
    for tag in template.tag_list:
        for pattern in TAG_PATTERNS.get(tag, ()):
            (own if len(pattern) == box_count else adapted).append(_fit(pattern, box_count))
    generic = GENERIC_PATTERNS.get(box_count)
    if generic is None:
        generic = [ESCALATION[:box_count]] if box_count <= len(ESCALATION) else []
        generic += [_fit(p, box_count) for p in GENERIC_PATTERNS[3]]
    return own + adapted, list(generic)


def clean_caption(text) -> str:
    """One caption as it may go into a box: text only, one line of folded whitespace, at most
    MAX_CAPTION_LENGTH characters (cut at a word boundary)."""
    if not isinstance(text, str):
        return ""
    text = _CONTROL.sub(" ", text.replace("\n", " "))
    text = " ".join(text.split())
    if len(text) > 1 and text[0] + text[-1] in ('""', "''", "“”"):  # a caption wrapped in quotes
        text = text[1:-1].strip()
    return _short(text, MAX_CAPTION_LENGTH) if text else ""


def _seed(template, trend, seed) -> int:
    if isinstance(seed, int):
        return seed
    basis = f"{getattr(template, 'slug', '')}|{getattr(trend, 'pk', '')}|{getattr(trend, 'title', '')}|{seed}"
    return zlib.crc32(basis.encode())


def captions_from_patterns(*, template, trend=None, n: int = 5, seed=None) -> list[list[str]]:
    """`n` different caption sets for the template's boxes, from the patterns."""
    box_count = len(template.text_boxes())
    rng = random.Random(_seed(template, trend, seed))  # noqa: S311 (variety, not secrecy)
    words = trend_words(trend, rng)
    own, rest = _candidates(template, box_count)
    # The template's own patterns stay in front; the seed varies the order within each group.
    rng.shuffle(own)
    rng.shuffle(rest)
    out: list[list[str]] = []
    seen: set[tuple[str, ...]] = set()
    for pattern in own + rest:
        texts = [clean_caption(words.fill(part)) for part in pattern]
        key = tuple(t.lower() for t in texts)
        if key in seen or not any(texts):
            continue
        seen.add(key)
        out.append(texts)
        if len(out) >= n:
            break
    return out


# --- the LLM ----------------------------------------------------------------------------------------


class UnusableAnswer(ValueError):
    pass


def box_labels(count: int, boxes=()) -> list[str]:
    """What the maker calls each box: Top/Bottom (or Left/Right) for two, Text 1..n otherwise."""
    if count == 2 and len(boxes) == 2:
        first, second = boxes
        if first.y + first.h <= second.y + 0.01:
            return ["Top text", "Bottom text"]
        if first.x + first.w <= second.x + 0.01:
            return ["Left text", "Right text"]
    if count == 1:
        return ["Text"]
    return [f"Text {i}" for i in range(1, count + 1)]


def llm_messages(*, template, trend, box_count: int, n: int) -> list[Message]:
    labels = box_labels(box_count, template.text_boxes())
    lines = [
        f"Meme template: {template.name}",
        f"Template tags: {', '.join(template.tag_list) or 'none'}",
        f"Text boxes: {box_count} ({', '.join(labels)})",
    ]
    if trend is not None:
        lines.append(f"Trend: {trend.title}")
        phrases = trend_phrases(trend.title)
        if phrases:
            lines.append(f"Keywords: {', '.join(phrases[:6])}")
        if getattr(trend, "summary", ""):
            lines.append(f"Summary: {_short(trend.summary, 300)}")
    else:
        lines.append("Trend: none; pick everyday work-life topics.")
    lines.append(
        f"Write {n} different caption sets for this meme. Each set has exactly {box_count} texts, "
        f"one per text box in the order above, each at most {MAX_CAPTION_LENGTH} characters. "
        'Answer with JSON only: {"captions": [["text for box 1", "text for box 2"], ...]}'
    )
    return [
        Message.system(
            "You write short, funny, brand-safe meme captions. No slurs, insults, profanity or "
            "real people's names. Plain text only: no hashtags, no emoji, no quotes around captions."
        ),
        Message.user("\n".join(lines)),
    ]


def parse_llm_captions(text: str, *, box_count: int) -> list[list[str]]:
    """The caption sets of an LLM answer, cleaned: JSON ({"captions": [...]} or a bare list,
    possibly inside a code fence); sets with more texts than boxes are dropped, shorter ones
    filled with empty boxes, offensive ones dropped. Raises UnusableAnswer when nothing is left."""
    from apps.memes.services import caption_check

    body = text.strip()
    fence = re.search(r"```(?:json)?\s*(.*?)```", body, re.S)
    if fence:
        body = fence.group(1).strip()
    start = min((i for i in (body.find("{"), body.find("[")) if i >= 0), default=-1)
    if start < 0:
        raise UnusableAnswer("the answer has no JSON")
    try:
        data, _ = json.JSONDecoder().raw_decode(body[start:])
    except ValueError as exc:
        raise UnusableAnswer(f"the answer is not valid JSON: {exc}") from exc
    if isinstance(data, dict):
        data = data.get("captions")
    if not isinstance(data, list):
        raise UnusableAnswer("the answer has no list of captions")
    out: list[list[str]] = []
    for item in data:
        if isinstance(item, str) and box_count == 1:
            item = [item]
        if isinstance(item, dict):
            item = item.get("texts") or item.get("captions")
        if not isinstance(item, list) or not item or len(item) > box_count:
            continue
        if not all(isinstance(t, str) for t in item):
            continue
        texts = [clean_caption(t) for t in item]
        if not any(texts) or caption_check(texts):
            continue
        texts += [""] * (box_count - len(texts))
        if texts not in out:
            out.append(texts)
    if not out:
        raise UnusableAnswer("no usable caption set in the answer")
    return out


def _llm_allowed(user) -> bool:
    """A per-user budget of LLM calls, so a button held down does not spend the LLM quota."""
    if user is None or not getattr(user, "pk", None):
        return True
    key = f"memes:captions:llm:{user.pk}"
    cache.add(key, 0, LLM_WINDOW_SECONDS)
    try:
        used = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, LLM_WINDOW_SECONDS)
        used = 1
    return used <= LLM_CALLS_PER_USER


@dataclass
class Suggestions:
    captions: list[list[str]]
    source: str  # "llm" or "template"
    note: str = ""  # why the patterns were used when an LLM is configured


def caption_suggestions(*, template, trend=None, n: int = 5, seed=None, user=None) -> Suggestions:
    """Caption sets with where they came from (see the module docstring)."""
    n = max(1, min(int(n), MAX_SUGGESTIONS))
    box_count = len(template.text_boxes())
    client = llm_client()
    note = ""
    try:
        client.check_configured()
    except LLMNotConfigured:
        return Suggestions(captions_from_patterns(template=template, trend=trend, n=n, seed=seed), "template")
    if not _llm_allowed(user):
        note = "You asked for many suggestions in a short time; these come from patterns."
    else:
        try:
            completion = client.complete(
                messages=llm_messages(template=template, trend=trend, box_count=box_count, n=n),
                temperature=0.9,
                max_tokens=600,
                purpose="meme_captions",
            )
            captions = parse_llm_captions(completion.text, box_count=box_count)
        except (ServiceError, LLMNotConfigured) as exc:
            logger.warning("meme captions from patterns, the LLM failed: %s", exc)
            note = "The AI model did not answer; these come from patterns."
        except UnusableAnswer as exc:
            logger.warning("meme captions from patterns, the LLM answer was unusable: %s", exc)
            note = "The AI model's answer was unusable; these come from patterns."
        else:
            if len(captions) < n:  # top up with patterns rather than show fewer than asked
                for texts in captions_from_patterns(template=template, trend=trend, n=n, seed=seed):
                    if texts not in captions and len(captions) < n:
                        captions.append(texts)
            return Suggestions(captions[:n], "llm")
    return Suggestions(
        captions_from_patterns(template=template, trend=trend, n=n, seed=seed), "template", note
    )


def caption_suggest(*, template, trend=None, n: int = 5, seed=None, user=None) -> list[list[str]]:
    """`n` caption sets (one text per text box of `template`) about `trend` (optional)."""
    return caption_suggestions(template=template, trend=trend, n=n, seed=seed, user=user).captions
