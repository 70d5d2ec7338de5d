"""Trend test helpers: a source that returns the items a test gives it, and a fintech brand."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from apps.brands.models import Industry
from apps.integrations.sources.base import FetchResult, SourceItem, SourceNotConfigured, TrendSource
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


def make_trend(
    title="Instant payments go live across Europe", *, volume=100, momentum=0.2, now=None, **fields
):
    """A stored trend with one snapshot and one mention, without running the embedding model."""
    import numpy as np

    from apps.trends.models import Trend, TrendMention, TrendSnapshot

    now = now or timezone.now()
    vector = np.zeros(384, dtype=np.float32)
    vector[0] = 1
    trend = Trend.objects.create(
        title=title,
        summary=fields.pop("summary", "Banks must send euro transfers in ten seconds."),
        category=fields.pop("category", "regulation"),
        industries=fields.pop("industries", ["fintech"]),
        embedding=vector.tobytes(),
        first_seen_at=now,
        last_seen_at=now,
        expires_at=now + timedelta(days=30),
        volume=volume,
        momentum=momentum,
        **fields,
    )
    TrendSnapshot.objects.create(
        trend=trend,
        taken_at=now,
        volume=volume,
        mention_count=1,
        source_count=1,
        momentum=momentum,
        sentiment_label="neutral",
        sentiment_score=0.0,
    )
    TrendMention.objects.create(
        trend=trend,
        source="newsapi",
        source_name="Reuters",
        title=title,
        url=f"https://www.reuters.com/{trend.pk}",
        canonical_url=f"reuters.com/{trend.pk}",
        first_seen_at=now,
        last_seen_at=now,
    )
    return trend


def make_score(brand, trend, final=0.7, decision="recommend", **parts):
    from apps.trends.models import BrandTrendScore

    return BrandTrendScore.objects.create(
        brand=brand,
        trend=trend,
        relevance=parts.get("relevance", 0.8),
        opportunity=parts.get("opportunity", 0.6),
        format_fit=parts.get("format_fit", 0.85),
        reward=parts.get("reward", 0.5),
        final=final,
        decision=decision,
        platform="linkedin",
        post_format="post",
        matched_pillar=parts.get("matched_pillar", ""),
        scored_at=timezone.now(),
    )
