"""Trend test helpers: a source that returns the items a test gives it, and a fintech brand."""

from __future__ import annotations

from datetime import datetime

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
    return Industry.objects.get(slug="fintech")


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
