"""Writing a post in the browser: a brand user opens "New post" from the nav, writes a text that
runs past X's 280 (the counter goes red and the X preview says so), lets the AI helper make a
thread of it (the real LLM client against the local fake, tests/fakes/llm.py), sees the draft
autosave, picks a time, saves, approves on the post page and schedules it there (the planned
time is already filled in); the calendar's empty days offer "New post" with their date.

This module runs a server of its own whose LLM settings point at the fake LLM server."""

import json
import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import expect

from apps.brands.models import Industry
from apps.posts.models import Post, PostOrigin, PostStatus
from apps.publishing.models import Publication
from tests.e2e.conftest import screenshot
from tests.e2e.test_accounts_journeys import log_in
from tests.factories import BrandFactory, BrandUserFactory, MembershipFactory

pytestmark = pytest.mark.django_db(transaction=True)

LONG = (
    "From January, euro transfers land in ten seconds at no extra cost. For small businesses that means "
    "an invoice paid today is cash today. Three things to check now: your bank's cut-off times, how you "
    "reconcile payments that arrive at night, and what you tell customers who still wait three days."
)
TWEETS = [
    "From January, euro transfers land in ten seconds at no extra cost.",
    "For small businesses an invoice paid today is cash today.",
    "Check three things now: your bank's cut-off times, night-time reconciliation, and what you tell customers.",
]


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
        default_tone="friendly",
        primary_color="#0F766E",
        onboarding_completed_at=timezone.now(),
    )
    MembershipFactory(brand=brand, user=user)
    return user, brand


def test_write_a_post_make_a_thread_save_approve_and_schedule(page, site_server, fake_llm_server):
    if not settings.USE_REDIS:
        pytest.skip("needs a channel layer shared between processes (Redis) for the post page")
    fake_llm_server.reset()
    fake_llm_server.reply(json.dumps({"parts": TWEETS}))
    user, brand = ledgerly()
    zone = ZoneInfo(brand.timezone or "UTC")
    log_in(page, user.email)
    expect(page).to_have_url(re.compile(r"/brand/$"))

    page.locator("nav.mainnav").get_by_role("link", name="New post").click()
    expect(page).to_have_url(re.compile(rf"/brand/{brand.pk}/posts/new/$"))
    expect(page.get_by_label("X", exact=True)).to_be_checked()
    page.get_by_label("LinkedIn", exact=True).check()

    # Past 280 the X counter goes red, and the X preview says by how much.
    text = page.locator("#id_text")
    counter = page.locator("#composer-text-counter")
    text.fill(LONG)
    expect(counter).to_have_class(re.compile(r"\bover\b"))
    expect(counter.locator("[data-length]")).to_have_text(str(len(LONG)))
    x_preview = page.locator("[data-preview=x]")
    expect(x_preview.locator(".copy-problems")).to_contain_text("X allows 280")
    expect(page.locator("[data-preview=linkedin] .copy-problems")).to_have_count(0)

    # A save that cannot reach the server says so, and the text stays.
    page.route("**/posts/new/autosave/", lambda route: route.abort())
    expect(page.locator("#composer-saved")).to_contain_text("Not saved", timeout=15_000)
    expect(text).to_have_value(LONG)
    assert not Post.objects.filter(brand=brand).exists()
    page.unroute("**/posts/new/autosave/")

    # Typing again, the draft saves itself after a few quiet seconds.
    text.press("End")
    text.type(" ")
    text.press("Backspace")
    expect(page.locator("#composer-saved")).to_contain_text(re.compile(r"Saved \d\d:\d\d"), timeout=15_000)
    draft = Post.objects.get(brand=brand)
    assert draft.origin == PostOrigin.WRITTEN and draft.copies.get(platform="x").parts == [LONG]
    screenshot(page, "composer-over-limit")

    # The AI helper makes a thread of it; using it fills the X thread.
    page.get_by_role("button", name="Make a thread").click()
    suggestion = page.locator(".composer-suggestion")
    expect(suggestion).to_contain_text("1/3")
    suggestion.get_by_role("button", name="Use as the X thread").click()
    tweets = page.locator("#composer-thread textarea")
    expect(tweets).to_have_count(3)
    expect(tweets.first).to_have_value(f"{TWEETS[0]} 1/3")
    expect(page.locator("[data-preview=x]")).to_contain_text("Tweet 3")
    expect(page.locator("[data-preview=x] .copy-problems")).to_have_count(0)
    # X now gets the thread: the common text counts against LinkedIn's 3,000.
    expect(counter).to_contain_text("LinkedIn")
    expect(counter).not_to_have_class(re.compile(r"\bover\b"))
    assert len(fake_llm_server.chat_requests) == 1

    when = (timezone.now().astimezone(zone) + timedelta(days=2)).replace(
        hour=10, minute=30, second=0, microsecond=0
    )
    page.get_by_label("When (optional)").fill(f"{when:%Y-%m-%dT%H:%M}")
    expect(page.locator("#composer-saved")).to_contain_text(re.compile(r"Saved \d\d:\d\d"), timeout=15_000)
    screenshot(page, "composer-thread")
    page.get_by_role("button", name="Save and review").click()

    expect(page).to_have_url(re.compile(rf"/posts/{draft.pk}/$"))
    assert Post.objects.filter(brand=brand).count() == 1  # the autosaved draft, not a second post
    expect(page.locator(".post-origin")).to_have_text("Written")
    expect(page.locator("#post-copy-x textarea")).to_have_count(3)
    page.get_by_role("button", name="Approve").click()
    expect(page.locator("#post-status")).to_have_text("Approved")

    panel = page.locator("#publish-panel")
    expect(panel.locator("input[name=date]")).to_have_value(f"{when:%Y-%m-%d}")
    expect(panel.locator("input[name=time]")).to_have_value(f"{when:%H:%M}")
    panel.get_by_role("button", name="Schedule", exact=True).click()
    expect(page.locator("#publish-panel .publish-notice")).to_contain_text(
        f"Scheduled for {when:%a %-d %b %Y, %H:%M}"
    )
    expect(page.locator("#post-status")).to_have_text("Scheduled")
    post = Post.objects.get(pk=draft.pk)
    assert post.status == PostStatus.SCHEDULED and post.post_format == "thread"
    assert Publication.objects.get(post=post).scheduled_for == when

    # The calendar's empty days offer "New post" starting at that day.
    page.goto(f"/brand/{brand.pk}/calendar/?view=month")
    empty = page.locator("a.cal-new").first
    expect(empty).to_be_visible()
    empty.click()
    expect(page).to_have_url(re.compile(rf"/brand/{brand.pk}/posts/new/\?at="))
    expect(page.get_by_label("When (optional)")).to_have_value(re.compile(r"T09:00$"))
