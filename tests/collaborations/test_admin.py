"""The marketplace's admin: every changelist and change page opens for staff; computed rows and the
ledger are read-only; the ledger's reversal action writes one reversal per entry and refuses a
second one with a message; a brand's prices refuse an unknown currency."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from apps.collaborations.models import (
    CollaborationResult,
    CollaborationSettings,
    InfluencerAccount,
    InfluencerFit,
    LedgerEntry,
    LedgerStatus,
    Repost,
    ReputationEvent,
)
from apps.collaborations.services import offer_accept, offer_send
from tests.factories import InfluencerProfileFactory, MembershipFactory, PublishedPostFactory, StaffFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def collaboration():
    membership = MembershipFactory()
    creator = InfluencerProfileFactory()
    [offer] = offer_send(
        brand=membership.brand,
        user=membership.user,
        post=PublishedPostFactory(brand=membership.brand),
        influencers=[creator],
        fee_minor=10_000,
        currency="EUR",
        deadline=timezone.now() + timedelta(days=2),
        platform="x",
    )
    return offer_accept(offer=offer, influencer=creator)


@pytest.fixture
def staff_client(client):
    client.force_login(StaffFactory())
    return client


@pytest.fixture
def rows(collaboration):
    """One row of each model the admin shows."""
    account = InfluencerAccount.objects.create(
        profile=collaboration.influencer, platform="x", handle="ivy", external_user_id="42"
    )
    return {
        "offer": collaboration.offer,
        "collaboration": collaboration,
        "ledgerentry": collaboration.ledger_entries.first(),
        "influencerprofile": collaboration.influencer,
        "influenceraccount": account,
        "repost": Repost.objects.create(
            collaboration=collaboration, method="url", platform="x", url="https://x.com/ivy/status/1"
        ),
        "collaborationresult": CollaborationResult.objects.create(collaboration=collaboration, roi=1.5),
        "collaborationsettings": CollaborationSettings.objects.create(
            brand=collaboration.brand, currency="EUR", cpm_minor=500, cpe_minor=20
        ),
        "influencerfit": InfluencerFit.objects.create(
            brand=collaboration.brand,
            influencer=collaboration.influencer,
            score=0.8,
            computed_at=timezone.now(),
        ),
        "reputationevent": ReputationEvent.objects.create(
            profile=collaboration.influencer, collaboration=collaboration, score=Decimal("61.00"), reason="x"
        ),
    }


def test_every_marketplace_changelist_and_change_page_opens(staff_client, rows):
    for name, obj in rows.items():
        changelist = staff_client.get(reverse(f"admin:collaborations_{name}_changelist"))
        assert changelist.status_code == 200, name
        assert (
            staff_client.get(reverse(f"admin:collaborations_{name}_change", args=[obj.pk])).status_code == 200
        )


@pytest.mark.parametrize("name", ["ledgerentry", "reputationevent", "influencerfit", "collaborationresult"])
def test_computed_rows_cannot_be_added_changed_or_deleted(staff_client, rows, name):
    obj = rows[name]
    assert staff_client.get(reverse(f"admin:collaborations_{name}_add")).status_code == 403
    assert staff_client.get(reverse(f"admin:collaborations_{name}_delete", args=[obj.pk])).status_code == 403
    page = staff_client.get(reverse(f"admin:collaborations_{name}_change", args=[obj.pk])).content.decode()
    assert 'name="_save"' not in page


def _reverse(client, ids):
    return client.post(
        reverse("admin:collaborations_ledgerentry_changelist"),
        {"action": "reverse_entries", "_selected_action": ids},
        follow=True,
    )


def test_a_reversal_is_written_once_and_a_second_is_refused_with_a_message(staff_client, collaboration):
    entry = collaboration.ledger_entries.get(party="brand")
    first = _reverse(staff_client, [entry.pk])
    assert "1 reversal entries written." in [str(m) for m in get_messages(first.wsgi_request)]
    reversal = LedgerEntry.objects.get(reverses=entry)
    assert (reversal.status, reversal.amount_minor) == (LedgerStatus.CANCELLED, entry.amount_minor)
    count = LedgerEntry.objects.count()
    second = _reverse(staff_client, [entry.pk])
    assert f"Entry {entry.pk}: This entry is already settled or reversed." in [
        str(m) for m in get_messages(second.wsgi_request)
    ]
    of_reversal = _reverse(staff_client, [reversal.pk])
    assert any("itself a reversal" in str(m) for m in get_messages(of_reversal.wsgi_request))
    assert LedgerEntry.objects.count() == count


def test_prices_refuse_an_unknown_currency(staff_client, rows):
    prices = rows["collaborationsettings"]
    response = staff_client.post(
        reverse("admin:collaborations_collaborationsettings_change", args=[prices.pk]),
        {"brand": prices.brand_id, "currency": "EUX", "cpm_minor": 500, "cpe_minor": 20},
    )
    assert response.status_code == 200 and "is not an ISO 4217 currency code" in response.content.decode()
    prices.refresh_from_db()
    assert prices.currency == "EUR"
