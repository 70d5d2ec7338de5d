"""The brand's marketplace pages: find influencers (filters, sort, shortlist, pages of 24), send an
offer or an open call with errors next to the fields, and the offers page (withdraw, a counter-offer
answered, an open call's applicants picked). Another brand's pages and objects are a 404."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.collaborations.models import (
    ApplicationStatus,
    Collaboration,
    InfluencerProfile,
    Offer,
    OfferStatus,
    ShortlistEntry,
)
from apps.collaborations.services import (
    offer_counter,
    offer_send,
    open_call_apply,
    open_call_create,
    open_call_pick,
)
from tests.factories import (
    InfluencerProfileFactory,
    MembershipFactory,
    PostFactory,
    PublishedPostFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(client, brand_user):
    client.force_login(brand_user)
    return client


@pytest.fixture
def post(brand):
    return PublishedPostFactory(brand=brand)


@pytest.fixture
def creator(db):
    return InfluencerProfileFactory(slug="ada", display_name="Ada Lovelace")


def _terms(**overrides):
    return {
        "fee_minor": 12050,
        "currency": "EUR",
        "deadline": timezone.now() + timedelta(days=2),
        "platform": "x",
        **overrides,
    }


def _form(post, **overrides):
    deadline = (timezone.now() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    data = {
        "post": post.pk,
        "kind": "direct",
        "fee": "120.50",
        "currency": "EUR",
        "deadline": deadline,
        "platform": "x",
        "tag_brand": "on",
        "keep_link": "on",
        "message": "Would love your take on this.",
        "slots": "1",
    }
    data.update(overrides)
    return data


def _url(name, *args):
    return reverse(f"collaborations_brand:{name}", args=args)


# --- Find influencers -------------------------------------------------------------------------


def test_the_nav_link_leads_to_the_current_brands_search(member, brand):
    response = member.get(_url("current"))
    assert response.status_code == 302
    assert response["Location"] == _url("influencers", brand.pk)
    page = member.get(response["Location"])
    assert b'aria-current="page">Influencers</a>' in page.content


def test_search_shows_cards_with_followers_and_new_for_no_reputation(member, brand, creator):
    InfluencerProfileFactory(slug="hidden", is_public=False)
    response = member.get(_url("influencers", brand.pk))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Ada Lovelace" in html and "5,000" in html and "New" in html
    assert "@hidden" not in html


def test_search_filters_by_audience_platform_followers_and_reputation(member, brand):
    InfluencerProfileFactory(slug="uk-fin", audience_geographies=["UK"], reputation_score=80)
    InfluencerProfileFactory(
        slug="de-fin", audience_geographies=["Germany"], follower_counts={"linkedin": {"count": 900}}
    )
    InfluencerProfileFactory(slug="uk-low", audience_geographies=["UK"], reputation_score=20)
    profiles = lambda **q: [p.slug for p in member.get(_url("influencers", brand.pk), q).context["profiles"]]  # noqa: E731
    assert sorted(profiles(geographies="uk")) == ["uk-fin", "uk-low"]
    assert profiles(platform="linkedin") == ["de-fin"]
    assert profiles(platform="x", min_followers=6000) == []
    assert profiles(min_reputation="50") == ["uk-fin"]
    assert profiles(sort="reputation")[:2] == ["uk-fin", "uk-low"]


def test_search_sorts_by_reach_across_platforms(member, brand):
    InfluencerProfileFactory(slug="small", follower_counts={"x": {"count": 100}})
    InfluencerProfileFactory(slug="big", follower_counts={"x": {"count": 100}, "linkedin": {"count": 50_000}})
    slugs = [p.slug for p in member.get(_url("influencers", brand.pk)).context["profiles"]]
    assert slugs == ["big", "small"]


def test_search_with_no_match_shows_the_empty_state(member, brand, creator):
    response = member.get(_url("influencers", brand.pk), {"roles": "Astronauts"})
    assert "No influencer matches these filters" in response.content.decode()


def test_bad_filter_is_shown_next_to_its_field(member, brand, creator):
    response = member.get(_url("influencers", brand.pk), {"min_followers": "-5"})
    assert response.status_code == 200
    assert 'id="id_min_followers_error"' in response.content.decode()


def test_search_pages_hold_24_and_cost_the_same_few_queries(member, brand, django_assert_max_num_queries):
    for i in range(30):
        profile = InfluencerProfileFactory(slug=f"p{i:02d}", follower_counts={"x": {"count": 1000 + i}})
        if i % 3 == 0:
            ShortlistEntry.objects.create(brand=brand, influencer=profile)
    # session, user, brand, has fits, currency, count, page, reputation history, delivered reach
    with django_assert_max_num_queries(9):
        first = member.get(_url("influencers", brand.pk))
    assert len(first.context["profiles"]) == 24
    with django_assert_max_num_queries(9):
        second = member.get(_url("influencers", brand.pk), {"page": 2})
    assert len(second.context["profiles"]) == 6
    assert "Page 2 of 2" in second.content.decode()


def test_shortlist_toggles_per_brand(member, brand, other_brand, creator):
    url = _url("shortlist_toggle", brand.pk, creator.pk)
    member.post(url)
    assert ShortlistEntry.objects.filter(brand=brand, influencer=creator).exists()
    response = member.get(_url("influencers", brand.pk), {"shortlisted": "on"})
    assert [p.slug for p in response.context["profiles"]] == ["ada"]
    partial = member.post(url, HTTP_HX_REQUEST="true")
    assert "☆ Shortlist" in partial.content.decode()
    assert not ShortlistEntry.objects.filter(influencer=creator).exists()


def test_another_brands_pages_are_404(member, other_brand, creator):
    other_post = PublishedPostFactory(brand=other_brand)
    offer = Offer.objects.create(brand=other_brand, post=other_post, influencer=creator, **_terms())
    for url in (
        _url("influencers", other_brand.pk),
        _url("offers", other_brand.pk),
        _url("offer_new", other_brand.pk),
    ):
        assert member.get(url).status_code == 404
    assert member.post(_url("shortlist_toggle", other_brand.pk, creator.pk)).status_code == 404
    assert member.post(_url("withdraw", other_brand.pk, offer.pk)).status_code == 404
    assert not ShortlistEntry.objects.exists()
    assert Offer.objects.get().status == OfferStatus.SENT


def test_another_brands_offer_through_our_brand_is_404(member, brand, other_brand, creator):
    offer = Offer.objects.create(
        brand=other_brand, post=PublishedPostFactory(brand=other_brand), influencer=creator, **_terms()
    )
    assert member.post(_url("withdraw", brand.pk, offer.pk)).status_code == 404
    assert member.post(_url("counter_accept", brand.pk, offer.pk)).status_code == 404
    assert Offer.objects.get().status == OfferStatus.SENT


# --- Send an offer ----------------------------------------------------------------------------


def test_offer_form_lists_published_posts_with_metrics_and_the_chosen(member, brand, post, creator):
    PostFactory(brand=brand)  # a draft is not offered
    response = member.get(_url("offer_new", brand.pk), {"to": creator.pk})
    assert response.status_code == 200
    assert [p.pk for p in response.context["posts"]] == [post.pk]
    html = response.content.decode()
    assert "impressions" in html and "Ada Lovelace" in html
    assert response.context["form"]["currency"].value() == "EUR"
    assert response.context["form"]["kind"].value() == "direct"
    assert member.get(_url("offer_new", brand.pk), {"kind": "open_call"}).context["form"]["kind"].value() == (
        "open_call"
    )


def test_offer_form_costs_the_same_few_queries_for_many_posts_and_shortlisted(
    member, brand, django_assert_max_num_queries
):
    for _ in range(15):
        PublishedPostFactory(brand=brand)
    for _ in range(15):
        ShortlistEntry.objects.create(brand=brand, influencer=InfluencerProfileFactory())
    with django_assert_max_num_queries(12):
        response = member.get(_url("offer_new", brand.pk))
    assert len(response.context["posts"]) == 15
    assert response.content.decode().count('name="influencers"') == 15


def test_direct_offer_is_sent_in_minor_units_in_the_brands_time_zone(member, brand, post, creator):
    brand.timezone = "Europe/Paris"
    brand.save(update_fields=["timezone"])
    data = _form(post, influencers=[creator.pk], deadline="2030-01-10T18:00")
    response = member.post(_url("offer_new", brand.pk), data)
    assert response.status_code == 302 and response["Location"] == _url("offers", brand.pk)
    offer = Offer.objects.get()
    assert (offer.fee_minor, offer.currency, offer.influencer) == (12050, "EUR", creator)
    assert offer.deadline.isoformat() == "2030-01-10T17:00:00+00:00"
    assert "Sent" in member.get(_url("offers", brand.pk)).content.decode()


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"fee": "0"}, "fee", "more than zero"),
        ({"fee": "12.345"}, "fee", "2 decimal places"),
        ({"fee": "lots"}, "fee", "not an amount"),
        ({"currency": "XYZ"}, "currency", "valid choice"),
        ({"deadline": "2001-01-01T10:00"}, "deadline", "has passed"),
        ({"influencers": []}, "influencers", "Choose at least one"),
    ],
)
def test_bad_offer_input_is_shown_next_to_the_field_and_kept(
    member, brand, post, creator, change, field, message
):
    data = _form(post, influencers=[creator.pk], message="Keep me")
    data.update(change)
    response = member.post(_url("offer_new", brand.pk), data)
    assert response.status_code == 200
    html = response.content.decode()
    error = html[html.index(f'id="id_{field}_error"') :][:400]
    assert message in error
    assert "Keep me" in html
    assert not Offer.objects.exists()


def test_an_offer_on_another_brands_post_is_refused(member, brand, other_brand, creator):
    PublishedPostFactory(brand=brand)
    foreign = PublishedPostFactory(brand=other_brand)
    response = member.post(_url("offer_new", brand.pk), _form(foreign, influencers=[creator.pk]))
    assert response.status_code == 200
    assert 'id="id_post_error"' in response.content.decode()
    assert not Offer.objects.exists()


def test_open_call_is_created_with_criteria_and_slots(member, brand, post):
    data = _form(post, kind="open_call", roles="Founders, CTOs", min_followers="1000", slots="3")
    response = member.post(_url("offer_new", brand.pk), data)
    assert response.status_code == 302
    offer = Offer.objects.get()
    assert offer.is_open_call and offer.slots == 3
    assert offer.criteria["roles"] == ["Founders", "CTOs"] and offer.criteria["min_followers"] == 1000


# --- The brand's offers -----------------------------------------------------------------------


def test_withdraw_until_accepted(member, brand, brand_user, post, creator):
    [offer] = offer_send(brand=brand, user=brand_user, post=post, influencers=[creator], **_terms())
    member.post(_url("withdraw", brand.pk, offer.pk))
    offer.refresh_from_db()
    assert offer.status == OfferStatus.WITHDRAWN
    response = member.post(_url("withdraw", brand.pk, offer.pk), follow=True)
    assert "nothing to withdraw" in response.content.decode()


def test_a_counter_offer_is_accepted_from_the_offers_page(member, brand, brand_user, post, creator):
    [offer] = offer_send(brand=brand, user=brand_user, post=post, influencers=[creator], **_terms())
    offer_counter(offer=offer, influencer=creator, fee_minor=15000)
    html = member.get(_url("offers", brand.pk)).content.decode()
    assert "150.00 EUR" in html and "Accept 150.00 EUR" in html
    response = member.post(_url("counter_accept", brand.pk, offer.pk), follow=True)
    collaboration = Collaboration.objects.get()
    assert collaboration.fee_minor == 15000
    assert f"/influencer/collaborations/{collaboration.pk}/" in response.content.decode()


def test_a_counter_offer_is_declined_and_the_offer_stands(member, brand, brand_user, post, creator):
    [offer] = offer_send(brand=brand, user=brand_user, post=post, influencers=[creator], **_terms())
    offer_counter(offer=offer, influencer=creator, fee_minor=15000)
    member.post(_url("counter_decline", brand.pk, offer.pk))
    offer.refresh_from_db()
    assert offer.status == OfferStatus.SENT and not Collaboration.objects.exists()


def test_picking_an_applicant_and_a_clear_error_once_the_slots_are_taken(member, brand, brand_user, post):
    call = open_call_create(brand=brand, user=brand_user, post=post, criteria={}, slots=1, **_terms())
    first, second = InfluencerProfileFactory(), InfluencerProfileFactory()
    a1 = open_call_apply(offer=call, influencer=first)
    a2 = open_call_apply(offer=call, influencer=second)
    html = member.get(_url("offers", brand.pk)).content.decode()
    assert html.count(">Pick</button>") == 2
    member.post(_url("pick", brand.pk, a1.pk))
    assert Collaboration.objects.get().influencer == first
    response = member.post(_url("pick", brand.pk, a2.pk), follow=True)
    assert "Every slot of this open call is taken." in response.content.decode()
    a2.refresh_from_db()
    assert a2.status == ApplicationStatus.NOT_PICKED


def test_offers_page_costs_the_same_few_queries_for_many_offers(
    member, brand, brand_user, post, django_assert_max_num_queries
):
    creators = [InfluencerProfileFactory() for _ in range(12)]
    offer_send(brand=brand, user=brand_user, post=post, influencers=creators, **_terms())
    for _ in range(3):
        call = open_call_create(brand=brand, user=brand_user, post=post, criteria={}, slots=2, **_terms())
        for profile in creators[:4]:
            open_call_apply(offer=call, influencer=profile)
        open_call_pick(application=call.applications.first(), user=brand_user)
    with django_assert_max_num_queries(8):
        response = member.get(_url("offers", brand.pk))
    assert len(response.context["rows"]) == 15


def test_offers_empty_state(member, brand):
    assert "No offers yet" in member.get(_url("offers", brand.pk)).content.decode()


def test_a_second_member_of_the_brand_sees_its_offers(client, brand, brand_user, post, creator):
    offer_send(brand=brand, user=brand_user, post=post, influencers=[creator], **_terms())
    colleague = MembershipFactory(brand=brand).user
    client.force_login(colleague)
    assert "Ada Lovelace" in client.get(_url("offers", brand.pk)).content.decode()
    assert InfluencerProfile.objects.count() == 1
