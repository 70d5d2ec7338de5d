"""Brand safety of post copy: offensive language, the brand's banned topics, controversial topics,
and text that is not a post at all (empty, garbage, a model's refusal, leftover placeholders).

Offensive language is the shared moderation check (apps.integrations.moderation, the one meme
captions use too: by default glin-profanity's word list, see its wordlist module for why). No word
list catches hate speech phrased politely; the LLM's system prompt and the human review remain the
guard there.

Topics are matched as whole words or phrases, case-insensitively, with a plural "s"/"es"
allowed ("gun" finds "guns" but never "begun"; "war" never "warranty"; "heroin" never "heroines"). Controversial topics are
flagged whatever the trend is about, and the reason names the topic; a few everyday idioms that
contain a topic word ("price war", "jump the gun") are not counted.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from apps.integrations.moderation.registry import offensive_words
from apps.posts.limits import EMOJI_SEQUENCE


@dataclass(frozen=True)
class SafetyResult:
    ok: bool
    reasons: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return self.ok


# The controversial topics, each with the words and phrases that mark it. Politics covers
# elections and parties, not regulation: brands legitimately post about new rules.
CONTROVERSIAL_TOPICS: dict[str, list[str]] = {
    "politics and elections": [
        "election",
        "electoral",
        "ballot",
        "polling station",
        "presidential",
        "democrat",
        "democratic party",
        "republican",
        "republican party",
        "GOP",
        "Labour Party",
        "Conservative Party",
        "Tory",
        "Tories",
        "left-wing",
        "right-wing",
        "far-right",
        "far-left",
        "MAGA",
        "impeachment",
        "campaign trail",
        "political party",
    ],
    "religion": [
        "religion",
        "religious",
        "church",
        "mosque",
        "synagogue",
        "bible",
        "quran",
        "koran",
        "torah",
        "jesus",
        "allah",
        "christianity",
        "islam",
        "judaism",
        "hinduism",
        "christians",
        "muslim",
        "jewish",
        "jew",
        "hindu",
        "sikh",
        "buddhist",
        "atheist",
        "pope",
        "imam",
        "rabbi",
        "blasphemy",
    ],
    "abortion": ["abortion", "pro-life", "pro-choice", "roe v wade", "planned parenthood"],
    "guns": [
        "gun",
        "handgun",
        "firearm",
        "rifle",
        "assault weapon",
        "gun control",
        "second amendment",
        "NRA",
        "mass shooting",
        "school shooting",
        "ammunition",
    ],
    "war and armed conflict": [
        "war",
        "wartime",
        "warfare",
        "invasion",
        "airstrike",
        "air strike",
        "bombing",
        "missile strike",
        "genocide",
        "terrorism",
        "terrorist",
        "terror attack",
        "ceasefire",
        "hostage crisis",
        "taken hostage",
        "troops",
        "Gaza",
        "Hamas",
        "Hezbollah",
        "ISIS",
        "Taliban",
    ],
    "immigration": [
        "immigration",
        "immigrant",
        "illegal alien",
        "deportation",
        "asylum seeker",
        "border wall",
    ],
    "race and identity politics": [
        "racism",
        "racist",
        "white supremacy",
        "white supremacist",
        "critical race theory",
        "woke agenda",
        "anti-woke",
        "cancel culture",
        "hate crime",
    ],
    "suicide and self-harm": ["suicide", "self-harm", "self harm"],
    "hard drugs": ["cocaine", "heroin", "methamphetamine", "fentanyl", "opioid crisis"],
    "sexual violence": ["sexual assault", "sexual abuse", "rape"],
    "capital punishment": ["death penalty", "capital punishment", "death row"],
    "vaccine controversy": ["anti-vax", "anti-vaxxer", "vaccine mandate"],
}

# Idioms that use a topic word without being about the topic.
TOPIC_IDIOMS = [
    "price war",
    "price wars",
    "talent war",
    "talent wars",
    "war for talent",
    "war room",
    "war chest",
    "war story",
    "war stories",
    "bidding war",
    "bidding wars",
    "console war",
    "console wars",
    "jump the gun",
    "jumped the gun",
    "jumping the gun",
    "smoking gun",
    "top gun",
    "big guns",
    "stick to your guns",
    "stuck to our guns",
    "guns blazing",
    "hired gun",
    "son of a gun",
    "gun-shy",
    "glue gun",
    "nail gun",
    "heat gun",
    "spray gun",
    "staple gun",
    "rifle through",
    "rally the troops",
    "rallying the troops",
    "rallied the troops",
    "invasion of privacy",
    "privacy invasion",
    "star wars",
]

# --- Not a post ------------------------------------------------------------------------------

REFUSAL_PATTERNS = [
    r"\bas an ai\b",
    r"\bas a (?:large )?language model\b",
    r"\bi(?:'m| am) (?:sorry|unable|not able)\b",
    r"\bi (?:cannot|can't|can ?not|won't|will not) (?:help|assist|comply|create|write|generate|provide|produce|fulfil)",
    r"\bi apologi[sz]e,? but\b",
    r"\bmy (?:knowledge|training) (?:cutoff|cut-off|data)\b",
    r"\bi do(?:n't| not) have (?:access|the ability|real-time)\b",
    r"^\s*(?:sure|certainly|of course|absolutely|okay|ok)[!,.]?\s+here(?:'s| is| are)\b",
    # A preamble line: "Here's a LinkedIn post about the new rules:" (a post's own "Here's a thread 🧵" is fine).
    r"\Ahere(?:'s| is) (?:a|an|the|your) [^\n]{0,80}?(?:post|tweet|thread|caption|carousel|draft|version)\b[^\n]{0,80}:[ \t]*$",
    r"\((?:word|character|char) count[^)]*\)",
    r"^\s*(?:note|word count|character count)\s*:",
]
_REFUSAL = re.compile("|".join(REFUSAL_PATTERNS), re.IGNORECASE | re.MULTILINE)

PLACEHOLDER_PATTERNS = [
    r"\{\{?\s*[A-Za-z_][\w .-]{0,40}\}\}?",  # {pillar}, {{ brand }}
    r"\[(?:insert|your|add|brand|company|link|url|name|product|topic|hashtag|placeholder|tbd|todo)\b[^\]]{0,60}\]",
    r"<(?:insert|your|add|brand|company|link|url|name)\b[^>]{0,60}>",
    r"\blorem ipsum\b",
    r"\b(?:TODO|TBD|FIXME)\b",
    r"\bXXX+\b",
]
_PLACEHOLDER = re.compile("|".join(PLACEHOLDER_PATTERNS), re.IGNORECASE)
_PLACEHOLDER_CASE_SENSITIVE = re.compile(r"\b(?:TODO|TBD|FIXME|XXX+)\b")

_URL = re.compile(r"https?://\S+|www\.\S+")
_MENTION_OR_TAG = re.compile(r"(?<!\w)[@#]\w+")
_WORDS = re.compile(r"[^\W\d_]{2,}")
_REPEATED_CHAR = re.compile(r"([^\s.\-_=*~•→])\1{6,}")
_REPEATED_WORD = re.compile(r"\b(\w+)(?:\W+\1\b){3,}", re.IGNORECASE)
MIN_WORDS = 3
MIN_LETTER_SHARE = 0.5
MIN_DISTINCT_WORD_SHARE = 0.3


def copy_check(*, text: str, brand) -> SafetyResult:
    """Whether the copy may reach the brand as a draft, and if not, why (one reason per problem)."""
    text = text or ""
    reasons = _not_a_post(text)
    if reasons and not text.strip():
        return SafetyResult(ok=False, reasons=reasons)
    offensive = offensive_words(text)
    if offensive:
        reasons.append(f"Offensive language: {_quoted(offensive)}.")
    searchable = _normalised(text)
    for phrase in _banned_topics(brand):
        if _phrase_pattern(phrase).search(searchable):
            reasons.append(f"Mentions “{phrase}”, which the brand has banned.")
    without_idioms = _IDIOMS.sub(" ", searchable)
    for topic, pattern in _TOPIC_PATTERNS.items():
        found = pattern.search(without_idioms)
        if found:
            reasons.append(f"Touches a controversial topic ({topic}: “{found.group(0)}”).")
    return SafetyResult(ok=not reasons, reasons=reasons)


def _not_a_post(text: str) -> list[str]:
    if not text.strip():
        return ["The copy is empty."]
    reasons = []
    refusal = _REFUSAL.search(_normalised(text))
    if refusal:
        reasons.append(
            f"The copy reads like the AI model talking about the task, not a post (“{refusal.group(0).strip()}”)."
        )
    placeholders = [m.group(0) for m in _PLACEHOLDER.finditer(text) if _is_placeholder(m.group(0))]
    if placeholders:
        reasons.append(f"The copy has leftover placeholders: {_quoted(placeholders)}.")
    reasons.extend(_garbage(text))
    return reasons


def _is_placeholder(found: str) -> bool:
    # TODO/TBD/XXX count only in capitals: "todo list" or "xxx" in a word are not placeholders.
    if re.fullmatch(r"(?i)todo|tbd|fixme|xxx+", found):
        return bool(_PLACEHOLDER_CASE_SENSITIVE.fullmatch(found))
    return True


def _garbage(text: str) -> list[str]:
    plain = _MENTION_OR_TAG.sub(" ", _URL.sub(" ", EMOJI_SEQUENCE.sub(" ", text)))
    visible = [c for c in plain if not c.isspace()]
    words = _WORDS.findall(plain)
    reasons = []
    letters = sum(c.isalpha() for c in visible)
    if visible and letters / len(visible) < MIN_LETTER_SHARE:
        reasons.append("The copy is mostly symbols or numbers, not words.")
    if len(words) < MIN_WORDS:
        return [*reasons, "The copy is too short to be a post."]
    repeated = _REPEATED_CHAR.search(text) or _REPEATED_WORD.search(text)
    if repeated:
        reasons.append(f"The copy repeats itself (“{repeated.group(0)[:40]}”).")
    elif len(words) >= 20 and len({w.lower() for w in words}) / len(words) < MIN_DISTINCT_WORD_SHARE:
        reasons.append("The copy repeats the same few words.")
    return reasons


# --- Topics ----------------------------------------------------------------------------------


def _normalised(text: str) -> str:
    return text.replace("’", "'").replace("‘", "'")


def _phrase_regex(phrase: str) -> str:
    """A phrase as a pattern: words in order, any spaces or hyphens between them, a plural ending
    ("s", or "es" after a hissing sound) on the last word, and no letter or digit on either side."""
    words = [re.escape(w) for w in re.split(r"[\s\-]+", _normalised(phrase).strip()) if w]
    if not words:
        return ""
    # "es" only after s, x, z, ch, sh ("heroin" must not find "heroines").
    plural = "es" if re.search(r"(?:s|x|z|ch|sh)$", words[-1], re.IGNORECASE) else "s"
    return r"(?<![\w])" + r"[\s\-]+".join(words) + rf"(?:{plural}|'s)?(?![\w])"


@functools.lru_cache(maxsize=512)
def _phrase_pattern(phrase: str) -> re.Pattern:
    return re.compile(_phrase_regex(phrase), re.IGNORECASE)


def _banned_topics(brand) -> list[str]:
    topics = getattr(brand, "banned_topics", None) or []
    if isinstance(topics, str):
        topics = re.split(r"[,\n]", topics)
    return [t.strip() for t in topics if isinstance(t, str) and _phrase_regex(t.strip())]


def _topic_pattern(phrases: list[str]) -> re.Pattern:
    # Longest first, so "gun control" is named rather than "gun".
    ordered = sorted(phrases, key=len, reverse=True)
    return re.compile("|".join(_phrase_regex(p) for p in ordered), re.IGNORECASE)


_TOPIC_PATTERNS = {topic: _topic_pattern(phrases) for topic, phrases in CONTROVERSIAL_TOPICS.items()}
_IDIOMS = _topic_pattern(TOPIC_IDIOMS)


def _quoted(items: list[str]) -> str:
    return ", ".join(f"“{item}”" for item in items)
