"""The trend-source interface: what every source returns, how it reports being unconfigured or
failing, and which sources are switched on (settings.TREND_SOURCES)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class IndustryQuery:
    """What a source should look for on behalf of one industry (settings.TREND_INDUSTRY_SOURCES)."""

    slug: str
    name: str
    keywords: tuple[str, ...] = ()
    subreddits: tuple[str, ...] = ()
    feeds: tuple[str, ...] = ()
    newsapi_category: str = ""


@dataclass
class SourceItem:
    """One thing a source saw: a headline, a post, a hashtag. The pipeline turns items into trends."""

    source: str  # the source's name: "x", "newsapi", "reddit", "rss", "mastodon", "offline"
    title: str
    url: str = ""
    summary: str = ""
    published_at: datetime | None = None
    volume: int = 1  # mentions this item stands for (tweet count, upvotes, uses, or 1 for an article)
    industry: str = ""  # the industry slug whose query found it, "" when the query was general
    external_id: str = ""
    source_name: str = ""  # the outlet or place: "Reuters", "r/fintech", "mastodon.social"


@dataclass
class FetchResult:
    items: list[SourceItem] = field(default_factory=list)
    # Read from the vendor's rate-limit headers on the last response, when it sends them.
    rate_limit_remaining: int | None = None
    rate_limit_reset: datetime | None = None
    # Parts that failed while the rest succeeded (one feed of ten, one subreddit), in words.
    errors: list[str] = field(default_factory=list)


class SourceNotConfigured(Exception):
    """The source lacks credentials or settings; the job skips it with this message in one log line."""


class TrendSource(ABC):
    name: str = ""
    label: str = ""

    def check_configured(self) -> None:
        """Raise SourceNotConfigured with a one-line reason when the source cannot run."""
        return None

    @abstractmethod
    def fetch(self, *, industries: Sequence[IndustryQuery]) -> FetchResult:
        """Fetch current items. Raise apps.integrations.http.ServiceError when the whole source fails
        (timeout, 429, 5xx, malformed body); report partial failures in FetchResult.errors."""


def industry_queries(industries) -> list[IndustryQuery]:
    """IndustryQuery for each Industry row, from settings.TREND_INDUSTRY_SOURCES (name as keyword otherwise)."""
    config = settings.TREND_INDUSTRY_SOURCES
    queries = []
    for industry in industries:
        c = config.get(industry.slug, {})
        queries.append(
            IndustryQuery(
                slug=industry.slug,
                name=industry.name,
                keywords=tuple(c.get("keywords") or [industry.name]),
                subreddits=tuple(c.get("subreddits", ())),
                feeds=tuple(c.get("feeds", ())),
                newsapi_category=c.get("newsapi_category", ""),
            )
        )
    return queries


def sources_enabled() -> list[TrendSource]:
    """The sources named in settings.TREND_SOURCES, in order."""
    return [import_string(settings.TREND_SOURCE_CLASSES[name])() for name in settings.TREND_SOURCES]
