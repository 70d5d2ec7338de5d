"""An influencer makes their Sandbox account on the profile page, reposts a brand's post through
it from the collaboration page (a wrong address first, refused next to its field), watches the
card go from publishing to verified without a reload, and the brand sees the repost's link."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from apps.brands.models import SocialConnection
from apps.collaborations.services import offer_accept, offer_send
from apps.posts.models import PostCopy
from apps.publishing.models import Publication, PublicationStatus
from apps.sandbox.services import sandbox_post_create
from tests.e2e.conftest import screenshot
from tests.e2e.test_accounts_journeys import log_in
from tests.factories import InfluencerProfileFactory, MembershipFactory, PostFactory

pytestmark = pytest.mark.django_db(transaction=True)

POST_TEXT = "Close the books in a day: the three checks we never skip."


def test_influencer_reposts_through_the_sandbox_and_the_brand_sees_it_verified(new_page, site_server):
    membership = MembershipFactory(brand__name="Payfold")
    brand = membership.brand
    profile = InfluencerProfileFactory(slug="ivy-writes", display_name="Ivy Chen")
    original = sandbox_post_create(brand_id=brand.pk, text=POST_TEXT, meta={"tone": "witty"})
    post = PostFactory(brand=brand, status="published", published_at=timezone.now())
    PostCopy.objects.create(post=post, platform="x", parts=[POST_TEXT], source="llm")
    Publication.objects.create(
        post=post,
        brand=brand,
        platform="sandbox",
        copy_platform="x",
        status=PublicationStatus.PUBLISHED,
        scheduled_for=post.published_at,
        due_at=post.published_at,
        published_at=post.published_at,
        external_id=original.external_id,
        external_url=f"{site_server.url}/brand/{brand.pk}/sandbox/p/{original.external_id}/",
    )
    handle = SocialConnection.objects.get(brand=brand, platform="sandbox").handle
    [offer] = offer_send(
        brand=brand,
        user=membership.user,
        post=post,
        influencers=[profile],
        fee_minor=9_000,
        currency="EUR",
        deadline=timezone.now() + timedelta(days=2),
        platform="sandbox",
        message="Would you share this?",
    )
    collaboration = offer_accept(offer=offer, influencer=profile)

    page = new_page()
    log_in(page, profile.user.email)
    page.goto("/influencer/profile/")
    page.get_by_role("button", name="Create my Sandbox account").click()
    accounts = page.locator("#repost-accounts")
    expect(accounts.get_by_text("@ivy-writes")).to_be_visible()
    expect(accounts.get_by_text("Ready")).to_be_visible()

    page.goto(f"/influencer/collaborations/{collaboration.pk}/")
    card = page.locator("#repost")
    expect(card.get_by_label("Your words")).to_have_value(re.compile(rf"^@{re.escape(handle)} "))
    # An address from another platform is refused next to its field, nothing else changes.
    card.get_by_label("Address of your post").fill("https://x.com/someone/status/1850000000000000001")
    card.get_by_role("button", name="Submit for checking").click()
    expect(page.locator("#id_url_error")).to_contain_text("This offer is for Sandbox")
    screenshot(page, "repost-card-error")

    card = page.locator("#repost")
    card.get_by_label("Your words").fill(card.get_by_label("Your words").input_value() + " Worth your time.")
    card.get_by_role("button", name="Repost now").click()
    expect(page.locator("#repost-status")).to_contain_text("Verified", timeout=30_000)
    expect(page.locator("#repost-link")).to_have_attribute(
        "href", re.compile(r"/sandbox/r/sbx_[0-9a-f]{16}/$")
    )
    screenshot(page, "repost-card-verified")

    brand_page = new_page()
    log_in(brand_page, membership.user.email)
    brand_page.goto(f"/influencer/collaborations/{collaboration.pk}/")
    expect(brand_page.locator("#repost-status")).to_contain_text("Verified")
    brand_page.goto(brand_page.locator("#repost-link").get_attribute("href"))  # it opens in a new tab
    expect(brand_page.get_by_text("Worth your time.")).to_be_visible()
    expect(brand_page.get_by_text(POST_TEXT)).to_be_visible()
    screenshot(brand_page, "repost-sandbox-page")
