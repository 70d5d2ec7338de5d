"""A local fake of an OpenAI-compatible chat-completions server (as Groq speaks it), so the real
LLM client runs against it in tests, worker tests and benchmarks:

- POST /v1/chat/completions   Authorization: Bearer <key>; {"model", "messages", "temperature",
                              "max_tokens"} → {"id", "object": "chat.completion", "model",
                              "choices": [{"message": {"role", "content"}, "finish_reason"}],
                              "usage": {...}} with Groq's x-ratelimit-* headers
- GET  /v1/models             the model list

Errors come in OpenAI's shape {"error": {"message", "type", "code"}}: 401 for a wrong key, 400 for
a body without model or messages, 404 for other paths.

Tests script the answers to chat requests in order, first in first out: `reply()` / `replies()`
queue texts, `fail()` errors in the vendor's shape (429 with retry-after, 500, 401, …),
`malformed()` a 200 that is not a completion. With nothing queued, `answer_with(fn)` answers each
request from what it asks (`fn(request)` returns the text, or None for the default); without it, or
when fn returns None, it answers a short post about the topic of the prompt. `delay()` holds every answer back (timeouts, latency for benchmarks).
Every request is recorded; `chat_requests` are the completions asked for.
"""

from __future__ import annotations

import json
import re
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from tests.fakes._server import LocalServer, QuietHandler, encode_body

FAKE_LLM_API_KEY = "gsk_fake_llm_key_0123456789abcdef"
FAKE_LLM_MODEL = "llama-3.3-70b-versatile"
CLIENT_PATH = "apps.integrations.llm.openai_compat.OpenAICompatibleClient"

# What Groq says, by status: (message, type, code).
ERRORS: dict[int, tuple[str, str, str | None]] = {
    400: ("Bad Request", "invalid_request_error", None),
    401: ("Invalid API Key", "invalid_request_error", "invalid_api_key"),
    403: ("Forbidden", "invalid_request_error", "permission_denied"),
    404: (
        f"The model `{FAKE_LLM_MODEL}` does not exist or you do not have access to it.",
        "invalid_request_error",
        "model_not_found",
    ),
    413: ("Request Entity Too Large", "invalid_request_error", "request_too_large"),
    429: (
        f"Rate limit reached for model `{FAKE_LLM_MODEL}` in organization `org_fake0123456789` service "
        "tier `on_demand` on requests per minute (RPM): Limit 30, Used 30, Requested 1. Please try "
        "again in 2s. Need more tokens? Upgrade to Dev Tier today at https://console.groq.com/settings/billing",
        "requests",
        "rate_limit_exceeded",
    ),
    500: ("Internal Server Error", "internal_server_error", None),
    502: ("Bad Gateway", "internal_server_error", None),
    503: (
        "Service Unavailable: the model is over capacity, please try again later",
        "internal_server_error",
        "service_unavailable",
    ),
}
# Groq's headers on a 429 (a retry-after in whole seconds, and the exhausted limit's reset).
RATE_LIMITED_HEADERS = {
    "retry-after": "2",
    "x-ratelimit-limit-requests": "30",
    "x-ratelimit-remaining-requests": "0",
    "x-ratelimit-reset-requests": "2s",
}
NOT_A_COMPLETION = (
    "<!DOCTYPE html><html><head><title>Captive portal</title></head>"
    "<body><h1>Sign in to the network to continue</h1></body></html>"
)
_TOPIC_LINE = re.compile(r"^\s*(?:trend|topic|headline|title|subject)\s*:\s*(.+?)\s*$", re.I | re.M)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s|\n")


def vendor_error(status: int, message: str | None = None, code: str | None = None) -> dict:
    """The error body the server sends with `status`, optionally with other words."""
    default_message, kind, default_code = ERRORS.get(status, ("Error", "api_error", None))
    return {
        "error": {
            "message": message or default_message,
            "type": kind,
            "param": None,
            "code": code or default_code,
        }
    }


