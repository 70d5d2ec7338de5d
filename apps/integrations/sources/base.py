"""The trend-source interface: what every source returns, how it reports being unconfigured or
failing, and which sources are switched on (settings.TREND_SOURCES)."""

from __future__ import annotations

import re
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


# Outlets whose name news titles carry at the end ("… - Reuters", "… | BBC News"), for titles
# whose source does not name its outlet. Lower case.
_KNOWN_PUBLISHERS_TEXT = """reuters|bbc|bbc news|the verge|verge|techcrunch|bloomberg|bloomberg.com|cnn|cnbc|ap|ap news
    |associated press|the associated press|the guardian|guardian|financial times|ft|ft.com|forbes
    |axios|the new york times|nyt|new york times|the wall street journal|wall street journal|wsj
    |yahoo finance|yahoo news|business insider|insider|wired|ars technica|engadget|the information
    |edsurge|inside higher ed|finextra|sifted|fortune|the economist|economist|politico
    |the washington post|washington post|npr|sky news|al jazeera|the independent|the telegraph
    |the times|fast company|zdnet|venturebeat|the register|mashable|gizmodo|9to5mac|macrumors
    |marketwatch|barron's|coindesk|the block|euronews|dw|france 24|le monde|times of india
    |the hindu|abc news|cbs news|nbc news|fox business|usa today|times higher education"""
KNOWN_PUBLISHERS = frozenset(" ".join(name.split()) for name in _KNOWN_PUBLISHERS_TEXT.split("|"))
_TITLE_SUFFIX = re.compile(r"^(?P<title>.+?)\s+(?:-|–|—|\||·|::)\s+(?P<outlet>[^-–—|·]+?)\s*$")
_OUTLET_CONNECTORS = frozenset({"the", "of", "and", "&", "on", "de", "in"})


def title_without_publisher(title: str, publisher: str = "") -> str:
    """The headline without the outlet's name that sites put after it: " - Reuters",
    " | BBC News", " — The Verge". The outlet goes when it is the publisher the source named, a
    known outlet, or looks like one: one to four capitalised words (or a domain), after a
    headline of at least four words. Anything else after a dash is part of the headline."""
    title = (title or "").strip()
    publisher = " ".join((publisher or "").split()).lower().removesuffix(".com")
    for _ in range(2):  # "Headline - Markets | Reuters"
        match = _TITLE_SUFFIX.match(title)
        if not match:
            break
        head, outlet = match["title"].rstrip(" :-–—|"), match["outlet"].strip()
        known = _is_known_outlet(outlet, publisher)
        if len(head.split()) < (2 if known else 4) or not (known or _looks_like_outlet(outlet)):
            break
        title = head
    return title


def _is_known_outlet(text: str, publisher: str) -> bool:
    lower = text.lower()
    names = {lower, lower.removesuffix(".com")}
    return bool(publisher and publisher in names) or bool(names & KNOWN_PUBLISHERS)


def _looks_like_outlet(text: str) -> bool:
    words = text.split()
    if not 1 <= len(words) <= 4 or len(text) > 32:
        return False
    if re.fullmatch(r"[a-z0-9-]+(\.[a-z0-9-]+)+", text.lower()):  # a domain: "cnbc.com"
        return True
    if re.search(r"[!?,;:()\"“”%$€£0-9]", text):
        return False
    return words[0][:1].isupper() and all(w[:1].isupper() or w.lower() in _OUTLET_CONNECTORS for w in words)


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
