"""Copy generation against the fake LLM server: validation, regeneration, fallback and reuse."""

import json

import pytest

from apps.integrations.models import ApiCall
from apps.posts.generation import copy_generate
from apps.posts.models import CopySource, GeneratedCopy

pytestmark = pytest.mark.django_db

GOOD_X = "Instant payments just became the norm in Europe. What would ten-second transfers change for your cash flow?"


def answer(*parts, caption=None):
    body = {"parts": list(parts)}
    if caption is not None:
        body["caption"] = caption
    return json.dumps(body)


def test_without_an_llm_the_copy_comes_from_a_template(brand, trend, settings):
    settings.LLM_API_KEY = ""
    settings.LLM_BASE_URL = "https://api.groq.com/openai/v1"
    result = copy_generate(brand=brand, trend=trend, platform="x", post_format="post", tone="friendly")
    assert result.source == CopySource.TEMPLATE and result.parts[0]
    assert not GeneratedCopy.objects.exists()


def test_llm_copy_is_used_stored_and_reused_without_a_second_request(brand, trend, fake_llm):
    fake_llm.reply(answer(GOOD_X))
    first = copy_generate(brand=brand, trend=trend, platform="x", post_format="post", tone="friendly")
    second = copy_generate(brand=brand, trend=trend, platform="x", post_format="post", tone="friendly")
    assert first.source == second.source == CopySource.LLM
    assert first.parts == second.parts == [GOOD_X]
    assert len(fake_llm.chat_requests) == 1
    prompt = fake_llm.chat_requests[0].messages
    assert "Ledgerly" in prompt[0]["content"] and "crypto" in prompt[0]["content"]
    assert "EU instant payments rule" in prompt[1]["content"]


def test_asking_to_regenerate_calls_the_llm_again(brand, trend, fake_llm):
    fake_llm.replies([answer(GOOD_X), answer("Ten-second euro transfers are here. Ready?")])
    copy_generate(brand=brand, trend=trend, platform="x", post_format="post", tone="friendly")
    again = copy_generate(
        brand=brand, trend=trend, platform="x", post_format="post", tone="friendly", regenerate=True
    )
    assert again.parts == ["Ten-second euro transfers are here. Ready?"]
    assert len(fake_llm.chat_requests) == 2


def test_unsafe_copy_is_regenerated_with_the_reason_and_the_clean_answer_is_used(brand, trend, fake_llm):
    fake_llm.replies([answer("Instant payments are a great way to buy crypto, folks."), answer(GOOD_X)])
    result = copy_generate(brand=brand, trend=trend, platform="x", post_format="post", tone="friendly")
    assert result.source == CopySource.LLM and result.parts == [GOOD_X] and result.attempts == 2
    feedback = fake_llm.chat_requests[1].messages[-1]["content"]
    assert "crypto" in feedback
    assert "crypto" in result.notes[0]


def test_copy_that_stays_unsafe_falls_back_to_the_template_after_two_regenerations(brand, trend, fake_llm):
    fake_llm.replies([answer("Buy crypto now, this is shit hot.")] * 3)
    result = copy_generate(brand=brand, trend=trend, platform="x", post_format="post", tone="friendly")
    assert result.source == CopySource.TEMPLATE
    assert len(fake_llm.chat_requests) == 3
    assert "crypto" not in " ".join(result.parts).lower()
    assert not GeneratedCopy.objects.exists()


@pytest.mark.parametrize(
    "garbage", ["", "Sorry, as an AI language model I cannot help.", "{not json", '{"parts": []}']
)
def test_garbage_answers_never_reach_the_user(brand, trend, fake_llm, garbage):
    for _ in range(3):
        if garbage:
            fake_llm.reply(garbage)
        else:
            fake_llm.malformed('{"choices": [{"message": {"role": "assistant", "content": "  "}}]}')
    result = copy_generate(brand=brand, trend=trend, platform="x", post_format="post", tone="friendly")
    assert result.source == CopySource.TEMPLATE
    assert garbage not in result.parts


def test_rate_limit_retry_after_is_honoured(brand, trend, fake_llm, llm_waits):
    fake_llm.fail(429, headers={"retry-after": "2"})
    fake_llm.reply(answer(GOOD_X))
    result = copy_generate(brand=brand, trend=trend, platform="x", post_format="post", tone="friendly")
    assert result.source == CopySource.LLM
    assert llm_waits == [2.0]
    assert list(ApiCall.objects.order_by("created_at").values_list("status", flat=True)) == ["error", "ok"]


def test_an_llm_that_keeps_failing_gives_template_copy(brand, trend, fake_llm, llm_waits):
    fake_llm.fail(500, times=10)
    result = copy_generate(brand=brand, trend=trend, platform="linkedin", post_format="post", tone="friendly")
    assert result.source == CopySource.TEMPLATE and "failed" in result.notes[0]


def test_an_over_long_x_post_is_trimmed_at_a_sentence_boundary(brand, trend, fake_llm):
    long = GOOD_X + " " + "More detail that goes on and on about payments and cash flow and banks. " * 4
    fake_llm.reply(answer(long))
    result = copy_generate(brand=brand, trend=trend, platform="x", post_format="post", tone="friendly")
    assert result.source == CopySource.LLM
    assert len(result.parts[0]) <= 280 and result.parts[0].endswith(".")


def test_threads_are_numbered_and_carousels_keep_their_slides_and_caption(brand, trend, fake_llm):
    fake_llm.reply(
        answer(
            "Instant payments are live in Europe.", "Cash arrives in ten seconds.", "What changes for you?"
        )
    )
    thread = copy_generate(brand=brand, trend=trend, platform="x", post_format="thread", tone="friendly")
    assert [p[-3:] for p in thread.parts] == ["1/3", "2/3", "3/3"]
    slides = [f"Slide {i}\n\nWhy ten-second payments matter for SMEs, point {i}." for i in range(1, 5)]
    fake_llm.reply(answer(*slides, caption="Four things instant payments change for small businesses."))
    carousel = copy_generate(
        brand=brand, trend=trend, platform="linkedin", post_format="carousel", tone="friendly"
    )
    assert carousel.source == CopySource.LLM and len(carousel.parts) == 4 and carousel.caption
