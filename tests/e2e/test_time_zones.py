"""One clock per page in the browser: a brand in Berlin sees its post's created time and its publish
panel in Berlin time (with the zone named), never UTC beside CET; the trend page likewise."""

import re
from datetime import UTC, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from apps.posts.models import Post, PostCopy, PostStatus
from apps.publishing.services import post_schedule
from tests.e2e.conftest import screenshot
from tests.e2e.test_accounts_journeys import log_in
from tests.factories import BrandFactory, BrandUserFactory, MembershipFactory
from tests.trends.conftest import make_trend

pytestmark = pytest.mark.django_db(transaction=True)

BERLIN = ZoneInfo("Europe/Berlin")


def test_a_post_page_shows_created_and_publish_times_on_the_brands_clock(page, site_server):
    user = BrandUserFactory(email="lena@markt.example", display_name="Lena Vogel")
    brand = BrandFactory(name="Marktplatz", timezone="Europe/Berlin", onboarding_completed_at=timezone.now())
    MembershipFactory(brand=brand, user=user)
    post = Post.objects.create(
        brand=brand,
        tone="friendly",
        post_format="post",
        status=PostStatus.APPROVED,
        generation_state="ready",
        created_by=user,
        approved_by=user,
        approved_at=timezone.now(),
    )
    PostCopy.objects.create(
        post=post, platform="x", parts=["Christmas markets open on Friday."], source="llm"
    )
    created = timezone.now().replace(second=0, microsecond=0) - timedelta(hours=1)
    Post.objects.filter(pk=post.pk).update(created_at=created)
    goes_out = (timezone.now() + timedelta(days=1)).replace(minute=59, second=0, microsecond=0)
    post_schedule(post=post, user=user, at=goes_out.astimezone(UTC))

    log_in(page, user.email)
    expect(page).to_have_url(re.compile(r"/brand/$"))
    page.goto(f"/posts/{post.pk}/")

    local_created, local_out = created.astimezone(BERLIN), goes_out.astimezone(BERLIN)
    created_text = f"{local_created:%-d %b %Y, %H:%M} {local_created.tzname()}"
    meta = page.locator(".post-meta")
    expect(meta).to_contain_text(f"Created {created_text}")
    panel = page.locator("#publish-panel")
    expect(panel).to_contain_text(f"{local_out:%a %-d %b %Y, %H:%M} {local_out.tzname()}")
    # The UTC clock shows nowhere on the page.
    utc_created = f"{created:%-d %b %Y, %H:%M}"
    assert utc_created not in page.locator("main").inner_text()
    screenshot(page, "time-zones-post-page")


def test_a_trend_page_shows_its_times_on_the_brands_clock(page, site_server):
    user = BrandUserFactory(email="jonas@markt.example")
    brand = BrandFactory(
        name="Weihnachtsmarkt", timezone="Europe/Berlin", onboarding_completed_at=timezone.now()
    )
    MembershipFactory(brand=brand, user=user)
    trend = make_trend("Christmas markets open across Europe")

    log_in(page, user.email)
    expect(page).to_have_url(re.compile(r"/brand/$"))
    page.goto(f"/trends/{trend.pk}/?brand={brand.pk}")
    first = trend.first_seen_at.astimezone(BERLIN)
    expect(page.locator("main")).to_contain_text(f"First {first:%-d %b, %H:%M} {first.tzname()}")
    newest = trend.snapshots.order_by("-taken_at").first().taken_at.astimezone(BERLIN)
    expect(page.locator(".snapshot-table tbody tr").first).to_contain_text(f"{newest:%-d %b %Y, %H:%M}")
    screenshot(page, "time-zones-trend-page")
