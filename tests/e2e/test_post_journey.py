"""A post in the browser: a brand user presses "Generate post" on a recommended trend, picks X and
LinkedIn, watches the worker's progress finish on the review page, edits the X copy (the counter
follows as they type), approves, and sees it approved; then finds it on the drafts list.

This module runs a server of its own whose worker writes copy with the real LLM client against a
local fake OpenAI-compatible server (tests/fakes/llm.py)."""

import json
import re

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import expect

from apps.brands.models import Industry
from apps.posts.limits import x_weighted_length
from apps.posts.models import Post, PostStatus
from tests.e2e.conftest import screenshot
from tests.e2e.test_accounts_journeys import log_in
from tests.factories import BrandFactory, BrandUserFactory, MembershipFactory
from tests.trends.conftest import make_score, make_trend

pytestmark = pytest.mark.django_db(transaction=True)

GENERATION_TIMEOUT_MS = 60_000
EDITED = "Euro transfers now land in ten seconds. What would you do with cash that arrives instantly? ledgerly.example/instant"


@pytest.fixture(scope="module")
def site_server(llm_site_server):
    return llm_site_server


def ledgerly():
    industry, _ = Industry.objects.get_or_create(slug="fintech", defaults={"name": "Fintech"})
    user = BrandUserFactory(email="maya@ledgerly.example", display_name="Maya Chen")
    brand = BrandFactory(
        name="Ledgerly",
        industry=industry,
        pillars=["Instant payments for small businesses", "Faster cash flow for SMEs"],
        audience_roles=["CFOs", "Founders"],
        audience_geographies=["Europe"],
        default_tone="friendly",
        primary_color="#0F766E",
        onboarding_completed_at=timezone.now(),
    )
    MembershipFactory(brand=brand, user=user)
    trend = make_trend(
        "EU instant payments rule takes effect", summary="Banks must send euro transfers in ten seconds."
    )
    make_score(brand, trend, final=0.81)
    return user, brand, trend


def test_generate_edit_and_approve_a_post(page, site_server, fake_llm_server):
    if not settings.USE_REDIS:
        pytest.skip("needs a real worker and a channel layer shared between processes (Redis)")
    fake_llm_server.reset()
    fake_llm_server.delay(1.5)
    fake_llm_server.replies(
        [
            json.dumps(
                {"parts": ["Ten-second euro transfers are here. Is your cash flow ready for instant?"]}
            ),
            json.dumps(
                {
                    "parts": [
                        "From January, euro transfers land in ten seconds, at no extra cost.\n\n"
                        "For small businesses that means invoices paid today are cash today. "
                        "Three things to check: your bank's cut-off times, your reconciliation, "
                        "and how you tell customers.\n\n#payments #SME"
                    ]
                }
            ),
        ]
    )
    user, brand, trend = ledgerly()
    log_in(page, user.email)
    expect(page).to_have_url(re.compile(r"/brand/$"))

    card = page.locator(f"#trend-card-{trend.pk}")
    card.get_by_role("link", name=re.compile("Generate post")).click()
    panel = page.locator(f"#generate-panel-{trend.pk} form")
    expect(panel).to_be_visible()
    expect(panel.locator("label", has_text="Friendly")).to_contain_text("Suggested")
    panel.locator("input[name=platforms][value=x]").check()
    panel.locator("input[name=platforms][value=linkedin]").check()
    panel.locator("input[name=post_format][value=thread]").check()
    expect(panel.locator("[data-format-note]")).to_have_text("LinkedIn has no thread: it gets a post.")
    panel.locator("input[name=post_format][value=post]").check()
    expect(panel.locator("[data-format-note]")).to_be_hidden()
    screenshot(page, "posts-generate-panel")
    panel.get_by_role("button", name="Generate post").click()

    expect(page).to_have_url(re.compile(r"/posts/\d+/$"))
    post = Post.objects.get(brand=brand)
    # The fake LLM takes its time: the worker's progress shows live, then finishes.
    progress = page.locator(f"#post-{post.pk}-progress")
    expect(progress).to_be_visible()
    screenshot(page, "posts-review-generating")
    # Progress finishes, and the review section is fetched with the copy and graphics.
    x_copy = page.locator("#post-copy-x")
    expect(x_copy).to_be_visible(timeout=GENERATION_TIMEOUT_MS)
    expect(page.locator("#post-copy-linkedin")).to_be_visible()
    expect(x_copy.locator(".copy-source")).to_have_text("Written by the AI model")
    expect(page.locator(".post-graphic img").first).to_be_visible()
    # visible is not loaded: wait until the browser has the image's pixels (it was a race)
    page.wait_for_function(
        "() => { const img = document.querySelector('.post-graphic img');"
        " return img && img.complete && img.naturalWidth > 0; }",
        timeout=GENERATION_TIMEOUT_MS,
    )
    expect(page.locator("#post-live")).to_have_attribute("data-live", "open")

    # Edit the X copy: the counter follows, red when over 280.
    text = x_copy.locator("textarea")
    counter = x_copy.locator("[data-counter]")
    text.fill("y" * 290)
    expect(counter).to_have_class(re.compile(r"\bover\b"))
    expect(counter.locator("[data-length]")).to_have_text("290")
    text.fill(EDITED)
    expect(counter.locator("[data-length]")).to_have_text(str(x_weighted_length(EDITED)))
    expect(counter).not_to_have_class(re.compile(r"\bover\b"))
    x_copy.get_by_role("button", name="Save X copy").click()
    expect(page.locator("#post-copy-x .copy-saved")).to_have_text("Saved.")
    expect(page.locator("#post-history")).to_contain_text("Edited the X copy")

    page.get_by_role("button", name="Approve").click()
    expect(page.locator("#post-status")).to_have_text("Approved")
    expect(page.locator(".approved-note")).to_contain_text("Approved by Maya Chen")
    screenshot(page, "posts-review-approved")
    post.refresh_from_db()
    assert post.status == PostStatus.APPROVED
    assert post.copies.get(platform="x").parts == [EDITED]

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Posts").click()
    # Once publishing's batch buttons have loaded into their slot, the list is still there (the
    # slot once inherited the batch form's target and replaced the whole list).
    expect(page.locator("#batch-form").get_by_role("button", name="Publish now")).to_be_visible()
    expect(page.locator("#post-list")).to_contain_text(trend.title)
    expect(page.locator("#post-list .post-status")).to_have_text("Approved")
    screenshot(page, "posts-list")
