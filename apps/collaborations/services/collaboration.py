"""A collaboration's life after acceptance: its steps, its message thread, and its payment
(the manual provider: the brand marks it paid, the influencer confirms receipt)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from apps.accounts.models import User
from apps.brands.models import BrandMembership
from apps.notifications.services import notification_create

from .. import events
from ..models import (
    COLLABORATION_TRANSITIONS,
    Collaboration,
    CollaborationMessage,
    CollaborationStatus,
    LedgerEntry,
    LedgerParty,
    LedgerStatus,
)
from ..money import money_format
from .ledger import ledger_settle
from .offers import brand_member_users, collaboration_url, notify_once
from .reputation import ENDING_STEPS, reputation_recompute

MAX_MESSAGE = 4000
# The influencer is reminded once when the repost of a collaboration they accepted is due this soon.
REPOST_REMIND_BEFORE = timedelta(hours=24)
REPOST_REMIND_TITLE = "A repost is due in 24 hours"
# The timestamp each step sets.
STEP_FIELDS = {
    CollaborationStatus.REPOSTED: "reposted_at",
    CollaborationStatus.VERIFIED: "verified_at",
    CollaborationStatus.MEASURED: "measured_at",
    CollaborationStatus.COMPLETED: "completed_at",
    CollaborationStatus.PAID: "paid_at",
    CollaborationStatus.MISSED: "missed_at",
    CollaborationStatus.CANCELLED: "cancelled_at",
}


def _is_member(user: User, brand_id: int) -> bool:
    return BrandMembership.objects.filter(user=user, brand_id=brand_id).exists()


def _is_influencer(user: User, collaboration: Collaboration) -> bool:
    return collaboration.influencer.user_id == user.pk


def _locked(collaboration: Collaboration) -> Collaboration:
    return (
        Collaboration.objects.select_for_update(of=("self",))
        .select_related("brand", "influencer__user")
        .get(pk=collaboration.pk)
    )


def collaboration_transition(*, collaboration: Collaboration, to: str) -> Collaboration:
    """Move to the next step if the steps allow it; stamps the step's time. Callers lock the row.
    A step that ends the collaboration on the influencer's side (completed, missed) recomputes
    their reputation, in the caller's transaction."""
    allowed = COLLABORATION_TRANSITIONS[collaboration.status]
    if to not in allowed:
        raise ValidationError(
            f"A collaboration that is {collaboration.get_status_display().lower()} cannot become "
            f"{CollaborationStatus(to).label.lower()}."
        )
    collaboration.status = to
    field = STEP_FIELDS[to]
    setattr(collaboration, field, timezone.now())
    collaboration.save(update_fields=["status", field, "updated_at"])
    if to in ENDING_STEPS:
        reputation_recompute(collaboration=collaboration)
    return collaboration


def collaboration_paid_if_settled(*, collaboration: Collaboration) -> Collaboration:
    """A collaboration that has just become completed moves on to paid when the brand's fee is
    already paid in the ledger (a provider's payment, e.g. Stripe's payment_intent.succeeded, can
    arrive before the measuring time is over: it settles the entry but leaves the step alone).
    Callers hold the row lock, in the transaction that completed it."""
    if collaboration.status != CollaborationStatus.COMPLETED:
        return collaboration
    paid = LedgerEntry.objects.filter(
        collaboration=collaboration,
        party=LedgerParty.BRAND,
        status=LedgerStatus.PAID,
        reversed_by__isnull=True,
    ).exists()
    if paid:
        collaboration_transition(collaboration=collaboration, to=CollaborationStatus.PAID)
    return collaboration


@transaction.atomic
def collaboration_advance(*, collaboration: Collaboration, to: str) -> Collaboration:
    """A step the product itself takes (the repost verified, measured, completed, missed). A
    collaboration that ends unpaid (missed) cancels the pending fee on both sides."""
    if to in (CollaborationStatus.PAID, CollaborationStatus.CANCELLED):
        raise ValidationError("Paying and cancelling have services of their own.")
    collaboration = collaboration_transition(collaboration=_locked(collaboration), to=to)
    if to == CollaborationStatus.MISSED:
        _missed(collaboration)
    if to == CollaborationStatus.COMPLETED:
        collaboration_paid_if_settled(collaboration=collaboration)
    return collaboration


