"""Caption ideas: patterns filled with a trend's words, and the LLM (the real client against the
local fake server) with its answers cleaned, and the patterns whenever it fails."""

import json

import pytest

from apps.integrations.models import ApiCall
from apps.memes import captions
from apps.memes.captions import MAX_CAPTION_LENGTH, caption_suggest, caption_suggestions, trend_phrases
from tests.factories import UserFactory
from tests.fakes import llm as llm_fakes
from tests.trends.conftest import make_trend

# The fake LLM server's fixtures (tests/fakes/llm.py), for this module.
fake_llm_server = llm_fakes.fake_llm_server
fake_llm = llm_fakes.fake_llm
llm_waits = llm_fakes.llm_waits

TITLE = "Instant payments go live across Europe"


@pytest.fixture
def trend(db):
    return make_trend(TITLE)


# --- patterns ------------------------------------------------------------------------------------


def test_every_starter_template_gets_one_text_per_box(starter, trend):
    for template in starter.values():
        box_count = len(template.text_boxes())
        for about in (None, trend):
            ideas = caption_suggest(template=template, trend=about, n=5)
            assert len(ideas) == 5, template.slug
            assert all(len(texts) == box_count for texts in ideas), template.slug
            assert all(any(texts) for texts in ideas)
            assert all(len(t) <= MAX_CAPTION_LENGTH + 1 for texts in ideas for t in texts)


def test_patterns_are_deterministic_for_a_seed_and_varied(starter, trend):
    template = starter["change-my-mind"]
    first = caption_suggest(template=template, trend=trend, n=4, seed=7)
    assert caption_suggest(template=template, trend=trend, n=4, seed=7) == first
    assert len({tuple(texts) for texts in first}) == 4  # four different ideas
    other_seeds = [caption_suggest(template=template, trend=trend, n=4, seed=s) for s in range(8, 14)]
    assert any(ideas != first for ideas in other_seeds)


def test_patterns_use_the_trends_words_and_the_templates_shape(starter, trend):
    ideas = caption_suggest(template=starter["change-my-mind"], trend=trend, n=4)
    # The patterns of the template's own tags (change-my-mind, opinion) come before generic ones.
    assert all(texts[1] in ("Change my mind", "Is fine, actually", "Is not the problem") for texts in ideas)
    assert all("instant payments" in texts[0].lower() for texts in ideas)
    fine = caption_suggest(template=starter["this-is-fine"], trend=trend, n=4)
    assert any("This is fine" in texts[-1] for texts in fine)


def test_without_a_trend_everyday_topics_are_used(starter):
    ideas = caption_suggest(template=starter["two-buttons"], n=5, seed=1)
    joined = " ".join(" ".join(texts) for texts in ideas)
    assert any(topic in joined for topic in captions.GENERIC_TOPICS)


def test_a_template_with_many_boxes_still_gets_the_right_count(starter, media):
    from apps.memes import services
    from tests.memes.test_maker import _png

    boxes = [{"x": 0.1, "y": i * 0.12, "w": 0.8, "h": 0.1} for i in range(7)]
    template = services.template_upload(user=UserFactory(), name="Seven", data=_png(), boxes=boxes)
    ideas = caption_suggest(template=template, n=3)
    assert len(ideas) == 3 and all(len(texts) == 7 for texts in ideas)


def test_headline_phrases_skip_function_words_and_verbs():
    assert trend_phrases(TITLE) == ["instant payments", "Europe"]
    assert trend_phrases("EU passes the AI Act after marathon talks") == ["EU", "AI Act", "marathon talks"]


# --- the LLM ---------------------------------------------------------------------------------------


def answer(sets) -> str:
    return json.dumps({"captions": sets})


def test_llm_captions_are_used_and_the_prompt_names_template_boxes_and_trend(starter, trend, fake_llm):
    sets = [
        ["Waiting three days for a transfer", "Instant payments"],
        ["My bank in 2019", "My bank now"],
        ["Banks on Friday", "Money arrives anyway"],
    ]
    fake_llm.reply(answer(sets))
    result = caption_suggestions(template=starter["approve-reject"], trend=trend, n=3)
    assert result.source == "llm" and result.captions == sets
    (request,) = fake_llm.chat_requests
    prompt = request.prompt
    assert "Meme template: Approve / reject" in prompt
    assert "approve, reject, preference, two-panels, comparison" in prompt
    assert "Text boxes: 2 (Top text, Bottom text)" in prompt
    assert f"Trend: {TITLE}" in prompt and "Keywords: instant payments, Europe" in prompt
    assert ApiCall.objects.filter(provider="llm").count() == 1


