"""Stripe Connect: collaboration fees as PaymentIntents (destination charges with
transfer_data[destination]) and Transfers to the influencer's connected account.

Requests are form-encoded POSTs to {STRIPE_API_BASE}/v1/… with nested keys (metadata[x]=…,
transfer_data[destination]=…), `Authorization: Bearer <STRIPE_SECRET_KEY>`, a pinned
`Stripe-Version` and, for every call that moves money, the caller's `Idempotency-Key`: Stripe
answers a repeat of the same key and parameters with the first response (`Idempotent-Replayed:
true`) and a repeat with other parameters with 400 idempotency_error. That is what makes retrying
safe: timeouts, network errors, 409, 429 and 5xx are retried with the same key up to
STRIPE_MAX_RETRIES times, waiting what `Retry-After` says (capped at STRIPE_MAX_RETRY_WAIT), else
backing off 0.5 s, 1 s, 2 s, …; `Stripe-Should-Retry` overrides the guess either way.

Errors come as {"error": {"type", "code", "decline_code", "message", "param"}}: 402 card_error
(a decline: its message is written for the payer and becomes the user message), 400
invalid_request_error / idempotency_error, 401 bad key, 404 resource_missing, 429 rate limit.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any
from urllib.parse import urlencode

import httpx
from django.conf import settings

from apps.integrations.http import retry_after_seconds, send
from apps.integrations.models import ApiCall

from .base import Money, Payment, PaymentError, PaymentProvider, PaymentStatus, Transfer

logger = logging.getLogger(__name__)

PROVIDER = "stripe"  # ApiCall.provider
BACKOFF_BASE_SECONDS = 0.5
MAX_IDEMPOTENCY_KEY_LENGTH = 255  # Stripe's limit
RETRYABLE_STATUSES = frozenset({409, 429})  # and every 5xx; 409 is Stripe's lock_timeout

# Stripe's PaymentIntent status in our words.
PAYMENT_STATUSES: dict[str, PaymentStatus] = {
    "requires_payment_method": "pending",
    "requires_confirmation": "pending",
    "requires_action": "requires_action",
    "processing": "processing",
    "requires_capture": "processing",
    "succeeded": "paid",
    "canceled": "canceled",
}

USER_MESSAGES = {
    "rate_limit": "The payment service is busy. Please try again in a few minutes.",
    "authentication": "Payments are not set up correctly. Please contact support.",
    "unavailable": "The payment service is not answering. Please try again later.",
    "other": "The payment could not be completed. Please try again later.",
}


def encode_form(params: Mapping[str, Any], prefix: str = "") -> list[tuple[str, str]]:
    """Stripe's form encoding: nested mappings as key[sub]=v, lists as key[0]=v, booleans as
    true/false; None is left out (an empty string is sent, which Stripe reads as "unset")."""
    pairs: list[tuple[str, str]] = []
    for key, value in params.items():
        name = f"{prefix}[{key}]" if prefix else str(key)
        pairs.extend(_encode_value(name, value))
    return pairs


def _encode_value(name: str, value: Any) -> Iterable[tuple[str, str]]:
    if value is None:
        return []
    if isinstance(value, Mapping):
        return encode_form(value, name)
    if isinstance(value, list | tuple):
        return [pair for index, item in enumerate(value) for pair in _encode_value(f"{name}[{index}]", item)]
    if isinstance(value, bool):
        return [(name, "true" if value else "false")]
    if isinstance(value, float):
        raise TypeError(f"{name}: Stripe amounts are integers in minor units, not floats")
    return [(name, str(value))]


def stripe_error(response: httpx.Response, what: str) -> PaymentError:
    """The PaymentError for a Stripe error response, with Stripe's type, code and message."""
    try:
        error = response.json().get("error") or {}
    except (ValueError, AttributeError):
        error = {}
    if not isinstance(error, dict):
        error = {}
    kind = str(error.get("type") or "")
    code = str(error.get("code") or "")
    decline_code = str(error.get("decline_code") or "")
    message = str(error.get("message") or "").strip() or " ".join(response.text.split())[:300]
    status = response.status_code
    if kind == "card_error":
        user_message = message or "Your card was declined."
    elif status == 429:
        user_message = USER_MESSAGES["rate_limit"]
    elif status in (401, 403):
        user_message = USER_MESSAGES["authentication"]
    elif status >= 500:
        user_message = USER_MESSAGES["unavailable"]
    else:
        user_message = USER_MESSAGES["other"]
    label = "/".join(part for part in (kind, code, decline_code) if part)
    return PaymentError(
        f"{what} failed ({status}): {message}" + (f" [{label}]" if label else ""),
        user_message=user_message,
        code=code,
        decline_code=decline_code,
        param=str(error.get("param") or ""),
        kind=kind,
        status=status,
        body=response.text[:2000],
        retry_after=retry_after_seconds(response),
    )


