"""The marketplace API: search, offers and open calls, the influencer's answers, collaborations, the
ledger and reputation. Every refused input is a 4xx with a message that changes nothing; another
brand's or influencer's object is a 404; each side's endpoints are closed to the other role."""

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from apps.collaborations.models import (
    Application,
    Collaboration,
    CollaborationStatus,
    LedgerEntry,
    Offer,
    OfferStatus,
    ReputationEvent,
)
from apps.collaborations.services import collaboration_advance
from apps.notifications.models import Notification
from tests.factories import (
    InfluencerProfileFactory,
    MembershipFactory,
    PostFactory,
    PublishedPostFactory,
)

pytestmark = pytest.mark.django_db

FEE = 12_500


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def post_json(client, url, body=None):
    return client.post(url, json.dumps(body or {}), content_type="application/json")


@pytest.fixture
def membership():
    return MembershipFactory()


@pytest.fixture
def brand(membership):
    return membership.brand


@pytest.fixture
def brand_client(membership):
    return _client(membership.user)


@pytest.fixture
def other_membership():
    return MembershipFactory()


@pytest.fixture
def other_brand_client(other_membership):
    return _client(other_membership.user)


@pytest.fixture
def post(brand):
    return PublishedPostFactory(brand=brand)


@pytest.fixture
def creator():
    return InfluencerProfileFactory(slug="ivy")


@pytest.fixture
def creator_client(creator):
    return _client(creator.user)


@pytest.fixture
def rival():
    return InfluencerProfileFactory(slug="rival")


@pytest.fixture
def rival_client(rival):
    return _client(rival.user)


def terms(post, **overrides):
    return {
        "post_id": post.pk,
        "fee_minor": FEE,
        "currency": "EUR",
        "deadline": (timezone.now() + timedelta(days=2)).isoformat(),
        "platform": "x",
        "message": "Would you share our launch?",
        **overrides,
    }


@pytest.fixture
def offer(brand, brand_client, post, creator):
    response = post_json(
        brand_client, f"/api/v1/brands/{brand.pk}/offers", {**terms(post), "influencer_ids": [creator.pk]}
    )
    assert response.status_code == 201, response.content
    return Offer.objects.get(pk=response.json()[0]["id"])


@pytest.fixture
def open_call(brand, brand_client, post):
    response = post_json(
        brand_client,
        f"/api/v1/brands/{brand.pk}/open-calls",
        {**terms(post), "criteria": {"industries": ["fintech"]}, "slots": 1},
    )
    assert response.status_code == 201, response.content
    return Offer.objects.get(pk=response.json()["id"])


@pytest.fixture
def collaboration(offer, creator_client):
    response = post_json(creator_client, f"/api/v1/influencer/offers/{offer.pk}/accept")
    assert response.status_code == 201, response.content
    return Collaboration.objects.get(pk=response.json()["id"])


def _snapshot():
    """Everything a refused call must leave as it was."""
    return (
        list(Offer.objects.order_by("pk").values()),
        list(Application.objects.order_by("pk").values()),
        list(Collaboration.objects.order_by("pk").values()),
        LedgerEntry.objects.count(),
        Notification.objects.count(),
    )


def _completed(collaboration):
    for step in ("reposted", "verified", "measured", "completed"):
        collaboration = collaboration_advance(collaboration=collaboration, to=step)
    return collaboration


# --- Who may call what --------------------------------------------------------------------------


def test_anonymous_callers_are_told_to_authenticate(brand, offer):
    response = Client().get(f"/api/v1/brands/{brand.pk}/offers")
    assert response.status_code == 401 and "Authentication required" in response.json()["detail"]


