"""The marketplace's services and selectors: offers, counter-offers, open calls and their last
slot, expiry, a collaboration's steps and payment, the append-only ledger and who sees what."""

import threading
import time
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from apps.collaborations import money
from apps.collaborations.models import (
    AppendOnlyError,
    Application,
    ApplicationStatus,
    Collaboration,
    CollaborationStatus,
    LedgerEntry,
    LedgerStatus,
    Offer,
    OfferStatus,
)
from apps.collaborations.selectors import (
    collaboration_get_for_user,
    collaboration_messages,
    influencer_inbox,
    ledger_balances_for_brand,
    ledger_balances_for_influencer,
    ledger_entries_for_influencer,
    ledger_statement_csv,
    offer_get_for_brand_user,
    offer_get_for_influencer,
    offer_list_for_brand,
)
from apps.collaborations.services import (
    collaboration_advance,
    collaboration_cancel,
    collaboration_confirm_receipt,
    collaboration_mark_paid,
    collaboration_message_post,
    collaborations_miss_overdue,
    counter_accept,
    counter_decline,
    ledger_entry_reverse,
    offer_accept,
    offer_counter,
    offer_decline,
    offer_send,
    offer_withdraw,
    offers_expire,
    offers_remind,
    open_call_apply,
    open_call_create,
    open_call_pick,
)
from apps.collaborations.services import offers as offers_services
from apps.collaborations.tasks import deadlines_task, offers_expire_task
from apps.core.schedules import PERIODIC_TASKS
from apps.notifications.models import Notification
from tests.factories import (
    BrandFactory,
    InfluencerProfileFactory,
    MembershipFactory,
    PostFactory,
    PublishedPostFactory,
    StaffFactory,
)

FEE = 12_500  # 125.00 EUR


@pytest.fixture
def membership(db):
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


@pytest.fixture
def creator(db):
    return InfluencerProfileFactory()


def terms(**overrides):
    return {
        "fee_minor": FEE,
        "currency": "EUR",
        "deadline": timezone.now() + timedelta(days=2),
        "platform": "x",
        "tag_brand": True,
        "keep_link": True,
        "message": "Would you share our launch?",
        **overrides,
    }


@pytest.fixture
def offer(brand, owner, post, creator):
    [offer] = offer_send(brand=brand, user=owner, post=post, influencers=[creator], **terms())
    return offer


@pytest.fixture
def open_call(brand, owner, post):
    return open_call_create(
        brand=brand, user=owner, post=post, criteria={"industries": ["fintech"]}, slots=2, **terms()
    )


def _past(offer):
    Offer.objects.filter(pk=offer.pk).update(deadline=timezone.now() - timedelta(minutes=1))
    offer.refresh_from_db()


def _advance_to_completed(collaboration):
    for step in ("reposted", "verified", "measured", "completed"):
        collaboration = collaboration_advance(collaboration=collaboration, to=step)
    return collaboration


def _snapshot():
    """Everything a refused action must leave as it was."""
    return (
        list(Offer.objects.order_by("pk").values()),
        list(Application.objects.order_by("pk").values()),
        list(Collaboration.objects.order_by("pk").values()),
        LedgerEntry.objects.count(),
        Notification.objects.count(),
    )


# --- Money --------------------------------------------------------------------------------------


def test_amounts_are_minor_units_of_their_currency():
    assert money.to_minor("125.50", "eur") == 12550
    assert money.to_minor("1,250.00", "USD") == 125000
    assert money.to_minor("5000", "JPY") == 5000
    assert money.to_minor("1.234", "KWD") == 1234
    assert money.money_format(12550, "EUR") == "125.50 EUR"
    assert money.money_format(5000, "JPY") == "5,000 JPY"


@pytest.mark.parametrize("amount,currency", [("1.005", "EUR"), ("1.5", "JPY"), ("abc", "EUR"), ("1", "XXY")])
def test_bad_amounts_are_refused_not_rounded(amount, currency):
    with pytest.raises(ValueError):
        money.to_minor(amount, currency)


def test_floats_are_never_amounts():
    with pytest.raises(TypeError):
        money.to_minor(1.5, "EUR")


# --- Direct offers ------------------------------------------------------------------------------


def test_a_direct_offer_reaches_the_influencer(offer, creator):
    assert offer.status == OfferStatus.SENT
    assert (offer.fee_minor, offer.currency, offer.influencer) == (FEE, "EUR", creator)
    note = Notification.objects.get(user=creator.user)
    assert "New offer" in note.title and "125.00 EUR" in note.body


