"""The influencer's marketplace pages: the offers inbox, an offer and the answers to it, and the
collaboration page both sides share. Someone else's offer or collaboration is a 404."""

import re
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from apps.collaborations.models import (
    Application,
    Collaboration,
    CollaborationMessage,
    CollaborationStatus,
    LedgerEntry,
    Offer,
    OfferStatus,
)
from apps.collaborations.services import (
    collaboration_advance,
    collaboration_mark_paid,
    collaboration_message_post,
    offer_accept,
    offer_send,
    open_call_create,
)
from apps.notifications.models import Notification
from apps.posts.models import PostCopy, PostGraphic
from tests.collaborations.conftest import png_bytes
from tests.factories import InfluencerProfileFactory, MembershipFactory, PublishedPostFactory

pytestmark = pytest.mark.django_db

INBOX = reverse("collaborations:offer_inbox")
POST_TEXT = "Payroll week: five checks before you close the month."


@pytest.fixture
def membership(db):
    return MembershipFactory(brand__name="Payfold")


@pytest.fixture
def owner(membership):
    return membership.user


@pytest.fixture
def post(membership):
    post = PublishedPostFactory(brand=membership.brand)
    PostCopy.objects.create(post=post, platform="x", parts=[POST_TEXT], source="llm")
    return post


@pytest.fixture
def creator(db):
    return InfluencerProfileFactory(slug="ivy")


@pytest.fixture
def stranger(db):
    return InfluencerProfileFactory(slug="someone-else")


def terms(**overrides):
    return {
        "fee_minor": 12_500,
        "currency": "EUR",
        "deadline": timezone.now() + timedelta(days=2),
        "platform": "x",
        "message": "Would you share our launch?",
        **overrides,
    }


def send(membership, post, profile, **overrides) -> Offer:
    [offer] = offer_send(
        brand=membership.brand, user=membership.user, post=post, influencers=[profile], **terms(**overrides)
    )
    return offer


@pytest.fixture
def offer(membership, post, creator):
    return send(membership, post, creator)


def detail(offer) -> str:
    return reverse("collaborations:offer_detail", args=[offer.pk])


def collab_url(collaboration) -> str:
    return reverse("collaborations:collaboration_detail", args=[collaboration.pk])


# --- The inbox --------------------------------------------------------------------------------


def test_the_inbox_shows_a_direct_offer_with_its_post_fee_and_terms(client, offer, creator):
    client.force_login(creator.user)
    html = client.get(INBOX).content.decode()
    assert "Payfold" in html
    assert POST_TEXT in html
    assert "125.00 EUR" in html
    assert "tag the brand and keep the link" in html
    assert detail(offer) in html


def test_the_inbox_shows_the_deadline_in_the_influencers_time_zone(client, membership, post, creator):
    deadline = timezone.now().replace(microsecond=0) + timedelta(days=3)
    send(membership, post, creator, deadline=deadline)
    creator.user.timezone = "Asia/Tokyo"
    creator.user.save(update_fields=["timezone"])
    client.force_login(creator.user)
    html = client.get(INBOX).content.decode()
    local = timezone.localtime(deadline, timezone=__import__("zoneinfo").ZoneInfo("Asia/Tokyo"))
    assert f"{local:%H:%M} JST" in html


def test_the_inbox_shows_the_posts_graphic_through_the_offer(
    client, offer, creator, post, settings, tmp_path
):
    name = default_storage.save("posts/thumb.png", ContentFile(png_bytes()))
    graphic = PostGraphic.objects.create(
        post=post,
        kind="post_card",
        layout="bold",
        source="template",
        full=name,
        thumbnail=name,
        width=64,
        height=64,
        alt_text="A payroll checklist",
    )
    client.force_login(creator.user)
    url = reverse("collaborations:offer_graphic", args=[offer.pk, graphic.pk])
    assert url in client.get(INBOX).content.decode()
    assert client.get(url).status_code == 200


def test_another_influencer_cannot_fetch_the_offers_graphic(client, offer, stranger, post):
    graphic = PostGraphic.objects.create(
        post=post,
        kind="post_card",
        layout="bold",
        source="template",
        full="x.png",
        thumbnail="x.png",
        width=64,
        height=64,
    )
    client.force_login(stranger.user)
    assert client.get(reverse("collaborations:offer_graphic", args=[offer.pk, graphic.pk])).status_code == 404