@pytest.mark.parametrize(
    "method,path",
    [
        ("get", "/api/v1/brands/{brand}/influencers"),
        ("get", "/api/v1/brands/{brand}/offers"),
        ("post", "/api/v1/brands/{brand}/offers"),
        ("post", "/api/v1/brands/{brand}/open-calls"),
        ("post", "/api/v1/brands/{brand}/offers/{offer}/withdraw"),
        ("post", "/api/v1/brands/{brand}/offers/{offer}/counter/accept"),
        ("get", "/api/v1/brands/{brand}/ledger"),
        ("get", "/api/v1/brands/{brand}/ledger/statement.csv"),
    ],
)
def test_an_influencer_cannot_call_brand_endpoints(creator_client, brand, post, offer, method, path):
    url = path.format(brand=brand.pk, offer=offer.pk)
    before = _snapshot()
    if method == "get":
        response = creator_client.get(url)
    else:
        response = post_json(creator_client, url, {**terms(post), "influencer_ids": []})
    assert response.status_code == 403
    assert response.json()["detail"] == "This endpoint is for brand accounts."
    assert _snapshot() == before


@pytest.mark.parametrize(
    "method,path",
    [
        ("get", "/api/v1/influencer/offers"),
        ("get", "/api/v1/influencer/offers/{offer}"),
        ("post", "/api/v1/influencer/offers/{offer}/accept"),
        ("post", "/api/v1/influencer/offers/{offer}/decline"),
        ("post", "/api/v1/influencer/offers/{offer}/counter"),
        ("post", "/api/v1/influencer/offers/{offer}/apply"),
        ("get", "/api/v1/influencer/ledger"),
        ("get", "/api/v1/influencer/ledger/statement.csv"),
    ],
)
def test_a_brand_user_cannot_call_influencer_endpoints(brand_client, offer, method, path):
    url = path.format(offer=offer.pk)
    before = _snapshot()
    if method == "get":
        response = brand_client.get(url)
    else:
        response = post_json(brand_client, url, {"reason": "no", "fee_minor": 100})
    assert response.status_code == 403
    assert response.json()["detail"] == "This endpoint is for influencer accounts."
    assert _snapshot() == before


# --- Search -------------------------------------------------------------------------------------


def test_search_filters_public_profiles_and_pages_them(brand, brand_client, creator):
    InfluencerProfileFactory(slug="quiet", audience_industries=["Gardening"])
    InfluencerProfileFactory(slug="hidden", is_public=False)
    response = brand_client.get(f"/api/v1/brands/{brand.pk}/influencers?industries=fintech&limit=10")
    assert response.status_code == 200
    body = response.json()
    assert [p["slug"] for p in body["items"]] == ["ivy"] and body["count"] == 1
    card = body["items"][0]
    assert card["reach"] == 5000 and card["shortlisted"] is False and card["reputation_score"] is None
    assert card["profile_url"] == "/influencer/@ivy/"
    everyone = brand_client.get(f"/api/v1/brands/{brand.pk}/influencers").json()
    assert {p["slug"] for p in everyone["items"]} == {"ivy", "quiet"}


def test_a_bad_search_filter_is_a_422_naming_the_field(brand, brand_client):
    response = brand_client.get(f"/api/v1/brands/{brand.pk}/influencers?min_followers=-5")
    assert response.status_code == 422
    assert "min_followers" in response.json()["errors"]


def test_another_brands_search_is_a_404(brand, other_brand_client):
    assert other_brand_client.get(f"/api/v1/brands/{brand.pk}/influencers").status_code == 404


# --- Offers and open calls ----------------------------------------------------------------------


def test_a_direct_offer_is_sent_and_the_influencer_notified(offer, creator):
    assert offer.status == OfferStatus.SENT and offer.fee_minor == FEE and offer.influencer == creator
    assert Notification.objects.filter(user=creator.user, title__startswith="New offer").exists()


@pytest.mark.parametrize(
    "change,message",
    [
        ({"fee_minor": 0}, "The fee must be more than zero."),
        ({"fee_minor": -100}, "The fee must be more than zero."),
        ({"fee_minor": 125.5}, "fee_minor: Input should be a valid integer"),
        ({"fee_minor": "12500"}, "fee_minor: Input should be a valid integer"),
        ({"currency": "EUX"}, "is not an ISO 4217 currency code"),
        ({"deadline": "2020-01-01T10:00:00+00:00"}, "The deadline has passed"),
        ({"deadline": "2099-01-01T10:00:00"}, "with its time zone"),
        ({"platform": "myspace"}, "Choose X, LinkedIn or Sandbox."),
    ],
)
def test_bad_offer_terms_are_a_422_and_change_nothing(brand, brand_client, post, creator, change, message):
    before = _snapshot()
    response = post_json(
        brand_client,
        f"/api/v1/brands/{brand.pk}/offers",
        {**terms(post, **change), "influencer_ids": [creator.pk]},
    )
    assert response.status_code == 422
    assert message in response.json()["detail"]
    assert _snapshot() == before