@pytest.mark.parametrize(
    "change,field,message",
    [
        ({"fee_minor": 0}, "fee_minor", "more than zero"),
        ({"fee_minor": -100}, "fee_minor", "more than zero"),
        ({"fee_minor": 12.5}, "fee_minor", "whole number"),
        ({"currency": "EUX"}, "currency", "ISO 4217"),
        ({"deadline": timezone.now() - timedelta(hours=1)}, "deadline", "has passed"),
        ({"platform": "myspace"}, "platform", "Choose X"),
    ],
)
def test_bad_terms_are_refused_and_nothing_changes(brand, owner, post, creator, change, field, message):
    before = _snapshot()
    with pytest.raises(ValidationError) as exc:
        offer_send(brand=brand, user=owner, post=post, influencers=[creator], **terms(**change))
    assert message in exc.value.message_dict[field][0]
    assert _snapshot() == before


def test_an_unpublished_post_cannot_be_offered(brand, owner, creator):
    draft = PostFactory(brand=brand)
    with pytest.raises(ValidationError) as exc:
        offer_send(brand=brand, user=owner, post=draft, influencers=[creator], **terms())
    assert "Only a published post" in exc.value.message_dict["post"][0]
    assert not Offer.objects.exists()


def test_another_brands_post_cannot_be_offered(brand, owner, creator):
    theirs = PublishedPostFactory(brand=BrandFactory())
    with pytest.raises(ValidationError) as exc:
        offer_send(brand=brand, user=owner, post=theirs, influencers=[creator], **terms())
    assert "not one of this brand's" in exc.value.message_dict["post"][0]
    assert not Offer.objects.exists()


def test_only_members_send_offers(brand, post, creator):
    outsider = MembershipFactory().user
    with pytest.raises(PermissionDenied):
        offer_send(brand=brand, user=outsider, post=post, influencers=[creator], **terms())
    assert not Offer.objects.exists()


def test_one_live_offer_per_influencer_per_post(offer, brand, owner, post, creator):
    other = InfluencerProfileFactory()
    before = _snapshot()
    with pytest.raises(ValidationError) as exc:
        offer_send(brand=brand, user=owner, post=post, influencers=[other, creator], **terms())
    assert f"@{creator.slug} already has an offer" in exc.value.message_dict["influencers"][0]
    assert _snapshot() == before  # the offer to `other` was not sent either


def test_accepting_starts_a_collaboration_with_pending_fees(offer, creator, owner):
    collaboration = offer_accept(offer=offer, influencer=creator)
    offer.refresh_from_db()
    assert offer.status == OfferStatus.ACCEPTED and offer.responded_at
    assert collaboration.status == CollaborationStatus.ACCEPTED
    assert (collaboration.fee_minor, collaboration.currency, collaboration.influencer) == (
        FEE,
        "EUR",
        creator,
    )
    assert collaboration.repost_due_at > collaboration.accepted_at
    entries = {(e.party, e.amount_minor, e.status) for e in collaboration.ledger_entries.all()}
    assert entries == {("brand", -FEE, "pending"), ("influencer", FEE, "pending")}
    assert Notification.objects.filter(user=owner, title__contains="accepted your offer").exists()


def test_accepting_twice_is_refused(offer, creator):
    offer_accept(offer=offer, influencer=creator)
    before = _snapshot()
    with pytest.raises(ValidationError, match="already accepted"):
        offer_accept(offer=offer, influencer=creator)
    assert _snapshot() == before


def test_accepting_after_the_deadline_is_refused(offer, creator):
    _past(offer)
    before = _snapshot()
    with pytest.raises(ValidationError, match="deadline has passed"):
        offer_accept(offer=offer, influencer=creator)
    assert _snapshot() == before


def test_accepting_after_withdrawal_is_refused(offer, creator, owner):
    offer_withdraw(offer=offer, user=owner)
    before = _snapshot()
    with pytest.raises(ValidationError, match="withdrew"):
        offer_accept(offer=offer, influencer=creator)
    assert _snapshot() == before


def test_someone_elses_offer_cannot_be_accepted(offer):
    with pytest.raises(PermissionDenied):
        offer_accept(offer=offer, influencer=InfluencerProfileFactory())
    assert not Collaboration.objects.exists()


def test_an_accepted_offer_cannot_be_withdrawn(offer, creator, owner):
    offer_accept(offer=offer, influencer=creator)
    with pytest.raises(ValidationError, match="can no longer be withdrawn"):
        offer_withdraw(offer=offer, user=owner)
    offer.refresh_from_db()
    assert offer.status == OfferStatus.ACCEPTED


def test_only_the_brand_withdraws(offer, creator):
    with pytest.raises(PermissionDenied):
        offer_withdraw(offer=offer, user=creator.user)
    offer.refresh_from_db()
    assert offer.status == OfferStatus.SENT


