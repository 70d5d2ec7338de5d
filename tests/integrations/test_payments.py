"""Collaboration payments: the manual provider, and the Stripe Connect adapter against a local fake
speaking Stripe's wire format (tests/fakes/stripe.py)."""

from __future__ import annotations

import json
import time

import pytest

from apps.integrations.http import ServiceError
from apps.integrations.models import ApiCall
from apps.integrations.payments import Money, PaymentError, payment_provider
from apps.integrations.payments.manual import ManualProvider
from apps.integrations.payments.stripe import StripeProvider, encode_form, payment_from_intent
from apps.integrations.payments.webhooks import (
    WebhookSignatureError,
    construct_event,
    signature_header,
    verify_signature,
)
from tests.fakes import stripe as fakes
from tests.fakes.stripe import FAKE_CONNECTED_ACCOUNT, FAKE_STRIPE_SECRET_KEY, FAKE_STRIPE_WEBHOOK_SECRET

# The fake's fixtures (tests/integrations/conftest.py is shared; these are only used here).
fake_stripe_server = fakes.fake_stripe_server
fake_stripe = fakes.fake_stripe
stripe_waits = fakes.stripe_waits

pytestmark = pytest.mark.django_db  # each Stripe attempt is logged as an ApiCall row

FEE = Money(25000, "EUR")  # EUR 250.00


def pay(provider, key="collab-42-charge", **kwargs):
    kwargs.setdefault("amount", FEE)
    kwargs.setdefault("payee", FAKE_CONNECTED_ACCOUNT)
    kwargs.setdefault("payment_method", "pm_card_visa")
    return provider.create_payment(idempotency_key=key, metadata={"collaboration": "42"}, **kwargs)


# --- money -----------------------------------------------------------------------------------------


def test_money_is_an_integer_in_minor_units_with_a_known_currency():
    assert str(Money(1050, "eur")) == "EUR 10.50"
    assert str(Money(1050, "JPY")) == "JPY 1050"
    assert Money(1050, "JPY").zero_decimal
    assert str(Money(1050, "KWD")) == "KWD 1.050"
    with pytest.raises(TypeError):
        Money(10.5, "EUR")
    with pytest.raises(ValueError, match="currency"):
        Money(100, "XYZ")
    with pytest.raises(ValueError, match="negative"):
        Money(-1, "USD")


def test_stripe_form_encoding_nests_keys_and_refuses_floats():
    assert encode_form(
        {"amount": 5, "metadata": {"a": "b"}, "x": None, "confirm": True, "l": ["p", "q"]}
    ) == [
        ("amount", "5"),
        ("metadata[a]", "b"),
        ("confirm", "true"),
        ("l[0]", "p"),
        ("l[1]", "q"),
    ]
    with pytest.raises(TypeError):
        encode_form({"amount": 1.5})


# --- the provider chosen by settings -----------------------------------------------------------------


def test_the_manual_provider_is_the_default_and_a_stripe_key_switches_stripe_on(settings):
    assert isinstance(payment_provider(), ManualProvider)
    settings.PAYMENT_PROVIDER = fakes.PROVIDER_PATH
    settings.STRIPE_SECRET_KEY = FAKE_STRIPE_SECRET_KEY
    assert isinstance(payment_provider(), StripeProvider)


# --- manual ------------------------------------------------------------------------------------------


def test_manual_payment_goes_pending_then_paid_by_the_brand_then_received_by_the_influencer():
    provider = ManualProvider()
    payment = provider.create_payment(amount=FEE, idempotency_key="collab-42-charge", payee="influencer-7")
    assert (payment.status, payment.provider, payment.amount) == ("pending", "manual", FEE)
    assert provider.create_payment(amount=FEE, idempotency_key="collab-42-charge").id == payment.id

    paid = provider.mark_paid(payment)
    assert paid.status == "paid"
    received = provider.confirm_receipt(paid)
    assert received.status == "received"


def test_manual_receipt_cannot_be_confirmed_before_the_brand_marks_it_paid():
    provider = ManualProvider()
    payment = provider.create_payment(amount=FEE, idempotency_key="collab-42-charge")
    with pytest.raises(PaymentError) as caught:
        provider.confirm_receipt(payment)
    assert caught.value.user_message == "The brand has not marked this payment paid yet."
    with pytest.raises(PaymentError, match="already"):
        provider.mark_paid(provider.mark_paid(payment))


def test_stripe_payments_are_not_marked_paid_by_hand(fake_stripe):
    provider = payment_provider()
    with pytest.raises(PaymentError):
        provider.mark_paid(pay(provider))


