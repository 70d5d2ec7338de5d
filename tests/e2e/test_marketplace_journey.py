"""The marketplace end to end in two browser contexts (issue 19): the brand searches influencers
and sends a direct offer for a published sandbox post; the influencer, with the inbox open, sees it
arrive without a reload, accepts, makes a Sandbox account and reposts through it; the worker
publishes, verifies and measures the repost; at the end of the measuring time the result is final
and the collaboration completed; the brand sees the reach multiplier and ROI and marks it paid; the
influencer confirms receipt and their analytics show the earnings and a reputation instead of
"New". Screenshots: test-artifacts/journey-*.png.

The worker's periodic runs (the engagement tracker, the 4-hourly measurement) are called here at
the time they would run; the repost's publishing, verification and first measurement are queued
by the pages and done by the site's own worker."""

from __future__ import annotations

import re
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.db import connection
from django.template.defaultfilters import floatformat
from django.utils import timezone
from playwright.sync_api import expect

from apps.analytics.services import metrics_fetch_due
from apps.brands.models import SocialConnection
from apps.collaborations.models import (
    Collaboration,
    CollaborationResult,
    CollaborationStatus,
    LedgerEntry,
    LedgerParty,
    LedgerStatus,
    Offer,
    Repost,
    RepostStatus,
    ReputationEvent,
)
from apps.collaborations.services.measure import reposts_measure
from apps.posts.models import PostCopy
from apps.publishing.models import Publication, PublicationStatus
from apps.sandbox.models import SandboxPost
from apps.sandbox.services import sandbox_post_create
from tests.e2e.conftest import screenshot
from tests.e2e.test_accounts_journeys import log_in
from tests.factories import (
    BrandFactory,
    BrandUserFactory,
    InfluencerProfileFactory,
    MembershipFactory,
    PostFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)

POST_TEXT = "Close the books in a day: the three checks we never skip."
MARK_NO_RELOAD = "() => { window.noReload = 'still the same page'; }"
STILL_NO_RELOAD = "() => window.noReload"


def in_thread(fn, *args, **kwargs):
    """Run a service as the worker would, outside this thread's event loop (Playwright's)."""

    def call():
        try:
            return fn(*args, **kwargs)
        finally:
            connection.close()

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(call).result()