def test_declining_keeps_the_reason_and_tells_the_brand(offer, creator, owner):
    offer_decline(offer=offer, influencer=creator, reason="Not my audience")
    offer.refresh_from_db()
    assert (offer.status, offer.decline_reason) == (OfferStatus.DECLINED, "Not my audience")
    assert Notification.objects.filter(user=owner, title__contains="declined").exists()


def test_declining_needs_a_reason(offer, creator):
    before = _snapshot()
    with pytest.raises(ValidationError) as exc:
        offer_decline(offer=offer, influencer=creator, reason="  ")
    assert "why" in exc.value.message_dict["reason"][0]
    assert _snapshot() == before


def test_a_counter_offer_the_brand_accepts_sets_the_fee(offer, creator, owner):
    offer_counter(offer=offer, influencer=creator, fee_minor=20_000)
    offer.refresh_from_db()
    assert (offer.status, offer.counter_fee_minor) == (OfferStatus.COUNTERED, 20_000)
    assert Notification.objects.filter(user=owner, title__contains="another fee").exists()
    collaboration = counter_accept(offer=offer, user=owner)
    assert collaboration.fee_minor == 20_000
    notice = Notification.objects.get(user=creator.user, title__contains="accepted your fee")
    assert notice.body.startswith(f"{money.money_format(20_000, 'EUR')}; the repost is due by ")
    assert ledger_balances_for_influencer(profile=creator)[0].pending_minor == 20_000
    assert Notification.objects.filter(user=creator.user, title__contains="accepted your fee").exists()


def test_a_declined_counter_leaves_the_first_fee_and_no_second_round(offer, creator, owner):
    offer_counter(offer=offer, influencer=creator, fee_minor=20_000)
    counter_decline(offer=offer, user=owner)
    offer.refresh_from_db()
    assert offer.status == OfferStatus.SENT
    before = _snapshot()
    with pytest.raises(ValidationError) as exc:
        offer_counter(offer=offer, influencer=creator, fee_minor=15_000)
    assert "one round" in exc.value.message_dict["fee_minor"][0]
    assert _snapshot() == before
    assert offer_accept(offer=offer, influencer=creator).fee_minor == FEE


def test_a_countered_offer_waits_for_the_brand(offer, creator):
    offer_counter(offer=offer, influencer=creator, fee_minor=20_000)
    with pytest.raises(ValidationError, match="waits for the brand"):
        offer_accept(offer=offer, influencer=creator)
    assert not Collaboration.objects.exists()


@pytest.mark.parametrize("fee", [0, -1, FEE])
def test_bad_counter_fees_are_refused(offer, creator, fee):
    before = _snapshot()
    with pytest.raises(ValidationError):
        offer_counter(offer=offer, influencer=creator, fee_minor=fee)
    assert _snapshot() == before


def test_no_counter_to_answer_is_refused(offer, owner):
    with pytest.raises(ValidationError, match="no counter-offer"):
        counter_accept(offer=offer, user=owner)
    with pytest.raises(PermissionDenied):
        counter_decline(offer=offer, user=MembershipFactory().user)


# --- Open calls ---------------------------------------------------------------------------------


def test_matching_influencers_see_an_open_call_and_others_do_not(open_call, creator):
    elsewhere = InfluencerProfileFactory(audience_industries=["Gardening"])
    assert [o.pk for o in influencer_inbox(profile=creator).open_calls] == [open_call.pk]
    assert influencer_inbox(profile=elsewhere).open_calls == []
    with pytest.raises(Offer.DoesNotExist):
        offer_get_for_influencer(profile=elsewhere, offer_id=open_call.pk)


def test_a_minimum_follower_count_keeps_small_accounts_out(brand, owner, post):
    call = open_call_create(
        brand=brand, user=owner, post=post, criteria={"min_followers": 10_000}, slots=1, **terms()
    )
    small = InfluencerProfileFactory(follower_counts={"x": {"count": 900}})
    with pytest.raises(ValidationError, match="criteria"):
        open_call_apply(offer=call, influencer=small)
    assert not Application.objects.exists()


@pytest.mark.parametrize("slots", [0, 101, "2"])
def test_bad_slot_counts_are_refused(brand, owner, post, slots):
    with pytest.raises(ValidationError) as exc:
        open_call_create(brand=brand, user=owner, post=post, criteria={}, slots=slots, **terms())
    assert "slots" in exc.value.message_dict
    assert not Offer.objects.exists()


def test_applying_twice_is_refused(open_call, creator):
    open_call_apply(offer=open_call, influencer=creator, message="Love it")
    with pytest.raises(ValidationError, match="already applied"):
        open_call_apply(offer=open_call, influencer=creator)
    assert Application.objects.count() == 1