def test_llm_answers_are_cleaned_and_topped_up_from_patterns(starter, trend, fake_llm):
    long_text = "word " * 40
    fake_llm.reply(
        "Here you go!\n```json\n"
        + answer(
            [
                ["  Too   many\nspaces ", "fine"],
                ["one", "two", "three"],  # more texts than boxes: dropped
                [long_text, "short"],
                ["only one"],  # fewer: the other box stays empty
                [1, 2],  # not text: dropped
                ["what the fuck", "no"],  # offensive: dropped
                ["Too many spaces", "fine"],  # a repeat once cleaned
            ]
        )
        + "\n```"
    )
    result = caption_suggestions(template=starter["this-is-fine"], trend=trend, n=5)
    assert result.source == "llm"
    assert result.captions[0] == ["Too many spaces", "fine"]
    assert len(result.captions[1][0]) <= MAX_CAPTION_LENGTH + 1 and result.captions[1][0].endswith("…")
    assert result.captions[2] == ["only one", ""]
    assert len(result.captions) == 5  # two more from the patterns
    assert all(len(texts) == 2 for texts in result.captions)


def test_when_the_llm_fails_the_patterns_answer(starter, trend, fake_llm, llm_waits):
    fake_llm.fail(500, times=3)  # the first try and both retries
    result = caption_suggestions(template=starter["this-is-fine"], trend=trend, n=4, seed=3)
    assert result.source == "template" and "did not answer" in result.note
    patterns = captions.captions_from_patterns(template=starter["this-is-fine"], trend=trend, n=4, seed=3)
    assert result.captions == patterns
    assert len(fake_llm.chat_requests) == 3 and len(llm_waits) == 2


@pytest.mark.parametrize(
    "reply",
    [
        "Sure! Here are some funny captions about payments.",
        '{"captions": "not a list"}',
        '{"captions": [["a", "b", "c", "d"]]}',
        "[[",
    ],
)
def test_when_the_llm_answers_junk_the_patterns_answer(starter, trend, fake_llm, reply):
    fake_llm.reply(reply)
    result = caption_suggestions(template=starter["this-is-fine"], trend=trend, n=3)
    assert result.source == "template" and "unusable" in result.note
    assert len(result.captions) == 3 and all(len(texts) == 2 for texts in result.captions)


def test_a_malformed_http_answer_falls_back_too(starter, trend, fake_llm):
    fake_llm.malformed()
    result = caption_suggestions(template=starter["this-is-fine"], trend=trend, n=3)
    assert result.source == "template" and len(result.captions) == 3


def test_without_an_llm_configured_no_request_is_made(starter, trend, settings):
    settings.LLM_BASE_URL, settings.LLM_API_KEY = "https://api.groq.com/openai/v1", ""
    result = caption_suggestions(template=starter["this-is-fine"], trend=trend, n=3)
    assert result.source == "template" and result.note == ""
    assert not ApiCall.objects.exists()


def test_a_user_who_asks_too_often_gets_patterns_without_spending_llm_calls(
    starter, trend, fake_llm, monkeypatch
):
    monkeypatch.setattr(captions, "LLM_CALLS_PER_USER", 2)
    user = UserFactory()
    for _ in range(2):
        fake_llm.reply(answer([["a", "b"]]))
        assert (
            caption_suggestions(template=starter["this-is-fine"], trend=trend, n=1, user=user).source == "llm"
        )
    result = caption_suggestions(template=starter["this-is-fine"], trend=trend, n=1, user=user)
    assert result.source == "template" and "many suggestions" in result.note
    assert len(fake_llm.chat_requests) == 2


def test_the_maker_shows_llm_ideas(client, starter, trend, fake_llm):
    from django.urls import reverse

    client.force_login(UserFactory())
    fake_llm.reply(answer([["Transfers: 3 days", "Transfers: 10 seconds"]]))
    page = client.get(
        reverse("memes:make_captions"), {"template": "approve-reject", "trend": trend.pk}
    ).content.decode()
    assert "Ideas written by the AI model" in page and "Transfers: 10 seconds" in page
