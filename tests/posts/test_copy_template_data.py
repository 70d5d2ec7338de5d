"""The template copy's data files (apps/posts/copy_templates/*.toml): every tone has every shape,
and every entry has the shape the code expects, with only the placeholders it can fill."""

import string
import tomllib
from pathlib import Path

import pytest

from apps.posts import copy_templates
from apps.posts.copy_templates import CALLS_TO_ACTION, QUESTIONS, TEMPLATES, TONE_EMOJI, TONES

DATA = Path(copy_templates.__file__).parent
PLACEHOLDERS = {
    "trend", "summary", "detail", "brand", "industry", "pillar", "Pillar", "pillar2", "Pillar2",
    "audience", "Audience", "ask", "cta",
}  # fmt: skip


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def a_text(value) -> bool:
    return isinstance(value, str) and value.strip() != "" and placeholders(value) <= PLACEHOLDERS


def test_there_is_one_file_per_tone_and_no_other_file():
    assert {path.stem for path in DATA.glob("*.toml")} == {*TONES, "phrases", "words"}
    assert list(TEMPLATES) == list(TONES)


@pytest.mark.parametrize("tone", TONES)
def test_each_tone_file_has_the_four_shapes_and_nothing_else(tone):
    with (DATA / f"{tone}.toml").open("rb") as file:
        assert list(tomllib.load(file)) == ["x_post", "linkedin_post", "thread", "carousel"]


@pytest.mark.parametrize("tone", TONES)
def test_posts_are_texts_and_threads_lists_of_texts(tone):
    shapes = TEMPLATES[tone]
    assert all(len(variants) >= 3 for variants in shapes.values())
    for shape in ("x_post", "linkedin_post"):
        assert all(a_text(template) for template in shapes[shape]), shape
    for thread in shapes["thread"]:
        assert isinstance(thread, list) and 2 <= len(thread) <= 10
        assert all(a_text(tweet) and "\n\n\n" not in tweet for tweet in thread)


@pytest.mark.parametrize("tone", TONES)
def test_carousels_are_headlined_slides_and_a_caption(tone):
    for carousel in TEMPLATES[tone]["carousel"]:
        assert set(carousel) == {"slides", "caption"}
        assert a_text(carousel["caption"])
        assert 3 <= len(carousel["slides"]) <= 10
        for slide in carousel["slides"]:
            assert isinstance(slide, tuple) and len(slide) == 2
            headline, body = slide
            assert a_text(headline) and not placeholders(headline) and len(headline) <= 60
            assert a_text(body)


def test_each_tone_has_questions_calls_to_action_and_emoji():
    for phrases in (QUESTIONS, CALLS_TO_ACTION, TONE_EMOJI):
        assert list(phrases) == list(TONES)
        assert all(
            phrases[tone] and all(isinstance(p, str) and p.strip() for p in phrases[tone]) for tone in TONES
        )
    assert all(placeholders(text) == set() for texts in QUESTIONS.values() for text in texts)
    assert all(placeholders(text) <= {"brand"} for texts in CALLS_TO_ACTION.values() for text in texts)


def test_the_words_left_out_of_hashtags_are_plain_lower_case_words():
    for words in (copy_templates.STOPWORDS, copy_templates.HEADLINE_VERBS):
        assert len(words) > 50
        assert all(word.isalpha() and word == word.lower() for word in words)
