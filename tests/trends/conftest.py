"""Trend test helpers: a source that returns the items a test gives it, and a fintech brand."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import pytest
from django.utils import timezone

from apps.brands.models import Industry
from apps.integrations.sources.base import FetchResult, SourceItem, SourceNotConfigured, TrendSource
from apps.trends.models import BrandTrendScore, Decision, Trend, TrendMention, TrendSnapshot
from tests.factories import BrandFactory


class ListSource(TrendSource):
    """Returns the given items, or raises the given error: the real pipeline runs around it."""

    def __init__(self, name: str, items=(), *, error: Exception | None = None, errors=()):
        self.name, self.label = name, f"{name} (test)"
        self.items, self.error, self.errors = list(items), error, list(errors)

    def check_configured(self) -> None:
        if isinstance(self.error, SourceNotConfigured):
            raise self.error

    def fetch(self, *, industries):
        if self.error is not None:
            raise self.error
        return FetchResult(
            items=[SourceItem(**vars(i)) for i in self.items],
            errors=list(self.errors),
            rate_limit_remaining=42,
        )


class OneStorySource(ListSource):
    """One headline, built without arguments: for settings.TREND_SOURCE_CLASSES in tests that run
    the job through the task (settings.TREND_SOURCES = ["one_story"])."""

    def __init__(self):
        super().__init__("one_story", [item("newsapi", "Central bank holds interest rates steady")])


ONE_STORY_SOURCE = {"one_story": "tests.trends.conftest.OneStorySource"}


def item(
    source="newsapi",
    title="",
    url="",
    summary="",
    volume=1,
    industry="",
    published_at: datetime | None = None,
):
    return SourceItem(
        source=source,
        title=title,
        url=url,
        summary=summary,
        volume=volume,
        industry=industry,
        published_at=published_at or timezone.now(),
        source_name={"newsapi": "Reuters", "rss": "Finextra", "reddit": "r/fintech", "x": "X"}.get(
            source, source
        ),
    )


FINTECH_ITEMS = [
    item(
        "newsapi",
        "EU adopts instant payments rule requiring banks to send euro transfers in ten seconds",
        "https://www.reuters.com/business/finance/eu-instant-payments-2026-11-20/?utm_source=newsapi",
        "Banks across the euro area must offer instant credit transfers at no extra cost from January.",
        industry="fintech",
    ),
    item(
        "rss",
        "EU adopts instant payments rule requiring banks to send euro transfers in ten seconds",
        "https://reuters.com/business/finance/eu-instant-payments-2026-11-20/",
        "Banks across the euro area must offer instant credit transfers at no extra cost from January.",
        industry="fintech",
    ),
    item(
        "reddit",
        "European Union rules now force banks to offer instant euro payments",
        "https://www.reddit.com/r/fintech/comments/abc123/eu_instant_payments/",
        "",
        volume=420,
        industry="fintech",
    ),
    item(
        "newsapi",
        "Small businesses wait 45 days on average to get invoices paid, survey of 2,000 SMEs finds",
        "https://www.ft.com/content/sme-late-payments-survey",
        "Late payments cost small firms billions in lost working capital, a survey of 2,000 SMEs says.",
        industry="fintech",
    ),
    item(
        "x",
        "#OpenBanking",
        "https://x.com/search?q=%23OpenBanking",
        "",
        volume=18500,
    ),
    item(
        "newsapi",
        "Golden retriever dance video goes viral with 50 million views",
        "https://www.example-news.com/entertainment/dog-dance-video",
        "The clip of a dog dancing to a pop song became the most shared meme of the week.",
    ),
]


@pytest.fixture
def fintech():
    # get_or_create: a transactional test before this one may have flushed the seeded rows.
    industry, _ = Industry.objects.get_or_create(
        slug="fintech",
        defaults={
            "name": "Fintech",
            "description": "Payments, banking, lending, insurance, crypto, personal finance and financial software.",
        },
    )
    return industry


@pytest.fixture
def fintech_brand(fintech):
    return BrandFactory(
        industry=fintech,
        pillars=[
            "Instant payments for small businesses",
            "Faster cash flow for SMEs",
            "Open banking you can trust",
        ],
        audience_roles=["CFOs", "Founders"],
        audience_geographies=["Europe"],
        onboarding_completed_at=timezone.now(),
    )


ZERO_EMBEDDING = np.zeros(384, np.float32).tobytes()


def make_trend(
    title="Instant payments go live across Europe",
    *,
    volumes=(40, 90, 210),
    sentiment=("positive", 0.42),
    momentum=0.55,
    sources=None,
    **extra,
):
    now = timezone.now()
    trend = Trend.objects.create(
        title=title,
        summary=extra.pop("summary", f"What is happening: {title.lower()}."),
        category=extra.pop("category", "regulation"),
        industries=["fintech"],
        embedding=ZERO_EMBEDDING,
        first_seen_at=now - timedelta(hours=6 * len(volumes)),
        last_seen_at=now,
        expires_at=extra.pop("expires_at", now + timedelta(days=20)),
        volume=volumes[-1] if volumes else 0,
        momentum=momentum,
        sentiment_label=sentiment[0],
        sentiment_score=sentiment[1],
    )
    for i, volume in enumerate(volumes):
        TrendSnapshot.objects.create(
            trend=trend,
            taken_at=now - timedelta(hours=6 * (len(volumes) - 1 - i)),
            volume=volume,
            mention_count=i + 1,
            source_count=2,
            momentum=momentum if i else 0.0,
            sentiment_label=sentiment[0],
            sentiment_score=sentiment[1],
        )
    for source, name, url in sources or [
        ("newsapi", "Reuters", f"https://www.reuters.com/{trend.pk}"),
        ("reddit", "r/fintech", f"https://www.reddit.com/r/fintech/{trend.pk}"),
    ]:
        TrendMention.objects.create(
            trend=trend,
            source=source,
            source_name=name,
            title=f"{name}: {title}",
            url=url,
            canonical_url=url,
            first_seen_at=now,
            last_seen_at=now,
            volume=3,
        )
    return trend


def make_score(brand, trend, final=0.72, decision=Decision.RECOMMEND, **parts):
    return BrandTrendScore.objects.create(
        brand=brand,
        trend=trend,
        relevance=parts.get("relevance", 0.81),
        opportunity=parts.get("opportunity", 0.66),
        format_fit=parts.get("format_fit", 0.85),
        reward=parts.get("reward", 0.5),
        final=final,
        decision=decision,
        platform="linkedin",
        post_format="carousel",
        matched_pillar="Instant payments for small businesses",
        scored_at=timezone.now(),
    )
