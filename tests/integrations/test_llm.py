import logging

import pytest
from django.db import DatabaseError

from apps.integrations.http import ServiceError
from apps.integrations.llm import Completion, LLMError, LLMNotConfigured, Message, llm_client
from apps.integrations.llm.base import GROQ_BASE_URL
from apps.integrations.llm.openai_compat import OpenAICompatibleClient, parse_duration
from apps.integrations.models import ApiCall
from tests.fakes.llm import (
    FAKE_LLM_API_KEY,
    FAKE_LLM_MODEL,
    FakeLLMServer,
    chat_completion,
    llm_env,
    vendor_error,
)

PROMPT = [
    Message.system("You write short LinkedIn posts for Northwind, a fintech brand. Tone: professional."),
    Message.user("Write one post.\nTrend: Open banking payments pass 30 million a month\nPlatform: LinkedIn"),
]


def complete(**kwargs) -> Completion:
    return llm_client().complete(messages=PROMPT, **kwargs)


def calls() -> list[ApiCall]:
    return list(ApiCall.objects.order_by("created_at", "pk"))


# --- success ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_completion_returns_the_text_usage_and_latency_and_is_recorded(fake_llm, brand):
    fake_llm.reply("  Open banking just crossed 30 million payments a month. Here is why it matters.\n")

    completion = complete(purpose="post_copy", brand_id=brand.pk)

    assert completion.text == "Open banking just crossed 30 million payments a month. Here is why it matters."
    assert completion.model == FAKE_LLM_MODEL
    assert completion.finish_reason == "stop"
    assert completion.prompt_tokens > 0
    assert completion.completion_tokens == 20
    assert completion.total_tokens == completion.prompt_tokens + 20
    assert completion.latency_ms >= 0
    assert completion.attempts == 1
    (call,) = calls()
    assert (call.provider, call.endpoint, call.purpose, call.model) == (
        "llm",
        "chat/completions",
        "post_copy",
        FAKE_LLM_MODEL,
    )
    assert (call.status, call.http_status, call.attempt, call.error) == ("ok", 200, 1, "")
    assert (call.prompt_tokens, call.completion_tokens) == (completion.prompt_tokens, 20)
    assert call.latency_ms == completion.latency_ms
    assert call.brand == brand


@pytest.mark.django_db
def test_the_request_carries_the_model_the_messages_the_sampling_and_the_bearer_key(fake_llm, settings):
    settings.LLM_MODEL = "llama-3.1-8b-instant"

    complete(temperature=0.3, max_tokens=280)

    (request,) = fake_llm.chat_requests
    assert request.path == "/v1/chat/completions"
    assert request.header("Authorization") == f"Bearer {FAKE_LLM_API_KEY}"
    assert request.header("Content-Type") == "application/json"
    assert request.json == {
        "model": "llama-3.1-8b-instant",
        "messages": [
            {"role": "system", "content": PROMPT[0].content},
            {"role": "user", "content": PROMPT[1].content},
        ],
        "temperature": 0.3,
        "max_tokens": 280,
    }


@pytest.mark.django_db
def test_the_model_named_in_the_answer_is_the_one_reported(fake_llm):
    fake_llm.malformed(chat_completion("Hello there.", model="llama-3.3-70b-versatile-0125"))

    assert complete().model == "llama-3.3-70b-versatile-0125"


@pytest.mark.django_db
def test_with_nothing_scripted_the_fake_answers_about_the_prompts_topic(fake_llm):
    text = complete().text

    assert text.startswith("Open banking payments pass 30 million a month: ")


@pytest.mark.django_db
def test_a_reply_cut_short_by_max_tokens_says_so(fake_llm):
    fake_llm.reply("word " * 100)

    completion = complete(max_tokens=10)

    assert completion.truncated
    assert completion.finish_reason == "length"
    assert len(completion.text) <= 40


@pytest.mark.django_db
def test_a_server_of_your_own_needs_no_key(settings):
    server = FakeLLMServer(api_key=None, model="llama3.1:8b").start()
    try:
        settings.LLM_BASE_URL, settings.LLM_API_KEY, settings.LLM_MODEL = server.url, "", "llama3.1:8b"

        completion = complete()
    finally:
        server.stop()

    assert completion.model == "llama3.1:8b"
    (request,) = server.chat_requests
    assert request.header("Authorization") is None


