"""Template copy: the posts written without the LLM (none configured, or it failed), per tone and
format, filled with the trend and the brand's pillars, audience and industry, in its voice.

Templates are data, one ``<tone>.toml`` beside this module. Per tone there are variants of four
shapes: ``x_post`` and ``linkedin_post`` (paragraphs separated by a blank line), ``thread`` (a list
of tweets) and ``carousel`` (slides as (headline, body) pairs plus a caption). A template names its values as ``{placeholders}``:

- ``{trend}`` the trend's title (without an outlet's " - Reuters"); ``{summary}`` the first
  sentence of its summary, ``{detail}`` the second; ``{brand}``; ``{industry}`` the industry's
  name, never a placeholder such as "Other";
- ``{pillar}`` / ``{Pillar}`` the pillar nearest the trend (lower- or upper-case first letter),
  ``{pillar2}`` / ``{Pillar2}`` another one; pillars always follow a colon, since brands write
  them as noun phrases ("Finance automation that auditors trust") as often as claims;
- ``{audience}`` / ``{Audience}`` the audience roles in the plural ("CFOs and finance directors");
- ``{ask}`` a question to the audience and ``{cta}`` a closing call to action, drawn per tone.

Two rules keep the data free of code: a paragraph, tweet or slide that uses ``{summary}``,
``{detail}``, ``{pillar2}`` or ``{industry}`` is left out when the trend or brand has nothing for it, and a
paragraph starting with ``~`` is an extra: the first thing to go when a post would not fit, and
left out of LinkedIn posts for brands whose voice profile says they write short ones.

The brand's voice profile (apps.brands.voice) is followed where it is concrete: no emoji when its
posts have none (at most its usual count otherwise, and one added when it always uses some), its
usual number of hashtags (none when it uses none; its favourite tags come first), no
exclamation marks when it never uses them, and the extras left out when its posts are short.
Without a profile the tone decides. Carousel slides never carry emoji: they are drawn into
graphics with fonts that may have no emoji glyphs.

Everything fits the limits of apps.posts.limits (text is trimmed at a sentence end when a long
trend title or summary would not fit). The same inputs, variant and seed give the same copy.
"""

from __future__ import annotations

import random
import re
import string
import tomllib
import zlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from apps.core.vocabulary import PLATFORM_FORMATS
from apps.integrations.sources.base import title_without_publisher
from apps.posts import limits
from apps.posts.limits import EMOJI_SEQUENCE, trim_to_limit, x_weighted_length

_ENDS_WITH_EMOJI = re.compile(rf"(?:{EMOJI_SEQUENCE.pattern})\s*$")

TONES = ("professional", "friendly", "witty", "bold", "educational", "inspirational")
DEFAULT_TONE = "professional"
OPTIONAL_PLACEHOLDERS = frozenset({"summary", "detail", "pillar2", "Pillar2", "industry"})
EXTRA_MARK = "~"

# Shown when the brand has not said who its audience or pillars are.
AUDIENCE_FALLBACK = "teams like yours"
# Industries that are a choice in a list, not a field anyone works in: never a word in copy.
PLACEHOLDER_INDUSTRIES = frozenset(
    {"other", "others", "general", "none", "n/a", "not sure", "something else"}
)
PILLAR_FALLBACK = "practical help for {audience}, without the hype"

# Hashtags when the voice profile does not say how many the brand uses.
DEFAULT_HASHTAGS = {"x_post": 2, "thread": 2, "linkedin_post": 3, "carousel": 3}
MAX_HASHTAGS = {"x_post": 3, "thread": 3, "linkedin_post": 5, "carousel": 5}
# A LinkedIn post leaves out its extras when the brand's posts are usually shorter than this.
SHORT_VOICE_MEDIAN_CHARS = 600

# How long the trend title and summary may be inside each shape, so the copy around them fits.
VALUE_CAPS = {
    "x_post": {"trend": 110, "summary": 0, "detail": 0},
    "thread": {"trend": 140, "summary": 220, "detail": 220},
    "linkedin_post": {"trend": 250, "summary": 400, "detail": 300},
    "carousel": {"trend": 190, "summary": 190, "detail": 190},
}

