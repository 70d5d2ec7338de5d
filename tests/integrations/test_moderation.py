"""The moderation interface: the local word list, the moderator chosen in settings, and post copy
and meme captions both asking it."""

import pytest

from apps.integrations.moderation.registry import moderator, offensive_words
from apps.integrations.moderation.wordlist import WordListModerator
from apps.memes.services import caption_check
from apps.posts.safety import copy_check


class ListsEveryWordAsOffensive:
    """A stand-in moderator: proves callers ask the configured one."""

    def offensive_words(self, text: str) -> list[str]:
        return text.split()[:1]


def test_the_word_list_is_the_default_moderator():
    assert isinstance(moderator(), WordListModerator)


@pytest.mark.parametrize(
    "text, found",
    [
        ("What the sh1t is this", {"shit"}),
        ("Only a moron would skip this", {"moron"}),
        ("Scunthorpe's cocktail bar, assessed", set()),
    ],
)
def test_the_word_list_finds_offensive_words_also_in_leetspeak_but_not_inside_words(text, found):
    words = {w.lower() for w in WordListModerator().offensive_words(text)}
    assert found <= words and bool(words) == bool(found)


def test_a_word_found_twice_is_named_once():
    assert len(offensive_words("Damn. DAMN. damn.")) == 1


def test_post_copy_and_meme_captions_ask_the_moderator_named_in_settings(settings):
    settings.MODERATOR = f"{__name__}.ListsEveryWordAsOffensive"

    assert caption_check(["Lovely weather"]) == "Offensive language: Lovely."
    result = copy_check(text="Lovely weather for a launch today, friends.", brand=None)
    assert "Offensive language: “Lovely”." in result.reasons
