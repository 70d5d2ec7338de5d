"""Reddit: hot posts per subreddit, from the public GET /r/:sub/hot.json, or with app-only OAuth
(POST /api/v1/access_token, client credentials) from GET oauth.reddit.com/r/:sub/hot.

Every request carries REDDIT_USER_AGENT, as Reddit's API rules require. Rate limits come in
x-ratelimit-remaining / x-ratelimit-used / x-ratelimit-reset (seconds until the window resets).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from django.conf import settings
from django.core.cache import cache

from apps.integrations.http import ServiceError

from . import _http
from .base import FetchResult, IndustryQuery, SourceItem, TrendSource

TOKEN_EARLY_EXPIRY = 60  # seconds: drop a cached token this long before Reddit would


def _token_cache_key() -> str:
    client = hashlib.sha256(f"{settings.REDDIT_BASE_URL}|{settings.REDDIT_CLIENT_ID}".encode()).hexdigest()
    return f"trends:reddit:token:{client[:16]}"


class RedditSource(TrendSource):
    name = "reddit"
    label = "Reddit"

    @staticmethod
    def uses_oauth() -> bool:
        return bool(settings.REDDIT_CLIENT_ID and settings.REDDIT_CLIENT_SECRET)

    def fetch(self, *, industries: Sequence[IndustryQuery]) -> FetchResult:
        result = FetchResult()
        subreddits: dict[str, tuple[str, IndustryQuery]] = {}  # lower-cased name -> (name, first industry)
        for industry in industries:
            for sub in industry.subreddits:
                sub = sub.strip().removeprefix("r/").strip("/")
                if sub:
                    subreddits.setdefault(sub.lower(), (sub, industry))
        token = self._access_token() if self.uses_oauth() and subreddits else None
        parts = [self._part(sub, industry, token, result) for sub, industry in subreddits.values()]
        _http.run_parts("Reddit", parts, result)
        return result

    # --- OAuth -----------------------------------------------------------------------------------

    def _access_token(self, *, fresh: bool = False) -> str:
        key = _token_cache_key()
        if not fresh and (token := cache.get(key)):
            return token
        what = "Reddit access token"
        body, response = _http.get_json(
            f"{settings.REDDIT_BASE_URL}/api/v1/access_token",
            what,
            method="POST",
            headers={"User-Agent": settings.REDDIT_USER_AGENT},
            data={"grant_type": "client_credentials"},
            auth=(settings.REDDIT_CLIENT_ID, settings.REDDIT_CLIENT_SECRET),
        )
        with _http.parsing(what, response):
            _http.expect(isinstance(body, dict), "a JSON object")
            if "access_token" not in body and body.get("error"):
                # Reddit answers some bad grants with 200 {"error": "unsupported_grant_type"}.
                raise _http.body_error(what, response)
            token = body["access_token"]
            _http.expect(isinstance(token, str) and token != "", "a non-empty access_token")
            expires_in = _http.count(body.get("expires_in"), default=3600)
        cache.set(key, token, timeout=max(expires_in - TOKEN_EARLY_EXPIRY, 0))
        return token

    # --- listings --------------------------------------------------------------------------------

    def _part(self, sub: str, industry: IndustryQuery, token: str | None, result) -> Callable[[], None]:
        def run() -> None:
            try:
                body, response = self._listing(sub, token)
            except ServiceError as exc:
                if token is None or exc.status != 401:
                    raise
                # The cached token was revoked or expired early: get a new one and try once more.
                body, response = self._listing(sub, self._access_token(fresh=True))
            _http.read_rate_limit(
                result,
                response,
                remaining="x-ratelimit-remaining",
                reset="x-ratelimit-reset",
                reset_format="seconds",
            )
            what = f"Reddit r/{sub}"
            with _http.parsing(what, response):
                _http.expect(isinstance(body, dict) and body.get("kind") == "Listing", "a Listing")
                children = body["data"]["children"]
                _http.expect(isinstance(children, list), "data.children to be a list")
                items = [self._item(child, sub, industry) for child in children]
            result.items.extend(item for item in items if item is not None)

        return run

    def _listing(self, sub: str, token: str | None):
        params = {"limit": settings.REDDIT_LISTING_LIMIT, "raw_json": 1}
        headers = {"User-Agent": settings.REDDIT_USER_AGENT}
        if token:
            headers["Authorization"] = f"Bearer {token}"
            url = f"{settings.REDDIT_OAUTH_BASE_URL}/r/{sub}/hot"
        else:
            url = f"{settings.REDDIT_BASE_URL}/r/{sub}/hot.json"
        return _http.get_json(url, f"Reddit r/{sub}", headers=headers, params=params)

    def _item(self, child: dict, sub: str, industry: IndustryQuery) -> SourceItem | None:
        if child.get("kind") != "t3":
            return None
        post = child["data"]
        title = _http.clean_title(post.get("title"))
        if not title or post.get("stickied") or post.get("over_18"):
            return None
        permalink = f"https://www.reddit.com{post.get('permalink') or ''}"
        link = (post.get("url") or "").strip()
        # Self posts link to their own permalink (sometimes a relative one); link posts elsewhere.
        is_self = bool(post.get("is_self")) or not link.startswith(("https://", "http://"))
        created = post.get("created_utc")
        return SourceItem(
            source=self.name,
            title=title,
            url=permalink if is_self else link,
            summary=_http.plain_text(post.get("selftext")),
            published_at=datetime.fromtimestamp(float(created), tz=UTC) if created is not None else None,
            volume=max(_http.count(post.get("score")) + _http.count(post.get("num_comments")), 1),
            industry=industry.slug,
            external_id=f"t3_{post['id']}",
            source_name=f"r/{post.get('subreddit') or sub}",
        )
