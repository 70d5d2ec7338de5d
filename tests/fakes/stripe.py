"""A local fake of Stripe's API for the payments adapter (apps/integrations/payments/stripe.py):

- POST /v1/payment_intents       form-encoded amount, currency, payment_method, confirm,
                                 transfer_data[destination], metadata[…] → a payment_intent object
- GET  /v1/payment_intents/{id}  the stored payment_intent, or 404 resource_missing
- POST /v1/transfers             amount, currency, destination (acct_…), source_transaction,
                                 transfer_group, metadata[…] → a transfer object

As Stripe does: `Authorization: Bearer <secret key>` (401 otherwise); errors as {"error": {"type",
"code", "decline_code", "message", "param", "doc_url"}}; a confirmed PaymentIntent whose card is
declined answers 402 card_error (Stripe's test cards pm_card_chargeDeclined…, or a scripted
`decline()`), with a `Request-Id` on every answer. `Idempotency-Key`: the first answer to a key is
saved (declines too) and a repeat with the same parameters gets it again with `Idempotent-Replayed:
true`; a repeat with other parameters, or on another endpoint, gets 400 idempotency_error. Scripted
failures (`fail()`: 429 with Retry-After, 500, …) happen before the request runs, so nothing is
saved for them and a retry with the same key runs for real (Stripe also saves a 500 that happens
once the endpoint has begun; the fake never fails there).

`requests` records every request; `charges` counts money actually taken (succeeded PaymentIntents),
`transfers` the transfers made. `event()` builds a webhook delivery signed with the webhook secret.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

import pytest

from apps.integrations.payments.base import CURRENCY_EXPONENTS
from apps.integrations.payments.stripe import StripeProvider
from apps.integrations.payments.webhooks import signature_header
from tests.fakes._server import LocalServer, QuietHandler

FAKE_STRIPE_SECRET_KEY = "sk_test_fake_51Nfake0123456789abcdef"
FAKE_STRIPE_WEBHOOK_SECRET = "whsec_fake_0123456789abcdef0123456789abcdef"
FAKE_CONNECTED_ACCOUNT = "acct_1FakeInfluencer01"
PROVIDER_PATH = "apps.integrations.payments.stripe.StripeProvider"

# Stripe's test payment methods that decline: (decline_code, message).
DECLINING_PAYMENT_METHODS = {
    "pm_card_chargeDeclined": ("generic_decline", "Your card was declined."),
    "pm_card_chargeDeclinedInsufficientFunds": ("insufficient_funds", "Your card has insufficient funds."),
    "pm_card_chargeDeclinedExpiredCard": ("expired_card", "Your card has expired."),
    "pm_card_chargeDeclinedIncorrectCvc": ("incorrect_cvc", "Your card's security code is incorrect."),
}


def stripe_error_body(
    kind: str, message: str, *, code: str = "", decline_code: str = "", param: str = ""
) -> dict:
    error: dict[str, Any] = {"type": kind, "message": message}
    if code:
        error["code"] = code
        error["doc_url"] = f"https://stripe.com/docs/error-codes/{code.replace('_', '-')}"
    if decline_code:
        error["decline_code"] = decline_code
    if param:
        error["param"] = param
    return {"error": error}


RATE_LIMITED = stripe_error_body(
    "invalid_request_error",
    "Request rate limit exceeded. Learn more about rate limits here https://stripe.com/docs/rate-limits.",
    code="rate_limit",
)


@dataclass
class StripeRequest:
    method: str
    path: str
    headers: dict[str, str]  # lower-cased names
    body: str = ""

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    @property
    def pairs(self) -> list[tuple[str, str]]:
        return parse_qsl(self.body, keep_blank_values=True)

    @property
    def form(self) -> dict[str, str]:
        """The form-encoded body with Stripe's flat keys: {"amount": "5000", "metadata[collab]": "42"}."""
        return dict(self.pairs)

    @property
    def idempotency_key(self) -> str | None:
        return self.header("Idempotency-Key")


@dataclass
class _Failure:
    status: int
    body: dict
    headers: dict[str, str]


@dataclass
class _Saved:
    endpoint: str
    params: list[tuple[str, str]]
    status: int
    body: dict


def _id(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(12)}"