def payment_from_intent(intent: Mapping[str, Any], idempotency_key: str = "") -> Payment:
    """A PaymentIntent object (from an answer, or a webhook event's data.object) as our Payment."""
    provider_status = str(intent.get("status") or "")
    status = PAYMENT_STATUSES.get(provider_status, "pending")
    if provider_status == "requires_payment_method" and intent.get("last_payment_error"):
        status = "failed"  # declined: the payer has to try another card
    transfer_data = intent.get("transfer_data") or {}
    return Payment(
        id=str(intent["id"]),
        provider=StripeProvider.name,
        amount=Money(int(intent["amount"]), str(intent["currency"])),
        status=status,
        idempotency_key=idempotency_key,
        payee=str(transfer_data.get("destination") or ""),
        provider_status=provider_status,
        client_secret=str(intent.get("client_secret") or ""),
        metadata=dict(intent.get("metadata") or {}),
    )


class StripeProvider(PaymentProvider):
    name = "stripe"
    # How the client waits between attempts; tests pass their own to record the waits.
    sleep: Callable[[float], None] = staticmethod(time.sleep)

    def __init__(
        self,
        *,
        secret_key: str | None = None,
        api_base: str | None = None,
        api_version: str | None = None,
        stripe_account: str = "",
        timeout: float | None = None,
        max_retries: int | None = None,
        max_retry_wait: float | None = None,
        sleep: Callable[[float], None] | None = None,
    ):
        self.secret_key = settings.STRIPE_SECRET_KEY if secret_key is None else secret_key
        self.api_base = (settings.STRIPE_API_BASE if api_base is None else api_base).rstrip("/")
        self.api_version = settings.STRIPE_API_VERSION if api_version is None else api_version
        # Act as a connected account (direct charges) instead of the platform: the Stripe-Account header.
        self.stripe_account = stripe_account
        self.timeout = float(settings.STRIPE_TIMEOUT if timeout is None else timeout)
        self.max_retries = max(int(settings.STRIPE_MAX_RETRIES if max_retries is None else max_retries), 0)
        self.max_retry_wait = float(
            settings.STRIPE_MAX_RETRY_WAIT if max_retry_wait is None else max_retry_wait
        )
        if sleep is not None:
            self.sleep = sleep

    # --- PaymentProvider ------------------------------------------------------------------------

    def create_payment(
        self,
        *,
        amount: Money,
        idempotency_key: str,
        payee: str = "",
        description: str = "",
        metadata: dict[str, str] | None = None,
        customer: str = "",
        payment_method: str = "",
        transfer_group: str = "",
    ) -> Payment:
        """A PaymentIntent for `amount`; with `payment_method` it is confirmed off-session at once
        (the brand's saved card), and with `payee` the money goes on to that connected account
        (transfer_data[destination]) less any application fee."""
        params: dict[str, Any] = {
            "amount": amount.amount,
            "currency": amount.currency.lower(),
            "description": description or None,
            "metadata": metadata or None,
            "customer": customer or None,
            "transfer_group": transfer_group or None,
            "transfer_data": {"destination": payee} if payee else None,
        }
        if payment_method:
            params.update(payment_method=payment_method, confirm=True, off_session=True)
            params["automatic_payment_methods"] = {"enabled": True, "allow_redirects": "never"}
        body = self._request("POST", "/v1/payment_intents", params, idempotency_key=idempotency_key)
        return payment_from_intent(body, idempotency_key)

    def get_payment(self, payment_id: str) -> Payment:
        body = self._request("GET", f"/v1/payment_intents/{payment_id}", endpoint="payment_intents/{id}")
        return payment_from_intent(body)

    def create_transfer(
        self,
        *,
        amount: Money,
        destination: str,
        idempotency_key: str,
        transfer_group: str = "",
        source_payment: str = "",
        metadata: dict[str, str] | None = None,
    ) -> Transfer:
        """A Transfer from the platform balance to the connected account `destination`;
        `source_payment` (a charge, ch_…) ties it to the charge that funds it."""
        params = {
            "amount": amount.amount,
            "currency": amount.currency.lower(),
            "destination": destination,
            "transfer_group": transfer_group or None,
            "source_transaction": source_payment or None,
            "metadata": metadata or None,
        }
        body = self._request("POST", "/v1/transfers", params, idempotency_key=idempotency_key)
        return Transfer(
            id=body["id"],
            provider=self.name,
            amount=Money(int(body["amount"]), str(body["currency"])),
            destination=str(body.get("destination") or destination),
            idempotency_key=idempotency_key,
            transfer_group=str(body.get("transfer_group") or ""),
            source_payment=str(body.get("source_transaction") or ""),
            reversed=bool(body.get("reversed")),
            metadata=dict(body.get("metadata") or {}),
        )

    # --- requests -------------------------------------------------------------------------------

    def _headers(self, method: str, idempotency_key: str) -> dict[str, str]:
        headers = {
            "Authorization": f"Bearer {self.secret_key}",
            "Stripe-Version": self.api_version,
            "Accept": "application/json",
        }
        if method == "POST":
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if idempotency_key:
            headers["Idempotency-Key"] = idempotency_key
        if self.stripe_account:
            headers["Stripe-Account"] = self.stripe_account
        return headers

    def _request(
        self,
        method: str,
        path: str,
        params: Mapping[str, Any] | None = None,
        *,
        idempotency_key: str = "",
        endpoint: str = "",
    ) -> dict:
        """One API call, retried as the module docstring says; every attempt is an ApiCall row
        (provider "stripe", `endpoint` such as "POST payment_intents") for the operations page."""
        if not self.secret_key:
            raise PaymentError("STRIPE_SECRET_KEY is not set", user_message=USER_MESSAGES["authentication"])
        if method == "POST":
            if not idempotency_key:
                raise ValueError(
                    f"POST {path} needs an idempotency_key (one per operation, chosen by the caller)"
                )
            if len(idempotency_key) > MAX_IDEMPOTENCY_KEY_LENGTH:
                raise ValueError(f"idempotency_key is longer than {MAX_IDEMPOTENCY_KEY_LENGTH} characters")
        what = f"Stripe {method} {path}"
        form = encode_form(params or {})
        kwargs: dict[str, Any] = {"timeout": httpx.Timeout(self.timeout, connect=min(self.timeout, 5.0))}
        if method == "POST":
            kwargs["content"] = urlencode(form)
        elif form:
            kwargs["params"] = form
        endpoint = f"{method} {endpoint or path.removeprefix('/v1/')}"
        attempts = self.max_retries + 1
        for attempt in range(1, attempts + 1):
            started = time.monotonic()
            # The same headers, key included, on every attempt: a retry is a replay, never a second charge.
            try:
                response = send(
                    method,
                    f"{self.api_base}{path}",
                    what=what,
                    error=PaymentError,
                    fail_from=600,  # statuses are read below; only timeouts and network errors raise
                    headers=self._headers(method, idempotency_key),
                    **kwargs,
                )
            except PaymentError as exc:
                exc.user_message = USER_MESSAGES["unavailable"]
                error, should_retry = exc, None
            else:
                should_retry = response.headers.get("stripe-should-retry")
                if response.status_code < 400:
                    try:
                        body = response.json()
                    except ValueError:
                        body = None
                    if isinstance(body, dict) and body.get("id"):
                        self._record(endpoint, attempt, started, status=response.status_code)
                        return body
                    error = PaymentError(
                        f"{what} answered {response.status_code} with no Stripe object: {response.text[:200]!r}",
                        user_message=USER_MESSAGES["unavailable"],
                        status=response.status_code,
                        body=response.text[:2000],
                    )
                    self._record(endpoint, attempt, started, status=response.status_code, error=error)
                    raise error
                error = stripe_error(response, what)
            self._record(endpoint, attempt, started, status=error.status, error=error)
            retry = self._retryable(error, should_retry)
            if not retry or attempt == attempts:
                if attempt > 1:
                    error.args = (f"{error} (gave up after {attempt} attempts)",)
                raise error
            wait = self._wait(error, attempt)
            logger.warning(
                "%s attempt %d of %d failed, retrying in %.2fs: %s", what, attempt, attempts, wait, error
            )
            self.sleep(wait)
        raise AssertionError("unreachable")  # pragma: no cover

    def _record(
        self,
        endpoint: str,
        attempt: int,
        started: float,
        *,
        status: int | None,
        error: PaymentError | None = None,
    ) -> None:
        ApiCall.record(
            provider=PROVIDER,
            endpoint=endpoint[:200],
            status=ApiCall.Status.ERROR if error else ApiCall.Status.OK,
            http_status=status,
            attempt=attempt,
            latency_ms=round((time.monotonic() - started) * 1000),
            error=str(error)[:2000] if error else "",
        )

    @staticmethod
    def _retryable(error: PaymentError, should_retry: str | None) -> bool:
        if should_retry is not None:
            return should_retry.strip().lower() == "true"
        return error.status is None or error.status in RETRYABLE_STATUSES or error.status >= 500

    def _wait(self, error: PaymentError, attempt: int) -> float:
        if error.retry_after is not None:
            return min(max(error.retry_after, 0.0), self.max_retry_wait)
        return min(BACKOFF_BASE_SECONDS * 2 ** (attempt - 1), self.max_retry_wait)
