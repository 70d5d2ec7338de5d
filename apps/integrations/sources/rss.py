"""RSS 2.0 and Atom feeds: GET each industry's feed URLs (settings.TREND_INDUSTRY_SOURCES) and
parse them with feedparser. A URL that does not answer with a feed is an error for that feed."""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from urllib.parse import urlparse

import feedparser

from . import _http
from .base import FetchResult, IndustryQuery, SourceItem, SourceNotConfigured, TrendSource

FEED_ACCEPT = "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"


class RssSource(TrendSource):
    name = "rss"
    label = "RSS/Atom feeds"

    def fetch(self, *, industries: Sequence[IndustryQuery]) -> FetchResult:
        feeds: dict[str, IndustryQuery] = {}  # URL -> the first industry that lists it
        for industry in industries:
            for url in industry.feeds:
                if url.strip():
                    feeds.setdefault(url.strip(), industry)
        if not feeds:
            raise SourceNotConfigured(
                "No RSS/Atom feeds are configured for these industries (TREND_INDUSTRY_SOURCES 'feeds')."
            )
        result = FetchResult()
        _http.run_parts("RSS", [self._part(url, industry, result) for url, industry in feeds.items()], result)
        return result

    def _part(self, url: str, industry: IndustryQuery, result: FetchResult) -> Callable[[], None]:
        def run() -> None:
            what = f"RSS feed {url}"
            response = _http.request("GET", url, what, headers={"Accept": FEED_ACCEPT}, follow_redirects=True)
            # A stream, never bytes: feedparser would treat bytes that look like a path as a file to open.
            parsed = feedparser.parse(
                io.BytesIO(response.content),
                response_headers={k.lower(): v for k, v in response.headers.items()},
            )
            if not parsed.entries and (parsed.bozo or not parsed.version):
                reason = parsed.get("bozo_exception") or "no RSS or Atom document"
                raise _http.malformed(what, f"not a feed: {reason}", response)
            feed_title = _http.clean_title(parsed.feed.get("title")) or urlparse(url).hostname or url
            for entry in parsed.entries:
                item = self._item(entry, feed_title, industry)
                if item is not None:
                    result.items.append(item)

        return run

    def _item(self, entry, feed_title: str, industry: IndustryQuery) -> SourceItem | None:
        title = _http.clean_title(entry.get("title"))
        if not title:
            return None
        link = (entry.get("link") or "").strip()
        when = entry.get("published_parsed") or entry.get("updated_parsed")
        return SourceItem(
            source=self.name,
            title=title,
            url=link,
            summary=_http.plain_text(entry.get("summary")),
            published_at=datetime(*when[:6], tzinfo=UTC) if when else None,
            volume=1,
            industry=industry.slug,
            external_id=(entry.get("id") or link)[:500],
            source_name=feed_title,
        )