class FakeStripeServer(LocalServer):
    """Stripe's API on a local port. `reset()` between tests."""

    def __init__(
        self, secret_key: str = FAKE_STRIPE_SECRET_KEY, webhook_secret: str = FAKE_STRIPE_WEBHOOK_SECRET
    ):
        self.secret_key = secret_key
        self.webhook_secret = webhook_secret
        self.lock = threading.Lock()
        self._serve(self._handler())
        self.reset()

    def reset(self) -> None:
        with self.lock:
            self._failures: deque[_Failure] = deque()
            self._declines: deque[tuple[str, str]] = deque()
            self._requests: list[StripeRequest] = []
            self._saved: dict[tuple[str, str], _Saved] = {}  # (account, key) → first answer
            self.payment_intents: dict[str, dict] = {}
            self.transfers: dict[str, dict] = {}

    # --- scripting ------------------------------------------------------------------------------

    def fail(
        self,
        status: int = 429,
        *,
        retry_after: float | None = None,
        should_retry: bool | None = None,
        body: dict | None = None,
        times: int = 1,
    ):
        """The next `times` requests fail with `status` before they run (nothing saved for their key),
        with Retry-After and Stripe-Should-Retry headers when given."""
        if body is None:
            body = (
                RATE_LIMITED
                if status == 429
                else stripe_error_body("api_error", "An unknown error occurred", code="")
                if status >= 500
                else stripe_error_body("invalid_request_error", "Bad request")
            )
        headers = {"Retry-After": f"{retry_after:g}"} if retry_after is not None else {}
        if should_retry is not None:  # Stripe's own word on whether a retry can succeed
            headers["Stripe-Should-Retry"] = "true" if should_retry else "false"
        with self.lock:
            for _ in range(times):
                self._failures.append(_Failure(status, body, headers))

    def decline(
        self, decline_code: str = "generic_decline", message: str = "Your card was declined."
    ) -> None:
        """The next confirmed PaymentIntent is declined (402 card_error)."""
        with self.lock:
            self._declines.append((decline_code, message))

    # --- what happened --------------------------------------------------------------------------

    @property
    def requests(self) -> list[StripeRequest]:
        with self.lock:
            return list(self._requests)

    def requests_to(self, method: str, path: str) -> list[StripeRequest]:
        return [r for r in self.requests if r.method == method and r.path == path]

    @property
    def charges(self) -> list[dict]:
        """PaymentIntents that took money (status succeeded)."""
        with self.lock:
            return [pi for pi in self.payment_intents.values() if pi["status"] == "succeeded"]

    def event(
        self, event_type: str, data_object: dict, *, timestamp: int | None = None, account: str = ""
    ) -> tuple[bytes, str]:
        """A webhook delivery: the JSON payload and its Stripe-Signature header."""
        created = int(time.time()) if timestamp is None else timestamp
        body = {
            "id": _id("evt"),
            "object": "event",
            "api_version": "2024-06-20",
            "created": created,
            "type": event_type,
            "livemode": False,
            "pending_webhooks": 1,
            "request": {"id": _id("req"), "idempotency_key": None},
            "data": {"object": data_object},
        }
        if account:
            body["account"] = account
        payload = json.dumps(body, separators=(",", ":")).encode()
        return payload, signature_header(payload, self.webhook_secret, created)

    # --- the API --------------------------------------------------------------------------------

    def _create_payment_intent(self, form: dict[str, str]) -> tuple[int, dict]:
        problem = self._amount_problem(form)
        if problem:
            return problem
        payment_method = form.get("payment_method") or None
        confirm = form.get("confirm") == "true"
        metadata = _nested(form, "metadata")
        destination = form.get("transfer_data[destination]")
        if destination is not None and not destination.startswith("acct_"):
            return 400, stripe_error_body(
                "invalid_request_error",
                f"No such destination: '{destination}'",
                code="resource_missing",
                param="transfer_data[destination]",
            )
        intent = {
            "id": _id("pi"),
            "object": "payment_intent",
            "amount": int(form["amount"]),
            "amount_received": 0,
            "currency": form["currency"],
            "status": "requires_payment_method" if not payment_method else "requires_confirmation",
            "client_secret": None,
            "confirmation_method": "automatic",
            "created": int(time.time()),
            "customer": form.get("customer"),
            "description": form.get("description"),
            "last_payment_error": None,
            "latest_charge": None,
            "livemode": False,
            "metadata": metadata,
            "payment_method": payment_method,
            "transfer_data": {"destination": destination} if destination else None,
            "transfer_group": form.get("transfer_group"),
        }
        intent["client_secret"] = f"{intent['id']}_secret_{secrets.token_hex(8)}"
        if confirm and not payment_method:
            return 400, stripe_error_body(
                "invalid_request_error",
                "You cannot confirm this PaymentIntent because it's missing a payment method.",
                code="payment_intent_unexpected_state",
            )
        if confirm:
            with self.lock:
                scripted = self._declines.popleft() if self._declines else None
            declined = scripted or DECLINING_PAYMENT_METHODS.get(payment_method)
            if declined:
                decline_code, message = declined
                intent["status"] = "requires_payment_method"
                intent["latest_charge"] = _id("ch")
                intent["last_payment_error"] = {
                    "type": "card_error",
                    "code": "card_declined",
                    "decline_code": decline_code,
                    "message": message,
                }
                with self.lock:
                    self.payment_intents[intent["id"]] = intent
                body = stripe_error_body(
                    "card_error", message, code="card_declined", decline_code=decline_code
                )
                body["error"]["payment_intent"] = intent
                return 402, body
            intent.update(status="succeeded", amount_received=intent["amount"], latest_charge=_id("ch"))
        with self.lock:
            self.payment_intents[intent["id"]] = intent
        return 200, intent

    def _create_transfer(self, form: dict[str, str]) -> tuple[int, dict]:
        problem = self._amount_problem(form)
        if problem:
            return problem
        destination = form.get("destination")
        if not destination:
            return 400, _missing("destination")
        if not destination.startswith("acct_"):
            return 400, stripe_error_body(
                "invalid_request_error",
                f"No such destination: '{destination}'",
                code="resource_missing",
                param="destination",
            )
        transfer = {
            "id": _id("tr"),
            "object": "transfer",
            "amount": int(form["amount"]),
            "amount_reversed": 0,
            "balance_transaction": _id("txn"),
            "created": int(time.time()),
            "currency": form["currency"],
            "description": form.get("description"),
            "destination": destination,
            "destination_payment": _id("py"),
            "livemode": False,
            "metadata": _nested(form, "metadata"),
            "reversals": {"object": "list", "data": [], "has_more": False, "total_count": 0},
            "reversed": False,
            "source_transaction": form.get("source_transaction"),
            "source_type": "card",
            "transfer_group": form.get("transfer_group"),
        }
        with self.lock:
            self.transfers[transfer["id"]] = transfer
        return 200, transfer

    @staticmethod
    def _amount_problem(form: dict[str, str]) -> tuple[int, dict] | None:
        for name in ("amount", "currency"):
            if not form.get(name):
                return 400, _missing(name)
        if not form["amount"].isdigit():
            return 400, stripe_error_body(
                "invalid_request_error",
                "Invalid integer: " + form["amount"],
                code="parameter_invalid_integer",
                param="amount",
            )
        if form["currency"] != form["currency"].lower() or form["currency"].upper() not in CURRENCY_EXPONENTS:
            return 400, stripe_error_body(
                "invalid_request_error",
                f"Invalid currency: {form['currency']}. Stripe currently supports these currencies: usd, eur, gbp, jpy, …",
                code="parameter_invalid_string",
                param="currency",
            )
        return None

    def _handler(self):
        server = self

        class Handler(QuietHandler):
            def _answer(self, status: int, body: dict, headers: dict[str, str] | None = None):
                all_headers = {"Request-Id": _id("req"), "Stripe-Version": "2024-06-20", **(headers or {})}
                return self._send(status, body, headers=all_headers)

            def _handle(self):
                length = int(self.headers.get("Content-Length") or 0)
                request = StripeRequest(
                    method=self.command,
                    path=self.path.split("?", 1)[0],
                    headers={k.lower(): v for k, v in self.headers.items()},
                    body=self.rfile.read(length).decode() if length else "",
                )
                with server.lock:
                    server._requests.append(request)
                    failure = server._failures.popleft() if server._failures else None
                if request.header("Authorization") != f"Bearer {server.secret_key}":
                    shown = (request.header("Authorization") or "").removeprefix("Bearer ")
                    return self._answer(
                        401,
                        stripe_error_body(
                            "invalid_request_error",
                            f"Invalid API Key provided: {shown[:7]}{'*' * 12}{shown[-4:]}",
                        ),
                    )
                if failure is not None:
                    return self._answer(failure.status, failure.body, failure.headers)
                if request.method == "GET" and request.path.startswith("/v1/payment_intents/"):
                    intent_id = request.path.rsplit("/", 1)[1]
                    with server.lock:
                        intent = server.payment_intents.get(intent_id)
                    if intent is None:
                        return self._answer(
                            404,
                            stripe_error_body(
                                "invalid_request_error",
                                f"No such payment_intent: '{intent_id}'",
                                code="resource_missing",
                                param="intent",
                            ),
                        )
                    return self._answer(200, intent)
                routes = {
                    ("POST", "/v1/payment_intents"): server._create_payment_intent,
                    ("POST", "/v1/transfers"): server._create_transfer,
                }
                route = routes.get((request.method, request.path))
                if route is None:
                    return self._answer(
                        404,
                        stripe_error_body(
                            "invalid_request_error",
                            f"Unrecognized request URL ({request.method}: {request.path}). Please see "
                            "https://stripe.com/docs or we can help at https://support.stripe.com/.",
                        ),
                    )
                key = request.idempotency_key
                endpoint = f"{request.method} {request.path}"
                if key:
                    saved_key = (request.header("Stripe-Account") or "", key)
                    with server.lock:
                        saved = server._saved.get(saved_key)
                    if saved is not None:
                        if saved.endpoint != endpoint or saved.params != sorted(request.pairs):
                            return self._answer(
                                400,
                                stripe_error_body(
                                    "idempotency_error",
                                    "Keys for idempotent requests can only be used with the same parameters they "
                                    f"were first used with. Try using a key other than '{key}' if you meant to "
                                    "execute a different request.",
                                ),
                            )
                        return self._answer(
                            saved.status, saved.body, {"Idempotent-Replayed": "true", "Idempotency-Key": key}
                        )
                status, body = route(request.form)
                if key:
                    with server.lock:
                        server._saved[saved_key] = _Saved(endpoint, sorted(request.pairs), status, body)
                    return self._answer(status, body, {"Idempotency-Key": key})
                return self._answer(status, body)

            do_GET = _handle
            do_POST = _handle

        return Handler


