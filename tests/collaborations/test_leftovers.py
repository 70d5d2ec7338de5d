"""Marketplace leftovers of issue 19: matching influencers told of a new open call (once, capped),
the 24-hour reminders of an open call's close and of a repost's due time in the deadlines job, an
early Stripe payment that moves the collaboration on to paid once it completes, and the links to
the CSV statements on both sides' pages."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from apps.collaborations.models import (
    Application,
    ApplicationStatus,
    Collaboration,
    CollaborationStatus,
    LedgerEntry,
    LedgerParty,
    LedgerStatus,
    Offer,
)
from apps.collaborations.services import (
    collaboration_advance,
    offer_accept,
    offer_send,
    offer_withdraw,
    open_call_apply,
    open_call_create,
    open_call_pick,
)
from apps.collaborations.services.collaboration import (
    REPOST_REMIND_TITLE,
    collaborations_remind_repost,
)
from apps.collaborations.services.measure import collaboration_result_refresh
from apps.collaborations.services.offers import (
    OPEN_CALL_REMIND_TITLE,
    OPEN_CALL_TITLE_PREFIX,
    open_call_notify_matches,
    open_calls_remind,
)
from apps.collaborations.services.payments import COLLABORATION_METADATA_KEY
from apps.collaborations.tasks import deadlines_task
from apps.integrations.payments import Money, payment_provider
from apps.notifications.models import Notification
from tests.collaborations.measure_fixtures import delivered
from tests.factories import InfluencerProfileFactory, MembershipFactory, PublishedPostFactory
from tests.fakes.stripe import fake_stripe, fake_stripe_server  # noqa: F401

pytestmark = pytest.mark.django_db

FEE = 12_500


@pytest.fixture
def membership():
    return MembershipFactory()


@pytest.fixture
def brand(membership):
    return membership.brand


@pytest.fixture
def owner(membership):
    return membership.user


@pytest.fixture
def post(brand):
    return PublishedPostFactory(brand=brand)


def terms(**overrides):
    return {
        "fee_minor": FEE,
        "currency": "EUR",
        "deadline": timezone.now() + timedelta(days=2),
        "platform": "x",
        "message": "",
        **overrides,
    }


def open_call(brand, owner, post, criteria, **overrides):
    return open_call_create(
        brand=brand,
        user=owner,
        post=post,
        criteria=criteria,
        slots=2,
        notify_matches=False,
        **terms(**overrides),
    )


def told(offer):
    url = reverse("collaborations:offer_detail", kwargs={"offer_id": offer.pk})
    return Notification.objects.filter(url=url, title__startswith=OPEN_CALL_TITLE_PREFIX)


# --- A new open call is told to the influencers it matches -----------------------------------------


def test_a_new_open_call_tells_the_matching_influencers_after_the_commit(
    brand, owner, post, django_capture_on_commit_callbacks
):
    fintech_uk = InfluencerProfileFactory(audience_industries=["Fintech"], audience_geographies=["UK"])
    fintech_de = InfluencerProfileFactory(audience_industries=["FINTECH"], audience_geographies=["Germany"])
    retail_uk = InfluencerProfileFactory(audience_industries=["Retail"], audience_geographies=["UK"])
    hidden = InfluencerProfileFactory(audience_industries=["Fintech"], is_public=False)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        call = open_call_create(
            brand=brand, user=owner, post=post, criteria={"industries": ["fintech"]}, slots=2, **terms()
        )
    assert callbacks  # queued after the commit, not inside the transaction
    notices = told(call)
    assert set(notices.values_list("user_id", flat=True)) == {fintech_uk.user_id, fintech_de.user_id}
    notice = notices.get(user=fintech_uk.user)
    assert notice.title == f"New open call from {brand.name}"
    assert notice.url == f"/influencer/offers/{call.pk}/"
    assert "125.00" in notice.body and "2 slots" in notice.body and "UTC" in notice.body
    assert not Notification.objects.filter(user__in=[retail_uk.user, hidden.user]).exists()
    # the link opens the offer for the influencer it was sent to
    client = Client()
    client.force_login(fintech_uk.user)
    assert client.get(notice.url).status_code == 200


def test_the_criteria_lists_and_the_minimum_follower_count_on_the_platform_all_hold(brand, owner, post):
    wanted = InfluencerProfileFactory(
        audience_roles=["CFOs"], follower_counts={"x": {"count": 2000}, "linkedin": {"count": 10}}
    )
    few_on_x = InfluencerProfileFactory(
        audience_roles=["CFOs"], follower_counts={"x": {"count": 500}, "linkedin": {"count": 90_000}}
    )
    other_role = InfluencerProfileFactory(audience_roles=["Founders"], follower_counts={"x": {"count": 9000}})
    # "CFO" is a substring of "CFOs" in the list's text, but not the same tag
    near_miss = InfluencerProfileFactory(audience_roles=["CFO"], follower_counts={"x": {"count": 9000}})
    call = open_call(brand, owner, post, {"roles": ["cfos"], "min_followers": 1000})
    assert open_call_notify_matches(offer_id=call.pk) == 1
    assert list(told(call).values_list("user_id", flat=True)) == [wanted.user_id]
    assert not Notification.objects.filter(user__in=[few_on_x.user, other_role.user, near_miss.user]).exists()


def test_no_influencer_is_told_twice_of_one_open_call(brand, owner, post):
    profiles = [InfluencerProfileFactory() for _ in range(3)]
    call = open_call(brand, owner, post, {"geographies": ["UK"]})
    assert open_call_notify_matches(offer_id=call.pk, batch=2) == 3
    assert open_call_notify_matches(offer_id=call.pk, batch=2) == 0  # a redelivered task
    assert told(call).count() == 3
    assert sorted(told(call).values_list("user_id", flat=True)) == sorted(p.user_id for p in profiles)


def test_the_walk_is_capped_per_call_biggest_audiences_first_counting_earlier_runs(brand, owner, post):
    sizes = [100, 900, 500, 700, 300]
    profiles = {n: InfluencerProfileFactory(follower_counts={"x": {"count": n}}) for n in sizes}
    call = open_call(brand, owner, post, {})
    assert open_call_notify_matches(offer_id=call.pk, cap=2, batch=1) == 2
    assert set(told(call).values_list("user_id", flat=True)) == {profiles[900].user_id, profiles[700].user_id}
    assert open_call_notify_matches(offer_id=call.pk, cap=2) == 0  # the cap is per call, not per run
    assert open_call_notify_matches(offer_id=call.pk, cap=4, batch=2) == 2
    assert profiles[500].user_id in set(told(call).values_list("user_id", flat=True))


def test_an_open_call_no_longer_open_is_told_to_no_one(brand, owner, post):
    InfluencerProfileFactory()
    call = open_call(brand, owner, post, {})
    offer_withdraw(offer=call, user=owner)
    assert open_call_notify_matches(offer_id=call.pk) == 0
    past = open_call(brand, owner, post, {})
    Offer.objects.filter(pk=past.pk).update(deadline=timezone.now() - timedelta(minutes=1))
    assert open_call_notify_matches(offer_id=past.pk) == 0
    assert not Notification.objects.filter(title__startswith=OPEN_CALL_TITLE_PREFIX).exists()
    [direct] = offer_send(
        brand=brand, user=owner, post=post, influencers=[InfluencerProfileFactory()], **terms()
    )
    assert open_call_notify_matches(offer_id=direct.pk) == 0  # only open calls


def test_a_refused_open_call_queues_nothing(brand, owner, post, django_capture_on_commit_callbacks):
    InfluencerProfileFactory()
    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(ValidationError):
        open_call_create(brand=brand, user=owner, post=post, criteria={}, slots=0, **terms())
    assert not callbacks and not Offer.objects.exists()


# --- The deadlines job: an open call's close and a repost's due time -------------------------------


def test_applicants_not_picked_are_reminded_once_a_day_before_an_open_call_closes(brand, owner, post):
    waiting, picked = InfluencerProfileFactory(), InfluencerProfileFactory()
    call = open_call(brand, owner, post, {})
    Offer.objects.filter(pk=call.pk).update(slots=3)
    open_call_apply(offer=call, influencer=waiting)
    open_call_pick(application=open_call_apply(offer=call, influencer=picked), user=owner)
    Offer.objects.filter(pk=call.pk).update(deadline=timezone.now() + timedelta(hours=23))
    assert open_calls_remind() == 1
    assert open_calls_remind() == 0
    notice = Notification.objects.get(title=OPEN_CALL_REMIND_TITLE)
    assert notice.user == waiting.user
    assert notice.url == reverse("collaborations:offer_detail", kwargs={"offer_id": call.pk})
    assert brand.name in notice.body and "UTC" in notice.body


def test_no_open_call_reminder_further_out_or_once_the_call_is_over(brand, owner, post):
    later = open_call(brand, owner, post, {})
    open_call_apply(offer=later, influencer=InfluencerProfileFactory())
    Offer.objects.filter(pk=later.pk).update(deadline=timezone.now() + timedelta(hours=25))
    withdrawn = open_call(brand, owner, post, {})
    open_call_apply(offer=withdrawn, influencer=InfluencerProfileFactory())
    offer_withdraw(offer=withdrawn, user=owner)
    Offer.objects.filter(pk=withdrawn.pk).update(deadline=timezone.now() + timedelta(hours=2))
    assert open_calls_remind() == 0
    assert Application.objects.filter(status=ApplicationStatus.NOT_PICKED).count() == 1


def accepted(brand, owner, post, profile=None):
    profile = profile or InfluencerProfileFactory()
    [offer] = offer_send(brand=brand, user=owner, post=post, influencers=[profile], **terms())
    return offer_accept(offer=offer, influencer=profile)


def due_in(collaboration, delta):
    Collaboration.objects.filter(pk=collaboration.pk).update(repost_due_at=timezone.now() + delta)


def test_the_influencer_is_reminded_once_a_day_before_the_repost_is_due(brand, owner, post):
    collaboration = accepted(brand, owner, post)
    due_in(collaboration, timedelta(hours=23))
    assert deadlines_task() == {"reminded": 0, "open_calls_reminded": 0, "reposts_reminded": 1, "missed": 0}
    assert deadlines_task()["reposts_reminded"] == 0  # once, however often the job runs
    notice = Notification.objects.get(title=REPOST_REMIND_TITLE)
    assert notice.user == collaboration.influencer.user
    assert notice.url == reverse(
        "collaborations:collaboration_detail", kwargs={"collaboration_id": collaboration.pk}
    )
    assert brand.name in notice.body and "125.00" in notice.body and "missed" in notice.body


def test_no_repost_reminder_further_out_once_reposted_or_when_overdue(brand, owner, post):
    later = accepted(brand, owner, post)
    due_in(later, timedelta(hours=25))
    reposted = collaboration_advance(
        collaboration=accepted(brand, owner, post), to=CollaborationStatus.REPOSTED
    )
    due_in(reposted, timedelta(hours=2))
    overdue = accepted(brand, owner, post)
    due_in(overdue, -timedelta(minutes=1))
    assert collaborations_remind_repost() == 0
    assert not Notification.objects.filter(title=REPOST_REMIND_TITLE).exists()


# --- A payment that arrives before the collaboration completes -------------------------------------


def charge(fake, collaboration):
    payment = payment_provider().create_payment(
        amount=Money(collaboration.fee_minor, collaboration.currency),
        idempotency_key=f"collab-{collaboration.pk}-early",
        metadata={COLLABORATION_METADATA_KEY: str(collaboration.pk)},
        payment_method="pm_card_visa",
        transfer_group=f"collaboration-{collaboration.pk}",
    )
    return fake.payment_intents[payment.id]


def brand_standing(collaboration):
    return list(
        LedgerEntry.objects.filter(
            collaboration=collaboration, party=LedgerParty.BRAND, reversed_by__isnull=True
        ).values_list("status", flat=True)
    )


def test_an_early_stripe_payment_moves_the_collaboration_to_paid_when_it_completes(
    fake_stripe,  # noqa: F811
    brand,
    owner,
):
    profile = InfluencerProfileFactory()
    collaboration = delivered(brand, owner, profile, final=False)
    assert collaboration.status == CollaborationStatus.MEASURED
    payload, signature = fake_stripe.event("payment_intent.succeeded", charge(fake_stripe, collaboration))
    response = Client().post(
        "/webhooks/stripe/", payload, content_type="application/json", HTTP_STRIPE_SIGNATURE=signature
    )
    assert response.status_code == 200 and response.json()["outcome"] == "settled"
    collaboration.refresh_from_db()
    assert collaboration.status == CollaborationStatus.MEASURED  # paid in the ledger, still measuring
    assert brand_standing(collaboration) == [LedgerStatus.PAID]

    collaboration_result_refresh(collaboration=collaboration, final=True)  # the measuring time is over
    collaboration.refresh_from_db()
    assert collaboration.status == CollaborationStatus.PAID
    assert collaboration.completed_at and collaboration.paid_at >= collaboration.completed_at
    assert brand_standing(collaboration) == [LedgerStatus.PAID]  # not paid twice
    completed = Notification.objects.get(user=owner, title__contains="completed")
    assert "already paid" in completed.body
    assert "already paid" in Notification.objects.get(user=profile.user, title__contains="completed").body


def test_completion_without_a_payment_stays_completed_for_the_brand_to_mark_paid(brand, owner):
    collaboration = delivered(brand, owner, InfluencerProfileFactory())
    assert collaboration.status == CollaborationStatus.COMPLETED
    assert brand_standing(collaboration) == [LedgerStatus.PENDING]
    assert "Mark the fee paid" in Notification.objects.get(user=owner, title__contains="completed").body


def early_charge(collaboration, event_id="evt_early"):
    from apps.collaborations.services.payments import CHARGE_SUCCEEDED, provider_payment_record

    return provider_payment_record(
        provider="stripe",
        event_id=event_id,
        movement=CHARGE_SUCCEEDED,
        collaboration_id=collaboration.pk,
        amount_minor=collaboration.fee_minor,
        currency=collaboration.currency,
        reference="pi_early",
    )


def measured(brand, owner, post):
    collaboration = accepted(brand, owner, post)
    for step in ("reposted", "verified", "measured"):
        collaboration = collaboration_advance(collaboration=collaboration, to=step)
    return collaboration


def test_the_product_step_to_completed_also_moves_on_when_the_fee_is_paid(brand, owner, post):
    collaboration = measured(brand, owner, post)
    assert early_charge(collaboration).status == "settled"
    collaboration = collaboration_advance(collaboration=collaboration, to=CollaborationStatus.COMPLETED)
    assert collaboration.status == CollaborationStatus.PAID
    assert Collaboration.objects.get(pk=collaboration.pk).status == CollaborationStatus.PAID


def test_a_payment_refunded_before_completion_does_not_count_as_paid(brand, owner, post):
    from apps.collaborations.services import ledger_entry_reverse
    from tests.factories import StaffFactory

    collaboration = measured(brand, owner, post)
    early_charge(collaboration)
    paid = LedgerEntry.objects.get(
        collaboration=collaboration, party=LedgerParty.BRAND, status=LedgerStatus.PAID
    )
    ledger_entry_reverse(entry=paid, user=StaffFactory())  # staff refunds it
    collaboration = collaboration_advance(collaboration=collaboration, to=CollaborationStatus.COMPLETED)
    assert collaboration.status == CollaborationStatus.COMPLETED
    assert brand_standing(collaboration) == [LedgerStatus.REFUNDED]


# --- Statement links ------------------------------------------------------------------------------


def test_the_influencer_finds_the_statement_on_analytics_and_collaborations(brand, owner, post):
    collaboration = accepted(brand, owner, post)
    client = Client()
    client.force_login(collaboration.influencer.user)
    statement = reverse("collaborations:statement")
    assert statement == "/influencer/ledger/statement.csv"
    for page in ("/influencer/analytics/", "/influencer/collaborations/"):
        assert f'href="{statement}"' in client.get(page).content.decode(), page
    response = client.get(statement)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")


def test_the_brand_finds_its_statement_on_offers_and_roi(brand, owner, post):
    accepted(brand, owner, post)
    client = Client()
    client.force_login(owner)
    statement = reverse("collaborations_brand:statement", kwargs={"brand_id": brand.pk})
    assert statement == f"/brand/{brand.pk}/ledger/statement.csv"
    for page in (f"/brand/{brand.pk}/offers/", f"/brand/{brand.pk}/collaborations/roi/"):
        assert f'href="{statement}"' in client.get(page).content.decode(), page
    assert client.get(statement).status_code == 200