def test_an_offer_on_an_unpublished_post_is_refused(brand, brand_client, creator):
    draft = PostFactory(brand=brand)
    before = _snapshot()
    response = post_json(
        brand_client, f"/api/v1/brands/{brand.pk}/offers", {**terms(draft), "influencer_ids": [creator.pk]}
    )
    assert response.status_code == 422
    assert response.json()["detail"] == "Only a published post can be offered for reposting."
    assert _snapshot() == before


def test_an_offer_on_another_brands_post_is_refused(brand, brand_client, creator, other_membership):
    theirs = PublishedPostFactory(brand=other_membership.brand)
    before = _snapshot()
    response = post_json(
        brand_client, f"/api/v1/brands/{brand.pk}/offers", {**terms(theirs), "influencer_ids": [creator.pk]}
    )
    assert response.status_code == 422
    assert response.json()["detail"] == "That post is not one of this brand's."
    assert _snapshot() == before


def test_an_offer_to_an_unknown_influencer_is_refused(brand, brand_client, post):
    before = _snapshot()
    response = post_json(
        brand_client, f"/api/v1/brands/{brand.pk}/offers", {**terms(post), "influencer_ids": [987654]}
    )
    assert response.status_code == 422 and "No influencer with id 987654" in response.json()["detail"]
    assert _snapshot() == before


def test_sending_for_another_brand_is_a_404(brand, other_brand_client, post, creator):
    before = _snapshot()
    response = post_json(
        other_brand_client,
        f"/api/v1/brands/{brand.pk}/offers",
        {**terms(post), "influencer_ids": [creator.pk]},
    )
    assert response.status_code == 404
    assert _snapshot() == before


def test_the_brand_lists_and_reads_its_offers(brand, brand_client, offer, open_call):
    listed = brand_client.get(f"/api/v1/brands/{brand.pk}/offers").json()
    assert {o["id"] for o in listed["items"]} == {offer.pk, open_call.pk}
    calls = brand_client.get(f"/api/v1/brands/{brand.pk}/offers?kind=open_call").json()
    assert [o["id"] for o in calls["items"]] == [open_call.pk]
    detail = brand_client.get(f"/api/v1/brands/{brand.pk}/offers/{offer.pk}").json()
    assert detail["influencer_slug"] == "ivy" and detail["brand_name"] == brand.name
    assert detail["fee_minor"] == FEE and detail["currency"] == "EUR"


def test_another_brands_offer_is_a_404_everywhere(offer, other_membership, other_brand_client):
    theirs = other_membership.brand.pk
    before = _snapshot()
    assert other_brand_client.get(f"/api/v1/brands/{theirs}/offers/{offer.pk}").status_code == 404
    for action in ("withdraw", "counter/accept", "counter/decline"):
        response = post_json(other_brand_client, f"/api/v1/brands/{theirs}/offers/{offer.pk}/{action}")
        assert response.status_code == 404
    assert _snapshot() == before


def test_an_open_call_needs_a_slot(brand, brand_client, post):
    before = _snapshot()
    response = post_json(
        brand_client, f"/api/v1/brands/{brand.pk}/open-calls", {**terms(post), "criteria": {}, "slots": 0}
    )
    assert response.status_code == 422 and response.json()["detail"] == "Open between 1 and 100 slots."
    assert _snapshot() == before


def test_unknown_open_call_criteria_are_refused(brand, brand_client, post):
    response = post_json(
        brand_client, f"/api/v1/brands/{brand.pk}/open-calls", {**terms(post), "criteria": {"pets": ["cats"]}}
    )
    assert response.status_code == 422 and "Unknown criteria: pets." in response.json()["detail"]


