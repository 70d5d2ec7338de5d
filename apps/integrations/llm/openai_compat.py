"""Chat completions from any server speaking OpenAI's format: Groq (the default), OpenAI, Ollama
(http://localhost:11434/v1), vLLM, and proxies in front of them.

POST {LLM_BASE_URL}/chat/completions with `Authorization: Bearer <LLM_API_KEY>` (left out when no
key is set) and {"model", "messages": [{"role", "content"}], "temperature", "max_tokens"}; the
answer is choices[0].message.content, with finish_reason, usage.prompt_tokens/completion_tokens
and model. Errors come as {"error": {"message", "type", "code"}}.

Timeouts, network errors, 429 and 5xx are retried up to LLM_MAX_RETRIES times. The wait honours
`retry-after` (seconds or an HTTP date), else the rate-limit reset headers Groq and OpenAI send
(`x-ratelimit-reset-requests` / `-tokens`, durations such as "2.5s", "1m3s", "20ms"), capped at
LLM_MAX_RETRY_WAIT; without them it backs off exponentially (0.5 s, 1 s, 2 s, …). Other 4xx and
malformed or empty answers fail at once. Every attempt is recorded as an ApiCall row.
"""

from __future__ import annotations

import logging
import math
import re
import time
from collections.abc import Callable
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlparse

import httpx
from django.conf import settings
from django.utils import timezone

from apps.integrations.http import send
from apps.integrations.models import ApiCall

from .base import GROQ_BASE_URL, Completion, LLMClient, LLMError, LLMNotConfigured, Message

logger = logging.getLogger(__name__)

PROVIDER = "llm"
ENDPOINT = "chat/completions"
BACKOFF_BASE_SECONDS = 0.5
_DURATION = re.compile(r"(?:\d+(?:\.\d+)?(?:ms|h|m|s))+")
_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|h|m|s)")
_UNIT_SECONDS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}


