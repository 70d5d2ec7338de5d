"""Rewarded publications for the learning tests, made directly (the metrics fetch is not under test),
with their row in the learning loop's reward ledger as the fetch writes it."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
from django.utils import timezone

from apps.analytics.services import publication_reward_report
from apps.brands.models import Industry, Platform, SocialConnection
from apps.posts.models import Post, PostStatus
from apps.publishing.models import Publication, PublicationStatus
from apps.trends.models import Trend
from tests.factories import BrandFactory


def learning_brand(**extra):
    industry, _ = Industry.objects.get_or_create(slug="tech", defaults={"name": "Tech"})
    return BrandFactory(industry=industry, default_tone=extra.pop("default_tone", "professional"), **extra)


def unit(vector) -> bytes:
    v = np.asarray(vector, dtype=np.float32)
    return (v / np.linalg.norm(v)).astype(np.float32).tobytes()


def trend_with(*, category="product", vector=None, title="A new phone ships") -> Trend:
    now = timezone.now()
    if vector is None:
        vector = np.eye(384, dtype=np.float32)[0]
    return Trend.objects.create(
        title=title,
        category=category,
        industries=["tech"],
        embedding=unit(vector),
        first_seen_at=now,
        last_seen_at=now,
        expires_at=now + timedelta(days=20),
        volume=100,
        momentum=0.2,
        sentiment_label="positive",
        sentiment_score=0.3,
    )


def published(
    brand,
    *,
    reward: float | None,
    tone="witty",
    post_format="thread",
    platform="x",
    trend=None,
    at=None,
    on="sandbox",
) -> Publication:
    """A published post with its reward, as the metrics fetch leaves it (the ledger row too)."""
    at = at or timezone.now() - timedelta(days=2)
    trend = trend if trend is not None else trend_with()
    industry = brand.industry.slug if brand.industry_id else ""
    post = Post.objects.create(
        brand=brand,
        trend=trend,
        tone=tone,
        post_format=post_format,
        status=PostStatus.PUBLISHED,
        published_at=at,
        learning_state={
            "industry": industry,
            "category": trend.category,
            "format": post_format,
            "tone": tone,
        },
        learning_action={"tone": tone, "post_format": post_format, "platforms": [platform]},
    )
    connection = SocialConnection.objects.filter(brand=brand, platform=Platform.SANDBOX).first()
    publication = Publication.objects.create(
        post=post,
        brand=brand,
        connection=connection if on == "sandbox" else None,
        platform=on,
        copy_platform=platform,
        status=PublicationStatus.PUBLISHED,
        scheduled_for=at,
        due_at=at,
        published_at=at,
        reward=reward,
        impressions=1000,
    )
    if reward is not None:  # a publication not fetched yet has no reward and no ledger row
        publication_reward_report(publication=publication, reward=reward, final=False)
    return publication