def _missing(name: str) -> dict:
    return stripe_error_body(
        "invalid_request_error", f"Missing required param: {name}.", code="parameter_missing", param=name
    )


def _nested(form: dict[str, str], name: str) -> dict[str, str]:
    prefix = f"{name}["
    return {
        key[len(prefix) : -1]: value
        for key, value in form.items()
        if key.startswith(prefix) and key.endswith("]")
    }


# --- settings and fixtures -------------------------------------------------------------------------


def stripe_settings(server: FakeStripeServer) -> dict:
    """Django settings that switch Stripe on and point it at the fake."""
    return {
        "STRIPE_SECRET_KEY": server.secret_key,
        "STRIPE_API_BASE": server.url,
        "STRIPE_WEBHOOK_SECRET": server.webhook_secret,
        "STRIPE_TIMEOUT": 5.0,
        "STRIPE_MAX_RETRIES": 2,
        "STRIPE_MAX_RETRY_WAIT": 20.0,
        "PAYMENT_PROVIDER": PROVIDER_PATH,
    }


@pytest.fixture(scope="session")
def fake_stripe_server():
    server = FakeStripeServer().start()
    yield server
    server.stop()


@pytest.fixture
def fake_stripe(fake_stripe_server, settings):
    """The fake Stripe API, reset, with settings switching the Stripe provider on and pointing it at
    the fake. Returns the server: fail(), decline(), event(); requests, charges, transfers."""
    fake_stripe_server.reset()
    for name, value in stripe_settings(fake_stripe_server).items():
        setattr(settings, name, value)
    yield fake_stripe_server
    fake_stripe_server.reset()


@pytest.fixture
def stripe_waits(monkeypatch) -> list[float]:
    """The Stripe provider waits between retries without sleeping; the list of seconds it asked for."""
    waits: list[float] = []
    monkeypatch.setattr(StripeProvider, "sleep", staticmethod(waits.append))
    return waits
