"""Publishing test helpers: a brand in New York with an owner, approved posts, X and LinkedIn
accounts whose tokens the local fake servers issued, and running the dispatcher at a given time."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import time_machine
from allauth.socialaccount.models import SocialAccount, SocialToken
from django.utils import timezone

from apps.brands.models import Platform, SocialConnection
from apps.posts.models import Post, PostCopy, PostStatus
from tests.factories import BrandFactory, MembershipFactory

X_USER_ID = "1460000000000000001"
LINKEDIN_MEMBER = "782bbtaQ"


@pytest.fixture
def brand(brand_user):
    """The root `brand` (brand_user is its owner), in New York, with preferred slots."""
    brand = BrandFactory(
        created_by=brand_user,
        name="Ledgerly",
        timezone="America/New_York",
        preferred_days=[1, 2, 3],
        preferred_time_windows=["09:00-11:00"],
        posts_per_week=5,
        onboarding_completed_at=timezone.now(),
    )
    MembershipFactory(brand=brand, user=brand_user)
    return brand


@pytest.fixture
def owner(brand, brand_user):
    return brand_user


def approved_post(brand, *parts: str, platforms=("x",), post_format="post", tone="friendly") -> Post:
    post = Post.objects.create(
        brand=brand, tone=tone, post_format=post_format, status=PostStatus.APPROVED, generation_state="ready"
    )
    for platform in platforms:
        PostCopy.objects.create(
            post=post,
            platform=platform,
            parts=list(parts or ["Instant payments are here."]),
            source="template",
        )
    return post


@pytest.fixture
def fake_x(settings):
    from tests.fakes.x_api import FakeX

    server = FakeX().start()
    settings.X_API_BASE_URL = server.url
    settings.X_CLIENT_ID, settings.X_CLIENT_SECRET = "smai-client", "smai-secret"
    settings.PUBLISH_TIMEOUT = 0.5
    yield server
    server.stop()


@pytest.fixture
def fake_linkedin(settings):
    from tests.fakes.linkedin_api import FakeLinkedIn

    server = FakeLinkedIn().start()
    settings.LINKEDIN_API_BASE_URL = server.url
    settings.PUBLISH_TIMEOUT = 0.5
    yield server
    server.stop()


def connect(
    brand, owner, *, platform: str, uid: str, handle: str, access: str, refresh: str = "", expires_in=7200
):
    provider = {"x": "twitter_oauth2", "linkedin": "linkedin"}[platform]
    account = SocialAccount.objects.create(
        user=owner, provider=provider, uid=uid, extra_data={"username": handle}
    )
    SocialToken.objects.create(
        account=account,
        token=access,
        token_secret=refresh,
        expires_at=timezone.now() + timedelta(seconds=expires_in),
    )
    return SocialConnection.objects.create(
        brand=brand,
        platform=platform,
        social_account=account,
        handle=handle,
        token_expires_at=timezone.now() + timedelta(seconds=expires_in),
        connected_by=owner,
    )


@pytest.fixture
def x_account(brand, owner, fake_x):
    access, refresh = fake_x.issue_token(user_id=X_USER_ID, handle="ledgerly")
    return connect(
        brand, owner, platform=Platform.X, uid=X_USER_ID, handle="ledgerly", access=access, refresh=refresh
    )


@pytest.fixture
def linkedin_account(brand, owner, fake_linkedin):
    access = fake_linkedin.issue_token(LINKEDIN_MEMBER)
    return connect(
        brand,
        owner,
        platform=Platform.LINKEDIN,
        uid=LINKEDIN_MEMBER,
        handle="dana@ledgerly.example",
        access=access,
    )


@pytest.fixture
def run_due(django_capture_on_commit_callbacks):
    """Run the dispatcher as its periodic tick would at `at` (default: now); the publish tasks
    run eagerly on commit, as a worker would run them."""
    from apps.publishing.services import publications_dispatch

    def run(at: datetime | None = None):
        if at is None:
            with django_capture_on_commit_callbacks(execute=True):
                return publications_dispatch()
        with time_machine.travel(at, tick=False), django_capture_on_commit_callbacks(execute=True):
            return publications_dispatch()

    return run