# --- Stripe: PaymentIntents and Transfers -------------------------------------------------------------


def test_a_payment_intent_is_created_confirmed_and_sent_to_the_connected_account(fake_stripe):
    payment = pay(payment_provider(), description="Repost of launch post")

    assert (payment.status, payment.provider_status, payment.amount) == ("paid", "succeeded", FEE)
    assert payment.payee == FAKE_CONNECTED_ACCOUNT
    assert payment.metadata == {"collaboration": "42"}
    (request,) = fake_stripe.requests_to("POST", "/v1/payment_intents")
    assert request.header("Authorization") == f"Bearer {FAKE_STRIPE_SECRET_KEY}"
    assert request.header("Idempotency-Key") == "collab-42-charge"
    assert request.header("Stripe-Version") == "2024-06-20"
    assert request.header("Content-Type") == "application/x-www-form-urlencoded"
    assert request.form == {
        "amount": "25000",
        "currency": "eur",
        "description": "Repost of launch post",
        "metadata[collaboration]": "42",
        "transfer_data[destination]": FAKE_CONNECTED_ACCOUNT,
        "payment_method": "pm_card_visa",
        "confirm": "true",
        "off_session": "true",
        "automatic_payment_methods[enabled]": "true",
        "automatic_payment_methods[allow_redirects]": "never",
    }
    assert len(fake_stripe.charges) == 1
    assert payment_provider().get_payment(payment.id).status == "paid"


def test_a_zero_decimal_amount_goes_to_stripe_as_it_is(fake_stripe):
    payment = pay(payment_provider(), amount=Money(5000, "JPY"))
    assert payment.amount == Money(5000, "JPY")
    (request,) = fake_stripe.requests_to("POST", "/v1/payment_intents")
    assert (request.form["amount"], request.form["currency"]) == ("5000", "jpy")


def test_a_transfer_moves_the_fee_to_the_influencers_account(fake_stripe):
    transfer = payment_provider().create_transfer(
        amount=Money(22500, "EUR"),
        destination=FAKE_CONNECTED_ACCOUNT,
        idempotency_key="collab-42-payout",
        transfer_group="collab-42",
        source_payment="ch_fake123",
        metadata={"collaboration": "42"},
    )

    assert transfer.id.startswith("tr_")
    assert (transfer.amount, transfer.destination, transfer.transfer_group) == (
        Money(22500, "EUR"),
        FAKE_CONNECTED_ACCOUNT,
        "collab-42",
    )
    (request,) = fake_stripe.requests_to("POST", "/v1/transfers")
    assert request.header("Idempotency-Key") == "collab-42-payout"
    assert request.form == {
        "amount": "22500",
        "currency": "eur",
        "destination": FAKE_CONNECTED_ACCOUNT,
        "transfer_group": "collab-42",
        "source_transaction": "ch_fake123",
        "metadata[collaboration]": "42",
    }
    assert list(fake_stripe.transfers) == [transfer.id]


def test_acting_as_a_connected_account_sends_the_stripe_account_header(fake_stripe):
    pay(StripeProvider(stripe_account=FAKE_CONNECTED_ACCOUNT), payee="")
    (request,) = fake_stripe.requests
    assert request.header("Stripe-Account") == FAKE_CONNECTED_ACCOUNT
    assert "transfer_data[destination]" not in request.form


def test_a_request_without_an_idempotency_key_is_refused_before_it_is_sent(fake_stripe):
    with pytest.raises(ValueError, match="idempotency_key"):
        pay(payment_provider(), key="")
    assert fake_stripe.requests == []


# --- Stripe: errors --------------------------------------------------------------------------------------


def test_a_declined_card_is_a_payment_error_with_the_decline_message_for_the_payer(fake_stripe, stripe_waits):
    with pytest.raises(PaymentError) as caught:
        pay(payment_provider(), payment_method="pm_card_chargeDeclinedInsufficientFunds")

    error = caught.value
    assert isinstance(error, ServiceError) and not error.is_transient
    assert (error.status, error.kind, error.code, error.decline_code) == (
        402,
        "card_error",
        "card_declined",
        "insufficient_funds",
    )
    assert error.is_decline
    assert error.user_message == "Your card has insufficient funds."
    assert "insufficient_funds" in str(error)
    assert len(fake_stripe.requests) == 1  # a decline is not retried
    assert stripe_waits == []
    assert fake_stripe.charges == []


def test_a_scripted_decline_is_reported_in_stripes_words(fake_stripe):
    fake_stripe.decline("do_not_honor", "Your card was declined.")
    with pytest.raises(PaymentError) as caught:
        pay(payment_provider())
    assert (caught.value.decline_code, caught.value.user_message) == (
        "do_not_honor",
        "Your card was declined.",
    )


