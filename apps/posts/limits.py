"""Platform limits for post copy as data, X's weighted character count, the checks against them
and trimming to fit.

X counts characters by weight, as its open-source twitter-text (v3 configuration) does, and
``x_weighted_length`` implements that rule in simplified form:

- the text is NFC-normalised first;
- a URL counts 23 whatever its length (X shortens every link to t.co). URLs are ``http(s)://…``,
  ``www.…`` and bare domains with a common top-level domain (``example.com/path``); punctuation
  that ends a sentence after a link is not part of it;
- an emoji counts 2, whatever code points it is made of (skin tones, ZWJ families, flags, keycaps);
- any other code point counts 1 in the ranges twitter-text weighs 100 (U+0000–U+10FF: Latin,
  Greek, Cyrillic, Hebrew, Arabic, Indic…; U+2000–U+200D, U+2010–U+201F, U+2032–U+2037: spaces,
  dashes, curly quotes, primes) and 2 elsewhere (CJK, Hangul, most symbols, "…").

It does not follow twitter-text's full URL grammar (e.g. every TLD, or links without a scheme to
unknown TLDs); those count character by character, which errs on the long side.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence

from apps.core.vocabulary import PLATFORM_FORMATS, SANDBOX, X, format_on, platform_label

# --- The limits ------------------------------------------------------------------------------

X_POST_MAX = 280
X_URL_LENGTH = 23
X_EMOJI_WEIGHT = 2
X_THREAD_MAX_TWEETS = 10
X_THREAD_MIN_TWEETS = 2
LINKEDIN_POST_MAX = 3000
LINKEDIN_CAPTION_MAX = 3000
CAROUSEL_HEADLINE_MAX = 60
CAROUSEL_BODY_MAX = 200
CAROUSEL_MIN_SLIDES = 3
CAROUSEL_MAX_SLIDES = 10

# Everything above as one table, for prompts and the review page.
LIMITS: dict[tuple[str, str], dict[str, int]] = {
    ("x", "post"): {"chars": X_POST_MAX, "url_chars": X_URL_LENGTH},
    ("x", "thread"): {
        "chars_per_tweet": X_POST_MAX,
        "min_tweets": X_THREAD_MIN_TWEETS,
        "max_tweets": X_THREAD_MAX_TWEETS,
        "url_chars": X_URL_LENGTH,
    },
    ("linkedin", "post"): {"chars": LINKEDIN_POST_MAX},
    ("linkedin", "carousel"): {
        "headline_chars": CAROUSEL_HEADLINE_MAX,
        "body_chars": CAROUSEL_BODY_MAX,
        "min_slides": CAROUSEL_MIN_SLIDES,
        "max_slides": CAROUSEL_MAX_SLIDES,
        "caption_chars": LINKEDIN_CAPTION_MAX,
    },
}

# --- X's weighted length ---------------------------------------------------------------------

_WEIGHT_ONE_RANGES = ((0x0000, 0x10FF), (0x2000, 0x200D), (0x2010, 0x201F), (0x2032, 0x2037))

_URL = re.compile(
    r"(?:https?://|www\.)[^\s]+"
    r"|(?<![\w@.-])(?:[a-z0-9-]+\.)+(?:com|org|net|io|co|ai|dev|app|eu|uk|de|fr|us|info|biz|me|ly)"
    r"(?:/[^\s]*)?(?![\w-])",
    re.IGNORECASE,
)
_URL_TRAILING_PUNCTUATION = ".,;:!?)]}'\"’”…"

_PICTOGRAPH = (
    "\u203c\u2049\u2122\u2139\u2194-\u2199\u21a9\u21aa\u231a\u231b\u2328\u23cf\u23e9-\u23f3"
    "\u23f8-\u23fa\u24c2\u25aa\u25ab\u25b6\u25c0\u25fb-\u25fe\u2600-\u27bf\u2934\u2935"
    "\u2b05-\u2b07\u2b1b\u2b1c\u2b50\u2b55\u3030\u303d\u3297\u3299\U0001f000-\U0001faff"
)
_MODIFIER = "\ufe0f\U0001f3fb-\U0001f3ff\U000e0020-\U000e007f"
EMOJI_SEQUENCE = re.compile(
    r"[\U0001f1e6-\U0001f1ff]{2}"  # a flag: two regional indicators
    r"|[0-9#*]\ufe0f?\u20e3"  # a keycap
    r"|[\u00a9\u00ae]\ufe0f"  # © and ® only in emoji presentation
    rf"|[{_PICTOGRAPH}][{_MODIFIER}]*(?:\u200d[{_PICTOGRAPH}][{_MODIFIER}]*)*"
)


def _code_point_weight(char: str) -> int:
    code = ord(char)
    for low, high in _WEIGHT_ONE_RANGES:
        if low <= code <= high:
            return 1
    return 2


def _url_spans(text: str) -> list[tuple[int, int]]:
    spans = []
    for match in _URL.finditer(text):
        start, end = match.span()
        while end > start and text[end - 1] in _URL_TRAILING_PUNCTUATION:
            end -= 1
        if end > start:
            spans.append((start, end))
    return spans


def x_weighted_length(text: str) -> int:
    """The length X counts against its 280 limit (see the module docstring for the rule)."""
    text = unicodedata.normalize("NFC", text)
    total = 0
    position = 0
    for start, end in _url_spans(text):
        total += _plain_weighted_length(text[position:start]) + X_URL_LENGTH
        position = end
    return total + _plain_weighted_length(text[position:])


def _plain_weighted_length(text: str) -> int:
    total = 0
    position = 0
    for match in EMOJI_SEQUENCE.finditer(text):
        total += sum(_code_point_weight(c) for c in text[position : match.start()]) + X_EMOJI_WEIGHT
        position = match.end()
    return total + sum(_code_point_weight(c) for c in text[position:])


def length_for(platform: str) -> Callable[[str], int]:
    """The length function a platform counts with: X's weighted length, LinkedIn's characters."""
    return x_weighted_length if platform in (X, SANDBOX) else len


def copy_format(platform: str, post_format: str) -> str:
    """The format one platform's copy is checked and shown in: the Sandbox's own copy (the
    composer's override) is always one text; a network lacking the post's format gets a post."""
    return "post" if platform == SANDBOX else format_on(platform, post_format)


def post_limit(platform: str) -> int:
    """The characters one text may have on a platform (the Sandbox simulates X)."""
    return X_POST_MAX if platform in (X, SANDBOX) else LINKEDIN_POST_MAX


# --- Threads and slides ----------------------------------------------------------------------


def thread_number(tweets: Sequence[str]) -> list[str]:
    """The tweets with "i/n" at the end of each (after a blank line when the tweet has line breaks), replacing numbering they already had ("i/n" or
    "(i/n)" at either end with this tweet's i and this thread's n; "24/7" stays)."""
    total = len(tweets)
    numbered = []
    for i, tweet in enumerate(tweets, start=1):
        own = rf"\(?{i}\s*/\s*{total}\)?"
        body = re.sub(rf"^\s*{own}\s+|\s+{own}\s*$", "", tweet.strip()).strip()
        # On its own line when the tweet has paragraphs (it may end in a line of hashtags).
        separator = "\n\n" if "\n" in body else " "
        numbered.append(f"{body}{separator}{i}/{total}")
    return numbered


def thread_number_room(count: int) -> int:
    """The most characters thread_number adds to a tweet of a thread of ``count`` tweets."""
    return len(f"\n\n{count}/{count}")


def slide_join(headline: str, body: str) -> str:
    return f"{headline.strip()}\n\n{body.strip()}"


def slide_split(slide: str) -> tuple[str, str]:
    """A carousel slide's headline and body ("Headline\\n\\nBody"; a slide without a blank line
    is all headline)."""
    headline, _, body = slide.strip().partition("\n\n")
    return headline.strip(), body.strip()


# --- Checking --------------------------------------------------------------------------------


def _n(value: int) -> str:
    return f"{value:,}"


def over_limit(platform: str, format: str, parts: Sequence[str], *, caption: str | None = None) -> list[str]:
    """What is over (or under) the platform's limits, one readable sentence per problem; empty
    when the copy fits. ``parts``: the post's text as one item, a thread's tweets, or a carousel's
    slides ("Headline\\n\\nBody"); ``caption``: a carousel's caption."""
    parts = list(parts)
    if platform == SANDBOX:
        # The Sandbox's own copy is one text under X's rules.
        return _post_errors(platform, parts)
    if format not in PLATFORM_FORMATS.get(platform, ()):
        return [f"{platform_label(platform)} has no {format} format."]
    if format == "post":
        return _post_errors(platform, parts)
    if format == "thread":
        return _thread_errors(parts)
    return _carousel_errors(parts, caption)