def test_a_withdrawn_offer_cannot_be_accepted_or_withdrawn_again(brand, brand_client, offer, creator_client):
    response = post_json(brand_client, f"/api/v1/brands/{brand.pk}/offers/{offer.pk}/withdraw")
    assert response.status_code == 200 and response.json()["status"] == "withdrawn"
    before = _snapshot()
    accepted = post_json(creator_client, f"/api/v1/influencer/offers/{offer.pk}/accept")
    assert accepted.status_code == 422 and accepted.json()["detail"] == "The brand withdrew this offer."
    again = post_json(brand_client, f"/api/v1/brands/{brand.pk}/offers/{offer.pk}/withdraw")
    assert again.status_code == 422 and "nothing to withdraw" in again.json()["detail"]
    assert _snapshot() == before


# --- The influencer's answers -------------------------------------------------------------------


def test_the_inbox_lists_direct_offers_and_matching_open_calls(creator_client, offer, open_call):
    inbox = creator_client.get("/api/v1/influencer/offers").json()
    assert [o["id"] for o in inbox["direct"]] == [offer.pk]
    assert [(o["id"], o["applied"]) for o in inbox["open_calls"]] == [(open_call.pk, False)]
    detail = creator_client.get(f"/api/v1/influencer/offers/{open_call.pk}").json()
    assert detail["kind"] == "open_call" and detail["applied"] is False


def test_another_influencers_offer_is_a_404(rival_client, offer):
    before = _snapshot()
    assert rival_client.get(f"/api/v1/influencer/offers/{offer.pk}").status_code == 404
    for action, body in (("accept", {}), ("decline", {"reason": "no"}), ("counter", {"fee_minor": 1})):
        assert (
            post_json(rival_client, f"/api/v1/influencer/offers/{offer.pk}/{action}", body).status_code == 404
        )
    assert _snapshot() == before


def test_accepting_starts_the_collaboration_once(collaboration, creator_client, offer, brand):
    assert collaboration.status == CollaborationStatus.ACCEPTED and collaboration.fee_minor == FEE
    assert LedgerEntry.objects.filter(collaboration=collaboration).count() == 2
    before = _snapshot()
    again = post_json(creator_client, f"/api/v1/influencer/offers/{offer.pk}/accept")
    assert again.status_code == 422 and again.json()["detail"] == "This offer is already accepted."
    assert _snapshot() == before


def test_accepting_after_the_deadline_is_refused(offer, creator_client):
    Offer.objects.filter(pk=offer.pk).update(deadline=timezone.now() - timedelta(minutes=1))
    before = _snapshot()
    response = post_json(creator_client, f"/api/v1/influencer/offers/{offer.pk}/accept")
    # The inbox no longer lists it, but the offer itself answers why it cannot be accepted.
    assert response.status_code == 422 and response.json()["detail"] == "This offer's deadline has passed."
    assert _snapshot() == before


def test_declining_needs_a_reason(offer, creator_client, membership):
    before = _snapshot()
    empty = post_json(creator_client, f"/api/v1/influencer/offers/{offer.pk}/decline", {"reason": "  "})
    assert empty.status_code == 422 and "why" in empty.json()["errors"]["reason"][0]
    assert _snapshot() == before
    declined = post_json(
        creator_client, f"/api/v1/influencer/offers/{offer.pk}/decline", {"reason": "Not my audience."}
    )
    assert declined.status_code == 200 and declined.json()["status"] == "declined"
    assert Notification.objects.filter(user=membership.user, body="Not my audience.").exists()


def test_a_counter_offer_is_one_round_and_the_brand_can_take_it(offer, creator_client, brand, brand_client):
    bad = post_json(creator_client, f"/api/v1/influencer/offers/{offer.pk}/counter", {"fee_minor": 0})
    assert bad.status_code == 422 and bad.json()["detail"] == "The fee must be more than zero."
    countered = post_json(
        creator_client, f"/api/v1/influencer/offers/{offer.pk}/counter", {"fee_minor": 15_050}
    )
    assert countered.status_code == 200
    assert (countered.json()["status"], countered.json()["counter_fee_minor"]) == ("countered", 15_050)
    second = post_json(creator_client, f"/api/v1/influencer/offers/{offer.pk}/counter", {"fee_minor": 16_000})
    assert second.status_code == 422 and "one round per offer" in second.json()["detail"]
    taken = post_json(brand_client, f"/api/v1/brands/{brand.pk}/offers/{offer.pk}/counter/accept")
    assert taken.status_code == 201 and taken.json()["fee_minor"] == 15_050