def test_picking_fills_the_slots_then_refuses(open_call, owner):
    applicants = [InfluencerProfileFactory() for _ in range(3)]
    applications = [open_call_apply(offer=open_call, influencer=p) for p in applicants]
    first = open_call_pick(application=applications[0], user=owner)
    assert first.influencer == applicants[0] and first.application == applications[0]
    open_call.refresh_from_db()
    assert open_call.status == OfferStatus.SENT
    open_call_pick(application=applications[1], user=owner)
    open_call.refresh_from_db()
    assert open_call.status == OfferStatus.FILLED
    applications[2].refresh_from_db()
    assert applications[2].status == ApplicationStatus.NOT_PICKED
    before = _snapshot()
    with pytest.raises(ValidationError, match="Every slot"):
        open_call_pick(application=applications[2], user=owner)
    assert _snapshot() == before
    assert Notification.objects.filter(user=applicants[0].user, title__contains="picked you").exists()


def _waiting_on_a_lock(timeout: float = 10.0) -> bool:
    """Another session of this database waits for a row lock (polled, for the race test)."""
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
            )
            if cursor.fetchone()[0]:
                return True
            time.sleep(0.02)
    return False


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_picks_of_the_last_slot_at_once_one_wins_one_is_told(monkeypatch):
    """The first pick holds its transaction open until the second is seen waiting for the open
    call's row lock; without the lock both would find the slot free and both would win."""
    membership = MembershipFactory()
    call = open_call_create(
        brand=membership.brand,
        user=membership.user,
        post=PublishedPostFactory(brand=membership.brand),
        criteria={},
        slots=1,
        **terms(),
    )
    applications = [open_call_apply(offer=call, influencer=InfluencerProfileFactory()) for _ in range(2)]
    first_inside, release = threading.Event(), threading.Event()
    open_ledger = offers_services.ledger_collaboration_open

    def held_open(**kwargs):
        if not first_inside.is_set():
            first_inside.set()
            release.wait(timeout=15)
        return open_ledger(**kwargs)

    monkeypatch.setattr(offers_services, "ledger_collaboration_open", held_open)
    outcomes: dict = {}

    def pick(application):
        try:
            outcomes[application.pk] = open_call_pick(application=application, user=membership.user)
        except Exception as exc:  # any failure is kept for the assertion to show
            outcomes[application.pk] = exc
        finally:
            connection.close()

    first = threading.Thread(target=pick, args=(applications[0],))
    second = threading.Thread(target=pick, args=(applications[1],))
    first.start()
    assert first_inside.wait(timeout=15)
    second.start()
    second_waited = _waiting_on_a_lock()
    release.set()
    first.join(timeout=30)
    second.join(timeout=30)
    assert second_waited, "the second pick did not wait for the first"
    assert isinstance(outcomes[applications[0].pk], Collaboration)
    told = outcomes[applications[1].pk]
    assert isinstance(told, ValidationError), told
    assert "Every slot of this open call is taken" in told.messages[0]
    assert Collaboration.objects.filter(offer=call).count() == 1
    assert LedgerEntry.objects.count() == 2  # the one told wrote nothing


# --- Expiry -------------------------------------------------------------------------------------


def test_offers_past_their_deadline_expire(offer, open_call, brand, owner, post, creator):
    open_call_apply(offer=open_call, influencer=creator)
    accepted_offer = offer_send(
        brand=brand, user=owner, post=post, influencers=[InfluencerProfileFactory()], **terms()
    )[0]
    offer_accept(offer=accepted_offer, influencer=accepted_offer.influencer)
    future = offer_send(
        brand=brand, user=owner, post=post, influencers=[InfluencerProfileFactory()], **terms()
    )[0]
    for o in (offer, open_call, accepted_offer):
        _past(o)
    assert offers_expire() == 2
    assert offers_expire_task() == 0  # safe to run twice
    statuses = dict(Offer.objects.values_list("pk", "status"))
    assert statuses[offer.pk] == statuses[open_call.pk] == OfferStatus.EXPIRED
    assert statuses[accepted_offer.pk] == OfferStatus.ACCEPTED
    assert statuses[future.pk] == OfferStatus.SENT
    assert Application.objects.get().status == ApplicationStatus.NOT_PICKED


def test_the_expiry_job_is_scheduled():
    assert any(t["task"] == "collaborations.expire_offers" for t in PERIODIC_TASKS)


# --- Deadlines: the reminder and the missed repost -----------------------------------------------

REMINDER = offers_services.REMIND_TITLE


def _deadline(offer, when):
    Offer.objects.filter(pk=offer.pk).update(deadline=when)


