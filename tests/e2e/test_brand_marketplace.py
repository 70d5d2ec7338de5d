"""The brand's side of the marketplace in the browser: it searches influencers by audience,
shortlists one, chooses them, sends a direct offer for a published post (a bad fee first, shown next
to the field with nothing lost) and sees it "Sent" on its offers page beside an open call with its
applicants. Screenshots: test-artifacts/brand-market-*.png."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from apps.collaborations.models import Offer, ShortlistEntry
from apps.collaborations.services import open_call_apply, open_call_create
from tests.e2e.conftest import screenshot
from tests.e2e.test_accounts_journeys import log_in
from tests.factories import (
    BrandFactory,
    BrandUserFactory,
    InfluencerProfileFactory,
    MembershipFactory,
    PublishedPostFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_brand_searches_shortlists_and_sends_an_offer(page):
    user = BrandUserFactory(email="mara@payfold.example", display_name="Mara Quist")
    brand = BrandFactory(name="Payfold", created_by=user, timezone="Europe/Paris")
    MembershipFactory(brand=brand, user=user)
    post = PublishedPostFactory(brand=brand)
    ada = InfluencerProfileFactory(
        slug="ada",
        display_name="Ada Lovelace",
        audience_geographies=["UK"],
        follower_counts={"x": {"count": 12400, "verified": True}, "linkedin": {"count": 3100}},
        reputation_score=87,
    )
    InfluencerProfileFactory(
        slug="grace",
        display_name="Grace Hopper",
        audience_geographies=["US"],
        follower_counts={"x": {"count": 48000}},
    )
    InfluencerProfileFactory(slug="alan", display_name="Alan Turing", audience_geographies=["UK"])
    call = open_call_create(
        brand=brand,
        user=user,
        post=post,
        criteria={"geographies": ["UK"]},
        slots=2,
        fee_minor=9000,
        currency="EUR",
        deadline=timezone.now() + timedelta(days=5),
        platform="x",
    )
    open_call_apply(
        offer=call,
        influencer=InfluencerProfileFactory(slug="joan", display_name="Joan Clarke"),
        message="My readers run payroll.",
    )

    log_in(page, "mara@payfold.example")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Influencers").click()
    expect(page.get_by_role("heading", name="Find influencers")).to_be_visible()
    expect(page.locator("#mk-count")).to_contain_text("4 influencers")
    screenshot(page, "brand-market-search")

    page.get_by_label("Geographies").fill("UK")
    page.get_by_role("button", name="Search").click()
    cards = page.get_by_role("list", name="Influencers").locator("> li")
    expect(cards).to_have_count(3)
    expect(cards.first).to_contain_text("Ada Lovelace")  # the most followers of the UK ones
    expect(page.locator(f"#influencer-{ada.pk}")).to_contain_text("★ 87")

    page.get_by_role("button", name="Shortlist Ada Lovelace").click()
    expect(page.get_by_role("button", name="Remove Ada Lovelace from the shortlist")).to_be_visible()
    assert ShortlistEntry.objects.filter(brand=brand, influencer=ada).exists()
    page.locator(f"#influencer-{ada.pk}").get_by_label("Choose").check()
    screenshot(page, "brand-market-search-filtered")
    page.get_by_role("button", name="Send an offer to the chosen").click()

    expect(page.get_by_role("heading", name="Send an offer")).to_be_visible()
    expect(page.get_by_label("Ada Lovelace (@ada)")).to_be_checked()
    page.get_by_label("Fee").fill("120.505")
    deadline = (timezone.now() + timedelta(days=4)).strftime("%Y-%m-%dT18:00")
    page.get_by_label("Deadline").fill(deadline)
    page.get_by_label("Message").fill("Your audience runs payroll: we'd love your take.")
    page.get_by_role("button", name="Send", exact=True).click()
    expect(page.locator("#id_fee_error")).to_contain_text("EUR has 2 decimal places at most.")
    expect(page.get_by_label("Message")).to_have_value("Your audience runs payroll: we'd love your take.")
    screenshot(page, "brand-market-offer-error")
    page.get_by_label("Fee").fill("120.50")
    page.get_by_role("button", name="Send", exact=True).click()

    expect(page.get_by_role("heading", name="Your offers")).to_be_visible()
    offer = Offer.objects.get(influencer=ada)
    row = page.locator(f"#offer-{offer.pk}")
    expect(row.locator(".mk-status")).to_have_text("Sent")
    expect(row).to_contain_text("120.50 EUR")
    expect(page.locator(f"#offer-{call.pk}")).to_contain_text("Joan Clarke")
    expect(page.locator(f"#offer-{call.pk}").get_by_role("button", name="Pick")).to_be_visible()
    screenshot(page, "brand-market-offers")
    assert offer.fee_minor == 12050 and offer.currency == "EUR"


def test_a_new_brand_sees_what_to_do_on_each_marketplace_page(page):
    user = BrandUserFactory(email="noor@tidewell.example", display_name="Noor Haddad")
    brand = BrandFactory(name="Tidewell", created_by=user)
    MembershipFactory(brand=brand, user=user)

    log_in(page, "noor@tidewell.example")
    page.goto(f"/brand/{brand.pk}/influencers/")
    expect(page.locator("#mk-empty")).to_contain_text("No influencers yet")
    screenshot(page, "brand-market-search-empty")
    page.goto(f"/brand/{brand.pk}/offers/")
    expect(page.locator("#mk-no-offers")).to_contain_text("No offers yet")
    screenshot(page, "brand-market-offers-empty")
    page.goto(f"/brand/{brand.pk}/offers/new/")
    expect(page.locator("#mk-no-posts")).to_contain_text("No published post to offer yet")
    screenshot(page, "brand-market-offer-no-posts")


def test_the_offer_form_shows_the_open_call_part_when_chosen(page):
    user = BrandUserFactory(email="ines@lumen.example")
    brand = BrandFactory(name="Lumen", created_by=user)
    MembershipFactory(brand=brand, user=user)
    PublishedPostFactory(brand=brand)

    log_in(page, "ines@lumen.example")
    page.goto(f"/brand/{brand.pk}/offers/new/")
    expect(page.get_by_label("Slots")).to_be_hidden()
    page.get_by_label("Open call").check()
    expect(page.get_by_label("Slots")).to_be_visible()
    expect(page.locator("#mk-no-shortlist")).to_be_hidden()
    page.get_by_label("Fee").fill("75")
    page.get_by_label("Geographies").fill("UK, Ireland")
    page.get_by_label("Slots").fill("3")
    screenshot(page, "brand-market-open-call")
    page.get_by_role("button", name="Send", exact=True).click()
    expect(page.get_by_role("heading", name="Your offers")).to_be_visible()
    expect(page.locator(".mk-offer").first).to_contain_text("Open call · 3 slots")
    expect(page.locator(".mk-offer").first).to_contain_text("UK, Ireland")