# The templates are data, one TOML file per tone beside this module; phrases.toml holds the
# questions, calls to action and emoji per tone, words.toml the words hashtags leave aside. Read once
# at import; tests/posts/test_copy_template_data.py checks every entry's shape.
_DATA = Path(__file__).resolve().parent


def _load(name: str) -> dict:
    with (_DATA / f"{name}.toml").open("rb") as file:
        return tomllib.load(file)


def _tone_templates(tone: str) -> dict[str, list]:
    data = _load(tone)
    return {
        "x_post": data["x_post"],
        "linkedin_post": data["linkedin_post"],
        "thread": data["thread"],
        "carousel": [
            {"slides": [tuple(slide) for slide in carousel["slides"]], "caption": carousel["caption"]}
            for carousel in data["carousel"]
        ],
    }


_PHRASES = _load("phrases")
QUESTIONS: dict[str, list[str]] = _PHRASES["questions"]
CALLS_TO_ACTION: dict[str, list[str]] = _PHRASES["calls_to_action"]
# Added at the start when the voice profile says the brand always uses emoji and a template has none.
TONE_EMOJI: dict[str, list[str]] = _PHRASES["tone_emoji"]
TEMPLATES: dict[str, dict[str, list]] = {tone: _tone_templates(tone) for tone in TONES}


@dataclass
class TemplateCopy:
    """Copy made from a template: ``parts`` is one text for a post, the tweets of a thread (numbered
    "i/n"), or a carousel's slides ("Headline\\n\\nBody"); ``caption`` is a carousel's caption ("" for
    other formats); ``hashtags`` are the ones placed in the copy."""

    parts: list[str]
    caption: str
    variant: int
    hashtags: list[str] = field(default_factory=list)
    tone: str = DEFAULT_TONE

    @property
    def text(self) -> str:
        """All of the copy as one text (for safety checks and search)."""
        return "\n\n".join([*self.parts, self.caption]).strip()


def _shape(platform: str, post_format: str) -> str:
    if post_format not in PLATFORM_FORMATS.get(platform, ()):
        raise ValueError(f"No template copy for a {post_format} on {platform!r}.")
    return f"{platform}_post" if post_format == "post" else post_format


def template_variant_count(*, tone: str, platform: str, post_format: str) -> int:
    """How many variants the templates have for this tone, platform and format."""
    return len(TEMPLATES[_tone(tone)][_shape(platform, post_format)])


def template_copy(
    *,
    brand,
    trend,
    platform: str,
    post_format: str,
    tone: str,
    variant: int | None = None,
    seed=None,
) -> TemplateCopy:
    """The template copy for a trend in the brand's voice. ``variant`` picks a template (modulo
    their number); without it the seed picks one, and without a seed the inputs do, so the same
    brand, trend, platform, format and tone give the same copy. An unknown tone is taken as
    professional."""
    tone = _tone(tone)
    shape = _shape(platform, post_format)
    options = TEMPLATES[tone][shape]
    key = f"{getattr(brand, 'name', '')}|{getattr(trend, 'title', '')}|{platform}|{post_format}|{tone}"
    if variant is None:
        variant = (
            zlib.crc32(key.encode())
            if seed is None
            else random.Random(f"{seed}|{key}").randrange(len(options))  # noqa: S311 (not security)
        )
    variant %= len(options)
    rng = random.Random(f"{seed}|{variant}|{key}")  # noqa: S311 (variety, not security)
    voice = _Voice.from_brand(brand, shape)
    values = _values(brand=brand, trend=trend, tone=tone, shape=shape, rng=rng)
    tags = _hashtags(brand=brand, trend=trend, count=voice.hashtag_count(shape))
    template = options[variant]

    if shape == "thread":
        parts, used = _thread(template, values, voice, tags, tone=tone, rng=rng)
        caption = ""
    elif shape == "carousel":
        parts = _carousel_slides(template["slides"], values, voice)
        paragraphs = voice.with_emoji(_paragraphs(template["caption"], values, voice), tone=tone, rng=rng)
        caption, used = _fit_post(paragraphs, tags, limits.LINKEDIN_CAPTION_MAX, len)
    else:
        limit, length = (
            (limits.X_POST_MAX, x_weighted_length) if platform == "x" else (limits.LINKEDIN_POST_MAX, len)
        )
        paragraphs = voice.with_emoji(_paragraphs(template, values, voice), tone=tone, rng=rng)
        text, used = _fit_post(paragraphs, tags, limit, length)
        parts, caption = [text], ""
    return TemplateCopy(parts=parts, caption=caption, variant=variant, hashtags=used, tone=tone)


