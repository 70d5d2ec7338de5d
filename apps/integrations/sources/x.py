"""X API v2 trends: GET /2/trends/by/woeid/:woeid with the app-only bearer token (X_BEARER_TOKEN).

Rate limits come in x-rate-limit-remaining / x-rate-limit-reset (epoch seconds); errors in X's
problem shape ({"title", "detail", "status"}) or as {"errors": [{"message"}]}.
"""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import quote

from django.conf import settings

from . import _http
from .base import FetchResult, IndustryQuery, SourceItem, SourceNotConfigured, TrendSource

MAX_TRENDS = 50  # X's maximum for max_trends


class XTrendsSource(TrendSource):
    name = "x"
    label = "X trends"

    def check_configured(self) -> None:
        if not settings.X_BEARER_TOKEN:
            raise SourceNotConfigured("X trends need an app-only bearer token: set X_BEARER_TOKEN.")

    def fetch(self, *, industries: Sequence[IndustryQuery]) -> FetchResult:
        self.check_configured()
        what = "X trends"
        body, response = _http.get_json(
            f"{settings.X_API_BASE_URL}/2/trends/by/woeid/{settings.X_TRENDS_WOEID}",
            what,
            headers={"Authorization": f"Bearer {settings.X_BEARER_TOKEN}"},
            params={"max_trends": MAX_TRENDS, "trend.fields": "trend_name,tweet_count"},
        )
        result = FetchResult()
        _http.read_rate_limit(
            result,
            response,
            remaining="x-rate-limit-remaining",
            reset="x-rate-limit-reset",
            reset_format="epoch",
        )
        with _http.parsing(what, response):
            _http.expect(isinstance(body, dict), "a JSON object")
            if "data" not in body and body.get("errors"):
                # X answers 200 with only "errors" when the request was understood but failed.
                raise _http.body_error(what, response)
            trends = body["data"]
            _http.expect(isinstance(trends, list), '"data" to be a list')
            for trend in trends:
                title = _http.clean_title(trend["trend_name"])
                if not title:
                    continue
                result.items.append(
                    SourceItem(
                        source=self.name,
                        title=title,
                        url=f"https://x.com/search?q={quote(title, safe='')}",
                        volume=max(_http.count(trend.get("tweet_count"), default=1), 1),
                        external_id=title,
                        source_name="X",
                    )
                )
        return result
