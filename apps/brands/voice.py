"""The voice profile of a brand, computed from its past posts: what generation imitates.

Figures: typical length (median characters and words), emoji, hashtag and mention use per post,
the hashtags used, a formality score in [0, 1], question and exclamation rates, line breaks,
and phrases that recur across posts.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter

EMOJI = re.compile(
    "[\U0001f300-\U0001faff\U00002600-\U000027bf\U0001f000-\U0001f2ff\U0001f900-\U0001f9ff\u2b50\u2b06\u2934\u2935]"
)
HASHTAG = re.compile(r"(?<!\w)#(\w{2,})", re.UNICODE)
MENTION = re.compile(r"(?<!\w)@(\w{1,30})")
URL = re.compile(r"https?://\S+")
WORD = re.compile(r"[A-Za-z\u00C0-\u024F']+")
CONTRACTION = re.compile(r"\b\w+'(s|re|ll|ve|d|t|m)\b", re.I)
CASUAL_WORDS = {
    "lol",
    "omg",
    "hey",
    "yay",
    "gonna",
    "wanna",
    "awesome",
    "super",
    "cool",
    "guys",
    "folks",
    "btw",
}
FIRST_SECOND_PERSON = {"i", "we", "you", "me", "us", "our", "your", "my"}
STOPWORDS = set(
    [
        "a",
        "an",
        "the",
        "and",
        "or",
        "but",
        "if",
        "of",
        "to",
        "in",
        "on",
        "for",
        "with",
        "at",
        "by",
        "from",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "it",
        "this",
        "that",
        "these",
        "those",
        "as",
        "so",
        "than",
        "then",
        "there",
        "here",
        "we",
        "you",
        "i",
        "our",
        "your",
        "my",
        "me",
        "us",
        "they",
        "them",
        "their",
        "its",
        "not",
        "no",
        "do",
        "does",
        "did",
        "have",
        "has",
        "had",
        "will",
        "would",
        "can",
        "could",
        "should",
        "just",
        "more",
        "most",
        "very",
    ]
)


def _phrases(text: str, n: int) -> set[str]:
    words = [w.lower() for w in WORD.findall(URL.sub(" ", text))]
    grams = set()
    for i in range(len(words) - n + 1):
        gram = words[i : i + n]
        if all(w in STOPWORDS for w in gram) or (gram[0] in STOPWORDS and gram[-1] in STOPWORDS):
            continue
        grams.add(" ".join(gram))
    return grams


def _formality(text: str) -> float:
    """1 = formal, 0 = casual: contractions, casual words, exclamations, emoji and short words pull it down."""
    words = [w.lower() for w in WORD.findall(text)]
    if not words:
        return 0.5
    casual = (
        len(CONTRACTION.findall(text)) * 1.0
        + sum(w in CASUAL_WORDS for w in words) * 1.5
        + text.count("!") * 0.8
        + len(EMOJI.findall(text)) * 0.8
        + sum(w in FIRST_SECOND_PERSON for w in words) * 0.3
    ) / len(words)
    long_words = sum(len(w) >= 7 for w in words) / len(words)
    score = 0.65 + long_words * 0.8 - casual * 2.5
    return round(min(1.0, max(0.0, score)), 2)


def voice_profile_compute(samples: list[str]) -> dict:
    samples = [s.strip() for s in samples if s and s.strip()]
    if not samples:
        return {}
    chars = [len(s) for s in samples]
    words = [len(WORD.findall(s)) for s in samples]
    hashtags = Counter(tag.lower() for s in samples for tag in HASHTAG.findall(s))
    phrase_counts: Counter[str] = Counter()
    for n in (3, 2):
        for s in samples:
            phrase_counts.update(_phrases(s, n))
    recurring = [p for p, c in phrase_counts.most_common() if c >= 2]
    # Keep the longer phrase when a shorter one is part of it.
    phrases: list[str] = []
    for p in recurring:
        if not any(p in kept for kept in phrases):
            phrases.append(p)
    formality = statistics.mean(_formality(s) for s in samples)
    return {
        "samples": len(samples),
        "median_chars": int(statistics.median(chars)),
        "median_words": int(statistics.median(words)),
        "emoji_per_post": round(sum(len(EMOJI.findall(s)) for s in samples) / len(samples), 2),
        "hashtags_per_post": round(sum(hashtags.values()) / len(samples), 2),
        "top_hashtags": [f"#{t}" for t, _ in hashtags.most_common(5)],
        "mentions_per_post": round(sum(len(MENTION.findall(s)) for s in samples) / len(samples), 2),
        "question_rate": round(sum("?" in s for s in samples) / len(samples), 2),
        "exclamation_rate": round(sum("!" in s for s in samples) / len(samples), 2),
        "uses_line_breaks": sum("\n" in s for s in samples) / len(samples) >= 0.5,
        "formality": round(formality, 2),
        "formality_label": "formal" if formality >= 0.6 else "casual" if formality < 0.4 else "balanced",
        "recurring_phrases": phrases[:8],
    }


def voice_profile_summary(profile: dict) -> list[str]:
    """The profile in plain sentences, for the brand to read."""
    if not profile:
        return []
    lines = [
        f"Typical post: about {profile['median_words']} words ({profile['median_chars']} characters).",
        f"Tone of writing: {profile['formality_label']} (formality {profile['formality']:.2f} of 1).",
    ]
    emoji = profile["emoji_per_post"]
    lines.append("No emoji." if emoji == 0 else f"About {emoji:g} emoji per post.")
    if profile["hashtags_per_post"]:
        tags = ", ".join(profile["top_hashtags"][:3])
        lines.append(f"About {profile['hashtags_per_post']:g} hashtags per post ({tags}).")
    else:
        lines.append("No hashtags.")
    if profile["recurring_phrases"]:
        lines.append(
            "Recurring phrases: " + ", ".join(f"“{p}”" for p in profile["recurring_phrases"][:4]) + "."
        )
    return lines