def test_a_bad_key_is_a_setup_problem_not_shown_to_the_payer_in_stripes_words(fake_stripe):
    with pytest.raises(PaymentError) as caught:
        pay(StripeProvider(secret_key="sk_test_wrong"))
    assert caught.value.status == 401
    assert caught.value.user_message == "Payments are not set up correctly. Please contact support."
    assert "Invalid API Key" in str(caught.value)


def test_an_unknown_payment_is_a_404_with_stripes_param(fake_stripe):
    with pytest.raises(PaymentError) as caught:
        payment_provider().get_payment("pi_missing")
    assert (caught.value.status, caught.value.code, caught.value.param) == (404, "resource_missing", "intent")


def test_an_unknown_destination_is_a_400_naming_the_param(fake_stripe):
    with pytest.raises(PaymentError) as caught:
        payment_provider().create_transfer(amount=FEE, destination="influencer-7", idempotency_key="k1")
    assert (caught.value.status, caught.value.param) == (400, "destination")
    assert fake_stripe.transfers == {}


# --- Stripe: retries and idempotency -----------------------------------------------------------------------


def test_a_429_is_retried_once_after_the_retry_after_it_asks_for(fake_stripe, stripe_waits):
    fake_stripe.fail(429, retry_after=3)

    payment = pay(payment_provider())

    assert payment.status == "paid"
    assert stripe_waits == [3.0]
    first, second = fake_stripe.requests_to("POST", "/v1/payment_intents")
    assert first.idempotency_key == second.idempotency_key == "collab-42-charge"
    assert first.form == second.form
    assert len(fake_stripe.charges) == 1


def test_every_stripe_attempt_is_an_api_call_row(fake_stripe, stripe_waits):
    fake_stripe.fail(429, retry_after=1)
    payment = pay(payment_provider())
    payment_provider().get_payment(payment.id)

    rows = list(
        ApiCall.objects.order_by("created_at", "pk").values_list(
            "provider", "endpoint", "status", "http_status", "attempt"
        )
    )
    assert rows == [
        ("stripe", "POST payment_intents", "error", 429, 1),
        ("stripe", "POST payment_intents", "ok", 200, 2),
        ("stripe", "GET payment_intents/{id}", "ok", 200, 1),
    ]


def test_a_200_that_is_no_stripe_object_is_an_error_not_a_payment(fake_stripe, stripe_waits):
    fake_stripe.fail(200, body={"status": "ok"})
    with pytest.raises(PaymentError, match="no Stripe object"):
        pay(payment_provider())
    assert stripe_waits == []


def test_a_500_is_retried_with_backoff_and_gives_up_with_a_transient_error(fake_stripe, stripe_waits):
    fake_stripe.fail(500, times=3)
    with pytest.raises(PaymentError) as caught:
        pay(payment_provider())
    assert caught.value.is_transient and caught.value.status == 500
    assert "gave up after 3 attempts" in str(caught.value)
    assert caught.value.user_message == "The payment service is not answering. Please try again later."
    assert stripe_waits == [0.5, 1.0]
    assert fake_stripe.charges == []


def test_retry_after_is_capped(fake_stripe, stripe_waits, settings):
    settings.STRIPE_MAX_RETRY_WAIT = 5.0
    fake_stripe.fail(429, retry_after=600)
    pay(payment_provider())
    assert stripe_waits == [5.0]


def test_stripe_should_retry_false_stops_the_retries(fake_stripe, stripe_waits):
    fake_stripe.fail(503, should_retry=False)
    with pytest.raises(PaymentError) as caught:
        pay(payment_provider())
    assert caught.value.status == 503
    assert stripe_waits == []
    assert len(fake_stripe.requests) == 1


def test_stripe_unreachable_is_a_transient_error_after_the_retries(stripe_waits):
    provider = StripeProvider(secret_key=FAKE_STRIPE_SECRET_KEY, api_base="http://127.0.0.1:9", max_retries=1)
    with pytest.raises(PaymentError) as caught:
        pay(provider)
    assert caught.value.is_transient and caught.value.status is None
    assert caught.value.user_message == "The payment service is not answering. Please try again later."
    assert stripe_waits == [0.5]


def test_a_repeat_with_the_same_idempotency_key_replays_and_does_not_charge_twice(fake_stripe):
    provider = payment_provider()
    first = pay(provider)
    again = pay(provider)

    assert again.id == first.id
    assert len(fake_stripe.requests_to("POST", "/v1/payment_intents")) == 2
    assert len(fake_stripe.charges) == 1
    assert len(fake_stripe.payment_intents) == 1