def test_an_open_call_matching_the_audience_is_in_the_inbox_and_not_for_others(
    client, membership, post, creator
):
    open_call_create(
        brand=membership.brand,
        user=membership.user,
        post=post,
        criteria={"industries": ["fintech"]},
        slots=2,
        **terms(),
    )
    outsider = InfluencerProfileFactory(audience_industries=["Gardening"])
    client.force_login(creator.user)
    assert "Open call · 2 slots" in client.get(INBOX).content.decode()
    client.force_login(outsider.user)
    assert "Open call" not in client.get(INBOX).content.decode()


def test_an_empty_inbox_says_to_complete_the_profile(client, influencer):
    client.force_login(influencer)
    html = client.get(INBOX).content.decode()
    assert "No offers yet" in html
    assert "Complete your profile" in html
    assert reverse("collaborations:profile_edit") in html


def test_another_influencer_does_not_see_the_offer_in_their_inbox(client, offer, stranger):
    client.force_login(stranger.user)
    assert "Payfold" not in client.get(INBOX).content.decode()


def test_the_inbox_list_reloads_itself_when_a_live_notification_points_to_it(
    client, membership, post, creator
):
    """The list is one region, in the empty state too, that reloads itself from the inbox when the
    notification socket brings a message naming the inbox: a new offer's live event does."""
    client.force_login(creator.user)
    region = re.search(r'<div id="offer-inbox"([^>]*)>', client.get(INBOX).content.decode())
    assert region, "the empty inbox has the live region"
    attrs = region.group(1)
    assert f'hx-get="{INBOX}"' in attrs and 'hx-select="#offer-inbox"' in attrs
    assert f"htmx:wsAfterMessage[detail.message.includes('{INBOX}')] from:#live" in attrs

    send(membership, post, creator)
    notification = Notification.objects.get(user=creator.user)
    event = render_to_string(
        "notifications/partials/live_event.html", {"notification": notification, "unread_count": 1}
    )
    assert f'href="{INBOX}"' in event
    html = client.get(INBOX, HTTP_HX_REQUEST="true").content.decode()
    assert html.count('id="offer-inbox"') == 1
    assert "Payfold" in html.split('id="offer-inbox"', 1)[1]


def test_the_inbox_query_count_does_not_grow_with_offers(
    client, membership, creator, django_assert_max_num_queries
):
    for _ in range(6):
        post = PublishedPostFactory(brand=membership.brand)
        PostCopy.objects.create(post=post, platform="x", parts=["Hello"], source="llm")
        send(membership, post, creator)
    open_call_create(brand=membership.brand, user=membership.user, post=post, criteria={}, slots=3, **terms())
    client.force_login(creator.user)
    client.get(INBOX)  # warm: profile and session
    with django_assert_max_num_queries(9):
        response = client.get(INBOX)
    assert response.content.decode().count('class="card offer-card"') == 7


def test_the_nav_counts_offers_waiting_on_the_inbox(client, offer, creator):
    client.force_login(creator.user)
    html = client.get(INBOX).content.decode()
    assert 'aria-label="1 waiting"' in html


# --- One offer and the answers ----------------------------------------------------------------


def test_another_influencers_offer_is_a_404(client, offer, stranger):
    client.force_login(stranger.user)
    assert client.get(detail(offer)).status_code == 404
    assert client.post(detail(offer), {"action": "accept"}).status_code == 404
    assert Offer.objects.get(pk=offer.pk).status == OfferStatus.SENT


def test_a_brand_user_cannot_open_the_influencer_offer_page(client, offer, owner):
    client.force_login(owner)
    assert client.get(detail(offer)).status_code == 403


def test_accepting_opens_the_collaboration(client, offer, creator):
    client.force_login(creator.user)
    response = client.post(detail(offer), {"action": "accept"})
    collaboration = Collaboration.objects.get(offer=offer)
    assert response.status_code == 302
    assert response.url == collab_url(collaboration)


def test_declining_without_a_reason_shows_the_error_next_to_the_field(client, offer, creator):
    client.force_login(creator.user)
    response = client.post(detail(offer), {"action": "decline", "reason": "  "})
    html = response.content.decode()
    assert response.status_code == 422
    assert 'id="id_reason_error"' in html
    assert "Say in a few words why" in html
    assert Offer.objects.get(pk=offer.pk).status == OfferStatus.SENT