def test_the_brand_can_keep_its_fee(offer, creator_client, brand, brand_client):
    post_json(creator_client, f"/api/v1/influencer/offers/{offer.pk}/counter", {"fee_minor": 15_050})
    kept = post_json(brand_client, f"/api/v1/brands/{brand.pk}/offers/{offer.pk}/counter/decline")
    assert kept.status_code == 200 and kept.json()["status"] == "sent"
    none_left = post_json(brand_client, f"/api/v1/brands/{brand.pk}/offers/{offer.pk}/counter/accept")
    assert none_left.status_code == 422
    assert none_left.json()["detail"] == "There is no counter-offer waiting for an answer."


def test_an_open_call_is_applied_to_not_accepted(open_call, creator_client):
    response = post_json(creator_client, f"/api/v1/influencer/offers/{open_call.pk}/accept")
    assert response.status_code == 422 and "apply to it instead" in response.json()["detail"]


def test_apply_then_the_brand_picks(open_call, creator_client, rival_client, brand, brand_client):
    applied = post_json(creator_client, f"/api/v1/influencer/offers/{open_call.pk}/apply", {"message": "Hi"})
    assert applied.status_code == 201 and applied.json()["status"] == "applied"
    twice = post_json(creator_client, f"/api/v1/influencer/offers/{open_call.pk}/apply")
    assert (
        twice.status_code == 422 and twice.json()["detail"] == "You have already applied to this open call."
    )
    # The rival's audience (fintech too) matches; they apply as well.
    assert post_json(rival_client, f"/api/v1/influencer/offers/{open_call.pk}/apply").status_code == 201
    applicants = brand_client.get(f"/api/v1/brands/{brand.pk}/offers/{open_call.pk}/applications").json()
    assert [a["influencer_slug"] for a in applicants] == ["ivy", "rival"]
    first = applicants[0]["id"]
    picked = post_json(brand_client, f"/api/v1/brands/{brand.pk}/applications/{first}/pick")
    assert picked.status_code == 201 and picked.json()["influencer_slug"] == "ivy"
    full = post_json(brand_client, f"/api/v1/brands/{brand.pk}/applications/{applicants[1]['id']}/pick")
    assert full.status_code == 422 and "slot" in full.json()["detail"]


def test_another_brands_application_is_a_404(open_call, creator_client, other_membership, other_brand_client):
    application = post_json(creator_client, f"/api/v1/influencer/offers/{open_call.pk}/apply").json()
    theirs = other_membership.brand.pk
    before = _snapshot()
    response = post_json(other_brand_client, f"/api/v1/brands/{theirs}/applications/{application['id']}/pick")
    assert response.status_code == 404
    assert (
        other_brand_client.get(f"/api/v1/brands/{theirs}/offers/{open_call.pk}/applications").status_code
        == 404
    )
    assert _snapshot() == before


# --- Collaborations -----------------------------------------------------------------------------


def test_both_sides_see_the_collaboration(collaboration, creator_client, brand_client):
    for client in (creator_client, brand_client):
        listed = client.get("/api/v1/collaborations").json()
        assert [c["id"] for c in listed["items"]] == [collaboration.pk]
        detail = client.get(f"/api/v1/collaborations/{collaboration.pk}").json()
        assert detail["status"] == "accepted" and detail["result"] is None
        assert detail["page_url"] == f"/influencer/collaborations/{collaboration.pk}/"


def test_someone_elses_collaboration_is_a_404(collaboration, rival_client, other_brand_client):
    for client in (rival_client, other_brand_client):
        assert client.get(f"/api/v1/collaborations/{collaboration.pk}").status_code == 404
        assert client.get(f"/api/v1/collaborations/{collaboration.pk}/messages").status_code == 404
        response = post_json(client, f"/api/v1/collaborations/{collaboration.pk}/messages", {"body": "hi"})
        assert response.status_code == 404
        assert client.get("/api/v1/collaborations").json()["count"] == 0
    assert collaboration.messages.count() == 0


