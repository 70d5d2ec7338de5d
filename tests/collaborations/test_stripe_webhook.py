"""Stripe's webhook (POST /webhooks/stripe/): deliveries signed by the local Stripe fake settle the
collaboration's ledger through the ledger service, once per event id; a bad signature is a 400 that
changes nothing; the objects are made through the real Stripe adapter against the fake."""

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from apps.collaborations.models import CollaborationStatus, LedgerEntry, LedgerParty, LedgerStatus
from apps.collaborations.services import collaboration_advance, offer_accept, offer_send
from apps.collaborations.services.payments import COLLABORATION_METADATA_KEY
from apps.integrations.payments import Money, payment_provider
from apps.notifications.models import Notification
from tests.factories import InfluencerProfileFactory, MembershipFactory, PublishedPostFactory
from tests.fakes.stripe import FAKE_CONNECTED_ACCOUNT, fake_stripe, fake_stripe_server  # noqa: F401

pytestmark = pytest.mark.django_db

URL = "/webhooks/stripe/"
FEE = 12_500


@pytest.fixture
def membership():
    return MembershipFactory()


@pytest.fixture
def creator():
    return InfluencerProfileFactory(slug="ivy")


@pytest.fixture
def collaboration(membership, creator):
    post = PublishedPostFactory(brand=membership.brand)
    [offer] = offer_send(
        brand=membership.brand,
        user=membership.user,
        post=post,
        influencers=[creator],
        fee_minor=FEE,
        currency="EUR",
        deadline=timezone.now() + timedelta(days=2),
        platform="x",
    )
    collaboration = offer_accept(offer=offer, influencer=creator)
    for step in ("reposted", "verified", "measured", "completed"):
        collaboration = collaboration_advance(collaboration=collaboration, to=step)
    return collaboration


def deliver(payload: bytes, signature: str | None):
    headers = {"HTTP_STRIPE_SIGNATURE": signature} if signature is not None else {}
    # A browser-like client that enforces CSRF: Stripe sends no token, and needs none.
    return Client(enforce_csrf_checks=True).post(URL, payload, content_type="application/json", **headers)


def charge(fake, collaboration, *, amount=FEE, key="charge"):
    """The brand's card charged through the real adapter; the PaymentIntent as the fake stores it."""
    payment = payment_provider().create_payment(
        amount=Money(amount, "EUR"),
        idempotency_key=f"collab-{collaboration.pk}-{key}",
        metadata={COLLABORATION_METADATA_KEY: str(collaboration.pk)},
        payment_method="pm_card_visa",
        transfer_group=f"collaboration-{collaboration.pk}",
    )
    assert payment.status == "paid"
    return fake.payment_intents[payment.id]


def transfer(fake, collaboration, *, key="transfer"):
    sent = payment_provider().create_transfer(
        amount=Money(FEE, "EUR"),
        destination=FAKE_CONNECTED_ACCOUNT,
        idempotency_key=f"collab-{collaboration.pk}-{key}",
        transfer_group=f"collaboration-{collaboration.pk}",
    )
    return fake.transfers[sent.id]


def entries(collaboration, party):
    return list(
        LedgerEntry.objects.filter(collaboration=collaboration, party=party)
        .order_by("pk")
        .values_list("status", "amount_minor")
    )


def test_a_succeeded_payment_intent_pays_the_brands_entry_once(fake_stripe, collaboration, creator):  # noqa: F811
    payload, signature = fake_stripe.event("payment_intent.succeeded", charge(fake_stripe, collaboration))
    response = deliver(payload, signature)
    assert response.status_code == 200 and response.json()["outcome"] == "settled"
    assert entries(collaboration, LedgerParty.BRAND) == [("pending", -FEE), ("paid", -FEE)]
    assert entries(collaboration, LedgerParty.INFLUENCER) == [("pending", FEE)]
    collaboration.refresh_from_db()
    assert collaboration.status == CollaborationStatus.PAID
    note = Notification.objects.get(user=creator.user, title__endswith="paid your fee")
    assert note.url == f"/influencer/collaborations/{collaboration.pk}/" and "125.00 EUR" in note.body
    # Stripe delivers the same event again: nothing more is written, and it still gets a 2xx.
    before = (LedgerEntry.objects.count(), Notification.objects.count())
    again = deliver(payload, signature)
    assert again.status_code == 200 and again.json()["outcome"] == "duplicate"
    assert (LedgerEntry.objects.count(), Notification.objects.count()) == before


