"""Read side of the marketplace: an influencer's inbox, a brand's offers, one collaboration for
whoever may see it, and the ledger's balances and statements. Someone else's object is
DoesNotExist, exactly like a missing one (the views turn it into a 404)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet, Sum
from django.utils import timezone

from apps.accounts.models import User
from apps.brands.models import Brand
from apps.brands.selectors import brand_scoped

from ..models import (
    OFFER_OPEN,
    Application,
    Collaboration,
    CollaborationMessage,
    InfluencerProfile,
    LedgerEntry,
    LedgerStatus,
    Offer,
    OfferKind,
    OfferStatus,
)
from ..money import from_minor
from ..services.offers import open_call_matches

_OFFER_RELATED = ("brand", "post", "influencer")


@dataclass(frozen=True)
class Inbox:
    direct: list[Offer]
    open_calls: list[Offer]  # each with .applied (bool)


def influencer_inbox(*, profile: InfluencerProfile) -> Inbox:
    """Direct offers waiting for the influencer's answer, and the open calls whose criteria their
    audience meets (two queries, whatever the number of offers)."""
    now = timezone.now()
    direct = list(
        Offer.objects.filter(
            kind=OfferKind.DIRECT, influencer=profile, status__in=OFFER_OPEN, deadline__gt=now
        )
        .select_related(*_OFFER_RELATED)
        .order_by("deadline")
    )
    calls = (
        Offer.objects.filter(kind=OfferKind.OPEN_CALL, status=OfferStatus.SENT, deadline__gt=now)
        .select_related("brand", "post")
        .annotate(applied=Exists(Application.objects.filter(offer=OuterRef("pk"), influencer=profile)))
        .order_by("deadline")
    )
    return Inbox(direct=direct, open_calls=[o for o in calls if open_call_matches(offer=o, profile=profile)])


def offer_get_for_influencer(*, profile: InfluencerProfile, offer_id: int) -> Offer:
    """A direct offer to them, or an open call they match or applied to; else Offer.DoesNotExist."""
    offer = Offer.objects.select_related(*_OFFER_RELATED).get(pk=offer_id)
    if offer.kind == OfferKind.DIRECT:
        if offer.influencer_id != profile.pk:
            raise Offer.DoesNotExist("No such offer.")
        return offer
    if Application.objects.filter(offer=offer, influencer=profile).exists():
        return offer
    if offer.status == OfferStatus.SENT and open_call_matches(offer=offer, profile=profile):
        return offer
    raise Offer.DoesNotExist("No such offer.")


def offer_list_for_brand(*, user: User, brand: Brand) -> QuerySet[Offer]:
    """The brand's offers and open calls, newest first, for one of its members (none otherwise)."""
    return (
        brand_scoped(Offer.objects.filter(brand=brand), user=user)
        .select_related(*_OFFER_RELATED)
        .order_by("-created_at")
    )


def offer_get_for_brand_user(*, user: User, offer_id: int) -> Offer:
    return brand_scoped(Offer.objects.select_related(*_OFFER_RELATED), user=user).get(pk=offer_id)


def application_list_for_offer(*, user: User, offer: Offer) -> QuerySet[Application]:
    return brand_scoped(
        Application.objects.filter(offer=offer), user=user, brand_field="offer__brand"
    ).select_related("influencer")


def _collaborations_for_user(user: User) -> QuerySet[Collaboration]:
    if not user.is_authenticated:
        return Collaboration.objects.none()
    return Collaboration.objects.filter(
        Q(influencer__user=user) | Q(brand__memberships__user=user)
    ).distinct()


def collaboration_list_for_user(*, user: User) -> QuerySet[Collaboration]:
    return _collaborations_for_user(user).select_related("brand", "influencer", "offer__post")


def collaboration_get_for_user(*, user: User, collaboration_id: int) -> Collaboration:
    """The collaboration for one of the brand's members or its influencer; anyone else gets
    Collaboration.DoesNotExist, as for one that does not exist."""
    # with its result (shown on the page once measured) in the same query
    return collaboration_list_for_user(user=user).select_related("result").get(pk=collaboration_id)


def collaboration_messages(*, collaboration: Collaboration) -> QuerySet[CollaborationMessage]:
    return collaboration.messages.select_related("author").order_by("created", "pk")


# --- The ledger -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Balance:
    currency: str
    pending_minor: int  # owed and not yet settled
    paid_minor: int  # settled as paid and not refunded


def _balances(entries: QuerySet[LedgerEntry]) -> list[Balance]:
    """Per currency the party ever dealt in: the sum of pending entries no later entry settles, and
    of paid ones no refund reverses (one query)."""
    unsettled = Q(reversed_by__isnull=True)
    rows = (
        entries.order_by()
        .values("currency")
        .annotate(
            pending=Sum("amount_minor", filter=unsettled & Q(status=LedgerStatus.PENDING), default=0),
            paid=Sum("amount_minor", filter=unsettled & Q(status=LedgerStatus.PAID), default=0),
        )
        .order_by("currency")
    )
    return [
        Balance(currency=row["currency"], pending_minor=int(row["pending"]), paid_minor=int(row["paid"]))
        for row in rows
    ]


def ledger_entries_for_influencer(*, profile: InfluencerProfile) -> QuerySet[LedgerEntry]:
    return LedgerEntry.objects.filter(influencer=profile, party="influencer").select_related(
        "brand", "influencer", "created_by"
    )


def ledger_entries_for_brand(*, brand: Brand) -> QuerySet[LedgerEntry]:
    return LedgerEntry.objects.filter(brand=brand, party="brand").select_related(
        "brand", "influencer", "created_by"
    )


def ledger_balances_for_influencer(*, profile: InfluencerProfile) -> list[Balance]:
    """What the influencer is owed (pending) and has received (paid), per currency."""
    return _balances(ledger_entries_for_influencer(profile=profile))


def ledger_balances_for_brand(*, brand: Brand) -> list[Balance]:
    """What the brand owes (pending) and has paid, per currency; negative: money out."""
    return _balances(ledger_entries_for_brand(brand=brand))


STATEMENT_COLUMNS = [
    "entry",
    "date",
    "collaboration",
    "brand",
    "influencer",
    "party",
    "status",
    "amount",
    "currency",
    "reverses",
    "by",
    "note",
]


def ledger_statement_csv(*, entries: QuerySet[LedgerEntry]) -> str:
    """A statement of the given entries, oldest first, amounts in major units as exact decimals."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(STATEMENT_COLUMNS)
    for entry in entries.order_by("created_at", "pk"):
        writer.writerow(
            [
                entry.pk,
                entry.created_at.isoformat(),
                entry.collaboration_id,
                entry.brand.name,
                f"@{entry.influencer.slug}",
                entry.party,
                entry.status,
                str(from_minor(entry.amount_minor, entry.currency)),
                entry.currency,
                entry.reverses_id or "",
                entry.created_by.email if entry.created_by else "",
                _csv_safe(entry.note),
            ]
        )
    return out.getvalue()


def _csv_safe(text: str) -> str:
    """A spreadsheet does not run a cell that starts like a formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text
