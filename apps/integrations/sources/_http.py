"""Helpers the trend sources share: one GET/POST with error mapping, rate-limit headers, partial
failures, malformed-body detection and plain-text cleaning."""

from __future__ import annotations

import contextlib
import html
import re
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

import httpx
from django.conf import settings
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.html import strip_tags
from django.utils.text import Truncator

from apps.integrations.http import ServiceError, send

from .base import FetchResult

SUMMARY_CHARS = 500
_WHITESPACE = re.compile(r"\s+")
_HTML_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
# Tags that end a line or block: replaced by a space so their words do not run together.
_BREAKS = re.compile(
    r"<br\s*/?>|</(?:p|div|li|h[1-6]|tr|td|th|blockquote|pre|ul|ol|table)\s*>", re.IGNORECASE
)


def source_timeout() -> httpx.Timeout:
    return httpx.Timeout(settings.TREND_SOURCE_TIMEOUT)


def request(method: str, url: str, what: str, **kwargs) -> httpx.Response:
    """One request with the trend-source timeout; network failures and HTTP errors become ServiceError."""
    kwargs.setdefault("timeout", source_timeout())
    response = send(method, url, what=what, describe=error_text, **kwargs)
    if response.status_code >= 300:
        raise ServiceError(
            f"{what} was redirected ({response.status_code}) to {response.headers.get('location', '?')}",
            status=response.status_code,
        )
    return response


def get_json(
    url: str,
    what: str,
    *,
    headers: dict[str, str] | None = None,
    params: dict[str, Any] | None = None,
    method: str = "GET",
    **kwargs,
) -> tuple[Any, httpx.Response]:
    """The decoded JSON body and the response (for its headers)."""
    response = request(method, url, what, headers=headers, params=params, **kwargs)
    try:
        return response.json(), response
    except ValueError:
        raise malformed(what, "not JSON", response) from None


def malformed(what: str, reason: str, response: httpx.Response | None = None) -> ServiceError:
    return ServiceError(
        f"{what} returned a malformed response ({reason})",
        status=response.status_code if response is not None else None,
        body=response.text[:2000] if response is not None else "",
    )


def body_error(what: str, response: httpx.Response) -> ServiceError:
    """A vendor error reported inside a successful (2xx) response's body."""
    return ServiceError(
        f"{what} failed: {error_text(response)}", status=response.status_code, body=response.text[:2000]
    )


@contextlib.contextmanager
def parsing(what: str, response: httpx.Response) -> Iterator[None]:
    """Turn a body of the wrong shape (missing keys, wrong types) into a 'malformed response' error."""
    try:
        yield
    except (KeyError, IndexError, TypeError, ValueError, AttributeError, OverflowError) as exc:
        raise malformed(what, f"{exc.__class__.__name__}: {exc}", response) from None


def expect(condition: bool, description: str) -> None:
    """Inside `parsing`: a shape check that reads as what was expected."""
    if not condition:
        raise TypeError(f"expected {description}")


def error_text(response: httpx.Response) -> str:
    """The vendor's own words from an error body: JSON message/detail/title/errors, else the text."""
    try:
        body = response.json()
    except ValueError:
        # An HTML error page says it best in its <title>; other text as it is.
        title = _HTML_TITLE.search(response.text)
        return plain_text(title.group(1) if title else response.text, 200) or response.reason_phrase
    if isinstance(body, dict):
        parts = []
        for key in ("title", "message", "detail", "error_description", "reason", "error", "code"):
            value = body.get(key)
            if isinstance(value, str) and value.strip() and value.strip() not in parts:
                parts.append(value.strip())
        for error in body.get("errors") or []:
            if isinstance(error, dict) and isinstance(error.get("message"), str):
                parts.append(error["message"].strip())
        if parts:
            return ": ".join(parts[:3])
    return response.text[:200]


ResetFormat = Literal["epoch", "seconds", "iso"]


def read_rate_limit(
    result: FetchResult,
    response: httpx.Response,
    *,
    remaining: str,
    reset: str,
    reset_format: ResetFormat,
) -> None:
    """Copy the vendor's rate-limit headers into the result, when the response has them."""
    count = _number(response.headers.get(remaining))
    if count is not None:
        result.rate_limit_remaining = int(count)
    reset_at = _reset_time(response.headers.get(reset), reset_format)
    if reset_at is not None:
        result.rate_limit_reset = reset_at


def _number(value: str | None) -> float | None:
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def _reset_time(value: str | None, reset_format: ResetFormat) -> datetime | None:
    if value is None:
        return None
    if reset_format == "iso":
        return parse_time(value)
    seconds = _number(value)
    if seconds is None:
        return None
    if reset_format == "epoch":
        return datetime.fromtimestamp(seconds, tz=UTC)
    return timezone.now() + timedelta(seconds=seconds)


def parse_time(value: Any) -> datetime | None:
    """An aware datetime from an ISO 8601 string (vendor timestamps), None when absent or unreadable."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        parsed = parse_datetime(value.strip())
    except ValueError:
        return None
    if parsed is not None and timezone.is_naive(parsed):
        parsed = parsed.replace(tzinfo=UTC)
    return parsed


def plain_text(value: Any, limit: int = SUMMARY_CHARS) -> str:
    """HTML (or plain text) as one line of plain text, at most `limit` characters."""
    if not isinstance(value, str):
        return ""
    text = _WHITESPACE.sub(" ", html.unescape(strip_tags(_BREAKS.sub(" ", value)))).strip()
    return Truncator(text).chars(limit) if limit else text


def clean_title(value: Any) -> str:
    return plain_text(value, limit=0)


def count(value: Any, default: int = 0) -> int:
    """A non-negative count from an int or a numeric string (Mastodon sends strings)."""
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise TypeError(f"expected a number, got {value!r}")
    return max(int(float(value)), 0)


def run_parts(vendor: str, parts: Iterable[Callable[[], None]], result: FetchResult) -> None:
    """Run each part (one feed, one subreddit, one industry's query). A part that fails goes into
    result.errors; when every part fails the source as a whole fails with ServiceError."""
    failures: list[ServiceError] = []
    total = 0
    for run in parts:
        total += 1
        try:
            run()
        except ServiceError as exc:
            failures.append(exc)
            result.errors.append(str(exc))
    if total and len(failures) == total:
        raise _all_failed(vendor, failures)


def _all_failed(vendor: str, failures: list[ServiceError]) -> ServiceError:
    if len(failures) == 1:
        return failures[0]
    # The combined error is transient when any part was, so the job tries again later.
    representative = next((f for f in failures if f.is_transient), failures[0])
    waits = [f.retry_after for f in failures if f.retry_after is not None]
    shown = "; ".join(str(f) for f in failures[:3])
    more = f" (and {len(failures) - 3} more)" if len(failures) > 3 else ""
    return ServiceError(
        f"{vendor}: all {len(failures)} requests failed: {shown}{more}",
        status=representative.status,
        body=representative.body,
        retry_after=max(waits) if waits else None,
    )