def _post_errors(platform: str, parts: list[str]) -> list[str]:
    label = platform_label(platform)
    if len(parts) != 1:
        return [f"A {label} post is one text; this one has {len(parts)}."]
    text = parts[0]
    if not text.strip():
        return ["The post is empty."]
    limit = post_limit(platform)
    length = length_for(platform)(text)
    if length > limit:
        return [f"The post is {_n(length)} characters; {label} allows {_n(limit)}."]
    return []


def _thread_errors(parts: list[str]) -> list[str]:
    errors = []
    if len(parts) < X_THREAD_MIN_TWEETS:
        errors.append(f"A thread needs at least {X_THREAD_MIN_TWEETS} tweets; this one has {len(parts)}.")
    if len(parts) > X_THREAD_MAX_TWEETS:
        errors.append(f"A thread has at most {X_THREAD_MAX_TWEETS} tweets; this one has {len(parts)}.")
    for i, tweet in enumerate(parts, start=1):
        if not tweet.strip():
            errors.append(f"Tweet {i} is empty.")
            continue
        length = x_weighted_length(tweet)
        if length > X_POST_MAX:
            errors.append(f"Tweet {i} is {_n(length)} characters; X allows {_n(X_POST_MAX)}.")
    return errors


def _carousel_errors(parts: list[str], caption: str | None) -> list[str]:
    errors = []
    if not CAROUSEL_MIN_SLIDES <= len(parts) <= CAROUSEL_MAX_SLIDES:
        errors.append(
            f"A carousel has {CAROUSEL_MIN_SLIDES} to {CAROUSEL_MAX_SLIDES} slides; this one has {len(parts)}."
        )
    for i, slide in enumerate(parts, start=1):
        headline, body = slide_split(slide)
        if not headline:
            errors.append(f"Slide {i} has no headline.")
        elif len(headline) > CAROUSEL_HEADLINE_MAX:
            errors.append(
                f"Slide {i}'s headline is {_n(len(headline))} characters; keep it to {CAROUSEL_HEADLINE_MAX}."
            )
        if len(body) > CAROUSEL_BODY_MAX:
            errors.append(f"Slide {i}'s text is {_n(len(body))} characters; keep it to {CAROUSEL_BODY_MAX}.")
    if caption is not None and len(caption) > LINKEDIN_CAPTION_MAX:
        errors.append(
            f"The caption is {_n(len(caption))} characters; LinkedIn allows {_n(LINKEDIN_CAPTION_MAX)}."
        )
    return errors