class OpenAICompatibleClient(LLMClient):
    # How the client waits between attempts; tests pass their own (or patch this) to record waits.
    sleep: Callable[[float], None] = staticmethod(time.sleep)

    def __init__(
        self,
        *,
        base_url: str | None = None,
        api_key: str | None = None,
        model: str | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        max_retry_wait: float | None = None,
        sleep: Callable[[float], None] | None = None,
    ):
        self.base_url = (settings.LLM_BASE_URL if base_url is None else base_url).rstrip("/")
        self.api_key = settings.LLM_API_KEY if api_key is None else api_key
        self.model = settings.LLM_MODEL if model is None else model
        self.timeout = float(settings.LLM_TIMEOUT if timeout is None else timeout)
        self.max_retries = max(int(settings.LLM_MAX_RETRIES if max_retries is None else max_retries), 0)
        self.max_retry_wait = float(settings.LLM_MAX_RETRY_WAIT if max_retry_wait is None else max_retry_wait)
        if sleep is not None:
            self.sleep = sleep

    def check_configured(self) -> None:
        if not self.base_url:
            raise LLMNotConfigured("LLM_BASE_URL is empty")
        if not self.api_key and self.base_url == GROQ_BASE_URL:
            raise LLMNotConfigured(
                "LLM_API_KEY is not set (or point LLM_BASE_URL at a server of your own, such as Ollama)"
            )
        if not self.model:
            raise LLMNotConfigured("LLM_MODEL is empty")

    @property
    def host(self) -> str:
        return urlparse(self.base_url).netloc or self.base_url

    def complete(
        self,
        *,
        messages: list[Message],
        temperature: float = 0.7,
        max_tokens: int = 800,
        purpose: str = "",
        brand_id: int | None = None,
    ) -> Completion:
        self.check_configured()
        if not messages:
            raise ValueError("complete() needs at least one message")
        payload = {
            "model": self.model,
            "messages": [{"role": m.role, "content": m.content} for m in messages],
            "temperature": temperature,
            "max_tokens": max_tokens,
        }
        attempts = self.max_retries + 1
        for attempt in range(1, attempts + 1):
            started = time.monotonic()
            try:
                completion = self._attempt(payload)
            except LLMError as exc:
                latency_ms = _elapsed_ms(started)
                self._record(attempt, purpose, brand_id, latency_ms, error=exc)
                if not exc.is_transient or attempt == attempts:
                    if attempt > 1:
                        raise LLMError(
                            f"{exc} (gave up after {attempt} attempts)",
                            status=exc.status,
                            body=exc.body,
                            retry_after=exc.retry_after,
                        ) from exc
                    raise
                wait = self._wait(exc, attempt)
                logger.warning(
                    "LLM attempt %d of %d failed, retrying in %.2fs: %s", attempt, attempts, wait, exc
                )
                self.sleep(wait)
                continue
            completion.latency_ms = _elapsed_ms(started)
            completion.attempts = attempt
            self._record(attempt, purpose, brand_id, completion.latency_ms, completion=completion)
            logger.info(
                "LLM completion: model=%s purpose=%s tokens=%d+%d latency_ms=%d attempts=%d",
                completion.model,
                purpose or "-",
                completion.prompt_tokens,
                completion.completion_tokens,
                completion.latency_ms,
                attempt,
            )
            return completion
        raise AssertionError("unreachable")  # pragma: no cover

    # --- one attempt ----------------------------------------------------------------------------

    def _attempt(self, payload: dict[str, Any]) -> Completion:
        what = f"LLM request to {self.host}"
        headers = {"Accept": "application/json"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        response = send(
            "POST",
            f"{self.base_url}/{ENDPOINT}",
            what=what,
            error=LLMError,
            describe=error_message,
            wait=rate_limit_wait,
            fail_from=300,
            json=payload,
            headers=headers,
            timeout=httpx.Timeout(self.timeout),
        )
        return self._parse(response, what, payload["model"])

    def _parse(self, response: httpx.Response, what: str, requested_model: str) -> Completion:
        def malformed(reason: str) -> LLMError:
            return LLMError(
                f"{what} returned a malformed response ({reason})",
                status=response.status_code,
                body=response.text[:2000],
            )

        try:
            body = response.json()
        except ValueError:
            raise malformed("not JSON") from None
        if not isinstance(body, dict):
            raise malformed(f"a JSON {type(body).__name__}, not an object")
        if body.get("error") and not body.get("choices"):  # some proxies report errors with a 200
            raise LLMError(
                f"{what} failed: {error_message(response)}",
                status=response.status_code,
                body=response.text[:2000],
            )
        choices = body.get("choices")
        if not isinstance(choices, list) or not choices:
            raise malformed("no choices")
        choice = choices[0]
        message = choice.get("message") if isinstance(choice, dict) else None
        if not isinstance(message, dict):
            raise malformed("no message in the first choice")
        content = message.get("content")
        if content is None and isinstance(message.get("refusal"), str):
            raise LLMError(
                f"{what}: the model refused: {message['refusal'][:300]}", status=response.status_code
            )
        if not isinstance(content, str):
            raise malformed(f"content is {type(content).__name__}, not text")
        if not content.strip():
            raise LLMError(
                f"{what} returned empty text (finish_reason {choice.get('finish_reason')!r})",
                status=response.status_code,
                body=response.text[:2000],
            )
        usage = body.get("usage") if isinstance(body.get("usage"), dict) else {}
        model = body.get("model")
        finish_reason = choice.get("finish_reason")
        return Completion(
            text=content.strip(),
            model=model if isinstance(model, str) and model else requested_model,
            prompt_tokens=_tokens(usage.get("prompt_tokens")),
            completion_tokens=_tokens(usage.get("completion_tokens")),
            finish_reason=finish_reason if isinstance(finish_reason, str) else "",
        )

    # --- retries and the call log ---------------------------------------------------------------

    def _wait(self, exc: LLMError, attempt: int) -> float:
        """Seconds before attempt + 1: what the server asked for, else exponential backoff; capped."""
        backoff = BACKOFF_BASE_SECONDS * 2 ** (attempt - 1)
        wanted = exc.retry_after if exc.retry_after is not None else backoff
        return min(max(wanted, 0.0), self.max_retry_wait)

    def _record(
        self,
        attempt: int,
        purpose: str,
        brand_id: int | None,
        latency_ms: int,
        *,
        completion: Completion | None = None,
        error: LLMError | None = None,
    ) -> None:
        ApiCall.record(
            provider=PROVIDER,
            endpoint=ENDPOINT,
            purpose=purpose[:80],
            model=(completion.model if completion else self.model)[:120],
            status=ApiCall.Status.OK if completion else ApiCall.Status.ERROR,
            http_status=200 if completion else error.status,
            attempt=attempt,
            latency_ms=latency_ms,
            prompt_tokens=completion.prompt_tokens if completion else 0,
            completion_tokens=completion.completion_tokens if completion else 0,
            error=str(error)[:2000] if error else "",
            brand_id=brand_id,
        )


# --- reading the server's answers ---------------------------------------------------------------


def error_message(response: httpx.Response) -> str:
    """The server's own words: OpenAI's {"error": {"message", "type", "code"}}, vLLM's top-level
    {"message"}, FastAPI's {"detail"}, a plain {"error": "..."} (Ollama), else the text."""
    try:
        body = response.json()
    except ValueError:
        text = " ".join(response.text.split())
        return text[:300] or response.reason_phrase
    if isinstance(body, dict):
        error = body.get("error")
        if isinstance(error, dict):
            message = error.get("message")
            code = error.get("code") or error.get("type")
            if isinstance(message, str) and message.strip():
                return f"{message.strip()} [{code}]" if isinstance(code, str) and code else message.strip()
        if isinstance(error, str) and error.strip():
            return error.strip()
        for key in ("message", "detail"):
            value = body.get(key)
            if isinstance(value, str) and value.strip():
                return value.strip()
    return response.text[:300] or response.reason_phrase


def rate_limit_wait(response: httpx.Response) -> float | None:
    """Seconds the server asks us to wait: `retry-after` (seconds or an HTTP date), else the reset
    of the exhausted limit in Groq's/OpenAI's `x-ratelimit-reset-requests` / `-tokens` headers
    (the sooner reset when the headers do not say which one ran out). None when it does not say."""
    retry_after = response.headers.get("retry-after")
    if retry_after is not None:
        seconds = parse_duration(retry_after)
        if seconds is None:
            seconds = _seconds_until(retry_after)
        if seconds is not None:
            return seconds
    exhausted, resets = [], []
    for kind in ("requests", "tokens"):
        reset = parse_duration(response.headers.get(f"x-ratelimit-reset-{kind}"))
        if reset is None:
            continue
        resets.append(reset)
        remaining = _number(response.headers.get(f"x-ratelimit-remaining-{kind}"))
        if remaining is not None and remaining <= 0:
            exhausted.append(reset)
    if exhausted:
        return max(exhausted)
    return min(resets) if resets else None


def parse_duration(value: str | None) -> float | None:
    """Seconds from "2", "2.5", "2.5s", "20ms", "1m3s", "1h2m3.5s"; None when unreadable."""
    if value is None:
        return None
    value = value.strip().lower()
    number = _number(value)
    if number is not None:
        return max(number, 0.0)
    if not _DURATION.fullmatch(value):
        return None
    return sum(float(amount) * _UNIT_SECONDS[unit] for amount, unit in _DURATION_PART.findall(value))


def _seconds_until(http_date: str) -> float | None:
    try:
        when = parsedate_to_datetime(http_date)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None or timezone.is_naive(when):
        return None
    return max((when - timezone.now()).total_seconds(), 0.0)


def _number(value: str | None) -> float | None:
    try:
        number = float(value) if value is not None else None
    except ValueError:
        return None
    return number if number is None or math.isfinite(number) else None


def _tokens(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return 0
    return max(int(value), 0)


def _elapsed_ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)