def _tone(tone: str) -> str:
    tone = (tone or "").strip().lower()
    return tone if tone in TEMPLATES else DEFAULT_TONE


# --- The brand's voice -----------------------------------------------------------------------


@dataclass
class _Voice:
    """What the voice profile says concretely; None where it says nothing."""

    emoji_per_post: float | None = None
    hashtags_per_post: float | None = None
    no_exclamations: bool = False
    short: bool = False

    @classmethod
    def from_brand(cls, brand, shape: str) -> _Voice:
        profile = getattr(brand, "voice_profile", None) or {}
        median = profile.get("median_chars")
        return cls(
            emoji_per_post=profile.get("emoji_per_post"),
            hashtags_per_post=profile.get("hashtags_per_post"),
            no_exclamations=profile.get("exclamation_rate") == 0,
            short=shape == "linkedin_post" and median is not None and median < SHORT_VOICE_MEDIAN_CHARS,
        )

    def hashtag_count(self, shape: str) -> int:
        if self.hashtags_per_post is None:
            return DEFAULT_HASHTAGS[shape]
        if self.hashtags_per_post <= 0:
            return 0
        return max(1, min(MAX_HASHTAGS[shape], round(self.hashtags_per_post)))

    def prepare(self, template: str) -> str:
        return template.replace("!", ".") if self.no_exclamations else template

    def with_emoji(
        self, paragraphs: list[tuple[str, bool]], *, tone: str, rng, add: bool = True
    ) -> list[tuple[str, bool]]:
        """The paragraphs of one post with the profile's emoji habit applied (before fitting, so
        an added emoji counts against the limit): none, at most its usual count, or one added at
        the start when it always uses some and the template has none."""
        if self.emoji_per_post is None:
            return paragraphs
        cap = 0 if self.emoji_per_post <= 0 else max(1, round(self.emoji_per_post))
        kept = 0

        def keep_first(match: re.Match) -> str:
            nonlocal kept
            kept += 1
            return match.group(0) if kept <= cap else ""

        result = []
        for text, extra in paragraphs:
            lines = []
            for line in text.split("\n"):
                kept_line = _tidy(EMOJI_SEQUENCE.sub(keep_first, line))
                # "A short thread 👇" without its emoji still ends a sentence: "A short thread."
                if kept_line and kept_line[-1].isalnum() and _ENDS_WITH_EMOJI.search(line):
                    kept_line += "."
                lines.append(kept_line)
            kept_text = _tidy("\n".join(lines))
            if kept_text:
                result.append((kept_text, extra))
        if add and kept == 0 and result and self.emoji_per_post >= 1:
            first, extra = result[0]
            result[0] = (f"{rng.choice(TONE_EMOJI[tone])} {first}", extra)
        return result


# --- Values for the placeholders -------------------------------------------------------------

_WORD = re.compile(r"[A-Za-z][A-Za-z0-9'’&]*")
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"“‘'])")
_WORDS = _load("words")
# Words that make poor hashtags and say nothing about a pillar's fit.
STOPWORDS = frozenset(_WORDS["stopwords"].split())
HEADLINE_VERBS = frozenset(_WORDS["headline_verbs"].split())
ADJECTIVE_ENDINGS = ("ive", "ous", "ful", "able", "ible", "less", "al", "ic")
_HASHTAG_BODY = re.compile(r"[^0-9A-Za-z_]")


