"""Helpers of the engagement-tracking tests: published publications on X, LinkedIn and the
sandbox, with accounts whose tokens the local fake servers issued."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from allauth.socialaccount.models import SocialAccount, SocialToken
from django.utils import timezone

from apps.brands.models import Platform, SocialConnection
from apps.posts.models import Post, PostStatus
from apps.publishing.models import Publication, PublicationStatus

X_USER_ID = "1460000000000000001"
LINKEDIN_MEMBER = "782bbtaQ"


def connect(brand, owner, *, platform: str, uid: str, handle: str, access: str, refresh: str = ""):
    provider = {"x": "twitter_oauth2", "linkedin": "linkedin"}[platform]
    account = SocialAccount.objects.create(user=owner, provider=provider, uid=uid, extra_data={})
    SocialToken.objects.create(
        account=account, token=access, token_secret=refresh, expires_at=timezone.now() + timedelta(days=30)
    )
    return SocialConnection.objects.create(
        brand=brand,
        platform=platform,
        social_account=account,
        handle=handle,
        token_expires_at=timezone.now() + timedelta(days=30),
        connected_by=owner,
    )


def published(
    brand, connection, *, part_ids: list[str], published_at: datetime, post: Post | None = None
) -> Publication:
    post = post or Post.objects.create(
        brand=brand, tone="witty", post_format="post", status=PostStatus.PUBLISHED, generation_state="ready"
    )
    return Publication.objects.create(
        post=post,
        brand=brand,
        connection=connection,
        platform=connection.platform,
        copy_platform="linkedin" if connection.platform == "linkedin" else "x",
        status=PublicationStatus.PUBLISHED,
        scheduled_for=published_at,
        due_at=published_at,
        published_at=published_at,
        part_ids=part_ids,
        external_id=part_ids[0] if part_ids else "",
    )


@pytest.fixture
def fake_x(settings):
    from tests.fakes.x_api import FakeX

    server = FakeX().start()
    settings.X_API_BASE_URL = server.url
    settings.X_CLIENT_ID, settings.X_CLIENT_SECRET = "smai-client", "smai-secret"
    yield server
    server.stop()


@pytest.fixture
def fake_linkedin(settings):
    from tests.fakes.linkedin_api import FakeLinkedIn

    server = FakeLinkedIn().start()
    settings.LINKEDIN_API_BASE_URL = server.url
    yield server
    server.stop()


@pytest.fixture
def x_account(brand, brand_user, fake_x):
    access, refresh = fake_x.issue_token(user_id=X_USER_ID, handle="ledgerly")
    return connect(
        brand,
        brand_user,
        platform=Platform.X,
        uid=X_USER_ID,
        handle="ledgerly",
        access=access,
        refresh=refresh,
    )


@pytest.fixture
def linkedin_account(brand, brand_user, fake_linkedin):
    access = fake_linkedin.issue_token(LINKEDIN_MEMBER)
    return connect(
        brand, brand_user, platform=Platform.LINKEDIN, uid=LINKEDIN_MEMBER, handle="dana", access=access
    )