def test_the_influencer_is_reminded_once_a_day_before_the_deadline(offer, creator):
    _deadline(offer, timezone.now() + timedelta(hours=23))
    assert offers_remind() == 1
    assert offers_remind() == 0  # once, however often the job runs
    assert deadlines_task() == {"reminded": 0, "open_calls_reminded": 0, "reposts_reminded": 0, "missed": 0}
    [notice] = Notification.objects.filter(user=creator.user, title=REMINDER)
    assert notice.url == reverse("collaborations:offer_detail", kwargs={"offer_id": offer.pk})


def test_no_reminder_further_out_or_once_answered_or_past(offer, brand, owner, post, creator):
    _deadline(offer, timezone.now() + timedelta(hours=25))
    countered = offer_send(
        brand=brand, user=owner, post=post, influencers=[InfluencerProfileFactory()], **terms()
    )[0]
    offer_counter(offer=countered, influencer=countered.influencer, fee_minor=20_000)
    accepted = offer_send(
        brand=brand, user=owner, post=post, influencers=[InfluencerProfileFactory()], **terms()
    )[0]
    offer_accept(offer=accepted, influencer=accepted.influencer)
    past = offer_send(
        brand=brand, user=owner, post=post, influencers=[InfluencerProfileFactory()], **terms()
    )[0]
    for o in (countered, accepted):
        _deadline(o, timezone.now() + timedelta(hours=2))
    _deadline(past, timezone.now() - timedelta(minutes=1))
    assert offers_remind() == 0
    assert not Notification.objects.filter(title=REMINDER).exists()


def test_the_reminder_compares_instants_whatever_the_zones(offer, brand, owner, post, creator):
    """Due checks hold when the deadline was written in one zone and the clock reads in another."""
    now = timezone.now().astimezone(ZoneInfo("America/Los_Angeles"))
    later = offer_send(
        brand=brand, user=owner, post=post, influencers=[InfluencerProfileFactory()], **terms()
    )[0]
    # 23 hours from now, written in Auckland's wall time (a day ahead of Los Angeles' calendar).
    _deadline(offer, (now + timedelta(hours=23)).astimezone(ZoneInfo("Pacific/Auckland")))
    _deadline(later, (now + timedelta(hours=25)).astimezone(ZoneInfo("Asia/Kolkata")))
    assert offers_remind(now=now) == 1
    assert Notification.objects.get(title=REMINDER).user == creator.user
    assert offers_remind(now=now + timedelta(hours=2)) == 1  # the second one, now within the day
    assert offers_remind(now=now + timedelta(hours=2)) == 0


def _overdue(collaboration, when=None):
    Collaboration.objects.filter(pk=collaboration.pk).update(
        repost_due_at=when or timezone.now() - timedelta(minutes=1)
    )


def test_an_overdue_repost_is_missed_with_the_fee_cancelled_and_both_told(
    collaboration, owner, creator, brand
):
    _overdue(collaboration)
    assert collaborations_miss_overdue() == 1
    assert collaborations_miss_overdue() == 0  # safe to run twice
    collaboration.refresh_from_db()
    assert collaboration.status == CollaborationStatus.MISSED and collaboration.missed_at
    assert collaboration.ledger_entries.filter(status=LedgerStatus.CANCELLED).count() == 2
    assert ledger_balances_for_influencer(profile=creator)[0].pending_minor == 0
    assert ledger_balances_for_brand(brand=brand)[0].pending_minor == 0
    url = reverse("collaborations:collaboration_detail", kwargs={"collaboration_id": collaboration.pk})
    assert Notification.objects.get(user=creator.user, title__contains="missed the repost").url == url
    assert Notification.objects.get(user=owner, title__contains="missed the repost").url == url


def test_only_accepted_collaborations_past_due_are_missed(collaboration, brand, owner, post):
    other = InfluencerProfileFactory()
    [other_offer] = offer_send(brand=brand, user=owner, post=post, influencers=[other], **terms())
    reposted = offer_accept(offer=other_offer, influencer=other)
    collaboration_advance(collaboration=reposted, to="reposted")
    _overdue(reposted)
    _overdue(collaboration, timezone.now() + timedelta(minutes=1))
    # not missed yet, but due within the day: its influencer is reminded
    assert deadlines_task() == {"reminded": 0, "open_calls_reminded": 0, "reposts_reminded": 1, "missed": 0}
    assert set(Collaboration.objects.values_list("status", flat=True)) == {"accepted", "reposted"}


def test_the_missed_check_compares_instants_whatever_the_zones(collaboration):
    now = timezone.now().astimezone(ZoneInfo("Asia/Tokyo"))
    _overdue(collaboration, (now + timedelta(minutes=30)).astimezone(ZoneInfo("America/New_York")))
    assert collaborations_miss_overdue(now=now) == 0
    assert collaborations_miss_overdue(now=now + timedelta(hours=1)) == 1