def _first_upper(text: str) -> str:
    return text[:1].upper() + text[1:]


def _first_lower(text: str) -> str:
    """Lower-case the first letter unless the first word is an acronym or a mixed-case name."""
    first = text.split(" ", 1)[0]
    if len(first) > 1 and (first.isupper() or any(c.isupper() for c in first[1:])):
        return text
    return text[:1].lower() + text[1:]


def _plural(role: str) -> str:
    role = " ".join(role.split())
    words = role.split(" ")
    # "Head of finance" → "heads of finance": the noun before "of" takes the plural.
    index = words.index("of") - 1 if "of" in words[1:] else len(words) - 1
    word = words[index]
    lower = word.lower()
    if (lower.endswith("s") and not lower.endswith("ss")) or lower in {"staff", "people", "leadership"}:
        plural = word
    elif re.search(r"(ss|sh|ch|x|z)$", lower):
        plural = word + "es"
    elif re.search(r"[^aeiou]y$", lower) and not word.isupper():
        plural = word[:-1] + "ies"
    else:
        plural = word + "s"
    words[index] = plural
    return _first_lower(" ".join(words))


def _audience(brand, industry: str) -> str:
    roles = [
        r.strip() for r in getattr(brand, "audience_roles", None) or [] if isinstance(r, str) and r.strip()
    ]
    if not roles:
        return f"{industry} teams" if industry else AUDIENCE_FALLBACK
    plural = [_plural(r) for r in roles[:2]]
    return " and ".join(plural)


def _industry(brand) -> str:
    """The brand's industry as words for copy, or "" when it has none or picked a placeholder."""
    industry = getattr(brand, "industry", None)
    name = " ".join(str(getattr(industry, "name", industry) if industry else "").split())
    slug = str(getattr(industry, "slug", "") or "").lower()
    if not name or slug in PLACEHOLDER_INDUSTRIES or name.lower() in PLACEHOLDER_INDUSTRIES:
        return ""
    return _first_lower(name)


def _stems(text: str) -> set[str]:
    return {w.lower()[:5] for w in _WORD.findall(text) if len(w) > 3 and w.lower() not in STOPWORDS}


def _pillars_by_fit(brand, trend_text: str) -> list[str]:
    pillars = [
        p.strip().rstrip(".;:!")
        for p in getattr(brand, "pillars", None) or []
        if isinstance(p, str) and p.strip()
    ]
    trend_stems = _stems(trend_text)
    # Most words in common with the trend first; the brand's own order breaks ties.
    return sorted(pillars, key=lambda p: -len(_stems(p) & trend_stems))


def _clean_title(title: str) -> str:
    # Trends stored before ingestion took outlets off their titles still carry " - Reuters".
    return title_without_publisher(" ".join((title or "").split())).rstrip(".,;:")


def _summary_sentences(trend, title: str) -> list[str]:
    summary = " ".join((getattr(trend, "summary", None) or "").split())
    sentences = [s.strip() for s in _SENTENCE.split(summary) if s.strip()]
    # A summary that only repeats the title says nothing new.
    if sentences and _stems(sentences[0]) <= _stems(title):
        sentences = sentences[1:]
    return [s if s[-1] in ".!?…" else f"{s}." for s in sentences]


def _capped(text: str, cap: int, shape: str) -> str:
    if not text or cap <= 0:
        return ""
    return trim_to_limit(text, cap, length=x_weighted_length if shape in ("x_post", "thread") else len)