def test_a_transfer_to_the_influencer_pays_their_entry_and_a_reversal_refunds_it(
    fake_stripe,  # noqa: F811
    collaboration,
    creator,
):
    sent = transfer(fake_stripe, collaboration)
    assert deliver(*fake_stripe.event("transfer.created", sent)).json()["outcome"] == "settled"
    assert entries(collaboration, LedgerParty.INFLUENCER) == [("pending", FEE), ("paid", FEE)]
    collaboration.refresh_from_db()
    assert collaboration.receipt_confirmed_at is not None
    assert Notification.objects.filter(user=creator.user, title__contains="reached your account").exists()
    reversed_transfer = {**sent, "reversed": True, "amount_reversed": FEE}
    assert deliver(*fake_stripe.event("transfer.reversed", reversed_transfer)).json()["outcome"] == "settled"
    assert entries(collaboration, LedgerParty.INFLUENCER) == [
        ("pending", FEE),
        ("paid", FEE),
        ("refunded", FEE),
    ]


@pytest.mark.parametrize(
    "signature",
    [
        None,
        "t=1,v1=deadbeef",
        "garbage",
    ],
)
def test_a_bad_signature_is_a_400_and_changes_nothing(fake_stripe, collaboration, signature):  # noqa: F811
    payload, _ = fake_stripe.event("payment_intent.succeeded", charge(fake_stripe, collaboration))
    before = LedgerEntry.objects.count()
    response = deliver(payload, signature)
    assert response.status_code == 400 and response.json()["detail"] == "Invalid webhook signature."
    assert LedgerEntry.objects.count() == before


def test_an_altered_payload_is_a_400(fake_stripe, collaboration):  # noqa: F811
    intent = charge(fake_stripe, collaboration)
    payload, signature = fake_stripe.event("payment_intent.succeeded", intent)
    forged = payload.replace(str(FEE).encode(), b"1")
    assert deliver(forged, signature).status_code == 400
    assert entries(collaboration, LedgerParty.BRAND) == [("pending", -FEE)]


def test_an_old_delivery_is_a_400(fake_stripe, collaboration):  # noqa: F811
    intent = charge(fake_stripe, collaboration)
    payload, signature = fake_stripe.event(
        "payment_intent.succeeded", intent, timestamp=int(timezone.now().timestamp()) - 3600
    )
    assert deliver(payload, signature).status_code == 400
    assert entries(collaboration, LedgerParty.BRAND) == [("pending", -FEE)]


def test_without_a_webhook_secret_every_delivery_is_refused(fake_stripe, collaboration, settings):  # noqa: F811
    payload, signature = fake_stripe.event("payment_intent.succeeded", charge(fake_stripe, collaboration))
    settings.STRIPE_WEBHOOK_SECRET = ""
    assert deliver(payload, signature).status_code == 400


def test_a_get_is_not_allowed():
    assert Client().get(URL).status_code == 405


def test_an_amount_other_than_the_fee_is_ignored_not_settled(fake_stripe, collaboration):  # noqa: F811
    payload, signature = fake_stripe.event(
        "payment_intent.succeeded", charge(fake_stripe, collaboration, amount=100)
    )
    response = deliver(payload, signature)
    assert response.status_code == 200 and response.json()["outcome"] == "ignored"
    assert "does not match" in response.json()["detail"]
    assert entries(collaboration, LedgerParty.BRAND) == [("pending", -FEE)]


def test_a_payment_of_something_else_is_ignored(fake_stripe, collaboration):  # noqa: F811
    intent = {**charge(fake_stripe, collaboration), "metadata": {}, "transfer_group": None}
    response = deliver(*fake_stripe.event("payment_intent.succeeded", intent))
    assert response.status_code == 200 and response.json()["outcome"] == "ignored"
    unused = deliver(*fake_stripe.event("customer.created", {"id": "cus_1", "object": "customer"}))
    assert unused.status_code == 200 and unused.json()["outcome"] == "ignored"
    assert entries(collaboration, LedgerParty.BRAND) == [("pending", -FEE)]


def test_the_transfer_group_names_the_collaboration_when_metadata_does_not(
    fake_stripe,  # noqa: F811
    collaboration,
):
    intent = {**charge(fake_stripe, collaboration), "metadata": {}}
    assert deliver(*fake_stripe.event("payment_intent.succeeded", intent)).json()["outcome"] == "settled"


def test_a_payment_already_marked_by_hand_is_not_paid_twice(fake_stripe, collaboration, membership):  # noqa: F811
    from apps.collaborations.services import collaboration_mark_paid

    collaboration_mark_paid(collaboration=collaboration, user=membership.user)
    payload, signature = fake_stripe.event("payment_intent.succeeded", charge(fake_stripe, collaboration))
    response = deliver(payload, signature)
    assert response.status_code == 200 and response.json()["outcome"] == "ignored"
    assert [s for s, _ in entries(collaboration, LedgerParty.BRAND)] == [
        LedgerStatus.PENDING,
        LedgerStatus.PAID,
    ]


def test_a_signed_body_that_is_not_an_event_is_a_400(fake_stripe):  # noqa: F811
    from apps.integrations.payments.webhooks import signature_header

    payload = json.dumps({"hello": "world"}).encode()
    assert deliver(payload, signature_header(payload, fake_stripe.webhook_secret)).status_code == 400
