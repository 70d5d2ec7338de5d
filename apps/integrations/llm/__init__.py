"""Chat completions from any OpenAI-compatible server (Groq by default; OpenAI, Ollama, vLLM)."""

from .base import Completion, LLMClient, LLMError, LLMNotConfigured, Message, llm_client

__all__ = ["Completion", "LLMClient", "LLMError", "LLMNotConfigured", "Message", "llm_client"]