def _values(*, brand, trend, tone: str, shape: str, rng: random.Random) -> dict[str, str]:
    title = _clean_title(getattr(trend, "title", ""))
    sentences = _summary_sentences(trend, title)
    caps = VALUE_CAPS[shape]
    industry = _industry(brand)
    audience = _audience(brand, industry)
    pillars = _pillars_by_fit(brand, f"{title} {' '.join(sentences)}")
    pillar = pillars[0] if pillars else PILLAR_FALLBACK.format(audience=audience)
    pillar2 = pillars[1] if len(pillars) > 1 else ""
    values = {
        "brand": getattr(brand, "name", "") or "we",
        "trend": _capped(title, caps["trend"], shape),
        "summary": _capped(sentences[0], caps["summary"], shape) if sentences else "",
        "detail": _capped(sentences[1], caps["detail"], shape) if len(sentences) > 1 else "",
        "industry": industry,
        "audience": audience,
        "Audience": _first_upper(audience),
        "pillar": _first_lower(pillar),
        "Pillar": _first_upper(pillar),
        "pillar2": _first_lower(pillar2),
        "Pillar2": _first_upper(pillar2),
        "ask": rng.choice(QUESTIONS[tone]),
    }
    values["cta"] = rng.choice(CALLS_TO_ACTION[tone]).format(brand=values["brand"])
    return values


# --- Hashtags --------------------------------------------------------------------------------


def _tag(words: list[str]) -> str:
    if len(words) == 1:
        word = words[0]
        body = word if (word.isupper() or any(c.isupper() for c in word[1:])) else word.lower()
    else:
        body = "".join(w if w.isupper() else w[:1].upper() + w[1:].lower() for w in words)
    body = _HASHTAG_BODY.sub("", body)
    if len(body) < 2 or body.isdigit() or len(body) > 30:
        return ""
    return f"#{body}"


def _is_topic_word(word: str, *, min_length: int, single: bool) -> bool:
    lower = word.lower()
    return not (
        len(lower) < min_length
        or word.isupper()
        or lower in STOPWORDS
        or lower in HEADLINE_VERBS
        or lower.endswith(("ing", "ed", "ly"))
        # Alone, an adjective makes a poor tag (#productive, #central); in a pair it is fine (#CentralBank).
        or (single and lower.endswith(ADJECTIVE_ENDINGS))
    )


def _trend_tags(title: str, context: str) -> list[str]:
    """Tags for what the trend is about: names and topic words of its title that its summary or
    the brand's pillars repeat. A word only the headline uses is wording, not the topic
    ("UK Urges Schools …" is no #UrgesSchools)."""
    if title.startswith("#"):  # the trend is a hashtag
        return [t for t in [_tag([title[1:]])] if t]
    words = [w.rstrip("'’s") if w.endswith(("'s", "’s")) else w for w in _WORD.findall(title)]
    stems = Counter(w.lower()[:5] for w in _WORD.findall(context))

    def recurs(*candidate: str) -> bool:
        return all(stems[w.lower()[:5]] >= 2 for w in candidate)

    def weight(*pair: str) -> int:
        return sum(stems[w.lower()[:5]] for w in pair)

    capitalised = [w for w in words if w[:1].isupper()]
    title_case = len(capitalised) >= 0.6 * max(1, len([w for w in words if len(w) > 3]))
    tags: list[str] = []
    # Names: acronyms (AI, ECB, PSD3) and mixed-case names (OpenAI) anywhere; capitalised runs after
    # the first word unless the title capitalises every word ("Open Banking" → #OpenBanking).
    run: list[str] = []
    for i, word in enumerate([*words, ""]):
        is_acronym = 2 <= len(word) <= 6 and word.isupper()
        is_mixed = any(c.isupper() for c in word[1:]) and any(c.islower() for c in word)
        is_name = not title_case and i > 0 and word[:1].isupper() and word.lower() not in STOPWORDS
        if is_acronym or is_mixed or is_name:
            run.append(word)
            continue
        if run and recurs(*run[:3]):
            tags.append(_tag(run[:3]))
        run = []
    # Then the topic: a two-word one ("instant payments", "remote work") before single words, the
    # one the trend repeats most (title, summary, pillars) first.
    pairs = [
        (m.group(1), m.group(2))
        for m in re.finditer(r"(?=\b([A-Za-z][a-z]+) ([A-Za-z][a-z]+)\b)", title)
        if all(_is_topic_word(w, min_length=4, single=False) for w in (m.group(1), m.group(2)))
        and recurs(m.group(1), m.group(2))
    ]
    if pairs:
        best = max(pairs, key=lambda pair: weight(*pair))
        # A topic the trend repeats says more than a name (#InstantPayments before #EU).
        tags.insert(0 if weight(*best) > 2 else len(tags), _tag(list(best)))
    singles = {w.lower() for w in words if _is_topic_word(w, min_length=5, single=True) and recurs(w)}
    for word in sorted(singles, key=lambda w: (-weight(w), -len(w), w)):
        if not any(word in tag.lower() for tag in tags):
            tags.append(_tag([word]))
    return [t for t in tags if t]


