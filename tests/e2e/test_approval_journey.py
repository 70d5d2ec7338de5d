"""Approvals in the browser (issue 20): Ledgerly's posts need approval. The editor writes a post
in the composer and submits it; the owner, whose page is open, gets the notification without a
reload, opens the post from it, cannot schedule before approving, approves, and schedules. Then
the owner shares a preview link; an outsider comments on it with a name; a revoked link says so."""

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import expect

from apps.brands.models import Industry
from apps.posts.models import ApprovalState, Post, PostComment, PostStatus
from apps.publishing.models import Publication
from tests.e2e.conftest import screenshot
from tests.e2e.test_accounts_journeys import log_in
from tests.e2e.test_live_notifications import wait_for_socket
from tests.factories import BrandFactory, BrandUserFactory, MembershipFactory

pytestmark = pytest.mark.django_db(transaction=True)

TEXT = "Euro transfers now land in ten seconds. What will you do with the three days you get back?"


def ledgerly():
    industry, _ = Industry.objects.get_or_create(slug="fintech", defaults={"name": "Fintech"})
    brand = BrandFactory(
        name="Ledgerly",
        industry=industry,
        pillars=["Instant payments for small businesses"],
        default_tone="friendly",
        onboarding_completed_at=timezone.now(),
        posts_need_approval=True,
    )
    owner = BrandUserFactory(email="maya@ledgerly.example", display_name="Maya Chen")
    editor = BrandUserFactory(email="eddie@ledgerly.example", display_name="Eddie Park")
    MembershipFactory(brand=brand, user=owner, role="owner")
    MembershipFactory(brand=brand, user=editor, role="editor")
    return brand, owner, editor


def test_editor_submits_owner_approves_from_the_notification_and_schedules(new_page, site_server):
    if not settings.USE_REDIS:
        pytest.skip("needs a channel layer shared between processes (Redis) for the live notification")
    brand, owner, editor = ledgerly()
    zone = ZoneInfo(brand.timezone or "UTC")

    owner_page = new_page()
    log_in(owner_page, owner.email)
    expect(owner_page).to_have_url(re.compile(r"/brand/$"))
    wait_for_socket(owner_page)

    page = new_page()
    log_in(page, editor.email)
    page.goto(f"/brand/{brand.pk}/posts/new/")
    page.locator("#id_text").fill(TEXT)
    page.get_by_role("button", name="Save and review").click()
    expect(page).to_have_url(re.compile(r"/posts/\d+/$"))
    post = Post.objects.get(brand=brand)
    decision = page.locator(".decision-card")
    expect(decision.locator(".approve-form")).to_have_count(0)  # an editor cannot approve
    decision.get_by_role("button", name="Submit for approval").click()
    expect(decision.locator(".approval-state")).to_contain_text("Awaiting approval")
    screenshot(page, "approval-submitted")
    assert Post.objects.get(pk=post.pk).approval_state == ApprovalState.PENDING

    # The owner's open page shows the notification live and opens the post from it.
    toast = owner_page.locator(".toast").filter(has_text="asks you to approve a post")
    expect(toast).to_be_visible()
    toast.get_by_role("link", name="Open").click()
    expect(owner_page).to_have_url(re.compile(rf"/posts/{post.pk}/$"))
    expect(owner_page.locator(".approval-state")).to_contain_text("Submitted by Eddie Park")
    screenshot(owner_page, "approval-owner-review")
    owner_page.locator(".decision-card").get_by_role("button", name="Approve").click()
    expect(owner_page.locator("#post-status")).to_have_text("Approved")
    expect(owner_page.locator("#post-history")).to_contain_text("in the approval step")

    when = (timezone.now().astimezone(zone) + timedelta(days=2)).replace(
        hour=10, minute=30, second=0, microsecond=0
    )
    panel = owner_page.locator("#publish-panel")
    panel.locator("input[name=date]").fill(f"{when:%Y-%m-%d}")
    panel.locator("input[name=time]").fill(f"{when:%H:%M}")
    panel.get_by_role("button", name="Schedule", exact=True).click()
    expect(owner_page.locator("#post-status")).to_have_text("Scheduled")
    post.refresh_from_db()
    assert post.status == PostStatus.SCHEDULED and post.approved_by == owner
    assert Publication.objects.get(post=post).scheduled_for == when

    # A preview link for someone outside the brand, who comments with a name.
    comments = owner_page.locator("#comments")
    comments.get_by_role("button", name="Create preview link").click()
    link = comments.locator("input.preview-link-url").first
    expect(link).to_be_visible()
    url = link.input_value()
    screenshot(owner_page, "approval-comments")
    guest = new_page()
    guest.goto(url)
    expect(guest.locator("[data-preview=x]")).to_contain_text("ten seconds")
    guest.get_by_label("Your name").fill("Jo from the agency")
    guest.get_by_label("Comment", exact=True).fill("Lovely. Maybe add the date?")
    guest.get_by_role("button", name="Send comment").click()
    expect(guest.locator(".flash-success")).to_contain_text("has your comment")
    screenshot(guest, "approval-preview-guest")
    assert PostComment.objects.get(post=post).author_name == "Jo from the agency"

    comments.get_by_role("button", name="Revoke").click()
    expect(owner_page.locator("#comments .preview-link-revoked")).to_have_count(1)
    guest.goto(url)
    expect(guest.locator("h1")).to_contain_text("no longer available")

    # The setting lives in the brand settings, where only an owner changes it.
    owner_page.goto(f"/brand/{brand.pk}/settings/#approvals")
    expect(owner_page.get_by_label("Posts need approval")).to_be_checked()
    owner_page.locator("#approvals").scroll_into_view_if_needed()
    screenshot(owner_page, "approval-settings")