def chat_completion(
    text: Any,
    *,
    model: str = FAKE_LLM_MODEL,
    finish_reason: str = "stop",
    prompt_tokens: int = 0,
    completion_tokens: int | None = None,
) -> dict:
    """A chat.completion body as Groq sends it (`text` may be anything, to build broken ones)."""
    if completion_tokens is None:
        completion_tokens = count_tokens(text) if isinstance(text, str) else 0
    return {
        "id": f"chatcmpl-{secrets.token_hex(12)}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": text},
                "logprobs": None,
                "finish_reason": finish_reason,
            }
        ],
        "usage": {
            "queue_time": 0.0021,
            "prompt_tokens": prompt_tokens,
            "prompt_time": 0.0043,
            "completion_tokens": completion_tokens,
            "completion_time": 0.0812,
            "total_tokens": prompt_tokens + completion_tokens,
            "total_time": 0.0855,
        },
        "system_fingerprint": "fp_fake0001",
        "x_groq": {"id": f"req_{secrets.token_hex(13)}"},
    }


def count_tokens(text: str) -> int:
    """Roughly what a tokenizer counts: about four characters a token."""
    return max(1, round(len(text) / 4)) if text else 0


def default_reply(messages: list[dict]) -> str:
    """A sensible short post about the prompt's topic: a "Trend: …" (or Topic/Headline/Title) line
    of the last user message, else its first sentence."""
    user = next((m.get("content") for m in reversed(messages) if m.get("role") == "user"), "") or ""
    user = user if isinstance(user, str) else ""
    found = _TOPIC_LINE.search(user)
    topic = found.group(1) if found else _SENTENCE_END.split(user.strip(), maxsplit=1)[0]
    topic = " ".join(topic.split()).strip(" .!?:;,\"'")
    if len(topic) > 100:
        topic = topic[:100].rsplit(" ", 1)[0]
    if not topic:
        return "Small steps, taken every week, add up. Here is the one worth taking this week."
    return (
        f"{topic}: this is worth a closer look. Here is what it means for the people we serve, "
        "and the one step worth taking this week."
    )


@dataclass
class LLMRequest:
    method: str
    path: str
    headers: dict[str, str]  # lower-cased names
    body: str = ""

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    @property
    def json(self) -> Any:
        try:
            return json.loads(self.body) if self.body else None
        except ValueError:
            return None

    @property
    def messages(self) -> list[dict]:
        body = self.json
        return (body.get("messages") or []) if isinstance(body, dict) else []

    @property
    def prompt(self) -> str:
        """Every message's content, one after another (to assert what the prompt said)."""
        return "\n\n".join(str(m.get("content", "")) for m in self.messages if isinstance(m, dict))


@dataclass
class _Reply:
    text: str
    finish_reason: str | None = None


@dataclass
class _Raw:
    status: int
    body: bytes
    content_type: str
    headers: dict[str, str]