def test_the_deadline_job_is_scheduled():
    assert any(t["task"] == "collaborations.deadlines" for t in PERIODIC_TASKS)


# --- Links on the brand's notifications ----------------------------------------------------------


def _brand_offers_url(brand):
    return reverse("collaborations_brand:offers", kwargs={"brand_id": brand.pk})


def test_an_acceptance_links_the_brand_to_the_collaboration(offer, creator, owner):
    collaboration = offer_accept(offer=offer, influencer=creator)
    notice = Notification.objects.get(user=owner, title__contains="accepted your offer")
    assert (
        notice.body
        == f"{money.money_format(FEE, 'EUR')}; the repost is due by {collaboration.repost_due_at:%d %b %Y}."
    )
    assert notice.url == reverse(
        "collaborations:collaboration_detail", kwargs={"collaboration_id": collaboration.pk}
    )


def test_a_decline_a_counter_and_an_application_link_the_brand_to_its_offers(
    offer, open_call, creator, owner, brand
):
    offer_counter(offer=offer, influencer=creator, fee_minor=20_000)
    counter_decline(offer=offer, user=owner)
    offer_decline(offer=offer, influencer=creator, reason="Not my audience")
    open_call_apply(offer=open_call, influencer=creator)
    for words in ("another fee", "declined your offer", "applied to your open call"):
        assert Notification.objects.get(user=owner, title__contains=words).url == _brand_offers_url(brand)


def test_a_message_links_both_sides_to_the_collaboration(collaboration, owner, creator):
    collaboration_message_post(collaboration=collaboration, user=creator.user, body="Posting tomorrow")
    collaboration_message_post(collaboration=collaboration, user=owner, body="Great")
    url = reverse("collaborations:collaboration_detail", kwargs={"collaboration_id": collaboration.pk})
    assert {n.url for n in Notification.objects.filter(title="New message on a collaboration")} == {url}


# --- A collaboration's steps and payment --------------------------------------------------------


@pytest.fixture
def collaboration(offer, creator):
    return offer_accept(offer=offer, influencer=creator)


def test_every_step_in_order_stamps_its_time(collaboration, owner, creator):
    collaboration = _advance_to_completed(collaboration)
    for field in ("reposted_at", "verified_at", "measured_at", "completed_at"):
        assert getattr(collaboration, field) is not None
    collaboration = collaboration_mark_paid(collaboration=collaboration, user=owner)
    assert collaboration.status == CollaborationStatus.PAID and collaboration.paid_at
    assert Notification.objects.filter(user=creator.user, title__contains="marked your fee paid").exists()
    collaboration = collaboration_confirm_receipt(collaboration=collaboration, user=creator.user)
    assert collaboration.receipt_confirmed_at is not None


@pytest.mark.parametrize("to", ["verified", "measured", "completed", "accepted"])
def test_a_step_cannot_be_skipped(collaboration, to):
    before = _snapshot()
    with pytest.raises(ValidationError, match="cannot become"):
        collaboration_advance(collaboration=collaboration, to=to)
    assert _snapshot() == before


def test_a_missed_repost_cancels_the_pending_fee(collaboration, creator, brand):
    collaboration = collaboration_advance(collaboration=collaboration, to="missed")
    assert collaboration.status == CollaborationStatus.MISSED and collaboration.missed_at
    assert ledger_balances_for_influencer(profile=creator)[0].pending_minor == 0
    assert ledger_balances_for_brand(brand=brand)[0].pending_minor == 0
    assert collaboration.ledger_entries.filter(status=LedgerStatus.CANCELLED).count() == 2
    with pytest.raises(ValidationError):
        collaboration_advance(collaboration=collaboration, to="reposted")


def test_the_brand_cancels_and_the_influencer_cannot(collaboration, owner, creator):
    with pytest.raises(PermissionDenied):
        collaboration_cancel(collaboration=collaboration, user=creator.user)
    collaboration = collaboration_cancel(collaboration=collaboration, user=owner)
    assert collaboration.status == CollaborationStatus.CANCELLED and collaboration.cancelled_at


def test_paying_before_completion_is_refused(collaboration, owner):
    before = _snapshot()
    with pytest.raises(ValidationError, match="once it is completed"):
        collaboration_mark_paid(collaboration=collaboration, user=owner)
    assert _snapshot() == before


def test_only_the_brand_marks_paid_and_only_the_influencer_confirms(collaboration, owner, creator):
    collaboration = _advance_to_completed(collaboration)
    before = _snapshot()
    with pytest.raises(PermissionDenied):
        collaboration_mark_paid(collaboration=collaboration, user=creator.user)
    with pytest.raises(PermissionDenied):
        collaboration_mark_paid(collaboration=collaboration, user=MembershipFactory().user)
    assert _snapshot() == before
    collaboration_mark_paid(collaboration=collaboration, user=owner)
    before = _snapshot()
    with pytest.raises(PermissionDenied):
        collaboration_confirm_receipt(collaboration=collaboration, user=owner)
    assert _snapshot() == before


