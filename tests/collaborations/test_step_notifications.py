"""Notifications at the marketplace's steps that the services' own tests do not cover: a withdrawn
offer tells whoever waited on it, a started collaboration links to its page, paying links to it,
and a confirmed receipt tells the brand."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.collaborations.models import ApplicationStatus
from apps.collaborations.services import (
    collaboration_advance,
    collaboration_confirm_receipt,
    collaboration_mark_paid,
    counter_accept,
    offer_counter,
    offer_send,
    offer_withdraw,
    open_call_apply,
    open_call_create,
    open_call_pick,
)
from apps.notifications.models import Notification
from tests.factories import InfluencerProfileFactory, MembershipFactory, PublishedPostFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def membership():
    return MembershipFactory()


@pytest.fixture
def creator():
    return InfluencerProfileFactory(slug="ivy")


def terms(membership):
    return {
        "brand": membership.brand,
        "user": membership.user,
        "post": PublishedPostFactory(brand=membership.brand),
        "fee_minor": 10_000,
        "currency": "EUR",
        "deadline": timezone.now() + timedelta(days=2),
        "platform": "x",
    }


def test_withdrawing_a_direct_offer_tells_the_influencer(membership, creator):
    [offer] = offer_send(influencers=[creator], **terms(membership))
    offer_withdraw(offer=offer, user=membership.user)
    note = Notification.objects.get(user=creator.user, title=f"{membership.brand.name} withdrew its offer")
    assert note.body == "The offer of 100.00 EUR is no longer open." and note.url == "/influencer/offers/"


def test_withdrawing_an_open_call_tells_its_applicants_only(membership, creator):
    bystander = InfluencerProfileFactory()
    call = open_call_create(criteria={}, slots=2, **terms(membership))
    application = open_call_apply(offer=call, influencer=creator)
    offer_withdraw(offer=call, user=membership.user)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.NOT_PICKED
    assert Notification.objects.filter(user=creator.user, title__endswith="withdrew its offer").count() == 1
    assert not Notification.objects.filter(user=bystander.user).exists()


def test_a_started_collaboration_links_to_its_page(membership, creator):
    [offer] = offer_send(influencers=[creator], **terms(membership))
    offer_counter(offer=offer, influencer=creator, fee_minor=12_000)
    collaboration = counter_accept(offer=offer, user=membership.user)
    note = Notification.objects.get(user=creator.user, title__endswith="accepted your fee")
    assert note.url == f"/influencer/collaborations/{collaboration.pk}/"
    call = open_call_create(criteria={}, slots=1, **terms(membership))
    picked = open_call_pick(application=open_call_apply(offer=call, influencer=creator), user=membership.user)
    note = Notification.objects.get(user=creator.user, title__endswith="picked you for its open call")
    assert note.url == f"/influencer/collaborations/{picked.pk}/"


def test_paying_links_the_influencer_to_the_collaboration_and_receipt_tells_the_brand(membership, creator):
    [offer] = offer_send(influencers=[creator], **terms(membership))
    from apps.collaborations.services import offer_accept

    collaboration = offer_accept(offer=offer, influencer=creator)
    for step in ("reposted", "verified", "measured", "completed"):
        collaboration = collaboration_advance(collaboration=collaboration, to=step)
    collaboration_mark_paid(collaboration=collaboration, user=membership.user)
    url = f"/influencer/collaborations/{collaboration.pk}/"
    assert Notification.objects.get(user=creator.user, title__endswith="marked your fee paid").url == url
    collaboration_confirm_receipt(collaboration=collaboration, user=creator.user)
    note = Notification.objects.get(user=membership.user, title="@ivy confirmed receiving the fee")
    assert (note.body, note.url) == ("100.00 EUR", url)