def _missed(collaboration: Collaboration) -> None:
    """After the step to missed: the pending fee is cancelled on both sides (as a cancellation
    does) and both sides are told."""
    _fee_cancel(collaboration, user=None, note="Repost missed")
    url = collaboration_url(collaboration=collaboration)
    due = collaboration.repost_due_at.astimezone(UTC)
    notification_create(
        user=collaboration.influencer.user,
        title=f"You missed the repost for {collaboration.brand.name}",
        body=f"It was due by {due:%d %b %Y %H:%M} UTC; the fee is cancelled.",
        url=url,
    )
    for user in brand_member_users(brand_id=collaboration.brand_id):
        notification_create(
            user=user,
            title=f"@{collaboration.influencer.slug} missed the repost",
            body=f"It was due by {due:%d %b %Y %H:%M} UTC; the fee is cancelled.",
            url=url,
        )


def collaborations_miss_overdue(*, now: datetime | None = None, batch: int = 500) -> int:
    """Collaborations still waiting for the repost after its due time become missed (the periodic
    job). Rows another transaction holds are skipped (the next run takes them), and a missed one is
    no longer accepted, so running twice changes nothing. Times compare as instants, whatever zone
    they were written in."""
    now = now or timezone.now()
    missed = 0
    with transaction.atomic():
        overdue = list(
            Collaboration.objects.select_for_update(of=("self",), skip_locked=True)
            .select_related("brand", "influencer__user")
            .filter(status=CollaborationStatus.ACCEPTED, repost_due_at__lte=now)
            .order_by("repost_due_at")[:batch]
        )
        for collaboration in overdue:
            collaboration_transition(collaboration=collaboration, to=CollaborationStatus.MISSED)
            _missed(collaboration)
            missed += 1
    return missed


def collaborations_remind_repost(*, now: datetime | None = None, batch: int = 500) -> int:
    """Once per collaboration, the influencer is told that the repost they agreed to is due within
    24 hours (the periodic job), as offers_remind does for offers: the notification itself, looked
    up by the collaboration's page and the reminder's title, marks it done, and rows another run
    holds are skipped, so no one is told twice. Only collaborations still waiting for the repost."""
    now = now or timezone.now()
    reminded = 0
    with transaction.atomic():
        due = list(
            Collaboration.objects.select_for_update(of=("self",), skip_locked=True)
            .select_related("brand", "influencer__user")
            .filter(
                status=CollaborationStatus.ACCEPTED,
                repost_due_at__gt=now,
                repost_due_at__lte=now + REPOST_REMIND_BEFORE,
            )
            .order_by("repost_due_at")[:batch]
        )
        for collaboration in due:
            url = collaboration_url(collaboration=collaboration)
            user = collaboration.influencer.user
            reminded += notify_once(
                user=user,
                title=REPOST_REMIND_TITLE,
                body=f"Your repost for {collaboration.brand.name} "
                f"({money_format(collaboration.fee_minor, collaboration.currency)}) is due by "
                f"{collaboration.repost_due_at.astimezone(UTC):%d %b %Y %H:%M} UTC; after that it "
                "counts as missed and the fee is cancelled.",
                url=url,
            )
    return reminded


def _fee_cancel(collaboration: Collaboration, *, user: User | None, note: str) -> None:
    for party in (LedgerParty.BRAND, LedgerParty.INFLUENCER):
        ledger_settle(
            collaboration=collaboration,
            party=party,
            from_status=LedgerStatus.PENDING,
            to_status=LedgerStatus.CANCELLED,
            user=user,
            note=note,
        )