# --- Trimming --------------------------------------------------------------------------------

# A sentence ends at . ! ? or … (with any closing quote or bracket) before a space, or at a line break.
_SENTENCE_END = re.compile(r"[.!?…][\"'’”)\]]*(?=\s)|[.!?…][\"'’”)\]]*$|(?=\n)")
_TRAILING_JOINERS = " \t\n,;:–—-(\"'“‘"
ELLIPSIS = "…"
# A sentence boundary is used when it keeps at least this share of the limit; otherwise cutting at a
# word keeps more of the text (a 3,000-character post is not cut to its 40-character opening line).
SENTENCE_CUT_MIN_SHARE = 1 / 3


def trim_to_limit(text: str, limit: int, *, length: Callable[[str], int] = len) -> str:
    """The text cut to at most ``limit`` (as ``length`` counts it; pass ``x_weighted_length`` for X):
    unchanged when it fits, else at the last sentence end that fits, else at the last word that
    fits followed by "…"."""
    text = text.strip()
    if length(text) <= limit:
        return text
    best = ""
    for match in _SENTENCE_END.finditer(text):
        candidate = text[: match.end()].rstrip()
        if length(candidate) > limit:
            break
        best = candidate
    if best and length(best) >= limit * SENTENCE_CUT_MIN_SHARE:
        return best
    return _trim_at_word(text, limit, length)


def _trim_at_word(text: str, limit: int, length: Callable[[str], int]) -> str:
    room = limit - length(ELLIPSIS)
    if room <= 0:
        return ""
    cut = text
    while cut and length(cut) > room:
        space = max(cut.rfind(" "), cut.rfind("\n"))
        if space <= 0:
            # One word longer than the limit: cut inside it.
            while cut and length(cut) > room:
                cut = cut[:-1]
            break
        cut = cut[:space]
    cut = cut.rstrip(_TRAILING_JOINERS)
    return f"{cut}{ELLIPSIS}" if cut else ""