def test_declining_with_a_reason_keeps_it(client, offer, creator):
    client.force_login(creator.user)
    response = client.post(detail(offer), {"action": "decline", "reason": "Not my audience"}, follow=True)
    assert "Not my audience" in response.content.decode()
    assert Offer.objects.get(pk=offer.pk).decline_reason == "Not my audience"


def test_countering_takes_a_typed_amount_in_minor_units(client, offer, creator):
    client.force_login(creator.user)
    response = client.post(detail(offer), {"action": "counter", "fee": "150.50"}, follow=True)
    offer.refresh_from_db()
    assert offer.status == OfferStatus.COUNTERED
    assert offer.counter_fee_minor == 15_050
    html = response.content.decode()
    assert "Counter-offer sent" in html
    assert "150.50 EUR" in html


def test_a_bad_fee_shows_its_error_next_to_the_field_and_keeps_what_was_typed(client, offer, creator):
    client.force_login(creator.user)
    response = client.post(detail(offer), {"action": "counter", "fee": "12.345"})
    html = response.content.decode()
    assert response.status_code == 422
    assert 'id="id_fee_error"' in html
    assert "EUR has 2 decimal places at most." in html
    assert 'value="12.345"' in html
    assert Offer.objects.get(pk=offer.pk).counter_fee_minor is None


def test_the_services_refusal_of_a_counter_shows_next_to_the_fee(client, offer, creator):
    client.force_login(creator.user)
    response = client.post(detail(offer), {"action": "counter", "fee": "125.00"})
    html = response.content.decode()
    assert response.status_code == 422
    assert 'id="id_fee_error"' in html
    assert "That is the offered fee" in html


def test_accepting_a_withdrawn_offer_says_why(client, offer, creator):
    Offer.objects.filter(pk=offer.pk).update(status=OfferStatus.WITHDRAWN)
    client.force_login(creator.user)
    response = client.post(detail(offer), {"action": "accept"})
    assert response.status_code == 422
    assert "The brand withdrew this offer." in response.content.decode()
    assert not Collaboration.objects.exists()


def test_applying_to_an_open_call_with_a_message(client, membership, post, creator):
    call = open_call_create(
        brand=membership.brand, user=membership.user, post=post, criteria={}, slots=1, **terms()
    )
    client.force_login(creator.user)
    response = client.post(
        detail(call), {"action": "apply", "message": "My readers run payroll."}, follow=True
    )
    assert Application.objects.get(offer=call, influencer=creator).message == "My readers run payroll."
    assert "Applied" in response.content.decode()


def test_a_too_long_application_message_shows_next_to_the_field(client, membership, post, creator):
    call = open_call_create(
        brand=membership.brand, user=membership.user, post=post, criteria={}, slots=1, **terms()
    )
    client.force_login(creator.user)
    response = client.post(detail(call), {"action": "apply", "message": "x" * 1001})
    assert response.status_code == 422
    assert 'id="id_message_error"' in response.content.decode()
    assert not Application.objects.exists()


# --- The collaboration page -------------------------------------------------------------------


@pytest.fixture
def collaboration(offer, creator):
    return offer_accept(offer=offer, influencer=creator)


def test_the_influencer_sees_the_steps_fee_and_ledger(client, collaboration, creator):
    client.force_login(creator.user)
    html = client.get(collab_url(collaboration)).content.decode()
    assert "125.00 EUR" in html
    assert "-125.00 EUR" in html  # the brand's pending entry
    assert "due by" in html
    for label in ("Accepted", "Reposted", "Verified", "Measured", "Completed", "Paid"):
        assert label in html


def test_a_brand_member_sees_the_collaboration_too(client, collaboration, owner):
    client.force_login(owner)
    assert client.get(collab_url(collaboration)).status_code == 200


def test_another_influencer_gets_a_404_on_the_collaboration(client, collaboration, stranger):
    client.force_login(stranger.user)
    assert client.get(collab_url(collaboration)).status_code == 404
    url = reverse("collaborations:collaboration_message", args=[collaboration.pk])
    assert client.post(url, {"body": "hi"}).status_code == 404
    assert not CollaborationMessage.objects.exists()


