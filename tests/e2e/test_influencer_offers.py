"""An influencer finds a brand's offer in the inbox, proposes another fee, and sees it countered;
then writes in a collaboration's thread (htmx appends the message without a reload)."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from apps.collaborations.services import offer_accept, offer_send
from apps.posts.models import PostCopy
from tests.e2e.conftest import screenshot
from tests.e2e.test_accounts_journeys import log_in
from tests.factories import InfluencerProfileFactory, MembershipFactory, PublishedPostFactory

pytestmark = pytest.mark.django_db(transaction=True)

POST_TEXT = "Payroll week: five checks before you close the month. Which one do you skip?"


def _offer(membership, profile, text: str, fee_minor: int):
    post = PublishedPostFactory(brand=membership.brand)
    PostCopy.objects.create(post=post, platform="x", parts=[text], source="llm")
    [offer] = offer_send(
        brand=membership.brand,
        user=membership.user,
        post=post,
        influencers=[profile],
        fee_minor=fee_minor,
        currency="EUR",
        deadline=timezone.now() + timedelta(days=2),
        platform="x",
        message="Your readers run payroll: would you share this?",
    )
    return offer


def test_influencer_counters_a_direct_offer_and_writes_in_a_collaboration(new_page):
    membership = MembershipFactory(brand__name="Payfold")
    profile = InfluencerProfileFactory(slug="ivy-writes", display_name="Ivy Chen")
    offer = _offer(membership, profile, POST_TEXT, 12_500)
    accepted = _offer(membership, profile, "Close the books in a day.", 9_000)
    collaboration = offer_accept(offer=accepted, influencer=profile)

    page = new_page()
    log_in(page, profile.user.email)
    page.goto("/influencer/offers/")
    card = page.locator(f"#offer-{offer.pk}")
    expect(card.get_by_role("heading", name="Payfold")).to_be_visible()
    expect(card.get_by_text(POST_TEXT)).to_be_visible()
    expect(card.get_by_text("125.00 EUR")).to_be_visible()
    expect(page.get_by_role("navigation", name="Main").get_by_text("Offers")).to_be_visible()
    screenshot(page, "influencer-offers-inbox")

    card.get_by_role("link", name="Answer").click()
    expect(page).to_have_url(re.compile(rf"/influencer/offers/{offer.pk}/$"))
    # A fee with too many decimals is refused next to the field, as typed.
    page.get_by_label("Your fee").fill("150.505")
    page.get_by_role("button", name="Send my fee").click()
    expect(page.locator("#id_fee_error")).to_contain_text("EUR has 2 decimal places at most.")
    expect(page.get_by_label("Your fee")).to_have_value("150.505")
    page.get_by_label("Your fee").fill("150.50")
    page.get_by_role("button", name="Send my fee").click()
    expect(page.locator("#offer-status")).to_have_text("Counter-offer")
    expect(page.locator("#countered")).to_contain_text("150.50 EUR")
    expect(page.get_by_role("button", name="Accept the offer")).to_have_count(0)
    screenshot(page, "influencer-offer-countered")

    page.goto("/influencer/offers/")
    expect(page.locator(f"#offer-{offer.pk}").get_by_text("Counter-offer sent")).to_be_visible()

    page.goto(f"/influencer/collaborations/{collaboration.pk}/")
    expect(page.locator("#collaboration-fee")).to_have_text("90.00 EUR")
    expect(page.get_by_text("due by").first).to_be_visible()
    page.get_by_label("Message").fill("Reposting tomorrow at 9.")
    page.get_by_role("button", name="Send").click()
    expect(page.locator("#thread-messages").get_by_text("Reposting tomorrow at 9.")).to_be_visible()
    expect(page.get_by_label("Message")).to_have_value("")
    screenshot(page, "influencer-collaboration")
