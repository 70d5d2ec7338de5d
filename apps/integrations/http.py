"""The shared HTTP client for outside services: one httpx.Client with timeouts and connection reuse."""

from __future__ import annotations

from functools import lru_cache

import httpx

DEFAULT_TIMEOUT = httpx.Timeout(10.0, connect=5.0)


class ServiceError(Exception):
    """An outside service failed. `status` is the HTTP status (None for network errors)."""

    def __init__(
        self, message: str, *, status: int | None = None, body: str = "", retry_after: float | None = None
    ):
        super().__init__(message)
        self.status, self.body, self.retry_after = status, body, retry_after

    @property
    def is_transient(self) -> bool:
        return self.status is None or self.status == 429 or self.status >= 500


@lru_cache(maxsize=1)
def http_client() -> httpx.Client:
    return httpx.Client(
        timeout=DEFAULT_TIMEOUT,
        transport=httpx.HTTPTransport(retries=2),  # connection-level retries only (never a re-send)
        headers={"User-Agent": "social-medAI/1.0 (+self-hosted)"},
        follow_redirects=False,
    )


def retry_after_seconds(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after")
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None
