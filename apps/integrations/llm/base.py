"""The LLM interface: messages in, one completion out, and which client is switched on
(settings.LLM_CLIENT)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Literal

from django.conf import settings
from django.utils.module_loading import import_string

from apps.integrations.http import ServiceError

# settings.LLM_BASE_URL's default. Any other base URL (Ollama, vLLM, a proxy) counts as configured
# without a key; Groq itself needs LLM_API_KEY.
GROQ_BASE_URL = "https://api.groq.com/openai/v1"

Role = Literal["system", "user", "assistant"]


@dataclass(frozen=True)
class Message:
    role: Role
    content: str

    @classmethod
    def system(cls, content: str) -> Message:
        return cls("system", content)

    @classmethod
    def user(cls, content: str) -> Message:
        return cls("user", content)

    @classmethod
    def assistant(cls, content: str) -> Message:
        return cls("assistant", content)


@dataclass
class Completion:
    text: str  # stripped of surrounding whitespace, never empty
    model: str  # the model that answered, as the server names it
    prompt_tokens: int = 0
    completion_tokens: int = 0
    latency_ms: int = 0  # of the attempt that succeeded
    finish_reason: str = ""  # "stop"; "length" when max_tokens cut the text short
    attempts: int = 1  # 2 or more when it succeeded after retries

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    @property
    def truncated(self) -> bool:
        return self.finish_reason == "length"


class LLMNotConfigured(Exception):
    """No LLM is set up (LLM_API_KEY unset and LLM_BASE_URL left at Groq's). Callers fall back to
    template copy."""


class LLMError(ServiceError):
    """The LLM server failed or answered with something unusable. `is_transient` as ServiceError:
    timeouts, network errors, 429 and 5xx (after the client's own retries ran out)."""


class LLMClient(ABC):
    def check_configured(self) -> None:
        """Raise LLMNotConfigured with a one-line reason when the client cannot run."""
        return None

    @property
    def configured(self) -> bool:
        try:
            self.check_configured()
        except LLMNotConfigured:
            return False
        return True

    @abstractmethod
    def complete(
        self,
        *,
        messages: list[Message],
        temperature: float = 0.7,
        max_tokens: int = 800,
        purpose: str = "",
        brand_id: int | None = None,
    ) -> Completion:
        """One chat completion. `purpose` and `brand_id` label the recorded ApiCall rows.
        Raises LLMNotConfigured, or LLMError (a ServiceError) when the server fails."""


def llm_client() -> LLMClient:
    """A new instance of settings.LLM_CLIENT (reads the settings at the time of the call)."""
    return import_string(settings.LLM_CLIENT)()