def test_a_missed_collaboration_shows_where_it_stopped(client, collaboration, creator):
    collaboration_advance(collaboration=collaboration, to=CollaborationStatus.MISSED)
    client.force_login(creator.user)
    html = client.get(collab_url(collaboration)).content.decode()
    assert "is-stopped" in html
    assert "Missed" in html


def test_the_collaboration_page_query_count_does_not_grow_with_messages(
    client, collaboration, creator, owner, django_assert_max_num_queries
):
    for i in range(8):
        collaboration_message_post(
            collaboration=collaboration, user=owner if i % 2 else creator.user, body=f"m{i}"
        )
    client.force_login(creator.user)
    client.get(collab_url(collaboration))
    # + the Repost card: the repost, the accounts to repost from, the brand's post and handle there
    with django_assert_max_num_queries(9):
        response = client.get(collab_url(collaboration))
    assert response.content.decode().count('class="thread-message') == 8


def test_posting_a_message_with_htmx_returns_it_to_append(client, collaboration, creator):
    client.force_login(creator.user)
    url = reverse("collaborations:collaboration_message", args=[collaboration.pk])
    response = client.post(url, {"body": "Reposting tomorrow morning"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert 'hx-swap-oob="beforeend:#thread-messages"' in html
    assert "Reposting tomorrow morning" in html
    assert CollaborationMessage.objects.filter(collaboration=collaboration).count() == 1


def test_an_empty_message_shows_its_error_next_to_the_field(client, collaboration, creator):
    client.force_login(creator.user)
    url = reverse("collaborations:collaboration_message", args=[collaboration.pk])
    html = client.post(url, {"body": ""}, HTTP_HX_REQUEST="true").content.decode()
    assert 'id="id_body_error"' in html
    assert "Write a message first." in html


def _complete(collaboration):
    for step in ("reposted", "verified", "measured", "completed"):
        collaboration = collaboration_advance(collaboration=collaboration, to=step)
    return collaboration


def test_the_brand_marks_paid_and_the_influencer_confirms_receipt(client, collaboration, creator, owner):
    _complete(collaboration)
    client.force_login(creator.user)
    assert "Mark paid" not in client.get(collab_url(collaboration)).content.decode()
    client.force_login(owner)
    response = client.post(collab_url(collaboration), {"action": "mark_paid"})
    assert response.status_code == 302
    assert Collaboration.objects.get(pk=collaboration.pk).status == CollaborationStatus.PAID
    client.force_login(creator.user)
    assert "Confirm receipt" in client.get(collab_url(collaboration)).content.decode()
    client.post(collab_url(collaboration), {"action": "confirm_receipt"})
    assert Collaboration.objects.get(pk=collaboration.pk).receipt_confirmed_at is not None
    assert LedgerEntry.objects.filter(collaboration=collaboration, status="paid").count() == 2


def test_the_influencer_cannot_mark_paid(client, collaboration, creator):
    _complete(collaboration)
    client.force_login(creator.user)
    response = client.post(collab_url(collaboration), {"action": "mark_paid"})
    assert response.status_code == 422
    assert "Only the brand marks a collaboration paid." in response.content.decode()


def test_confirming_twice_says_so(client, collaboration, creator, owner):
    collaboration = _complete(collaboration)
    collaboration_mark_paid(collaboration=collaboration, user=owner)
    client.force_login(creator.user)
    client.post(collab_url(collaboration), {"action": "confirm_receipt"})
    response = client.post(collab_url(collaboration), {"action": "confirm_receipt"})
    assert "You have already confirmed receipt." in response.content.decode()


def test_the_collaboration_list_shows_the_influencers_collaborations(
    client, collaboration, creator, stranger
):
    client.force_login(creator.user)
    assert (
        collab_url(collaboration) in client.get(reverse("collaborations:collaboration_list")).content.decode()
    )
    client.force_login(stranger.user)
    assert (
        collab_url(collaboration)
        not in client.get(reverse("collaborations:collaboration_list")).content.decode()
    )


def test_the_portal_home_points_to_waiting_offers(client, offer, creator):
    """The influencer's home no longer says "No offers yet" when one is waiting (issue 19)."""
    client.force_login(creator.user)
    html = client.get(reverse("collaborations:home")).content.decode()
    assert "No offers yet" not in html
    assert "1 offer waiting for your answer" in html
    assert detail(offer) in html and reverse("collaborations:offer_inbox") in html
