"""Fixtures of the publishing pages' tests (imported by test_views and test_calendar): a brand in
New York (`nyc`) with a member (`member`) signed in (`site`), a member of another brand signed in
(`outsider`); helpers for approved posts with copy and for accounts."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from apps.brands.models import ConnectionStatus, Platform, SocialConnection
from apps.posts.models import Post, PostCopy, PostStatus
from tests.factories import BrandFactory, BrandUserFactory, MembershipFactory

# Before the DST change of 1 Nov 2026 in New York; the tests travel here.
BEFORE_NOVEMBER = datetime(2026, 10, 20, 12, 0, tzinfo=UTC)


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.fixture(name="nyc")
def nyc_fixture():
    """A brand in New York (Tue–Thu, 09:00–11:00) with its sandbox account."""
    return BrandFactory(
        name="Ledgerly",
        timezone="America/New_York",
        preferred_days=[1, 2, 3],
        preferred_time_windows=["09:00-11:00"],
        posts_per_week=5,
        onboarding_completed_at=timezone.now(),
    )


@pytest.fixture(name="member")
def member_fixture(nyc):
    user = BrandUserFactory(display_name="Maya Chen")
    MembershipFactory(brand=nyc, user=user)
    return user


@pytest.fixture(name="site")
def site_fixture(client, member):
    """The member's browser."""
    client.force_login(member)
    return client


@pytest.fixture(name="outsider")
def outsider_fixture():
    """A signed-in member of another brand."""
    user = BrandUserFactory()
    MembershipFactory(user=user)
    browser = Client()
    browser.force_login(user)
    return browser


def approved_post(brand, text: str = "Instant payments are here for every small business.", platforms=("x",)):
    post = Post.objects.create(
        brand=brand, tone="friendly", post_format="post", status=PostStatus.APPROVED, generation_state="ready"
    )
    for platform in platforms:
        PostCopy.objects.create(post=post, platform=platform, parts=[text], source="template")
    return post


def account(brand, platform: str, handle: str, *, status=ConnectionStatus.CONNECTED, expires_in=None):
    """A connected X or LinkedIn account (no OAuth tokens: enough for the pages, not to publish)."""
    return SocialConnection.objects.create(
        brand=brand,
        platform=platform,
        handle=handle,
        status=status,
        token_expires_at=timezone.now() + expires_in if expires_in is not None else None,
    )


def sandbox_of(brand) -> SocialConnection:
    return SocialConnection.objects.get(brand=brand, platform=Platform.SANDBOX)


# Fixtures: import these names into a test module to use `nyc`, `member`, `site` and `outsider`.
FIXTURES = ("nyc_fixture", "member_fixture", "site_fixture", "outsider_fixture")


def post_page(client, post) -> str:
    """A post page as a browser shows it: the review page, then publishing's cards (the publish
    panel, the A/B test) that it fetches into its slot on load."""
    page = client.get(reverse("posts:review", args=[post.pk])).content.decode()
    panels = client.get(reverse("publishing:post_panels", args=[post.pk]), HTTP_HX_REQUEST="true")
    assert reverse("publishing:post_panels", args=[post.pk]) in page  # the slot that fetches them
    return page + panels.content.decode()
