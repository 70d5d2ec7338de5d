"""A collaboration's thread is live in two browser contexts: the influencer writes and the brand's
page shows it without a reload; the writer's page shows it once (it comes back over the socket
too); the brand answers and the influencer sees the answer and a notification toast."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from apps.collaborations.services import offer_accept, offer_send
from tests.e2e.conftest import screenshot
from tests.e2e.test_accounts_journeys import log_in
from tests.factories import InfluencerProfileFactory, MembershipFactory, PublishedPostFactory

pytestmark = pytest.mark.django_db(transaction=True)

COUNT_SOCKET_MESSAGES = """() => {
  window.threadFrames = 0;
  document.addEventListener("htmx:wsAfterMessage", (event) => {
    if (event.target.id === "thread") window.threadFrames += 1;
  });
}"""


def open_thread(page, collaboration):
    page.goto(f"/influencer/collaborations/{collaboration.pk}/")
    page.wait_for_function("() => document.getElementById('thread').dataset.live === 'open'")
    page.evaluate(COUNT_SOCKET_MESSAGES)


def test_messages_appear_live_on_both_sides_and_once_on_the_writers_page(new_page):
    membership = MembershipFactory(brand__name="Payfold")
    profile = InfluencerProfileFactory(slug="ivy-live", display_name="Ivy Chen")
    [offer] = offer_send(
        brand=membership.brand,
        user=membership.user,
        post=PublishedPostFactory(brand=membership.brand),
        influencers=[profile],
        fee_minor=9_000,
        currency="EUR",
        deadline=timezone.now() + timedelta(days=2),
        platform="x",
    )
    collaboration = offer_accept(offer=offer, influencer=profile)
    brand_page, creator_page = new_page(), new_page()
    log_in(brand_page, membership.user.email)
    log_in(creator_page, profile.user.email)
    open_thread(brand_page, collaboration)
    open_thread(creator_page, collaboration)

    creator_page.get_by_label("Message").fill("Reposting tomorrow at 9.")
    creator_page.get_by_role("button", name="Send").click()
    theirs = brand_page.locator("#thread-messages .thread-message")
    expect(theirs).to_have_count(1)
    expect(theirs).to_contain_text("Reposting tomorrow at 9.")
    expect(brand_page.locator("#thread-messages .thread-message.mine")).to_have_count(0)
    # The writer's page got the message twice (the form's answer and the socket) and shows it once.
    creator_page.wait_for_function("() => window.threadFrames >= 1")
    expect(creator_page.locator("#thread-messages .thread-message")).to_have_count(1)
    expect(creator_page.locator("#thread-messages .thread-message.mine")).to_have_count(1)

    brand_page.get_by_label("Message").fill("Great, thanks!")
    brand_page.get_by_role("button", name="Send").click()
    mine = creator_page.locator("#thread-messages .thread-message")
    expect(mine).to_have_count(2)
    expect(mine.nth(1)).to_contain_text("Great, thanks!")
    expect(creator_page.locator(".toast")).to_contain_text("New message on a collaboration")
    expect(creator_page.locator("#thread-live-error")).to_be_hidden()
    screenshot(creator_page, "collaboration-thread-live")
