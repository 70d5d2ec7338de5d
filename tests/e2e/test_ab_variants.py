"""A/B variants in the browser: a brand user presses "Create A/B variant" on a post, lands on
variant B while the worker writes it (the real LLM client against the local fake server, asked
for a different hook), sees both variants side by side, approves both and schedules them in
different slots; once both have final rewards the post page names the winner and how sure it is.

This module runs a server of its own whose worker talks to a fake OpenAI-compatible server."""

import json
import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import expect

from apps.brands.models import Industry
from apps.posts.models import Post, PostCopy, PostStatus
from apps.publishing.models import Publication, PublicationStatus
from tests.e2e.conftest import screenshot
from tests.e2e.test_accounts_journeys import log_in
from tests.factories import BrandFactory, BrandUserFactory, MembershipFactory
from tests.trends.conftest import make_trend

pytestmark = pytest.mark.django_db(transaction=True)

GENERATION_TIMEOUT_MS = 60_000
A_TEXT = "Ten-second euro transfers are live. What changes for your cash flow this quarter? #payments"
B_TEXT = (
    "Picture this: a client pays at 4:59 pm and the money is yours by 5. Ready for instant euro transfers?"
)


@pytest.fixture(scope="module")
def site_server(llm_site_server):
    return llm_site_server


def test_create_a_variant_see_both_schedule_them_and_read_the_winner(page, site_server, fake_llm_server):
    if not settings.USE_REDIS:
        pytest.skip("needs a real worker and a channel layer shared between processes (Redis)")
    fake_llm_server.reset()
    fake_llm_server.reply(json.dumps({"parts": [B_TEXT]}))
    industry, _ = Industry.objects.get_or_create(slug="fintech", defaults={"name": "Fintech"})
    user = BrandUserFactory(email="maya@ledgerly.example", display_name="Maya Chen")
    brand = BrandFactory(
        name="Ledgerly",
        industry=industry,
        pillars=["Instant payments for small businesses"],
        audience_roles=["CFOs", "Founders"],
        default_tone="friendly",
        timezone="Europe/Berlin",
        onboarding_completed_at=timezone.now(),
    )
    MembershipFactory(brand=brand, user=user)
    trend = make_trend(
        "EU instant payments rule takes effect", summary="Banks must send euro transfers in ten seconds."
    )
    a = Post.objects.create(
        brand=brand,
        trend=trend,
        created_by=user,
        tone="friendly",
        generation_state="ready",
        generation_progress=100,
    )
    PostCopy.objects.create(post=a, platform="x", parts=[A_TEXT], source="llm")

    log_in(page, user.email)
    expect(page).to_have_url(re.compile(r"/brand/$"))
    page.goto(f"/posts/{a.pk}/")
    panel = page.locator("#ab-panel")
    expect(panel).to_contain_text("Try a second version of this copy")
    panel.scroll_into_view_if_needed()
    screenshot(page, "ab-variant-offer")
    panel.get_by_role("button", name="Create A/B variant").click()

    # Variant B's page: the worker writes it with the LLM, then both show side by side.
    expect(page).to_have_url(re.compile(rf"/posts/(?!{a.pk}/)\d+/$"))
    b = Post.objects.get(ab_parent=a)
    assert page.url.endswith(f"/posts/{b.pk}/")
    expect(page.locator("#post-copy-x")).to_be_visible(timeout=GENERATION_TIMEOUT_MS)
    panel = page.locator("#ab-panel")
    expect(panel).to_contain_text("This is variant B")
    expect(panel.locator('[data-variant="A"]')).to_contain_text("Ten-second euro transfers are live")
    expect(panel.locator('[data-variant="B"]')).to_contain_text("Picture this: a client pays at 4:59 pm")
    expect(panel).to_contain_text("Approve both variants to put the test on the calendar")
    prompt = fake_llm_server.chat_requests[-1].messages[-1]["content"]
    assert "variant B of an A/B test" in prompt and A_TEXT in prompt
    screenshot(page, "ab-variant-both")

    # Approve B here and A on its page, then schedule both from A's page: different slots.
    page.get_by_role("button", name="Approve").click()
    expect(page.locator("#post-status")).to_have_text("Approved")
    panel.get_by_role("link", name=f"Open post #{a.pk}").click()
    expect(page).to_have_url(re.compile(rf"/posts/{a.pk}/$"))
    page.get_by_role("button", name="Approve").click()
    expect(page.locator("#post-status")).to_have_text("Approved")
    panel = page.locator("#ab-panel")
    expect(panel.locator("input[name=mode][value=slots]")).to_be_checked()
    panel.get_by_role("button", name="Schedule both").click()
    expect(panel.locator(".ab-notice")).to_contain_text("A goes out")
    expect(panel.locator('[data-variant="A"] .ab-when')).to_contain_text("Goes out")
    expect(panel.locator('[data-variant="B"] .ab-when')).to_contain_text("Goes out")
    times = {
        p.post_id: p.scheduled_for for p in Publication.objects.filter(post__in=[a, b], status="scheduled")
    }
    assert times[b.pk] > times[a.pk]
    panel.scroll_into_view_if_needed()
    screenshot(page, "ab-variant-scheduled")

    # A week later both have final rewards (the metrics fetch fills them; set here).
    published_at = timezone.now() - timedelta(days=8)
    numbers = {
        a.pk: {
            "reward": 1.1,
            "likes": 50,
            "comments": 10,
            "shares": 6,
            "quotes": 4,
            "bookmarks": 4,
            "impressions": 1850,
        },
        b.pk: {
            "reward": 2.4,
            "likes": 70,
            "comments": 14,
            "shares": 9,
            "quotes": 5,
            "bookmarks": 4,
            "impressions": 1920,
        },
    }
    for post_id, values in numbers.items():
        Publication.objects.filter(post_id=post_id).update(
            status=PublicationStatus.PUBLISHED,
            published_at=published_at,
            reward_final=True,
            metrics_fetched_at=timezone.now(),
            **values,
        )
        Post.objects.filter(pk=post_id).update(status=PostStatus.PUBLISHED, published_at=published_at)
    page.reload()
    result = page.locator("#ab-result")
    expect(result.locator("h3")).to_have_text("B wins")
    expect(result).to_contain_text(
        "Reward 2.4 vs 1.1; 97 % confident B's engagement rate is higher (1,920 vs 1,850 impressions)."
    )
    expect(page.locator('#ab-panel [data-variant="B"]')).to_have_class(re.compile(r"\bis-winner\b"))
    result.scroll_into_view_if_needed()
    screenshot(page, "ab-variant-winner")