def test_paying_or_confirming_twice_is_refused(collaboration, owner, creator):
    collaboration = _advance_to_completed(collaboration)
    with pytest.raises(ValidationError, match="has not marked"):
        collaboration_confirm_receipt(collaboration=collaboration, user=creator.user)
    collaboration_mark_paid(collaboration=collaboration, user=owner)
    with pytest.raises(ValidationError, match="already marked paid"):
        collaboration_mark_paid(collaboration=collaboration, user=owner)
    collaboration_confirm_receipt(collaboration=collaboration, user=creator.user)
    with pytest.raises(ValidationError, match="already confirmed"):
        collaboration_confirm_receipt(collaboration=collaboration, user=creator.user)
    assert collaboration.ledger_entries.count() == 4


def test_the_thread_takes_both_sides_and_tells_the_other(collaboration, owner, creator):
    collaboration_message_post(collaboration=collaboration, user=creator.user, body="Posting tomorrow")
    collaboration_message_post(collaboration=collaboration, user=owner, body="Great, thanks")
    assert [m.body for m in collaboration_messages(collaboration=collaboration)] == [
        "Posting tomorrow",
        "Great, thanks",
    ]
    assert Notification.objects.filter(user=owner, title="New message on a collaboration").count() == 1
    assert Notification.objects.filter(user=creator.user, title="New message on a collaboration").count() == 1


def test_outsiders_and_empty_messages_are_refused(collaboration, creator):
    with pytest.raises(PermissionDenied):
        collaboration_message_post(collaboration=collaboration, user=MembershipFactory().user, body="Hi")
    with pytest.raises(ValidationError) as exc:
        collaboration_message_post(collaboration=collaboration, user=creator.user, body=" ")
    assert "body" in exc.value.message_dict
    assert not collaboration.messages.exists()


# --- The ledger ---------------------------------------------------------------------------------


def test_ledger_entries_cannot_be_changed_or_deleted(collaboration):
    entry = collaboration.ledger_entries.first()
    entry.amount_minor = 1
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        LedgerEntry.objects.filter(pk=entry.pk).update(amount_minor=1)
    with pytest.raises(AppendOnlyError):
        LedgerEntry.objects.filter(pk=entry.pk).delete()
    entry.refresh_from_db()
    assert abs(entry.amount_minor) == FEE


def test_balances_follow_payment_on_each_side(collaboration, owner, creator, brand):
    [mine] = ledger_balances_for_influencer(profile=creator)
    assert (mine.currency, mine.pending_minor, mine.paid_minor) == ("EUR", FEE, 0)
    collaboration = _advance_to_completed(collaboration)
    collaboration_mark_paid(collaboration=collaboration, user=owner)
    [theirs] = ledger_balances_for_brand(brand=brand)
    assert (theirs.pending_minor, theirs.paid_minor) == (0, -FEE)
    [mine] = ledger_balances_for_influencer(profile=creator)
    assert (mine.pending_minor, mine.paid_minor) == (FEE, 0)  # not received until confirmed
    collaboration_confirm_receipt(collaboration=collaboration, user=creator.user)
    [mine] = ledger_balances_for_influencer(profile=creator)
    assert (mine.pending_minor, mine.paid_minor) == (0, FEE)


def test_balances_are_kept_per_currency(collaboration, brand, owner, post, creator):
    yen = offer_send(
        brand=brand,
        user=owner,
        post=PublishedPostFactory(brand=brand),
        influencers=[creator],
        **terms(fee_minor=5000, currency="jpy"),
    )[0]
    offer_accept(offer=yen, influencer=creator)
    balances = {b.currency: b.pending_minor for b in ledger_balances_for_influencer(profile=creator)}
    assert balances == {"EUR": FEE, "JPY": 5000}


def test_the_statement_lists_every_entry_in_major_units(collaboration, owner, creator):
    collaboration = _advance_to_completed(collaboration)
    collaboration_mark_paid(collaboration=collaboration, user=owner)
    collaboration_confirm_receipt(collaboration=collaboration, user=creator.user)
    lines = ledger_statement_csv(entries=ledger_entries_for_influencer(profile=creator)).splitlines()
    assert lines[0].startswith("entry,date,collaboration,brand,influencer,party,status,amount,currency")
    assert len(lines) == 3
    assert ",influencer,pending,125.00,EUR," in lines[1]
    assert ",influencer,paid,125.00,EUR," in lines[2]


# --- Who sees what ------------------------------------------------------------------------------


