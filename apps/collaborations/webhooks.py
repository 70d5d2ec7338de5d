"""Stripe's webhook endpoint (POST /webhooks/stripe/): a signed delivery of an event about a
collaboration's payment settles its ledger entries (apps.collaborations.services.payments).

Stripe signs each delivery with STRIPE_WEBHOOK_SECRET; one that is unsigned, altered, too old or
not an event is a 400 and changes nothing. A genuine one is answered 200 whatever we make of it
(settled, a duplicate of an event already recorded, or ignored: not ours, nothing to settle), since
Stripe retries anything else for days and a retry would not change the answer; only an error on
our side (a 500) asks for the retry."""

from __future__ import annotations

import logging

from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from apps.integrations.payments.webhooks import WebhookEvent, WebhookSignatureError, construct_event

from .services.payments import (
    CHARGE_SUCCEEDED,
    TRANSFER_REVERSED,
    TRANSFER_SENT,
    payment_collaboration_id,
    provider_payment_record,
)

logger = logging.getLogger(__name__)

# Stripe's event types and the movement each reports. transfer.paid is what API versions before
# 2017-04-06 sent where later ones send transfer.created.
STRIPE_MOVEMENTS = {
    "payment_intent.succeeded": CHARGE_SUCCEEDED,
    "transfer.created": TRANSFER_SENT,
    "transfer.paid": TRANSFER_SENT,
    "transfer.reversed": TRANSFER_REVERSED,
}


def _amount(event: WebhookEvent) -> int:
    obj = event.data_object
    value = obj.get("amount_received") if event.type == "payment_intent.succeeded" else obj.get("amount")
    if event.type == "transfer.reversed":
        value = obj.get("amount_reversed") or value
    return int(value) if isinstance(value, int) and not isinstance(value, bool) else -1


@csrf_exempt
@require_POST
def stripe_webhook(request):
    try:
        event = construct_event(request.body, request.headers.get("Stripe-Signature"))
    except WebhookSignatureError as exc:
        logger.warning("stripe webhook refused: %s", exc)
        return JsonResponse({"detail": exc.user_message}, status=400)
    movement = STRIPE_MOVEMENTS.get(event.type)
    if movement is None:
        return JsonResponse({"received": True, "outcome": "ignored", "detail": f"{event.type} is not used."})
    obj = event.data_object
    outcome = provider_payment_record(
        provider="stripe",
        event_id=event.id,
        movement=movement,
        collaboration_id=payment_collaboration_id(
            metadata=obj.get("metadata") if isinstance(obj.get("metadata"), dict) else {},
            transfer_group=str(obj.get("transfer_group") or ""),
        ),
        amount_minor=_amount(event),
        currency=str(obj.get("currency") or ""),
        reference=str(obj.get("id") or ""),
    )
    return JsonResponse({"received": True, "outcome": outcome.status, "detail": outcome.detail})