def test_a_message_reaches_the_thread_and_notifies_the_other_side(
    collaboration, creator_client, brand_client, membership
):
    response = post_json(
        creator_client, f"/api/v1/collaborations/{collaboration.pk}/messages", {"body": "Posting at 9"}
    )
    assert response.status_code == 201 and response.json()["mine"] is True
    note = Notification.objects.get(user=membership.user, title="New message on a collaboration")
    assert note.url == f"/influencer/collaborations/{collaboration.pk}/" and note.body == "Posting at 9"
    thread = brand_client.get(f"/api/v1/collaborations/{collaboration.pk}/messages").json()
    assert [(m["body"], m["mine"]) for m in thread] == [("Posting at 9", False)]


@pytest.mark.parametrize(
    "body,message", [("   ", "Write a message first."), ("x" * 4001, "4,000 characters")]
)
def test_a_bad_message_is_refused(collaboration, creator_client, body, message):
    before = Notification.objects.count()
    response = post_json(
        creator_client, f"/api/v1/collaborations/{collaboration.pk}/messages", {"body": body}
    )
    assert response.status_code == 422 and message in response.json()["detail"]
    assert collaboration.messages.count() == 0 and Notification.objects.count() == before


# --- Payment and the ledger ---------------------------------------------------------------------


def test_only_the_brand_marks_paid_and_only_once_completed(collaboration, creator_client, brand_client):
    url = f"/api/v1/collaborations/{collaboration.pk}"
    before = _snapshot()
    wrong_side = post_json(creator_client, f"{url}/mark-paid")
    assert (
        wrong_side.status_code == 403
        and wrong_side.json()["detail"] == "Only the brand marks a collaboration paid."
    )
    too_early = post_json(brand_client, f"{url}/mark-paid")
    assert (
        too_early.status_code == 422
        and too_early.json()["detail"] == "A collaboration is paid once it is completed."
    )
    assert _snapshot() == before
    _completed(collaboration)
    paid = post_json(brand_client, f"{url}/mark-paid")
    assert paid.status_code == 200 and paid.json()["status"] == "paid"
    twice = post_json(brand_client, f"{url}/mark-paid")
    assert twice.status_code == 422 and twice.json()["detail"] == "This collaboration is already marked paid."


def test_only_the_influencer_confirms_receipt(collaboration, creator_client, brand_client):
    url = f"/api/v1/collaborations/{collaboration.pk}"
    _completed(collaboration)
    early = post_json(creator_client, f"{url}/confirm-receipt")
    assert early.status_code == 422 and "not marked this collaboration paid" in early.json()["detail"]
    post_json(brand_client, f"{url}/mark-paid")
    wrong_side = post_json(brand_client, f"{url}/confirm-receipt")
    assert (
        wrong_side.status_code == 403
        and wrong_side.json()["detail"] == "Only the influencer confirms receipt."
    )
    confirmed = post_json(creator_client, f"{url}/confirm-receipt")
    assert confirmed.status_code == 200 and confirmed.json()["receipt_confirmed_at"]


def test_each_side_reads_its_own_ledger_and_balances(collaboration, creator_client, brand, brand_client):
    _completed(collaboration)
    post_json(brand_client, f"/api/v1/collaborations/{collaboration.pk}/mark-paid")
    brand_ledger = brand_client.get(f"/api/v1/brands/{brand.pk}/ledger").json()
    assert brand_ledger["balances"] == [{"currency": "EUR", "pending_minor": 0, "paid_minor": -FEE}]
    assert [(e["status"], e["amount_minor"]) for e in brand_ledger["entries"]] == [
        ("paid", -FEE),
        ("pending", -FEE),
    ]
    mine = creator_client.get("/api/v1/influencer/ledger").json()
    assert mine["balances"] == [{"currency": "EUR", "pending_minor": FEE, "paid_minor": 0}]
    assert all(e["party"] == "influencer" for e in mine["entries"])
    bad = creator_client.get("/api/v1/influencer/ledger?limit=0")
    assert bad.status_code == 422 and bad.json()["detail"] == "Ask for 1 to 500 entries."


