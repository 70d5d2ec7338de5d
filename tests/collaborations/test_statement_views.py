"""The ledger statement downloads: the influencer's own entries, a brand's for its members (another
brand's is a 404), each role's for its own portal only."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from apps.collaborations.services import offer_accept, offer_send
from tests.factories import InfluencerProfileFactory, MembershipFactory, PublishedPostFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def membership():
    return MembershipFactory()


@pytest.fixture
def creator():
    return InfluencerProfileFactory(slug="ivy")


@pytest.fixture
def collaboration(membership, creator):
    [offer] = offer_send(
        brand=membership.brand,
        user=membership.user,
        post=PublishedPostFactory(brand=membership.brand),
        influencers=[creator],
        fee_minor=10_050,
        currency="EUR",
        deadline=timezone.now() + timedelta(days=2),
        platform="x",
    )
    return offer_accept(offer=offer, influencer=creator)


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_influencer_downloads_their_statement(creator, collaboration):
    response = signed_in(creator.user).get("/influencer/ledger/statement.csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"] == 'attachment; filename="statement-ivy.csv"'
    lines = response.content.decode().splitlines()
    assert lines[0].startswith("entry,date,collaboration,brand,influencer,party,status,amount")
    assert len(lines) == 2 and ",@ivy,influencer,pending,100.50,EUR," in lines[1]


def test_a_brand_member_downloads_the_brands_statement(membership, collaboration):
    response = signed_in(membership.user).get(f"/brand/{membership.brand.pk}/ledger/statement.csv")
    assert response.status_code == 200
    lines = response.content.decode().splitlines()
    assert len(lines) == 2 and ",brand,pending,-100.50,EUR," in lines[1]


def test_another_brands_statement_is_a_404(membership, collaboration):
    stranger = MembershipFactory().user
    assert signed_in(stranger).get(f"/brand/{membership.brand.pk}/ledger/statement.csv").status_code == 404


def test_each_statement_is_for_its_own_role(membership, creator, collaboration):
    assert signed_in(membership.user).get("/influencer/ledger/statement.csv").status_code == 403
    assert (
        signed_in(creator.user).get(f"/brand/{membership.brand.pk}/ledger/statement.csv").status_code == 403
    )
    assert Client().get("/influencer/ledger/statement.csv").status_code == 302  # to sign in
