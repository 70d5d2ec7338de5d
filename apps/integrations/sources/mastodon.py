"""Mastodon's public trends API (no key): GET /api/v1/trends/tags and GET /api/v1/trends/links on
MASTODON_BASE_URL. History counts are strings, newest day first; rate limits come in
X-RateLimit-Remaining / X-RateLimit-Reset (an ISO 8601 time)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from urllib.parse import urlparse

from django.conf import settings

from . import _http
from .base import FetchResult, IndustryQuery, SourceItem, TrendSource

LIMIT = 20


def _newest_uses(trend: dict) -> int:
    history = trend.get("history") or []
    _http.expect(isinstance(history, list), "history to be a list")
    return max(_http.count(history[0].get("uses")) if history else 0, 1)


class MastodonSource(TrendSource):
    name = "mastodon"
    label = "Mastodon trends"

    def fetch(self, *, industries: Sequence[IndustryQuery]) -> FetchResult:
        result = FetchResult()
        instance = urlparse(settings.MASTODON_BASE_URL).hostname or settings.MASTODON_BASE_URL
        parts = [
            self._part("tags", "trending tags", lambda tag: self._tag_item(tag, instance), result),
            self._part("links", "trending links", lambda card: self._link_item(card, instance), result),
        ]
        _http.run_parts("Mastodon", parts, result)
        return result

    def _part(
        self, kind: str, description: str, to_item: Callable, result: FetchResult
    ) -> Callable[[], None]:
        def run() -> None:
            what = f"Mastodon {description}"
            body, response = _http.get_json(
                f"{settings.MASTODON_BASE_URL}/api/v1/trends/{kind}", what, params={"limit": LIMIT}
            )
            _http.read_rate_limit(
                result,
                response,
                remaining="x-ratelimit-remaining",
                reset="x-ratelimit-reset",
                reset_format="iso",
            )
            with _http.parsing(what, response):
                _http.expect(isinstance(body, list), "a JSON list")
                items = [to_item(entry) for entry in body]
            result.items.extend(item for item in items if item is not None)

        return run

    def _tag_item(self, tag: dict, instance: str) -> SourceItem | None:
        name = _http.clean_title(tag["name"]).lstrip("#")
        if not name:
            return None
        return SourceItem(
            source=self.name,
            title=f"#{name}",
            url=(tag.get("url") or f"{settings.MASTODON_BASE_URL}/tags/{name}").strip(),
            volume=_newest_uses(tag),
            external_id=f"tag:{name.lower()}",
            source_name=instance,
        )

    def _link_item(self, card: dict, instance: str) -> SourceItem | None:
        title = _http.clean_title(card.get("title"))
        url = (card["url"] or "").strip()
        if not title or not url:
            return None
        return SourceItem(
            source=self.name,
            title=title,
            url=url,
            summary=_http.plain_text(card.get("description")),
            published_at=_http.parse_time(card.get("published_at")),
            volume=_newest_uses(card),
            external_id=url,
            source_name=_http.clean_title(card.get("provider_name")) or urlparse(url).hostname or instance,
        )
