"""The post page's Metrics card in the browser: a post that went out on X (8 days ago: reward
final), LinkedIn (estimated numbers marked) and the sandbox, after several 4-hourly fetches run
by the real service against the local fake X and LinkedIn servers and the sandbox model."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from apps.analytics.services import metrics_fetch_due
from apps.brands.models import Platform, SocialConnection
from apps.posts.models import Post, PostCopy, PostStatus
from apps.sandbox.services import sandbox_post_create
from tests.analytics.metrics_fixtures import X_USER_ID, connect, published
from tests.e2e.conftest import screenshot
from tests.e2e.test_accounts_journeys import log_in
from tests.factories import BrandFactory, BrandUserFactory, MembershipFactory
from tests.fakes.linkedin_api import FakeLinkedIn
from tests.fakes.x_api import FakeX

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_post_page_shows_each_publications_metrics_and_reward(page, site_server, settings):
    fake_x, fake_li = FakeX().start(), FakeLinkedIn().start()
    settings.X_API_BASE_URL, settings.LINKEDIN_API_BASE_URL = fake_x.url, fake_li.url
    fake_li.can_read_analytics = False
    try:
        user = BrandUserFactory(email="maya@ledgerly.example", display_name="Maya Chen")
        brand = BrandFactory(
            name="Ledgerly", timezone="Europe/Berlin", onboarding_completed_at=timezone.now()
        )
        MembershipFactory(brand=brand, user=user)
        post = Post.objects.create(
            brand=brand, created_by=user, tone="witty", status=PostStatus.PUBLISHED, generation_state="ready"
        )
        PostCopy.objects.create(
            post=post, platform="x", parts=["Euro transfers in ten seconds."], source="llm"
        )
        PostCopy.objects.create(
            post=post, platform="linkedin", parts=["Euro transfers in ten seconds."], source="llm"
        )

        now = timezone.now()
        access, _ = fake_x.issue_token(user_id=X_USER_ID, handle="ledgerly")
        x = connect(brand, user, platform=Platform.X, uid=X_USER_ID, handle="ledgerly", access=access)
        li = connect(
            brand,
            user,
            platform=Platform.LINKEDIN,
            uid="782bbtaQ",
            handle="maya",
            access=fake_li.issue_token(),
        )
        sandbox = SocialConnection.objects.get(brand=brand, platform=Platform.SANDBOX)
        tweet = fake_x.add_tweet("Euro transfers in ten seconds.", user_id=X_USER_ID)
        li_post = fake_li.add_post("Euro transfers in ten seconds.")
        sbx = sandbox_post_create(
            brand_id=brand.pk,
            text="Euro transfers in ten seconds.",
            meta={"tone": "witty"},
            now=now - timedelta(days=1),
        )
        on_x = published(
            brand, x, part_ids=[tweet.id], published_at=now - timedelta(days=7, hours=20), post=post
        )
        on_li = published(brand, li, part_ids=[li_post.id], published_at=now - timedelta(days=1), post=post)
        published(brand, sandbox, part_ids=[sbx.external_id], published_at=now - timedelta(days=1), post=post)

        for step in range(8):  # eight fetches, 4 hours apart, the last one now
            at = now - timedelta(hours=4 * (7 - step))
            grow = step + 1
            fake_x.set_metrics(
                tweet.id,
                like_count=14 * grow,
                reply_count=3 * grow,
                retweet_count=2 * grow,
                quote_count=grow,
                bookmark_count=2 * grow,
                impression_count=900 * grow,
            )
            fake_li.set_metrics(li_post.id, reactions=9 * grow, comments=2 * grow)
            metrics_fetch_due(now=at)
        on_x.refresh_from_db()
        assert on_x.reward_final

        log_in(page, user.email)
        expect(page).to_have_url(re.compile(r"/brand/$"))
        page.goto(f"/posts/{post.pk}/")
        card = page.locator("#post-metrics")
        expect(card).to_contain_text("Metrics")
        expect(card.locator(f"#post-metrics-{on_x.pk}")).to_contain_text("final")
        expect(card).to_contain_text("provisional")
        expect(card).to_contain_text("est.")
        expect(card).to_contain_text("Sandbox")
        # Fetched on after the reward became final (at the third fetch): eight rows.
        expect(card.locator(f"#post-metrics-{on_x.pk} tbody tr")).to_have_count(8)
        card.locator(f"#post-metrics-{on_li.pk} .pm-more").click()
        expect(card.locator(f"#pm-older-{on_li.pk}")).to_be_visible()
        card.scroll_into_view_if_needed()
        screenshot(page, "post-metrics")
        card.screenshot(path="test-artifacts/post-metrics-card.png")
    finally:
        fake_x.stop()
        fake_li.stop()