def _pillar_tags(pillar: str, context: str) -> list[str]:
    """A tag for the brand's pillar nearest the trend: its two-word topic ("Finance automation
    that auditors trust" → #FinanceAutomation), else its longest topic word."""
    stems = Counter(w.lower()[:5] for w in _WORD.findall(context))
    pairs = [
        (m.group(1), m.group(2))
        for m in re.finditer(r"(?=\b([A-Za-z][a-z]+) ([A-Za-z][a-z]+)\b)", pillar)
        if all(_is_topic_word(w, min_length=4, single=False) for w in (m.group(1), m.group(2)))
    ]
    tags = []
    if pairs:
        best = max(pairs, key=lambda pair: sum(stems[w.lower()[:5]] for w in pair))
        tags.append(_tag(list(best)))
    words = sorted(
        {w.lower() for w in _WORD.findall(pillar) if _is_topic_word(w, min_length=7, single=True)},
        key=lambda w: (-len(w), w),
    )
    tags.extend(_tag([w]) for w in words[:1])
    return [t for t in tags if t]


def _hashtags(*, brand, trend, count: int) -> list[str]:
    """Tags from the trend's topic, the brand's own favourites, its industry (never a placeholder
    such as "Other") and the pillar nearest the trend; never from arbitrary headline words."""
    if count <= 0:
        return []
    title = _clean_title(getattr(trend, "title", ""))
    pillars = [p for p in getattr(brand, "pillars", None) or [] if isinstance(p, str)]
    context = " ".join([title, getattr(trend, "summary", "") or "", *pillars])
    trend_tags = _trend_tags(title, context)
    profile = getattr(brand, "voice_profile", None) or {}
    brand_tags = [_tag([t.lstrip("#")]) if " " not in t else "" for t in profile.get("top_hashtags") or []]
    industry = _industry(brand)
    industry_tag = _tag(_WORD.findall(industry.replace("&", " "))) if industry else ""
    nearest = _pillars_by_fit(brand, context)[:1]
    pillar_tags = _pillar_tags(nearest[0], context) if nearest else []
    ordered = [
        *trend_tags[:1],
        *brand_tags[:1],
        industry_tag,
        *pillar_tags[:1],
        *trend_tags[1:2],
        *brand_tags[1:],
        *pillar_tags[1:],
    ]
    tags, seen = [], set()
    for tag in ordered:
        if tag and tag.lower() not in seen:
            seen.add(tag.lower())
            tags.append(tag)
    return tags[:count]


# --- Filling and fitting ---------------------------------------------------------------------

_FORMATTER = string.Formatter()


def _fill(template: str, values: dict[str, str]) -> str | None:
    """The template filled, or None when it uses an optional value that is empty."""
    names = {name for _, name, _, _ in _FORMATTER.parse(template) if name}
    if any(name in OPTIONAL_PLACEHOLDERS and not values.get(name) for name in names):
        return None
    return _tidy(template.format_map(values))