def test_a_collaboration_is_seen_by_its_brand_and_influencer_only(collaboration, owner, creator):
    assert collaboration_get_for_user(user=owner, collaboration_id=collaboration.pk) == collaboration
    assert collaboration_get_for_user(user=creator.user, collaboration_id=collaboration.pk) == collaboration
    for outsider in (MembershipFactory().user, InfluencerProfileFactory().user):
        with pytest.raises(Collaboration.DoesNotExist):
            collaboration_get_for_user(user=outsider, collaboration_id=collaboration.pk)


def test_another_brands_offers_are_not_reachable(offer, brand, owner):
    outsider = MembershipFactory().user
    assert list(offer_list_for_brand(user=owner, brand=brand)) == [offer]
    assert list(offer_list_for_brand(user=outsider, brand=brand)) == []
    with pytest.raises(Offer.DoesNotExist):
        offer_get_for_brand_user(user=outsider, offer_id=offer.pk)
    with pytest.raises(Offer.DoesNotExist):
        offer_get_for_influencer(profile=InfluencerProfileFactory(), offer_id=offer.pk)


def test_the_inbox_holds_waiting_offers_in_a_fixed_number_of_queries(
    brand, owner, post, creator, open_call, django_assert_max_num_queries
):
    for _ in range(3):
        offer_send(
            brand=brand, user=owner, post=PublishedPostFactory(brand=brand), influencers=[creator], **terms()
        )
    withdrawn = offer_send(
        brand=brand, user=owner, post=PublishedPostFactory(brand=brand), influencers=[creator], **terms()
    )[0]
    offer_withdraw(offer=withdrawn, user=owner)
    with django_assert_max_num_queries(2):
        inbox = influencer_inbox(profile=creator)
        assert len(inbox.direct) == 3
        assert [o.applied for o in inbox.open_calls] == [False]
        assert all(o.brand.name and o.post.pk for o in inbox.direct + inbox.open_calls)


def test_staff_reverse_an_entry_once_and_never_a_reversal(collaboration, owner):
    staff = StaffFactory()
    pending = collaboration.ledger_entries.get(party="influencer")
    with pytest.raises(PermissionDenied):
        ledger_entry_reverse(entry=pending, user=owner)
    reversal = ledger_entry_reverse(entry=pending, user=staff)
    assert (reversal.status, reversal.amount_minor, reversal.reverses) == (
        LedgerStatus.CANCELLED,
        FEE,
        pending,
    )
    with pytest.raises(ValidationError, match="already settled"):
        ledger_entry_reverse(entry=pending, user=staff)
    with pytest.raises(ValidationError, match="itself a reversal"):
        ledger_entry_reverse(entry=reversal, user=staff)
    assert collaboration.ledger_entries.count() == 3


def test_a_paid_entry_is_refunded(collaboration, owner, creator):
    collaboration = _advance_to_completed(collaboration)
    collaboration_mark_paid(collaboration=collaboration, user=owner)
    collaboration_confirm_receipt(collaboration=collaboration, user=creator.user)
    paid = collaboration.ledger_entries.get(party="influencer", status=LedgerStatus.PAID)
    assert ledger_entry_reverse(entry=paid, user=StaffFactory()).status == LedgerStatus.REFUNDED
    [mine] = ledger_balances_for_influencer(profile=creator)
    assert (mine.pending_minor, mine.paid_minor) == (0, 0)


# --- Admin --------------------------------------------------------------------------------------


def test_the_admin_shows_offers_collaborations_and_a_read_only_ledger(client, collaboration):
    client.force_login(StaffFactory())
    entry = collaboration.ledger_entries.first()
    for name, obj in (
        ("offer", collaboration.offer),
        ("collaboration", collaboration),
        ("ledgerentry", entry),
    ):
        assert client.get(reverse(f"admin:collaborations_{name}_changelist")).status_code == 200
        assert client.get(reverse(f"admin:collaborations_{name}_change", args=[obj.pk])).status_code == 200
    assert client.get(reverse("admin:collaborations_ledgerentry_add")).status_code == 403
    before = entry.amount_minor
    client.post(reverse("admin:collaborations_ledgerentry_change", args=[entry.pk]), {"amount_minor": 1})
    entry.refresh_from_db()
    assert entry.amount_minor == before


def test_the_admin_reverses_selected_entries(client, collaboration):
    client.force_login(StaffFactory())
    ids = list(collaboration.ledger_entries.values_list("pk", flat=True))
    response = client.post(
        reverse("admin:collaborations_ledgerentry_changelist"),
        {"action": "reverse_entries", "_selected_action": ids},
    )
    assert response.status_code == 302
    assert collaboration.ledger_entries.filter(status=LedgerStatus.CANCELLED).count() == 2
