"""Stripe webhooks: check the `Stripe-Signature` header and read the event.

Stripe signs each delivery with the endpoint's secret (STRIPE_WEBHOOK_SECRET, whsec_…): the header
is `t=<unix time>,v1=<hex>[,v1=<hex>…][,v0=…]`, each v1 the HMAC-SHA256 of "{t}.{raw body}".
A delivery is genuine when any v1 matches and t is within the tolerance (300 s) of now, which stops
a captured delivery from being replayed later. Verify the raw bytes as received: a body parsed and
re-serialised no longer matches.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings

from .base import PaymentError

DEFAULT_TOLERANCE_SECONDS = 300
SIGNATURE_SCHEME = "v1"


class WebhookSignatureError(PaymentError):
    """The delivery is not from Stripe, was altered, or is too old: answer 400 and do nothing."""

    def __init__(self, message: str):
        super().__init__(
            message, user_message="Invalid webhook signature.", code="invalid_signature", status=400
        )


@dataclass(frozen=True)
class WebhookEvent:
    id: str
    type: str  # "payment_intent.succeeded", "transfer.created", "charge.refunded", …
    created: int
    livemode: bool
    data_object: dict[str, Any]  # the object the event is about (data.object)
    account: str = ""  # the connected account it happened on (Connect webhooks), else ""
    previous_attributes: dict[str, Any] = field(default_factory=dict)
    raw: dict[str, Any] = field(default_factory=dict)


def compute_signature(payload: bytes, secret: str, timestamp: int) -> str:
    signed = f"{timestamp}.".encode() + payload
    return hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def signature_header(payload: bytes, secret: str, timestamp: int | None = None) -> str:
    """The `Stripe-Signature` header Stripe would send (for the local fake and tests)."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    return f"t={timestamp},{SIGNATURE_SCHEME}={compute_signature(payload, secret, timestamp)}"


def verify_signature(
    payload: bytes,
    header: str | None,
    secret: str,
    *,
    tolerance: int = DEFAULT_TOLERANCE_SECONDS,
    now: float | None = None,
) -> int:
    """Raise WebhookSignatureError unless `header` signs `payload` with `secret` within `tolerance`
    seconds of `now`; returns the signed timestamp."""
    if not secret:
        raise WebhookSignatureError("STRIPE_WEBHOOK_SECRET is not set")
    if not header:
        raise WebhookSignatureError("no Stripe-Signature header")
    timestamp, signatures = None, []
    for item in header.split(","):
        key, _, value = item.strip().partition("=")
        if key == "t":
            try:
                timestamp = int(value)
            except ValueError:
                raise WebhookSignatureError("unreadable timestamp in Stripe-Signature") from None
        elif key == SIGNATURE_SCHEME and value:
            signatures.append(value)
    if timestamp is None:
        raise WebhookSignatureError("no timestamp in Stripe-Signature")
    if not signatures:
        raise WebhookSignatureError(f"no {SIGNATURE_SCHEME} signature in Stripe-Signature")
    expected = compute_signature(payload, secret, timestamp)
    if not any(hmac.compare_digest(expected, signature) for signature in signatures):
        raise WebhookSignatureError("no signature matches the payload")
    now = time.time() if now is None else now
    if tolerance > 0 and abs(now - timestamp) > tolerance:
        raise WebhookSignatureError(f"timestamp {timestamp} is outside the {tolerance}s tolerance")
    return timestamp


def construct_event(
    payload: bytes,
    header: str | None,
    secret: str | None = None,
    *,
    tolerance: int = DEFAULT_TOLERANCE_SECONDS,
    now: float | None = None,
) -> WebhookEvent:
    """Verify the delivery (secret defaults to STRIPE_WEBHOOK_SECRET) and parse its event."""
    verify_signature(
        payload,
        header,
        settings.STRIPE_WEBHOOK_SECRET if secret is None else secret,
        tolerance=tolerance,
        now=now,
    )
    try:
        body = json.loads(payload)
    except (ValueError, UnicodeDecodeError):
        raise WebhookSignatureError("the signed payload is not JSON") from None
    if not isinstance(body, dict) or body.get("object") != "event" or not isinstance(body.get("data"), dict):
        raise WebhookSignatureError("the signed payload is not a Stripe event")
    data = body["data"]
    return WebhookEvent(
        id=str(body.get("id") or ""),
        type=str(body.get("type") or ""),
        created=int(body.get("created") or 0),
        livemode=bool(body.get("livemode")),
        data_object=dict(data.get("object") or {}),
        account=str(body.get("account") or ""),
        previous_attributes=dict(data.get("previous_attributes") or {}),
        raw=body,
    )
