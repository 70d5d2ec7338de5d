"""The local word-list moderator: offensive language found offline with glin-profanity.

glin-profanity (PyPI ``glin-profanity``, MIT) was chosen because it is maintained (4.x, releases
through 2026), pure Python with no model to download (works offline, one small dependency), matches
whole words, so "Scunthorpe", "assess" or "cocktail" are not flagged, and sees through leetspeak,
spacing and look-alike letters ("sh1t", "f u c k", full-width letters); its lists include slurs.
The others considered: better-profanity (unmaintained since 2020) and alt-profanity-check (a linear
model that scored everyday marketing lines such as "Hate paperwork? Same." as offensive while
missing hateful sentences without swear words). No word list catches hate speech phrased politely.
English only: other languages' lists flag ordinary English words.
"""

from __future__ import annotations

import functools

# Words the library's English list does not have that a brand's post or a public meme should not
# carry either.
EXTRA_OFFENSIVE_WORDS = [
    "idiot",
    "idiots",
    "moron",
    "morons",
    "damn",
    "crap",
    "crappy",
    "wtf",
    "stfu",
    "dumbass",
]


@functools.cache
def _profanity_filter():
    from glin_profanity import Filter

    return Filter(
        {
            "languages": ["english"],
            "word_boundaries": True,
            "detect_leetspeak": True,
            "normalize_unicode": True,
            "custom_words": EXTRA_OFFENSIVE_WORDS,
        }
    )


class WordListModerator:
    def offensive_words(self, text: str) -> list[str]:
        result = _profanity_filter().check_profanity(text)
        if not result.get("contains_profanity"):
            return []
        words: list[str] = []
        for word in result.get("profane_words") or []:
            if word.lower() not in (w.lower() for w in words):
                words.append(word)
        return words