@transaction.atomic
def collaboration_cancel(*, collaboration: Collaboration, user: User) -> Collaboration:
    """The brand calls it off before it is completed: the pending fee is cancelled on both sides."""
    if not _is_member(user, collaboration.brand_id):
        raise PermissionDenied("Only the brand can cancel a collaboration.")
    collaboration = collaboration_transition(
        collaboration=_locked(collaboration), to=CollaborationStatus.CANCELLED
    )
    _fee_cancel(collaboration, user=user, note="Collaboration cancelled")
    notification_create(
        user=collaboration.influencer.user,
        title=f"{collaboration.brand.name} cancelled the collaboration",
        url=collaboration_url(collaboration=collaboration),
    )
    return collaboration


@transaction.atomic
def collaboration_mark_paid(*, collaboration: Collaboration, user: User) -> Collaboration:
    """The brand says it paid (manual provider): its pending entry is settled as paid."""
    if not _is_member(user, collaboration.brand_id):
        raise PermissionDenied("Only the brand marks a collaboration paid.")
    collaboration = _locked(collaboration)
    if collaboration.status == CollaborationStatus.PAID:
        raise ValidationError("This collaboration is already marked paid.")
    if collaboration.status != CollaborationStatus.COMPLETED:
        raise ValidationError("A collaboration is paid once it is completed.")
    ledger_settle(
        collaboration=collaboration,
        party=LedgerParty.BRAND,
        from_status=LedgerStatus.PENDING,
        to_status=LedgerStatus.PAID,
        user=user,
        note="Marked paid by the brand",
    )
    collaboration_transition(collaboration=collaboration, to=CollaborationStatus.PAID)
    notification_create(
        user=collaboration.influencer.user,
        title=f"{collaboration.brand.name} marked your fee paid",
        body=f"{money_format(collaboration.fee_minor, collaboration.currency)}: confirm when you receive it.",
        url=collaboration_url(collaboration=collaboration),
    )
    return collaboration


@transaction.atomic
def collaboration_confirm_receipt(*, collaboration: Collaboration, user: User) -> Collaboration:
    """The influencer confirms the money arrived: their pending entry is settled as paid."""
    if not _is_influencer(user, collaboration):
        raise PermissionDenied("Only the influencer confirms receipt.")
    collaboration = _locked(collaboration)
    if collaboration.receipt_confirmed_at is not None:
        raise ValidationError("You have already confirmed receipt.")
    if collaboration.status != CollaborationStatus.PAID:
        raise ValidationError("The brand has not marked this collaboration paid yet.")
    ledger_settle(
        collaboration=collaboration,
        party=LedgerParty.INFLUENCER,
        from_status=LedgerStatus.PENDING,
        to_status=LedgerStatus.PAID,
        user=user,
        note="Receipt confirmed by the influencer",
    )
    collaboration.receipt_confirmed_at = timezone.now()
    collaboration.save(update_fields=["receipt_confirmed_at", "updated_at"])
    for member in brand_member_users(brand_id=collaboration.brand_id):
        notification_create(
            user=member,
            title=f"@{collaboration.influencer.slug} confirmed receiving the fee",
            body=money_format(collaboration.fee_minor, collaboration.currency),
            url=collaboration_url(collaboration=collaboration),
        )
    return collaboration


@transaction.atomic
def collaboration_message_post(
    *, collaboration: Collaboration, user: User, body: str
) -> CollaborationMessage:
    """A message in the collaboration's thread, from a brand member or the influencer; the other
    side is notified."""
    from_influencer = _is_influencer(user, collaboration)
    if not from_influencer and not _is_member(user, collaboration.brand_id):
        raise PermissionDenied("Only the brand and the influencer write in this thread.")
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": "Write a message first."})
    if len(body) > MAX_MESSAGE:
        raise ValidationError({"body": f"Keep a message to {MAX_MESSAGE:,} characters."})
    message = CollaborationMessage.objects.create(collaboration=collaboration, author=user, body=body)
    # Both sides' open threads show it live, once it is committed.
    transaction.on_commit(lambda: events.collaboration_message_push(message))
    recipients = (
        brand_member_users(brand_id=collaboration.brand_id)
        if from_influencer
        else [collaboration.influencer.user]
    )
    for recipient in recipients:
        if recipient.pk != user.pk:
            notification_create(
                user=recipient,
                title="New message on a collaboration",
                body=body[:200],
                url=collaboration_url(collaboration=collaboration),
            )
    return message