def wait_for(read, what: str, timeout: float = 30):
    """Poll the database until `read()` is truthy: the site's worker does the step."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = read()
        if value:
            return value
        time.sleep(0.2)  # the worker is another process; nothing here to freeze
    raise AssertionError(f"the worker did not {what} within {timeout}s")


@pytest.fixture
def marketplace(site_server):
    """A brand with a sandbox post published two days ago, and three influencers of whom one is
    in the UK with 5,000 followers."""
    owner = BrandUserFactory(email="mara@payfold.example", display_name="Mara Quist")
    brand = BrandFactory(name="Payfold", created_by=owner, timezone="Europe/London")
    MembershipFactory(brand=brand, user=owner)
    published_at = timezone.now() - timedelta(days=2)
    original = sandbox_post_create(
        brand_id=brand.pk, text=POST_TEXT, meta={"tone": "witty"}, now=published_at
    )
    post = PostFactory(brand=brand, status="published", published_at=published_at)
    PostCopy.objects.create(post=post, platform="x", parts=[POST_TEXT], source="llm")
    publication = Publication.objects.create(
        post=post,
        brand=brand,
        platform="sandbox",
        copy_platform="x",
        status=PublicationStatus.PUBLISHED,
        connection=SocialConnection.objects.get(brand=brand, platform="sandbox"),
        scheduled_for=published_at,
        due_at=published_at,
        published_at=published_at,
        external_id=original.external_id,
        # As the site's sandbox publisher gives it (its SITE_URL is the live server's).
        external_url=f"{site_server.url}/brand/{brand.pk}/sandbox/p/{original.external_id}/",
    )
    ivy = InfluencerProfileFactory(
        slug="ivy-writes",
        display_name="Ivy Chen",
        audience_geographies=["UK"],
        follower_counts={"x": {"count": 5000}},
    )
    InfluencerProfileFactory(slug="grace", display_name="Grace Hopper", audience_geographies=["US"])
    InfluencerProfileFactory(
        slug="alan", display_name="Alan Turing", audience_geographies=["UK"], follower_counts={}
    )
    # The engagement tracker's run: the brand post's numbers from the sandbox's model.
    summary = metrics_fetch_due()
    assert summary.fetched == 1, summary.as_dict()
    publication.refresh_from_db()
    assert publication.impressions > 0
    return owner, brand, original, publication, ivy


def test_offer_to_paid_repost_across_two_browsers(new_page, site_server, marketplace):
    owner, brand, original, publication, ivy = marketplace

    # The influencer has the inbox open, with nothing in it yet, and its live socket connected.
    creator = new_page()
    log_in(creator, ivy.user.email)
    creator.goto("/influencer/offers/")
    expect(creator.get_by_role("heading", name="No offers yet")).to_be_visible()
    creator.wait_for_function("() => document.body.dataset.live === 'open'")
    creator.evaluate(MARK_NO_RELOAD)

    # The brand searches by audience and sends a direct offer for its sandbox post.
    brand_page = new_page()
    log_in(brand_page, owner.email)
    brand_page.goto(f"/brand/{brand.pk}/influencers/")
    expect(brand_page.locator("#mk-count")).to_contain_text("3 influencers")
    brand_page.get_by_label("Geographies").fill("UK")
    brand_page.get_by_label("Followers at least").fill("1000")
    brand_page.get_by_role("button", name="Search").click()
    cards = brand_page.get_by_role("list", name="Influencers").locator("> li")
    expect(cards).to_have_count(1)
    expect(cards.first).to_contain_text("Ivy Chen")
    brand_page.locator(f"#influencer-{ivy.pk}").get_by_label("Choose").check()
    screenshot(brand_page, "journey-brand-search")
    brand_page.get_by_role("button", name="Send an offer to the chosen").click()

    expect(brand_page.get_by_role("heading", name="Send an offer")).to_be_visible()
    expect(brand_page.get_by_label("Ivy Chen (@ivy-writes)")).to_be_checked()
    expect(brand_page.locator(".mk-post .mk-metrics")).to_contain_text(
        f"Sandbox: {publication.impressions:,} impressions"
    )
    brand_page.get_by_label("Fee").fill("90.00")
    brand_page.get_by_label("Currency").select_option("EUR")
    deadline = (timezone.now() + timedelta(days=4)).strftime("%Y-%m-%dT18:00")
    brand_page.get_by_label("Deadline").fill(deadline)
    brand_page.get_by_label("Platform").select_option("sandbox")
    brand_page.get_by_label("Message").fill("Your readers close books every month: would you share this?")
    brand_page.get_by_role("button", name="Send", exact=True).click()
    expect(brand_page.get_by_role("heading", name="Your offers")).to_be_visible()
    offer = Offer.objects.get(brand=brand, influencer=ivy)
    assert (offer.fee_minor, offer.currency, offer.platform) == (9000, "EUR", "sandbox")
    expect(brand_page.locator(f"#offer-{offer.pk} .mk-status")).to_have_text("Sent")

    # The open inbox shows the offer without a reload (the notification's live event refreshes it).
    card = creator.locator(f"#offer-{offer.pk}")
    expect(card.get_by_role("heading", name="Payfold")).to_be_visible()
    expect(card).to_contain_text("90.00 EUR")
    expect(card).to_contain_text(POST_TEXT)
    expect(creator.locator(".toast")).to_contain_text("New offer from Payfold")
    assert creator.evaluate(STILL_NO_RELOAD) == "still the same page"
    screenshot(creator, "journey-inbox-live")

    card.get_by_role("link", name="Answer").click()
    creator.get_by_role("button", name="Accept the offer").click()
    collaboration = Collaboration.objects.get(offer=offer)
    expect(creator).to_have_url(re.compile(rf"/influencer/collaborations/{collaboration.pk}/$"))
    expect(creator.locator("#collaboration-status")).to_have_text("Accepted")

    # No Sandbox account yet: the card points to the profile, where the influencer makes one.
    creator.locator("#repost").get_by_role("link", name="your profile").click()
    creator.get_by_role("button", name="Create my Sandbox account").click()
    expect(creator.locator("#repost-accounts").get_by_text("@ivy-writes")).to_be_visible()
    creator.goto(f"/influencer/collaborations/{collaboration.pk}/")
    repost_card = creator.locator("#repost")
    words = repost_card.get_by_label("Your words")
    expect(words).to_have_value(re.compile(r"^@\S+ "))
    expect(words).to_have_value(re.compile(re.escape(publication.external_url)))
    words.fill(words.input_value() + " The second check saved us a week.")
    repost_card.get_by_role("button", name="Repost now").click()

    # The worker publishes and verifies it; the card follows without a reload.
    expect(creator.locator("#repost-status")).to_contain_text("Verified", timeout=30_000)
    expect(creator.locator("#repost-link")).to_have_attribute(
        "href", re.compile(r"/sandbox/r/sbx_[0-9a-f]{16}/$")
    )
    repost = Repost.objects.get(collaboration=collaboration)
    assert repost.status == RepostStatus.VERIFIED
    # Exactly one sandbox post went out, from the influencer's account, reposting the brand's.
    reposts = SandboxPost.objects.filter(repost_of=original)
    assert reposts.count() == 1
    assert (reposts.get().external_id, reposts.get().influencer_user_id) == (repost.external_id, ivy.user_id)
    screenshot(creator, "journey-repost-verified")

    # The worker's first measurement (queued once verified): the collaboration is being measured.
    wait_for(
        lambda: Collaboration.objects.filter(
            pk=collaboration.pk, status=CollaborationStatus.MEASURED
        ).exists(),
        "measure the verified repost",
    )
    creator.reload()
    expect(creator.locator("#collaboration-status")).to_have_text("Measured")
    expect(creator.locator("#collab-result-title")).to_contain_text("Measuring")

    # The 4-hourly measurement right after the measuring time: the sandbox's numbers then, final.
    collaboration.refresh_from_db()
    summary = in_thread(reposts_measure, now=collaboration.measure_due_at + timedelta(minutes=5))
    assert (summary.fetched, summary.completed) == (1, 1), summary.as_dict()
    result = CollaborationResult.objects.get(collaboration=collaboration)
    repost.refresh_from_db()
    assert result.final and repost.impressions > 0 and result.repost_reach == repost.impressions
    assert result.brand_post_reach == publication.impressions
    multiplier = (publication.impressions + repost.impressions) / publication.impressions
    assert result.reach_multiplier == pytest.approx(multiplier)
    assert result.roi is not None and result.roi > 0

    # The brand sees what the repost delivered, and marks the fee paid.
    brand_page.goto(f"/influencer/collaborations/{collaboration.pk}/")
    expect(brand_page.locator("#collaboration-status")).to_have_text("Completed")
    expect(brand_page.locator("#collab-result-title")).to_contain_text("Final")
    expect(brand_page.locator("#result-reach")).to_have_text(f"{repost.impressions:,} impressions")
    expect(brand_page.locator("#result-multiplier")).to_contain_text(f"{multiplier:.2f}×")
    expect(brand_page.locator("#result-multiplier")).to_contain_text(
        f"{publication.impressions:,} on your post + {repost.impressions:,} from the repost"
    )
    expect(brand_page.locator("#result-roi")).to_contain_text(f"{result.roi:.2f}× the fee")
    screenshot(brand_page, "journey-brand-result")
    brand_page.get_by_role("button", name="Mark paid").click()
    expect(brand_page.locator("#collaboration-status")).to_have_text("Paid")

    # The influencer confirms the money arrived.
    creator.reload()
    expect(creator.locator("#collaboration-status")).to_have_text("Paid")
    expect(creator.locator("#result-reaction")).to_be_visible()
    creator.get_by_role("button", name="Confirm receipt").click()
    expect(creator.get_by_text("Receipt confirmed by the influencer")).to_be_visible()

    # The ledger: the fee agreed on both sides, then each side's pending entry settled as paid.
    entries = LedgerEntry.objects.filter(collaboration=collaboration)
    assert sorted(entries.values_list("party", "status", "amount_minor", "currency")) == sorted(
        [
            (LedgerParty.BRAND, LedgerStatus.PENDING, -9000, "EUR"),
            (LedgerParty.INFLUENCER, LedgerStatus.PENDING, 9000, "EUR"),
            (LedgerParty.BRAND, LedgerStatus.PAID, -9000, "EUR"),
            (LedgerParty.INFLUENCER, LedgerStatus.PAID, 9000, "EUR"),
        ]
    )
    assert entries.filter(status=LedgerStatus.PAID, reverses__status=LedgerStatus.PENDING).count() == 2

    # The influencer's analytics: the fee received, and a reputation where "New" was.
    ivy.refresh_from_db()
    assert ivy.reputation_score is not None
    assert ReputationEvent.objects.filter(profile=ivy, collaboration=collaboration).count() == 1
    creator.get_by_role("navigation", name="Main").get_by_role("link", name="Analytics").click()
    expect(creator).to_have_url(re.compile(r"/influencer/analytics/$"))
    earnings = creator.locator("#ca-earnings li[data-currency='EUR']")
    expect(earnings.locator("span").nth(1)).to_have_text("90.00 EUR received")
    expect(earnings.locator("span").nth(2)).to_have_text("0.00 EUR owed")
    reputation = creator.locator(".an-stats .stat").filter(has_text="Reputation")
    expect(reputation.locator(".badge-new")).to_have_count(0)
    expect(reputation.locator("strong")).to_have_text(floatformat(ivy.reputation_score, "-1"))
    expect(creator.locator("#ca-reposts tbody tr")).to_have_count(1)
    expect(creator.locator("#ca-reposts tbody tr")).to_contain_text("Final")
    expect(creator.locator(".ca-history li")).to_have_count(1)
    expect(creator.locator(".ca-history li")).to_contain_text("Collaboration with Payfold completed")
    screenshot(creator, "journey-influencer-analytics")

    # The public profile charts the reputation (one point) and lists the delivered reach.
    creator.get_by_role("link", name="Your public profile").click()
    expect(creator.locator("#reputation-chart circle.rep-dot")).to_have_count(1)
    expect(creator.locator("#delivered-list li")).to_have_count(1)
