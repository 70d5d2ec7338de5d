"""Helpers of the measurement, reputation and analytics tests: a brand with a published post, an
influencer with linked X / LinkedIn accounts whose tokens the local fakes issued, and verified
reposts that the fakes know."""

from __future__ import annotations

from datetime import timedelta

import pytest
from allauth.socialaccount.models import SocialAccount, SocialToken
from django.utils import timezone

from apps.collaborations.models import (
    Collaboration,
    CollaborationStatus,
    InfluencerAccount,
    Repost,
    RepostMethod,
    RepostStatus,
)
from apps.collaborations.services import (
    collaboration_advance,
    collaboration_confirm_receipt,
    collaboration_mark_paid,
    offer_accept,
    offer_send,
)
from apps.collaborations.services.measure import collaboration_result_refresh
from apps.publishing.models import Publication, PublicationStatus
from tests.factories import InfluencerProfileFactory, MembershipFactory, PostFactory

X_INFLUENCER = "1460000000000000777"
LINKEDIN_MEMBER = "9kInflu3"
FEE = 10_000  # 100.00 EUR


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
def membership(db):
    return MembershipFactory()


@pytest.fixture
def brand(membership):
    return membership.brand


@pytest.fixture
def owner(membership):
    return membership.user


@pytest.fixture
def creator(db):
    return InfluencerProfileFactory()


def brand_post(brand, *, impressions: dict[str, int] | None = None):
    """A published post with one publication per platform given, each with its impressions."""
    now = timezone.now() - timedelta(days=2)
    post = PostFactory(brand=brand, status="published", published_at=now)
    for platform, count in (impressions or {"x": 1000}).items():
        Publication.objects.create(
            post=post,
            brand=brand,
            platform=platform,
            copy_platform="linkedin" if platform == "linkedin" else "x",
            status=PublicationStatus.PUBLISHED,
            scheduled_for=now,
            due_at=now,
            published_at=now,
            impressions=count,
        )
    return post


def link_account(profile, *, platform: str, uid: str, access: str) -> InfluencerAccount:
    provider = {"x": "twitter_oauth2", "linkedin": "linkedin"}[platform]
    social = SocialAccount.objects.create(user=profile.user, provider=provider, uid=uid, extra_data={})
    SocialToken.objects.create(account=social, token=access, expires_at=timezone.now() + timedelta(days=30))
    return InfluencerAccount.objects.create(
        profile=profile, platform=platform, social_account=social, handle=f"h{uid[-4:]}", external_user_id=uid
    )


def collaboration_for(brand, owner, profile, post, *, platform="x", fee=FEE, currency="EUR") -> Collaboration:
    [offer] = offer_send(
        brand=brand,
        user=owner,
        post=post,
        influencers=[profile],
        fee_minor=fee,
        currency=currency,
        deadline=timezone.now() + timedelta(days=2),
        platform=platform,
        tag_brand=True,
        keep_link=True,
        message="",
    )
    return offer_accept(offer=offer, influencer=profile)


def verified_repost(collaboration, *, external_id: str, account=None, posted_at=None) -> Repost:
    """The repost H2's verification leaves behind: verified, collaboration verified."""
    for step in (CollaborationStatus.REPOSTED, CollaborationStatus.VERIFIED):
        collaboration = collaboration_advance(collaboration=collaboration, to=step)
    return Repost.objects.create(
        collaboration=collaboration,
        method=RepostMethod.URL,
        account=account,
        platform=collaboration.platform,
        status=RepostStatus.VERIFIED,
        external_id=external_id,
        posted_at=posted_at or timezone.now(),
        verified_at=timezone.now(),
    )


@pytest.fixture
def x_account(creator, fake_x):
    access, _ = fake_x.issue_token(user_id=X_INFLUENCER, handle="creator")
    return link_account(creator, platform="x", uid=X_INFLUENCER, access=access)


def delivered(brand, owner, profile, *, impressions=800, likes=40, final=True, currency="EUR", paid=False):
    """A collaboration measured from a repost with these numbers; completed when `final`."""
    collaboration = collaboration_for(brand, owner, profile, brand_post(brand), currency=currency)
    repost = verified_repost(collaboration, external_id=f"sbx-{collaboration.pk}")
    Repost.objects.filter(pk=repost.pk).update(
        impressions=impressions,
        likes=likes,
        comments=2,
        engagement_rate=(likes + 2) / impressions,
        metrics_fetched_at=timezone.now(),
    )
    collaboration_result_refresh(collaboration=collaboration)
    if final:
        collaboration_result_refresh(collaboration=collaboration, final=True)
    collaboration.refresh_from_db()
    if paid:
        collaboration = collaboration_mark_paid(collaboration=collaboration, user=owner)
        collaboration_confirm_receipt(collaboration=collaboration, user=profile.user)
    return collaboration
