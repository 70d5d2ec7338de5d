"""The shared HTTP client for outside services: one httpx.Client with timeouts and connection reuse."""

from __future__ import annotations

from collections.abc import Callable
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


def send(
    method: str,
    url: str,
    *,
    what: str,
    error: type[ServiceError] = ServiceError,
    describe: Callable[[httpx.Response], str] | None = None,
    wait: Callable[[httpx.Response], float | None] = retry_after_seconds,
    fail_from: int = 400,
    **kwargs,
) -> httpx.Response:
    """One request through the shared client, with the error mapping every vendor client uses:
    a timeout or network failure is `error` with no status (transient); a status at or above
    `fail_from` is `error` with the status, the vendor's message (`describe`, else the start of
    the body) and how long to wait before trying again (`wait`)."""
    try:
        response = http_client().request(method, url, **kwargs)
    except httpx.TimeoutException as exc:
        timeout = kwargs.get("timeout")
        after = f" after {timeout.read:g}s" if isinstance(timeout, httpx.Timeout) and timeout.read else ""
        raise error(f"{what} timed out{after} ({exc.__class__.__name__})") from exc
    except httpx.HTTPError as exc:
        raise error(f"{what} failed: {exc.__class__.__name__}: {exc}") from exc
    if response.status_code >= fail_from:
        detail = describe(response) if describe else response.text[:200]
        raise error(
            f"{what} failed ({response.status_code}): {detail}",
            status=response.status_code,
            body=response.text[:2000],
            retry_after=wait(response),
        )
    return response
