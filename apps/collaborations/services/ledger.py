"""The ledger's writers: every money movement of a collaboration as new entries, never an edit.
Only these functions write LedgerEntry rows; who may call which is checked by the collaboration
services (the brand pays, the influencer confirms receipt)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from apps.accounts.models import User

from ..models import Collaboration, LedgerEntry, LedgerParty, LedgerStatus

# A party's sign: the brand's money goes out, the influencer's comes in.
SIGNS = {LedgerParty.BRAND: -1, LedgerParty.INFLUENCER: 1}


def ledger_collaboration_open(*, collaboration: Collaboration, user: User | None) -> list[LedgerEntry]:
    """The fee becomes owed: a pending entry on each side."""
    return [
        LedgerEntry.objects.create(
            collaboration=collaboration,
            party=party,
            brand_id=collaboration.brand_id,
            influencer_id=collaboration.influencer_id,
            amount_minor=sign * collaboration.fee_minor,
            currency=collaboration.currency,
            status=LedgerStatus.PENDING,
            created_by=user,
            note="Fee agreed",
        )
        for party, sign in SIGNS.items()
    ]


def ledger_settle(
    *,
    collaboration: Collaboration,
    party: str,
    from_status: str,
    to_status: str,
    user: User | None,
    note: str,
) -> list[LedgerEntry]:
    """Settle the party's open entries of `from_status` with new `to_status` entries that reverse
    them (pending → paid or cancelled, paid → refunded). None open is a ValidationError."""
    open_entries = list(
        LedgerEntry.objects.filter(
            collaboration=collaboration, party=party, status=from_status, reversed_by__isnull=True
        )
    )
    if not open_entries:
        raise ValidationError(f"There is no {from_status} amount to mark {to_status}.")
    written = []
    try:
        with transaction.atomic():
            for entry in open_entries:
                written.append(
                    LedgerEntry.objects.create(
                        collaboration=collaboration,
                        party=party,
                        brand_id=entry.brand_id,
                        influencer_id=entry.influencer_id,
                        amount_minor=entry.amount_minor,
                        currency=entry.currency,
                        status=to_status,
                        reverses=entry,
                        created_by=user,
                        note=note,
                    )
                )
    except IntegrityError:  # settled a moment ago by another request
        raise ValidationError(f"This amount is already marked {to_status}.") from None
    return written


# Which status a reversal of an entry takes: an owed amount is cancelled, a paid one refunded.
REVERSALS = {LedgerStatus.PENDING: LedgerStatus.CANCELLED, LedgerStatus.PAID: LedgerStatus.REFUNDED}


@transaction.atomic
def ledger_entry_reverse(*, entry: LedgerEntry, user: User, note: str = "") -> LedgerEntry:
    """Correct one entry by a new one that reverses it (staff, from the admin): a pending amount is
    cancelled, a paid one refunded. An entry already settled, or itself a reversal, is refused."""
    if not user.is_staff:
        raise PermissionDenied("Only staff correct the ledger.")
    entry = LedgerEntry.objects.select_for_update().get(pk=entry.pk)
    to_status = REVERSALS.get(entry.status)
    if to_status is None:
        raise ValidationError(f"A {entry.status} entry is itself a reversal: it cannot be reversed.")
    if LedgerEntry.objects.filter(reverses=entry).exists():
        raise ValidationError("This entry is already settled or reversed.")
    try:
        with transaction.atomic():
            return LedgerEntry.objects.create(
                collaboration_id=entry.collaboration_id,
                party=entry.party,
                brand_id=entry.brand_id,
                influencer_id=entry.influencer_id,
                amount_minor=entry.amount_minor,
                currency=entry.currency,
                status=to_status,
                reverses=entry,
                created_by=user,
                note=(note or f"Reversal of entry {entry.pk}")[:200],
            )
    except IntegrityError:
        raise ValidationError("This entry is already settled or reversed.") from None