def _tidy(text: str) -> str:
    text = re.sub(r"([?!…])\.(?!\.)", r"\1", text)  # "Is it worth it?." from a title ending in "?"
    text = re.sub(r"(?<!\.)\.\.(?!\.)", ".", text)
    text = re.sub(r"[ \t]+", " ", text)
    text = re.sub(r" +([,.;:!?])", r"\1", text)
    lines = [line.strip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _paragraphs(template: str, values: dict[str, str], voice: _Voice) -> list[tuple[str, bool]]:
    """(text, is_extra) for each paragraph that stays."""
    kept = []
    for paragraph in voice.prepare(template).split("\n\n"):
        extra = paragraph.startswith(EXTRA_MARK)
        if extra and voice.short:
            continue
        text = _fill(paragraph.removeprefix(EXTRA_MARK), values)
        if text:
            kept.append((text, extra))
    return kept


def _with_tags(text: str, tags: list[str]) -> str:
    return f"{text}\n\n{' '.join(tags)}" if tags else text


def _fit_post(
    paragraphs: list[tuple[str, bool]], tags: list[str], limit: int, length
) -> tuple[str, list[str]]:
    """A post (or caption) within the limit: extras go first, then hashtags down to one, then the
    text is trimmed at a sentence end; the hashtags it kept."""
    paragraphs = list(paragraphs)
    while length(_with_tags("\n\n".join(p for p, _ in paragraphs), tags)) > limit:
        extras = [i for i, (_, extra) in enumerate(paragraphs) if extra]
        if extras:
            del paragraphs[extras[-1]]
        elif len(tags) > 1:
            tags = tags[:-1]
        else:
            break
    text = "\n\n".join(p for p, _ in paragraphs)
    if length(_with_tags(text, tags)) > limit:
        room = limit - (length(_with_tags("", tags)) if tags else 0)
        if tags and room < limit // 2:
            tags, room = [], limit
        text = _trim_keeping_last([p for p, _ in paragraphs], room, length)
    return _with_tags(text, tags), list(tags)


def _trim_keeping_last(paragraphs: list[str], room: int, length) -> str:
    """Trim the text to ``room``, keeping its last paragraph (the question to the audience) whole
    when the rest can still say something."""
    whole = "\n\n".join(paragraphs)
    if len(paragraphs) > 1:
        last = paragraphs[-1]
        head_room = room - length(last) - 2
        if head_room >= room // 2:
            head = trim_to_limit("\n\n".join(paragraphs[:-1]), head_room, length=length)
            text = f"{head}\n\n{last}"
            if head and length(text) <= room:
                return text
    return trim_to_limit(whole, room, length=length)


def _thread(
    tweets: list[str], values, voice: _Voice, tags: list[str], *, tone: str, rng
) -> tuple[list[str], list[str]]:
    bodies = []
    for tweet in tweets:
        extra = tweet.startswith(EXTRA_MARK)
        if extra and voice.short:
            continue
        text = _fill(voice.prepare(tweet.removeprefix(EXTRA_MARK)), values)
        if text:
            # Each tweet is a post of its own for the emoji habit; the first may get one added.
            emojified = voice.with_emoji([(text, extra)], tone=tone, rng=rng, add=not bodies)
            if emojified:
                bodies.append(emojified[0][0])
    bodies = bodies[: limits.X_THREAD_MAX_TWEETS]
    room = limits.X_POST_MAX - limits.thread_number_room(len(bodies))
    first, used = _fit_post([(bodies[0], False)], tags, room, x_weighted_length)
    bodies = [first] + [trim_to_limit(b, room, length=x_weighted_length) for b in bodies[1:]]
    return limits.thread_number(bodies), used


def _carousel_slides(slides: list[tuple[str, str]], values, voice: _Voice) -> list[str]:
    filled = []
    for headline, body in slides:
        headline_text = _fill(voice.prepare(headline), values)
        body_text = _fill(voice.prepare(body), values)
        if headline_text is None or body_text is None:
            continue
        # Slides become graphics, drawn with fonts that may have no emoji: none on a slide.
        headline_text = trim_to_limit(
            _tidy(EMOJI_SEQUENCE.sub("", headline_text)), limits.CAROUSEL_HEADLINE_MAX
        )
        body_text = trim_to_limit(_tidy(EMOJI_SEQUENCE.sub("", body_text)), limits.CAROUSEL_BODY_MAX)
        filled.append(limits.slide_join(headline_text, body_text))
    return filled[: limits.CAROUSEL_MAX_SLIDES]