# --- retries -----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_429_waits_as_long_as_retry_after_says_then_succeeds(fake_llm, llm_waits):
    fake_llm.fail(429, headers={"retry-after": "2"})
    fake_llm.reply("Second time lucky.")

    completion = complete(purpose="post_copy")

    assert completion.text == "Second time lucky."
    assert completion.attempts == 2
    assert llm_waits == [2.0]
    assert len(fake_llm.chat_requests) == 2
    error, ok = calls()
    assert (error.status, error.http_status, error.attempt) == ("error", 429, 1)
    assert "Rate limit reached" in error.error
    assert (error.prompt_tokens, error.completion_tokens) == (0, 0)
    assert (ok.status, ok.http_status, ok.attempt, ok.purpose) == ("ok", 200, 2, "post_copy")


@pytest.mark.django_db
def test_without_retry_after_the_wait_is_the_reset_of_the_exhausted_groq_limit(fake_llm, llm_waits, settings):
    settings.LLM_MAX_RETRY_WAIT = 120
    fake_llm.fail(
        429,
        headers={
            "x-ratelimit-remaining-requests": "12",
            "x-ratelimit-reset-requests": "2.5s",
            "x-ratelimit-remaining-tokens": "0",
            "x-ratelimit-reset-tokens": "1m3s",
        },
    )

    complete()

    assert llm_waits == [63.0]


@pytest.mark.django_db
def test_a_long_retry_after_is_capped_at_the_longest_wait(fake_llm, llm_waits, settings):
    settings.LLM_MAX_RETRY_WAIT = 20
    fake_llm.fail(429, headers={"retry-after": "90"})

    complete()

    assert llm_waits == [20.0]


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("2", 2.0),
        ("2.5", 2.5),
        ("2.5s", 2.5),
        ("20ms", 0.02),
        ("1m3s", 63.0),
        ("1h2m3.5s", 3723.5),
        ("-1", 0.0),
        ("soon", None),
        ("", None),
        ("nan", None),
        (None, None),
    ],
)
def test_rate_limit_durations_read_as_seconds(value, seconds):
    assert parse_duration(value) == (pytest.approx(seconds) if seconds is not None else None)


@pytest.mark.django_db
def test_two_500s_back_off_exponentially_then_succeed(fake_llm, llm_waits):
    fake_llm.fail(500, times=2)

    completion = complete()

    assert completion.attempts == 3
    assert llm_waits == [0.5, 1.0]
    assert len(fake_llm.chat_requests) == 3
    assert [(c.status, c.http_status, c.attempt) for c in calls()] == [
        ("error", 500, 1),
        ("error", 500, 2),
        ("ok", 200, 3),
    ]


@pytest.mark.django_db
def test_when_retries_run_out_the_error_is_transient_and_every_attempt_is_recorded(fake_llm, llm_waits):
    fake_llm.fail(503, times=3)

    with pytest.raises(
        ServiceError, match=r"failed \(503\): Service Unavailable.*gave up after 3 attempts"
    ) as caught:
        complete()

    assert isinstance(caught.value, LLMError)
    assert caught.value.status == 503
    assert caught.value.is_transient
    assert len(fake_llm.chat_requests) == 3
    assert len(llm_waits) == 2
    assert [(c.status, c.http_status) for c in calls()] == [("error", 503)] * 3


@pytest.mark.django_db
def test_retries_follow_llm_max_retries(fake_llm, llm_waits, settings):
    settings.LLM_MAX_RETRIES = 0
    fake_llm.fail(429, headers={"retry-after": "1"})

    with pytest.raises(LLMError) as caught:
        complete()

    assert caught.value.retry_after == 1.0  # for a job that tries again later
    assert llm_waits == []
    assert len(fake_llm.chat_requests) == 1


# --- errors that are not retried ---------------------------------------------------------------------


@pytest.mark.django_db
def test_a_rejected_key_fails_at_once_with_the_vendors_message(fake_llm, llm_waits, settings):
    settings.LLM_API_KEY = "gsk_revoked"

    with pytest.raises(ServiceError, match=r"failed \(401\): Invalid API Key \[invalid_api_key\]") as caught:
        complete()

    assert caught.value.status == 401
    assert not caught.value.is_transient
    assert llm_waits == []
    assert len(fake_llm.chat_requests) == 1
    (call,) = calls()
    assert (call.status, call.http_status) == ("error", 401)
    assert "Invalid API Key" in call.error


@pytest.mark.django_db
def test_a_bad_request_fails_at_once_with_the_vendors_message(fake_llm, llm_waits):
    fake_llm.fail(400, vendor_error(400, "'max_tokens' : number must be at most 32768"))

    with pytest.raises(LLMError, match="'max_tokens' : number must be at most 32768") as caught:
        complete()

    assert caught.value.status == 400
    assert "gave up" not in str(caught.value)
    assert llm_waits == []