def test_a_timed_out_charge_retried_with_its_key_is_charged_once(fake_stripe, stripe_waits):
    """A retry after a timeout or a 5xx resends the same key: when Stripe had already run the
    request, the resent one gets the saved answer instead of a second charge."""
    provider = payment_provider()
    first = pay(provider)
    fake_stripe.fail(503)
    again = pay(provider)
    assert again.id == first.id
    assert stripe_waits == [0.5]
    assert len(fake_stripe.charges) == 1


def test_a_declined_payment_retried_with_its_key_gets_the_same_decline(fake_stripe):
    provider = payment_provider()
    for _ in range(2):
        with pytest.raises(PaymentError, match="insufficient_funds"):
            pay(provider, payment_method="pm_card_chargeDeclinedInsufficientFunds")
    assert len(fake_stripe.payment_intents) == 1


def test_the_same_key_with_other_parameters_is_an_idempotency_error(fake_stripe):
    provider = payment_provider()
    pay(provider)
    with pytest.raises(PaymentError) as caught:
        pay(provider, amount=Money(30000, "EUR"))
    assert (caught.value.status, caught.value.kind) == (400, "idempotency_error")
    assert not caught.value.is_transient
    assert len(fake_stripe.charges) == 1


def test_without_a_secret_key_stripe_says_it_is_not_set_up(fake_stripe, settings):
    settings.STRIPE_SECRET_KEY = ""
    with pytest.raises(PaymentError, match="STRIPE_SECRET_KEY"):
        pay(StripeProvider())
    assert fake_stripe.requests == []


# --- webhooks ----------------------------------------------------------------------------------------------


def test_a_signed_webhook_is_verified_and_parsed(fake_stripe):
    intent = {
        "id": "pi_123",
        "object": "payment_intent",
        "amount": 25000,
        "currency": "eur",
        "status": "succeeded",
    }
    payload, header = fake_stripe.event("payment_intent.succeeded", intent, account=FAKE_CONNECTED_ACCOUNT)

    event = construct_event(payload, header)

    assert event.type == "payment_intent.succeeded"
    assert event.data_object["id"] == "pi_123"
    assert event.account == FAKE_CONNECTED_ACCOUNT
    assert event.id.startswith("evt_") and not event.livemode


def test_a_webhooks_payment_intent_reads_as_a_payment(fake_stripe):
    with pytest.raises(PaymentError):
        pay(payment_provider(), payment_method="pm_card_chargeDeclined")
    (intent,) = fake_stripe.payment_intents.values()
    payload, header = fake_stripe.event("payment_intent.payment_failed", intent)

    payment = payment_from_intent(construct_event(payload, header).data_object)

    assert (payment.id, payment.status, payment.amount, payment.payee) == (
        intent["id"],
        "failed",
        FEE,
        FAKE_CONNECTED_ACCOUNT,
    )
    assert payment.metadata == {"collaboration": "42"}


def test_a_tampered_webhook_is_refused(fake_stripe):
    payload, header = fake_stripe.event("payment_intent.succeeded", {"id": "pi_123", "amount": 25000})
    tampered = payload.replace(b"25000", b"99999")
    with pytest.raises(WebhookSignatureError, match="no signature matches"):
        construct_event(tampered, header)
    with pytest.raises(WebhookSignatureError):
        construct_event(payload, header, secret="whsec_someone_else")
    with pytest.raises(WebhookSignatureError):
        construct_event(payload, None)


def test_a_webhook_older_than_five_minutes_is_refused_as_a_replay(fake_stripe):
    signed_at = int(time.time()) - 301
    payload, header = fake_stripe.event("payment_intent.succeeded", {"id": "pi_123"}, timestamp=signed_at)
    with pytest.raises(WebhookSignatureError, match="tolerance"):
        construct_event(payload, header)
    assert construct_event(payload, header, now=signed_at + 299).type == "payment_intent.succeeded"


def test_any_of_several_v1_signatures_may_match_during_a_secret_roll():
    payload = json.dumps({"id": "evt_1", "object": "event", "data": {"object": {}}}).encode()
    old = signature_header(payload, "whsec_old", 1_700_000_000).split(",")[1]
    header = f"{signature_header(payload, FAKE_STRIPE_WEBHOOK_SECRET, 1_700_000_000)},{old}"
    assert verify_signature(payload, header, "whsec_old", now=1_700_000_010) == 1_700_000_000
    assert verify_signature(payload, header, FAKE_STRIPE_WEBHOOK_SECRET, now=1_700_000_010) == 1_700_000_000