def test_the_statement_is_a_csv_for_both_sides(collaboration, creator_client, brand, brand_client):
    response = brand_client.get(f"/api/v1/brands/{brand.pk}/ledger/statement.csv")
    assert response.status_code == 200 and response["Content-Type"] == "text/csv"
    assert "attachment" in response["Content-Disposition"]
    lines = response.content.decode().splitlines()
    assert lines[0].startswith("entry,date,collaboration") and len(lines) == 2
    assert ",brand,pending,-125.00,EUR," in lines[1]
    theirs = creator_client.get("/api/v1/influencer/ledger/statement.csv").content.decode().splitlines()
    assert len(theirs) == 2 and ",influencer,pending,125.00,EUR," in theirs[1]


def test_another_brands_ledger_is_a_404(collaboration, brand, other_brand_client):
    assert other_brand_client.get(f"/api/v1/brands/{brand.pk}/ledger").status_code == 404
    assert other_brand_client.get(f"/api/v1/brands/{brand.pk}/ledger/statement.csv").status_code == 404


# --- Reputation ---------------------------------------------------------------------------------


def test_reputation_shows_the_score_and_its_history(collaboration, creator, brand_client):
    ReputationEvent.objects.create(
        profile=creator,
        collaboration=collaboration,
        score=Decimal("72.50"),
        reason="Delivered on time",
        components={"delivered": 1.0},
    )
    creator.reputation_score = Decimal("72.50")
    creator.save(update_fields=["reputation_score"])
    body = brand_client.get("/api/v1/influencers/ivy/reputation").json()
    assert body["score"] == 72.5
    assert body["history"] == [
        {
            "score": 72.5,
            "previous": None,
            "components": {"delivered": 1.0},
            "reason": "Delivered on time",
            "collaboration_id": collaboration.pk,
            "created_at": body["history"][0]["created_at"],
        }
    ]


def test_a_new_influencer_has_no_score_and_a_private_one_is_a_404(creator, brand_client):
    assert brand_client.get("/api/v1/influencers/ivy/reputation").json() == {
        "slug": "ivy",
        "score": None,
        "history": [],
    }
    InfluencerProfileFactory(slug="shy", is_public=False)
    assert brand_client.get("/api/v1/influencers/shy/reputation").status_code == 404


def test_search_takes_the_pages_filters_and_sorts_by_fit_once_scored(brand, brand_client, creator):
    from apps.collaborations.models import InfluencerFit

    other = InfluencerProfileFactory(slug="zed", follower_counts={"x": {"count": 90_000, "verified": False}})
    InfluencerFit.objects.create(brand=brand, influencer=creator, score=0.9, computed_at=timezone.now())
    InfluencerFit.objects.create(brand=brand, influencer=other, score=0.2, computed_at=timezone.now())
    body = brand_client.get(f"/api/v1/brands/{brand.pk}/influencers").json()
    assert [(p["slug"], p["fit"]) for p in body["items"]] == [("ivy", 0.9), ("zed", 0.2)]
    by_reach = brand_client.get(f"/api/v1/brands/{brand.pk}/influencers?sort=reach").json()
    assert [p["slug"] for p in by_reach["items"]] == ["zed", "ivy"]
    verified = brand_client.get(f"/api/v1/brands/{brand.pk}/influencers?verified=true").json()
    assert [p["slug"] for p in verified["items"]] == ["ivy"]
    bad_fee = brand_client.get(f"/api/v1/brands/{brand.pk}/influencers?fee_min=1.001")
    assert bad_fee.status_code == 422 and "fee_min" in bad_fee.json()["errors"]


def _queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


def test_list_endpoints_cost_the_same_queries_whatever_their_length(
    brand, brand_client, creator_client, creator, membership
):
    from apps.collaborations.services import offer_accept, offer_send

    def grow():
        for _ in range(3):
            profile = InfluencerProfileFactory()
            [sent] = offer_send(
                brand=brand,
                user=membership.user,
                post=PublishedPostFactory(brand=brand),
                influencers=[profile, creator],
                fee_minor=FEE,
                currency="EUR",
                deadline=timezone.now() + timedelta(days=1),
                platform="x",
            )[:1]
            offer_accept(offer=sent, influencer=profile)

    urls = [
        (brand_client, f"/api/v1/brands/{brand.pk}/influencers"),
        (brand_client, f"/api/v1/brands/{brand.pk}/offers"),
        (brand_client, "/api/v1/collaborations"),
        (brand_client, f"/api/v1/brands/{brand.pk}/ledger"),
        (creator_client, "/api/v1/influencer/offers"),
    ]
    grow()
    before = [_queries(c, u) for c, u in urls]
    grow()
    assert [_queries(c, u) for c, u in urls] == before


