"""Payments a provider reports by itself (Stripe's webhooks): the brand's charge succeeded, the
transfer to the influencer's account was made or reversed. Each settles the collaboration's ledger
entries through the ledger service, once: the provider's event id is written into the entry's note,
and a delivery whose id is already there (Stripe retries until it gets a 2xx) changes nothing.

A payment or transfer names its collaboration in its metadata (`collaboration_id`) or, failing
that, its transfer group (`collaboration-<id>`); whoever creates them for a collaboration sets both.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from apps.notifications.services import notification_create

from ..models import Collaboration, CollaborationStatus, LedgerEntry, LedgerParty, LedgerStatus
from ..money import money_format
from .collaboration import collaboration_transition
from .ledger import ledger_settle
from .offers import brand_member_users, collaboration_url

logger = logging.getLogger(__name__)

COLLABORATION_METADATA_KEY = "collaboration_id"
TRANSFER_GROUP_PREFIX = "collaboration-"

# What a reported movement does to whose entries.
CHARGE_SUCCEEDED = "charge_succeeded"  # the brand's money left: its pending fee is paid
TRANSFER_SENT = "transfer_sent"  # the influencer's account received it: their pending fee is paid
TRANSFER_REVERSED = "transfer_reversed"  # taken back from the influencer: their paid fee is refunded
MOVEMENTS = {
    CHARGE_SUCCEEDED: (LedgerParty.BRAND, LedgerStatus.PENDING, LedgerStatus.PAID),
    TRANSFER_SENT: (LedgerParty.INFLUENCER, LedgerStatus.PENDING, LedgerStatus.PAID),
    TRANSFER_REVERSED: (LedgerParty.INFLUENCER, LedgerStatus.PAID, LedgerStatus.REFUNDED),
}


@dataclass(frozen=True)
class PaymentOutcome:
    status: str  # settled, duplicate, ignored
    detail: str


def payment_collaboration_id(*, metadata: dict | None, transfer_group: str | None = "") -> int | None:
    """The collaboration a provider's object is about, from its metadata or transfer group."""
    raw = str((metadata or {}).get(COLLABORATION_METADATA_KEY) or "")
    if not raw and (transfer_group or "").startswith(TRANSFER_GROUP_PREFIX):
        raw = transfer_group[len(TRANSFER_GROUP_PREFIX) :]
    return int(raw) if raw.isdigit() else None


def _marker(provider: str, event_id: str) -> str:
    return f"[{provider} {event_id}]"


@transaction.atomic
def provider_payment_record(
    *,
    provider: str,
    event_id: str,
    movement: str,
    collaboration_id: int | None,
    amount_minor: int,
    currency: str,
    reference: str,
) -> PaymentOutcome:
    """Settle the ledger for one movement the provider reported (event `event_id`, about the
    provider's object `reference`). Refused movements (unknown collaboration, nothing to settle, an
    amount or currency other than the entries') are `ignored` and change nothing; they are logged,
    since retrying the delivery would not make them right."""
    party, from_status, to_status = MOVEMENTS[movement]
    if not event_id:
        return PaymentOutcome("ignored", "The event has no id.")
    collaboration = (
        Collaboration.objects.select_for_update(of=("self",))
        .select_related("brand", "influencer__user")
        .filter(pk=collaboration_id)
        .first()
        if collaboration_id
        else None
    )
    if collaboration is None:
        return PaymentOutcome("ignored", "Not a payment of a collaboration.")
    marker = _marker(provider, event_id)
    # Checked under the collaboration's row lock: two deliveries of one event take turns.
    if LedgerEntry.objects.filter(collaboration=collaboration, note__startswith=marker).exists():
        return PaymentOutcome("duplicate", f"Event {event_id} was already recorded.")
    open_entries = list(
        LedgerEntry.objects.filter(
            collaboration=collaboration, party=party, status=from_status, reversed_by__isnull=True
        )
    )
    owed = sum(abs(e.amount_minor) for e in open_entries)
    if not open_entries:
        return _ignored(collaboration, f"There is no {from_status} {party} amount to mark {to_status}.")
    currency = (currency or "").upper()
    if currency != collaboration.currency or amount_minor != owed:
        return _ignored(
            collaboration,
            f"{money_format(amount_minor, currency) if currency else amount_minor} does not match the "
            f"{from_status} {money_format(owed, collaboration.currency)}.",
        )
    note = f"{marker} {provider.title()} {reference}"[:200]
    try:
        ledger_settle(
            collaboration=collaboration,
            party=party,
            from_status=from_status,
            to_status=to_status,
            user=None,
            note=note,
        )
    except ValidationError as exc:  # settled by another path a moment ago
        return _ignored(collaboration, " ".join(exc.messages))
    _after(collaboration, movement)
    return PaymentOutcome("settled", f"{party} {from_status} → {to_status}")


def _ignored(collaboration: Collaboration, detail: str) -> PaymentOutcome:
    logger.warning("payment for collaboration %s not recorded: %s", collaboration.pk, detail)
    return PaymentOutcome("ignored", detail)


def _after(collaboration: Collaboration, movement: str) -> None:
    """The collaboration's step and who is told, as the manual payment does it."""
    fee = money_format(collaboration.fee_minor, collaboration.currency)
    url = collaboration_url(collaboration=collaboration)
    influencer = collaboration.influencer
    if movement == CHARGE_SUCCEEDED:
        if collaboration.status == CollaborationStatus.COMPLETED:
            collaboration_transition(collaboration=collaboration, to=CollaborationStatus.PAID)
        for user in brand_member_users(brand_id=collaboration.brand_id):
            notification_create(
                user=user, title=f"Your payment to @{influencer.slug} went through", body=fee, url=url
            )
        notification_create(
            user=influencer.user,
            title=f"{collaboration.brand.name} paid your fee",
            body=f"{fee}: it is on its way to your account.",
            url=url,
        )
    elif movement == TRANSFER_SENT:
        collaboration.receipt_confirmed_at = timezone.now()
        collaboration.save(update_fields=["receipt_confirmed_at", "updated_at"])
        notification_create(
            user=influencer.user,
            title=f"Your fee from {collaboration.brand.name} reached your account",
            body=fee,
            url=url,
        )
    elif movement == TRANSFER_REVERSED:
        notification_create(
            user=influencer.user,
            title=f"The transfer of your fee from {collaboration.brand.name} was reversed",
            body=f"{fee} was taken back; the ledger shows it refunded.",
            url=url,
        )
        for user in brand_member_users(brand_id=collaboration.brand_id):
            notification_create(
                user=user, title=f"The transfer to @{influencer.slug} was reversed", body=fee, url=url
            )