@pytest.mark.django_db
def test_an_error_inside_a_200_answer_is_an_error_with_its_message(fake_llm):
    fake_llm.malformed(vendor_error(400, "context_length_exceeded: please reduce the length of the messages"))

    with pytest.raises(LLMError, match="please reduce the length of the messages"):
        complete()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("script", "message"),
    [
        (lambda fake: fake.malformed(), r"malformed response \(not JSON\)"),
        (lambda fake: fake.malformed("null"), r"malformed response \(a JSON NoneType"),
        (lambda fake: fake.malformed({"object": "chat.completion", "choices": []}), r"malformed.*no choices"),
        (lambda fake: fake.malformed({"choices": [{"index": 0}]}), r"malformed.*no message"),
        (lambda fake: fake.malformed(chat_completion(None)), r"malformed.*content is NoneType"),
        (lambda fake: fake.malformed(chat_completion([{"type": "text"}])), r"malformed.*content is list"),
        (lambda fake: fake.reply(" \n\t "), r"returned empty text"),
        (lambda fake: fake.reply(""), r"returned empty text"),
    ],
    ids=[
        "html",
        "json-null",
        "no-choices",
        "no-message",
        "null-content",
        "list-content",
        "whitespace",
        "empty",
    ],
)
def test_a_malformed_or_empty_answer_fails_at_once(fake_llm, llm_waits, script, message):
    script(fake_llm)

    with pytest.raises(ServiceError, match=message) as caught:
        complete()

    assert caught.value.status == 200
    assert not caught.value.is_transient
    assert llm_waits == []
    assert len(fake_llm.chat_requests) == 1
    (call,) = calls()
    assert (call.status, call.http_status) == ("error", 200)


@pytest.mark.django_db
def test_a_refusal_is_an_error_with_the_models_words(fake_llm):
    body = chat_completion(None)
    body["choices"][0]["message"]["refusal"] = "I can't help with that."
    fake_llm.malformed(body)

    with pytest.raises(LLMError, match=r"the model refused: I can't help with that\."):
        complete()


# --- network failures --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_timeout_is_a_transient_error_without_a_status_and_is_retried(fake_llm, llm_waits, settings):
    settings.LLM_TIMEOUT = 0.2
    settings.LLM_MAX_RETRIES = 1
    fake_llm.delay(1.0)

    with pytest.raises(ServiceError, match=r"timed out after 0.2s") as caught:
        complete()

    assert caught.value.status is None
    assert caught.value.is_transient
    assert llm_waits == [0.5]
    assert len(fake_llm.chat_requests) == 2
    assert [(c.status, c.http_status) for c in calls()] == [("error", None), ("error", None)]


@pytest.mark.django_db
def test_an_unreachable_server_is_a_transient_error_without_a_status(settings, llm_waits):
    settings.LLM_BASE_URL, settings.LLM_API_KEY = "http://127.0.0.1:9/v1", "key"
    settings.LLM_MAX_RETRIES = 0

    with pytest.raises(LLMError, match="ConnectError") as caught:
        complete()

    assert caught.value.status is None
    assert caught.value.is_transient


# --- configuration and the call log ------------------------------------------------------------------


@pytest.mark.django_db
def test_without_a_key_for_groq_the_llm_is_not_configured(fake_llm, settings):
    settings.LLM_BASE_URL, settings.LLM_API_KEY = GROQ_BASE_URL, ""

    assert not llm_client().configured
    with pytest.raises(LLMNotConfigured, match="LLM_API_KEY"):
        complete()
    assert ApiCall.objects.count() == 0
    assert fake_llm.requests == []


def test_the_test_settings_never_point_at_a_real_llm(settings):
    local = settings.LLM_BASE_URL.startswith("http://127.0.0.1:")
    assert local or (settings.LLM_BASE_URL, settings.LLM_API_KEY) == (GROQ_BASE_URL, "")


def test_with_a_key_the_llm_is_configured_and_the_client_is_the_one_in_settings(fake_llm):
    client = llm_client()

    assert isinstance(client, OpenAICompatibleClient)
    assert client.configured


@pytest.mark.django_db
def test_a_failed_write_to_the_call_log_does_not_break_the_call(fake_llm, monkeypatch, caplog):
    def broken(**fields):
        raise DatabaseError("disk full")

    monkeypatch.setattr(ApiCall.objects, "create", broken)

    with caplog.at_level(logging.WARNING, logger="apps.integrations.models"):
        completion = complete()

    assert completion.text
    assert "could not record a llm API call (ok)" in caplog.text


def test_llm_env_points_a_worker_process_at_the_fake(fake_llm):
    env = llm_env(fake_llm)

    assert env["LLM_BASE_URL"] == fake_llm.url
    assert env["LLM_BASE_URL"].startswith("http://127.0.0.1:")
    assert env["LLM_API_KEY"] == FAKE_LLM_API_KEY
    assert env["LLM_MODEL"] == FAKE_LLM_MODEL
