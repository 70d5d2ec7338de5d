"""Hand-made data for the analytics tests: published posts with known numbers (made directly,
as the metrics fetch leaves them on Publication), trends, and memes with votes and reactions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.core.files.base import ContentFile

from apps.memes.models import Meme, MemeReaction, MemeTemplate, MemeVote
from apps.posts.models import Post, PostStatus
from apps.publishing.models import Publication, PublicationStatus
from apps.trends.models import Trend
from tests.factories import UserFactory

# A Monday noon (UTC); the tests freeze time here or pass it as `now`.
NOW = datetime(2026, 3, 16, 12, 0, tzinfo=UTC)


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def trend(title: str = "Instant payments go live", category: str = "product") -> Trend:
    return Trend.objects.create(
        title=title,
        category=category,
        embedding=b"\x00" * 16,
        first_seen_at=NOW - timedelta(days=3),
        last_seen_at=NOW,
        expires_at=NOW + timedelta(days=20),
    )


def published(
    brand,
    *,
    at: datetime,
    platform: str = "x",
    rate: float | None = 0.05,
    reward: float | None = 1.0,
    likes: int = 0,
    comments: int = 0,
    shares: int = 0,
    quotes: int = 0,
    bookmarks: int = 0,
    impressions: int = 0,
    topic: Trend | None = None,
    final: bool = False,
    status: str = PublicationStatus.PUBLISHED,
    post_format: str = "post",
    tone: str = "witty",
    estimated: list[str] | None = None,
) -> Publication:
    """A post published at `at` on `platform` with these latest numbers (rate None: not fetched)."""
    post = Post.objects.create(
        brand=brand,
        trend=topic,
        tone=tone,
        post_format=post_format,
        status=PostStatus.PUBLISHED,
        generation_state="ready",
        published_at=at,
    )
    return Publication.objects.create(
        post=post,
        brand=brand,
        platform=platform,
        copy_platform="x" if platform == "sandbox" else platform,
        status=status,
        scheduled_for=at,
        due_at=at,
        published_at=at if status == PublicationStatus.PUBLISHED else None,
        external_id=f"{platform}-{post.pk}",
        external_url=f"https://example.test/{platform}/{post.pk}",
        likes=likes,
        comments=comments,
        shares=shares,
        quotes=quotes,
        bookmarks=bookmarks,
        impressions=impressions,
        metrics_estimated=estimated or [],
        metrics_fetched_at=at + timedelta(hours=4) if rate is not None else None,
        engagement_rate=rate,
        reward=reward if rate is not None else None,
        reward_final=final,
    )


def meme_template(settings, tmp_path) -> MemeTemplate:
    settings.MEDIA_ROOT = tmp_path
    template = MemeTemplate(name="Galaxy brain", slug="galaxy-brain-analytics", status="approved")
    template.image.save("galaxy-brain.png", ContentFile(b"png"), save=False)
    template.save()
    return template


def meme(template, *, at: datetime, public: bool = True, votes=(), reactions=()) -> Meme:
    """A meme made at `at` with votes (+1/−1 each by a new user) and reactions (emoji keys)."""
    made = Meme.objects.create(
        template=template,
        owner=UserFactory(),
        texts=["top", "bottom"],
        cache_key=f"{at:%s}".zfill(64),
        is_public=public,
    )
    Meme.objects.filter(pk=made.pk).update(created_at=at)
    for value in votes:
        vote = MemeVote.objects.create(meme=made, user=UserFactory(), value=value)
        MemeVote.objects.filter(pk=vote.pk).update(created_at=at)
    for emoji in reactions:
        reaction = MemeReaction.objects.create(meme=made, user=UserFactory(), emoji=emoji)
        MemeReaction.objects.filter(pk=reaction.pk).update(created_at=at)
    return made
