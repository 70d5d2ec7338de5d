"""NewsAPI: GET /v2/top-headlines (an industry's category) and GET /v2/everything (its keywords),
with the key in the X-Api-Key header. Errors are {"status": "error", "code", "message"}."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from django.conf import settings

from . import _http
from .base import FetchResult, IndustryQuery, SourceItem, SourceNotConfigured, TrendSource

PAGE_SIZE = 20
REMOVED = "[Removed]"  # NewsAPI's placeholder for articles taken down at the publisher's request


def keyword_query(keywords: Sequence[str]) -> str:
    """NewsAPI's q: keywords joined with OR, multi-word ones quoted as phrases."""
    terms = []
    for keyword in keywords:
        keyword = " ".join(keyword.replace('"', " ").split())
        if keyword:
            terms.append(f'"{keyword}"' if " " in keyword else keyword)
    return " OR ".join(terms)


class NewsApiSource(TrendSource):
    name = "newsapi"
    label = "NewsAPI"

    def check_configured(self) -> None:
        if not settings.NEWSAPI_KEY:
            raise SourceNotConfigured("NewsAPI needs an API key: set NEWSAPI_KEY.")

    def fetch(self, *, industries: Sequence[IndustryQuery]) -> FetchResult:
        self.check_configured()
        result = FetchResult()
        seen_urls: set[str] = set()
        parts: list[Callable[[], None]] = []
        for industry in industries:
            if industry.newsapi_category:
                params = {
                    "category": industry.newsapi_category,
                    "country": settings.NEWSAPI_COUNTRY,
                    "pageSize": PAGE_SIZE,
                }
                parts.append(
                    self._part("top-headlines", "top headlines", params, industry, result, seen_urls)
                )
            q = keyword_query(industry.keywords)
            if q:
                params = {"q": q, "sortBy": "publishedAt", "language": "en", "pageSize": PAGE_SIZE}
                parts.append(self._part("everything", "articles", params, industry, result, seen_urls))
        _http.run_parts("NewsAPI", parts, result)
        return result

    def _part(
        self,
        endpoint: str,
        description: str,
        params: dict,
        industry: IndustryQuery,
        result: FetchResult,
        seen_urls: set[str],
    ) -> Callable[[], None]:
        """One request; its articles join the result unless their URL was already seen this fetch."""

        def run() -> None:
            what = f"NewsAPI {description} for {industry.slug}"
            body, response = _http.get_json(
                f"{settings.NEWSAPI_BASE_URL}/v2/{endpoint}",
                what,
                headers={"X-Api-Key": settings.NEWSAPI_KEY},
                params=params,
            )
            with _http.parsing(what, response):
                _http.expect(isinstance(body, dict), "a JSON object")
                if body.get("status") == "error":
                    raise _http.body_error(what, response)
                articles = body["articles"]
                _http.expect(isinstance(articles, list), '"articles" to be a list')
                items = [self._item(article, industry) for article in articles]
            for item in items:
                if item is not None and item.url not in seen_urls:
                    seen_urls.add(item.url)
                    result.items.append(item)

        return run

    def _item(self, article: dict, industry: IndustryQuery) -> SourceItem | None:
        title = _http.clean_title(article.get("title"))
        url = (article.get("url") or "").strip()
        if not title or title == REMOVED or not url or url == "https://removed.com":
            return None
        source = article.get("source") or {}
        return SourceItem(
            source=self.name,
            title=title,
            url=url,
            summary=_http.plain_text(article.get("description")),
            published_at=_http.parse_time(article.get("publishedAt")),
            volume=1,
            industry=industry.slug,
            external_id=url,
            source_name=_http.clean_title(source.get("name")),
        )