class FakeLLMServer(LocalServer):
    """An OpenAI-compatible chat-completions server on a local port. `reset()` between tests."""

    def __init__(self, api_key: str | None = FAKE_LLM_API_KEY, model: str = FAKE_LLM_MODEL):
        self.api_key = api_key  # None: any key or none at all is accepted (as Ollama does)
        self.model = model
        self.lock = threading.Lock()
        self._serve(self._handler(), "/v1")
        self.reset()

    def reset(self) -> None:
        """Nothing scripted, no delay, no recorded requests."""
        with self.lock:
            self._script: deque[_Reply | _Raw] = deque()
            self._delay = 0.0
            self._requests: list[LLMRequest] = []
            self._answer: Callable[[LLMRequest], str | None] | None = None

    # --- scripting -------------------------------------------------------------------------------

    def reply(self, text: str, *, finish_reason: str | None = None) -> None:
        """Answer the next chat request with `text` (finish_reason "length" when it is cut by
        max_tokens, else "stop", unless given)."""
        with self.lock:
            self._script.append(_Reply(text, finish_reason))

    def replies(self, texts: list[str]) -> None:
        for text in texts:
            self.reply(text)

    def fail(
        self,
        status: int = 500,
        body: dict | list | str | bytes | None = None,
        headers: dict[str, str] | None = None,
        *,
        times: int = 1,
    ) -> None:
        """Answer the next `times` chat requests with `status`: the vendor's error body unless
        `body` is given, and for 429 Groq's retry-after and rate-limit headers unless `headers`
        is given (then exactly those)."""
        if body is None:
            body = vendor_error(status)
        content_type = "application/json" if isinstance(body, dict | list) else "text/plain; charset=utf-8"
        if headers is None:
            headers = dict(RATE_LIMITED_HEADERS) if status == 429 else {}
        self._queue(_Raw(status, encode_body(body), content_type, dict(headers)), times)

    def malformed(
        self,
        body: dict | list | str | bytes | None = None,
        *,
        content_type: str | None = None,
        times: int = 1,
    ) -> None:
        """Answer the next `times` chat requests with a 200 that is not a usable completion: an HTML
        page by default, or `body` (a dict or list is sent as JSON, a str or bytes as it is)."""
        if body is None:
            body, content_type = NOT_A_COMPLETION, content_type or "text/html; charset=utf-8"
        elif content_type is None:
            content_type = "application/json" if isinstance(body, dict | list) else "text/plain"
        self._queue(_Raw(200, encode_body(body), content_type, {}), times)

    def answer_with(self, answer: Callable[[LLMRequest], str | None] | None) -> None:
        """With nothing queued, answer each chat request with `answer(request)`: a reply written
        from what the request asks (the ids in a prompt, say). None from it, or no function (the
        default, and after reset()), gives the default reply."""
        with self.lock:
            self._answer = answer

    def delay(self, seconds: float) -> None:
        """Hold back every answer by `seconds` from now on (0 to stop)."""
        with self.lock:
            self._delay = seconds

    def _queue(self, item: _Reply | _Raw, times: int) -> None:
        with self.lock:
            self._script.extend([item] * times)

    # --- what it saw -----------------------------------------------------------------------------

    @property
    def requests(self) -> list[LLMRequest]:
        with self.lock:
            return list(self._requests)

    @property
    def chat_requests(self) -> list[LLMRequest]:
        return [r for r in self.requests if r.method == "POST" and r.path == "/v1/chat/completions"]

    @property
    def pending(self) -> int:
        """Scripted answers not given yet."""
        with self.lock:
            return len(self._script)

    # --- HTTP ------------------------------------------------------------------------------------

    def _next_raw(self) -> _Raw | None:
        with self.lock:
            if self._script and isinstance(self._script[0], _Raw):
                return self._script.popleft()
            return None

    def _next_reply(self) -> _Reply | None:
        with self.lock:
            if self._script and isinstance(self._script[0], _Reply):
                return self._script.popleft()
            return None

    def _handler(self):
        server = self

        class Handler(QuietHandler):
            def _error(self, status: int, message: str | None = None, code: str | None = None):
                return self._send(status, vendor_error(status, message, code))

            def _handle(self):
                length = int(self.headers.get("Content-Length") or 0)
                request = LLMRequest(
                    method=self.command,
                    path=self.path.split("?", 1)[0],
                    headers={k.lower(): v for k, v in self.headers.items()},
                    body=self.rfile.read(length).decode() if length else "",
                )
                with server.lock:
                    server._requests.append(request)
                    delay = server._delay
                if delay:
                    time.sleep(delay)
                if request.path == "/v1/chat/completions" and request.method == "POST":
                    return self._chat(request)
                if request.path == "/v1/models" and request.method == "GET":
                    if not self._authorized(request):
                        return self._error(401)
                    return self._send(200, self._models())
                return self._error(
                    404,
                    f"Unknown request URL: {request.method} {request.path}. Please check the URL.",
                    "unknown_url",
                )

            do_GET = _handle
            do_POST = _handle

            def _authorized(self, request: LLMRequest) -> bool:
                return server.api_key is None or request.header("Authorization") == f"Bearer {server.api_key}"

            def _chat(self, request: LLMRequest):
                raw = server._next_raw()
                if raw is not None:
                    return self._send(raw.status, raw.body, raw.content_type, raw.headers)
                if not self._authorized(request):
                    return self._error(401)
                body = request.json
                if not isinstance(body, dict):
                    return self._error(
                        400,
                        "We could not parse the JSON body of your request. (HINT: This likely means you "
                        "aren't using your HTTP library correctly. The OpenAI API expects a JSON payload.)",
                    )
                model, messages = body.get("model"), body.get("messages")
                if not isinstance(model, str) or not model:
                    return self._error(400, "'model' : property 'model' is missing", "invalid_request_error")
                if (
                    not isinstance(messages, list)
                    or not messages
                    or not all(isinstance(m, dict) and m.get("role") and "content" in m for m in messages)
                ):
                    return self._error(
                        400, "'messages' : minimum number of items is 1, each with role and content"
                    )
                scripted = server._next_reply()
                with server.lock:
                    answer = server._answer
                text = scripted.text if scripted else None
                if text is None and answer is not None:
                    text = answer(request)
                if text is None:
                    text = default_reply(messages)
                finish_reason = scripted.finish_reason if scripted and scripted.finish_reason else "stop"
                max_tokens = body.get("max_tokens")
                if isinstance(max_tokens, int) and max_tokens > 0 and count_tokens(text) > max_tokens:
                    text, finish_reason = text[: max_tokens * 4], "length"
                prompt_tokens = sum(count_tokens(str(m.get("content") or "")) + 4 for m in messages)
                return self._send(
                    200,
                    chat_completion(
                        text, model=model, finish_reason=finish_reason, prompt_tokens=prompt_tokens
                    ),
                    headers=self._rate_limit_headers(prompt_tokens + count_tokens(text)),
                )

            def _rate_limit_headers(self, tokens: int) -> dict[str, str]:
                with server.lock:
                    used = len(server._requests)
                return {
                    "x-ratelimit-limit-requests": "14400",
                    "x-ratelimit-remaining-requests": str(max(14400 - used, 0)),
                    "x-ratelimit-reset-requests": "6s",
                    "x-ratelimit-limit-tokens": "6000",
                    "x-ratelimit-remaining-tokens": str(max(6000 - tokens, 0)),
                    "x-ratelimit-reset-tokens": "1m3.5s",
                    "x-request-id": f"req_{secrets.token_hex(13)}",
                }

            def _models(self) -> dict:
                return {
                    "object": "list",
                    "data": [
                        {
                            "id": server.model,
                            "object": "model",
                            "created": 1733447754,
                            "owned_by": "Meta",
                            "active": True,
                            "context_window": 131072,
                        }
                    ],
                }

        return Handler