@pytest.mark.parametrize(
    "path,body",
    [
        ("/api/v1/brands/{brand}/open-calls", "open_call_nul_message"),
        ("/api/v1/brands/{brand}/open-calls", "open_call_nul_criteria"),
        ("/api/v1/collaborations/{collaboration}/messages", {"body": "a\x00b"}),
        ("/api/v1/influencer/offers/{offer}/decline", {"reason": "no\x00"}),
    ],
)
def test_text_with_a_nul_character_is_a_422_not_a_500(
    brand, brand_client, creator_client, post, offer, collaboration, path, body
):
    if body == "open_call_nul_message":
        body = {**terms(post, message="x\x00"), "criteria": {}}
    elif body == "open_call_nul_criteria":
        body = {**terms(post), "criteria": {"roles": ["CT\x00O"]}}
    client = brand_client if "/brands/" in path else creator_client
    before = _snapshot()
    response = post_json(
        client, path.format(brand=brand.pk, collaboration=collaboration.pk, offer=offer.pk), body
    )
    assert response.status_code == 422 and "NUL" in response.json()["detail"]
    assert _snapshot() == before


def test_a_slug_with_a_nul_character_is_a_404(brand_client):
    assert brand_client.get("/api/v1/influencers/iv%00y/reputation").status_code == 404


@pytest.mark.parametrize(
    "url,field",
    [
        ("/api/v1/collaborations?offset=10000000000000000000000", "offset"),
        ("/api/v1/collaborations?limit=10000000000000000000000", "limit"),
        ("/api/v1/influencer/ledger?offset=10000000000000000000000", "offset"),
        ("/api/v1/influencer/ledger?limit=501", "limit"),
    ],
)
def test_a_page_past_what_the_database_takes_is_a_422(creator_client, collaboration, url, field):
    response = creator_client.get(url)
    assert response.status_code == 422 and field in response.json()["errors"]


def test_a_personal_api_token_works_for_both_sides(offer, creator, membership, brand):
    from apps.accounts.services import api_token_create

    creator_token = api_token_create(user=creator.user, name="script")[1]
    brand_token = api_token_create(user=membership.user, name="script")[1]
    inbox = Client().get("/api/v1/influencer/offers", HTTP_AUTHORIZATION=f"Bearer {creator_token}")
    assert inbox.status_code == 200 and [o["id"] for o in inbox.json()["direct"]] == [offer.pk]
    accepted = Client().post(
        f"/api/v1/influencer/offers/{offer.pk}/accept", HTTP_AUTHORIZATION=f"Bearer {creator_token}"
    )
    assert accepted.status_code == 201
    collaboration_id = accepted.json()["id"]
    thread = Client().post(
        f"/api/v1/collaborations/{collaboration_id}/messages",
        json.dumps({"body": "From a script"}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {brand_token}",
    )
    assert thread.status_code == 201 and thread.json()["mine"] is True


@pytest.mark.parametrize(
    "query,slugs",
    [
        ("limit=2&offset=0", ["a-big", "b-mid"]),
        ("limit=2&offset=2", ["c-small"]),
        ("limit=2&offset=1", ["b-mid", "c-small"]),
        ("limit=2&offset=6", []),
    ],
)
def test_search_pages_through_every_result_with_the_count(brand, brand_client, query, slugs):
    for slug, followers in (("a-big", 9000), ("b-mid", 5000), ("c-small", 100)):
        InfluencerProfileFactory(slug=slug, follower_counts={"x": {"count": followers}})
    body = brand_client.get(f"/api/v1/brands/{brand.pk}/influencers?sort=reach&{query}").json()
    assert [p["slug"] for p in body["items"]] == slugs and body["count"] == 3