# --- settings, environment and fixtures -----------------------------------------------------------


def llm_settings(server: FakeLLMServer) -> dict:
    """Django settings that point the LLM client at the fake."""
    return {
        "LLM_BASE_URL": server.url,
        "LLM_API_KEY": server.api_key or "",
        "LLM_MODEL": server.model,
        "LLM_TIMEOUT": 5.0,
        "LLM_MAX_RETRIES": 2,
        "LLM_MAX_RETRY_WAIT": 20.0,
        "LLM_CLIENT": CLIENT_PATH,
    }


def llm_env(server: FakeLLMServer) -> dict[str, str]:
    """The same as environment variables, for a worker process talking to this fake."""
    return {
        "LLM_BASE_URL": server.url,
        "LLM_API_KEY": server.api_key or "",
        "LLM_MODEL": server.model,
        "LLM_TIMEOUT": "10",
        "LLM_MAX_RETRIES": "2",
    }


@pytest.fixture(scope="session")
def fake_llm_server():
    server = FakeLLMServer().start()
    yield server
    server.stop()


@pytest.fixture
def fake_llm(fake_llm_server, settings):
    """The fake LLM server, reset, with settings pointing the LLM client at it. Returns the server
    for scripting: reply(), replies(), fail(), malformed(), answer_with(), delay(); and
    chat_requests."""
    fake_llm_server.reset()
    for name, value in llm_settings(fake_llm_server).items():
        setattr(settings, name, value)
    yield fake_llm_server
    fake_llm_server.reset()


@pytest.fixture
def llm_waits(monkeypatch) -> list[float]:
    """The LLM client waits between retries without sleeping; the list of seconds it asked for."""
    from apps.integrations.llm.openai_compat import OpenAICompatibleClient

    waits: list[float] = []
    monkeypatch.setattr(OpenAICompatibleClient, "sleep", staticmethod(waits.append))
    return waits
