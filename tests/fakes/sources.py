"""One local fake of the five trend sources, speaking their documented wire formats (paths,
parameters, auth headers, JSON bodies, error shapes and rate-limit headers), so the real source
clients run against it in tests and browser tests:

- X API v2          GET  /2/trends/by/woeid/:woeid            (Authorization: Bearer)
- NewsAPI           GET  /v2/top-headlines, /v2/everything    (X-Api-Key)
- Reddit            POST /api/v1/access_token                 (HTTP Basic, client_credentials)
                    GET  /r/:sub/hot.json (public), /r/:sub/hot (OAuth bearer)
- RSS / Atom feeds  GET  /feeds/:name.xml
- Mastodon          GET  /api/v1/trends/tags, /api/v1/trends/links

Tests script it per path prefix: `fail()` answers with an error in the vendor's own shape,
`malformed()` with a 200 that is not the expected body, `delay()` holds the answer back (for
timeouts). Every request is recorded (method, path, query, headers, body).
"""

from __future__ import annotations

import base64
import copy
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlparse

import pytest

from tests.fakes._server import LocalServer, QuietHandler, encode_body

X_BEARER_TOKEN = "fake-x-app-bearer-token"
NEWSAPI_KEY = "fake-newsapi-key-0123456789abcdef"
REDDIT_CLIENT_ID = "fake-reddit-client"
REDDIT_CLIENT_SECRET = "fake-reddit-secret"

# --- default data ------------------------------------------------------------------------------

X_TRENDS = [
    {"trend_name": "#Fintech", "tweet_count": 48210},
    {"trend_name": "Open Banking", "tweet_count": 12877},
    {"trend_name": "#AI", "tweet_count": 310442},
    {"trend_name": "Stablecoins", "tweet_count": 22519},
    {"trend_name": "#EdTech", "tweet_count": 5120},
    {"trend_name": "Cybersecurity Awareness Month"},  # X leaves tweet_count out when it has none
]


def _article(source_id, source, author, title, description, url, published, content=None):
    return {
        "source": {"id": source_id, "name": source},
        "author": author,
        "title": title,
        "description": description,
        "url": url,
        "urlToImage": f"{url.rstrip('/')}/lead.jpg" if url != "https://removed.com" else None,
        "publishedAt": published,
        "content": content or (f"{description} [+2140 chars]" if description else None),
    }


REMOVED_ARTICLE = _article(
    None, "[Removed]", None, "[Removed]", "[Removed]", "https://removed.com", "1970-01-01T00:00:00Z"
)
STRIPE_STABLECOINS = _article(
    "techcrunch",
    "TechCrunch",
    "Mary Ann Azevedo",
    "Stripe launches stablecoin accounts for businesses in 101 countries",
    "Businesses can now hold balances in USDC and send payments over stablecoin rails from the Stripe dashboard.",
    "https://techcrunch.com/2026/11/20/stripe-launches-stablecoin-accounts/",
    "2026-11-20T09:30:00Z",
)
NEWS_HEADLINES = {
    "business": [
        _article(
            "reuters",
            "Reuters",
            "Hannah Lang",
            "Visa and Mastercard agree to cap swipe fees in revised settlement",
            "The card networks will lower interchange fees for five years under a deal with US merchants.",
            "https://www.reuters.com/business/finance/visa-mastercard-swipe-fees-2026-11-20/",
            "2026-11-20T10:00:00Z",
        ),
        REMOVED_ARTICLE,
        _article(
            "financial-times",
            "Financial Times",
            "Akila Quinio",
            "UK regulator sets 2027 deadline for open banking payments rollout",
            "Banks must support variable recurring payments for sweeping and bill payments.",
            "https://www.ft.com/content/open-banking-vrp-deadline",
            "2026-11-20T08:15:00Z",
        ),
        _article(
            "cnbc",
            "CNBC",
            "Kate Rooney",
            "Neobank Chime posts first quarterly profit since its IPO",
            "Chime's revenue rose 31% as more members used its fee-free overdraft.",
            "https://www.cnbc.com/2026/11/19/chime-quarterly-profit.html",
            "2026-11-19T21:05:00Z",
        ),
    ],
    "technology": [
        _article(
            "the-verge",
            "The Verge",
            "Emma Roth",
            "OpenAI ships a smaller reasoning model built for phones",
            "The model runs on-device and falls back to the cloud for longer tasks.",
            "https://www.theverge.com/2026/11/20/openai-small-reasoning-model",
            "2026-11-20T11:45:00Z",
        ),
        _article(
            "ars-technica",
            "Ars Technica",
            "Dan Goodin",
            "Critical flaw in popular VPN appliances is being exploited in the wild",
            "Attackers are using the authentication bypass to drop web shells; patches are out.",
            "https://arstechnica.com/security/2026/11/vpn-appliance-flaw-exploited/",
            "2026-11-20T07:20:00Z",
        ),
        STRIPE_STABLECOINS,
    ],
    "general": [
        _article(
            "associated-press",
            "Associated Press",
            "Mae Anderson",
            "Retailers report record online sales ahead of the holiday season",
            "Shoppers spent more on mobile than on desktop for the first time during early deals.",
            "https://apnews.com/article/holiday-shopping-online-sales-2026",
            "2026-11-20T06:00:00Z",
        )
    ],
}
NEWS_EVERYTHING = [
    STRIPE_STABLECOINS,
    _article(
        None,
        "Finextra",
        "Finextra Editorial",
        "Open banking payments pass 30 million a month in the UK",
        "Open Banking Limited figures show payment initiation growing 60% year on year.",
        "https://www.finextra.com/newsarticle/45012/open-banking-payments-pass-30-million-a-month",
        "2026-11-20T09:00:00Z",
    ),
    REMOVED_ARTICLE,
    _article(
        None,
        "EdSurge",
        "Daniel Mollenkamp",
        "Community colleges lean on short skills training programs",
        "Enrollment in non-credit online learning courses rose sharply this fall.",
        "https://www.edsurge.com/news/2026-11-19-community-colleges-short-skills-training",
        "2026-11-19T15:30:00Z",
    ),
    _article(
        "wired",
        "Wired",
        "Lauren Goode",
        "Developer tools startups race to ship AI agents",
        "Coding assistants are moving from autocomplete to agents that open pull requests on their own.",
        "https://www.wired.com/story/developer-tools-ai-agents/",
        "2026-11-19T13:10:00Z",
    ),
    _article(
        None,
        "Dark Reading",
        "Jai Vijayan",
        "Cybersecurity teams brace for holiday phishing surge",
        "Security vendors see a threefold rise in payment-themed phishing lures.",
        "https://www.darkreading.com/threat-intelligence/holiday-phishing-surge",
        "2026-11-18T17:45:00Z",
    ),
]


def _post(sub, post_id, title, *, score, comments, url=None, selftext="", created=1795600000, **flags):
    permalink = f"/r/{sub}/comments/{post_id}/{title.lower().replace(' ', '_')[:40]}/"
    return {
        "kind": "t3",
        "data": {
            "id": post_id,
            "name": f"t3_{post_id}",
            "title": title,
            "selftext": selftext,
            "url": url or f"https://www.reddit.com{permalink}",
            "permalink": permalink,
            "is_self": url is None,
            "score": score,
            "ups": score,
            "num_comments": comments,
            "created_utc": float(created),
            "subreddit": sub,
            "subreddit_name_prefixed": f"r/{sub}",
            "stickied": flags.get("stickied", False),
            "over_18": flags.get("over_18", False),
            "author": flags.get("author", "throwaway_fin"),
        },
    }


REDDIT_POSTS = {
    "fintech": [
        _post(
            "fintech",
            "1gq0aa1",
            "Weekly discussion thread: what are you building?",
            score=12,
            comments=40,
            selftext="Share your projects.",
            stickied=True,
        ),
        _post(
            "fintech",
            "1gq0ab2",
            "Stripe launches stablecoin accounts for businesses in 101 countries",
            score=1290,
            comments=301,
            url="https://techcrunch.com/2026/11/20/stripe-launches-stablecoin-accounts/",
            created=1795690000,
        ),
        _post(
            "fintech",
            "1gq0ac3",
            "Is open banking actually getting adoption in the US?",
            score=412,
            comments=138,
            selftext="**Genuine question**: with the CFPB's 1033 rule delayed, are banks & fintechs still building for it?",
            created=1795680000,
        ),
    ],
    "finance": [
        _post(
            "finance",
            "1gq1ba1",
            "Visa and Mastercard agree to cap swipe fees in revised settlement",
            score=2301,
            comments=512,
            url="https://www.reuters.com/business/finance/visa-mastercard-swipe-fees-2026-11-20/",
            created=1795695000,
        ),
    ],
    "technology": [
        _post(
            "technology",
            "1gq2ca1",
            "Critical flaw in popular VPN appliances is being exploited in the wild",
            score=8741,
            comments=1204,
            url="https://arstechnica.com/security/2026/11/vpn-appliance-flaw-exploited/",
            created=1795670000,
        ),
        _post(
            "technology",
            "1gq2cb2",
            "Hardware teardown gallery (graphic injuries)",
            score=310,
            comments=85,
            url="https://example.org/teardown",
            over_18=True,
        ),
    ],
    "programming": [
        _post(
            "programming",
            "1gq3da1",
            "What developer tools actually saved you time this year?",
            score=655,
            comments=402,
            selftext="Not looking for hype. Which tools stuck after the trial month?",
            created=1795660000,
        ),
    ],
    "edtech": [
        _post(
            "edtech",
            "1gq4ea1",
            "Our district dropped three learning platforms this year. Here is why.",
            score=88,
            comments=47,
            selftext="Too many logins, too little use. We kept one LMS and one reading app.",
            created=1795650000,
        ),
        _post(
            "edtech",
            "1gq4eb2",
            "Community colleges lean on short skills training programs",
            score=0,
            comments=0,
            url="https://www.edsurge.com/news/2026-11-19-community-colleges-short-skills-training",
            created=1795640000,
        ),
    ],
}

FINTECH_RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel>
  <title>Finextra Research: Headlines</title>
  <link>https://www.finextra.com</link>
  <description>Finextra: the latest fintech headlines</description>
  <language>en-gb</language>
  <lastBuildDate>Fri, 20 Nov 2026 10:05:00 GMT</lastBuildDate>
  <atom:link href="https://www.finextra.com/rss/headlines.aspx" rel="self" type="application/rss+xml"/>
  <item>
    <title>Open banking payments pass 30 million a month in the UK</title>
    <link>https://www.finextra.com/newsarticle/45012/open-banking-payments-pass-30-million-a-month</link>
    <guid isPermaLink="false">finextra-45012</guid>
    <pubDate>Fri, 20 Nov 2026 09:00:00 GMT</pubDate>
    <dc:creator>Finextra Editorial</dc:creator>
    <description><![CDATA[<p><img src="https://www.finextra.com/img/45012.jpg" alt=""/>Open Banking Limited figures show
      payment initiation growing <strong>60%</strong> year on year &amp; variable recurring payments
      taking off.</p><p><a href="https://www.finextra.com/newsarticle/45012">Read more</a></p>]]></description>
  </item>
  <item>
    <title>Klarna adds savings accounts in Germany</title>
    <link>https://www.finextra.com/newsarticle/45007/klarna-adds-savings-accounts-in-germany</link>
    <guid isPermaLink="false">finextra-45007</guid>
    <pubDate>Thu, 19 Nov 2026 16:40:00 +0100</pubDate>
    <description>&lt;p&gt;The buy now, pay later firm now pays 2.6% on instant-access savings.&lt;/p&gt;</description>
  </item>
  <item>
    <title>   </title>
    <link>https://www.finextra.com/newsarticle/45001/untitled</link>
    <pubDate>Thu, 19 Nov 2026 08:00:00 GMT</pubDate>
    <description>An item without a title.</description>
  </item>
</channel>
</rss>
"""

TECH_ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title type="text">Ars Technica</title>
  <subtitle>Serving the Technologist since 1998.</subtitle>
  <link rel="alternate" type="text/html" href="https://arstechnica.com"/>
  <link rel="self" type="application/atom+xml" href="https://feeds.arstechnica.com/arstechnica/index"/>
  <id>tag:arstechnica.com,2005:/feed</id>
  <updated>2026-11-20T12:00:00Z</updated>
  <entry>
    <title type="html">Critical flaw in popular VPN appliances is being exploited in the wild</title>
    <link rel="alternate" type="text/html" href="https://arstechnica.com/security/2026/11/vpn-appliance-flaw-exploited/"/>
    <id>https://arstechnica.com/?p=2061234</id>
    <published>2026-11-20T07:20:00Z</published>
    <updated>2026-11-20T08:00:00Z</updated>
    <author><name>Dan Goodin</name></author>
    <summary type="html">&lt;p&gt;Attackers are using the &lt;em&gt;authentication bypass&lt;/em&gt; to drop web shells.&lt;/p&gt;</summary>
  </entry>
  <entry>
    <title>A practical guide to running small language models at home</title>
    <link rel="alternate" type="text/html" href="https://arstechnica.com/ai/2026/11/small-language-models-at-home/"/>
    <id>https://arstechnica.com/?p=2061199</id>
    <updated>2026-11-19T18:30:00+02:00</updated>
    <author><name>Benj Edwards</name></author>
    <summary>Quantised models now run on a laptop GPU with room to spare.</summary>
  </entry>
</feed>
"""

EDUCATION_RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0">
<channel>
  <title>EdSurge Articles</title>
  <link>https://www.edsurge.com</link>
  <description>Education technology news</description>
  <item>
    <title>Community colleges lean on short skills training programs</title>
    <link>https://www.edsurge.com/news/2026-11-19-community-colleges-short-skills-training</link>
    <guid>https://www.edsurge.com/news/2026-11-19-community-colleges-short-skills-training</guid>
    <pubDate>Thu, 19 Nov 2026 15:30:00 +0000</pubDate>
    <description>Enrollment in non-credit online learning courses rose sharply this fall.</description>
  </item>
  <item>
    <title>What teachers want from AI tutors</title>
    <link>https://www.edsurge.com/news/2026-11-18-what-teachers-want-from-ai-tutors</link>
    <description>A survey of 1,200 K-12 teachers.</description>
  </item>
</channel>
</rss>
"""

FEEDS = {
    "fintech": ("application/rss+xml; charset=utf-8", FINTECH_RSS),
    "tech": ("application/atom+xml; charset=utf-8", TECH_ATOM),
    "education": ("application/rss+xml; charset=utf-8", EDUCATION_RSS),
}


def _history(*uses_per_day: int, accounts_ratio: float = 0.7) -> list[dict[str, str]]:
    """Mastodon's history: newest day first, day as a UNIX-midnight string, counts as strings."""
    newest = 1795651200  # 2026-11-20T00:00:00Z
    return [
        {"day": str(newest - 86400 * i), "uses": str(uses), "accounts": str(int(uses * accounts_ratio))}
        for i, uses in enumerate(uses_per_day)
    ]


MASTODON_TAGS = [
    {"name": "fintech", "url": "https://mastodon.social/tags/fintech", "history": _history(120, 95, 80)},
    {"name": "AI", "url": "https://mastodon.social/tags/AI", "history": _history(2430, 2210, 1980)},
    {"name": "edtech", "url": "https://mastodon.social/tags/edtech", "history": _history(64, 31, 29)},
    {
        "name": "cybersecurity",
        "url": "https://mastodon.social/tags/cybersecurity",
        "history": _history(388, 301),
    },
    {"name": "OpenSource", "url": "https://mastodon.social/tags/OpenSource", "history": _history(0, 410)},
]
MASTODON_LINKS = [
    {
        "url": "https://arstechnica.com/security/2026/11/vpn-appliance-flaw-exploited/",
        "title": "Critical flaw in popular VPN appliances is being exploited in the wild",
        "description": "Attackers are using the authentication bypass to drop web shells; patches are out.",
        "language": "en",
        "type": "link",
        "author_name": "Dan Goodin",
        "author_url": "",
        "provider_name": "Ars Technica",
        "provider_url": "",
        "html": "",
        "width": 400,
        "height": 200,
        "image": None,
        "embed_url": "",
        "blurhash": None,
        "published_at": "2026-11-20T07:20:00.000Z",
        "history": _history(842, 120),
    },
    {
        "url": "https://www.theverge.com/2026/11/20/openai-small-reasoning-model",
        "title": "OpenAI ships a smaller reasoning model built for phones",
        "description": "The model runs on-device &amp; falls back to the cloud for longer tasks.",
        "language": "en",
        "type": "link",
        "author_name": "",
        "author_url": "",
        "provider_name": "The Verge",
        "provider_url": "",
        "html": "",
        "width": 400,
        "height": 200,
        "image": None,
        "embed_url": "",
        "blurhash": None,
        "history": _history(377, 12),
    },
]

NEWSAPI_MESSAGES = {
    400: (
        "parameterInvalid",
        "You've included a parameter in your request which is currently not supported.",
    ),
    401: (
        "apiKeyInvalid",
        "Your API key is invalid or incorrect. Check your key, or go to https://newsapi.org to create a free API key.",
    ),
    429: (
        "rateLimited",
        "You have made too many requests recently. Developer accounts are limited to 100 requests over a "
        "24 hour period (50 requests available every 12 hours). Please upgrade to a paid plan if you need more requests.",
    ),
    500: (
        "unexpectedError",
        "This shouldn't happen, and if it does then it's our fault, not yours. Try the request again shortly.",
    ),
}
REASONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
}
NOT_A_FEED = (
    "<!DOCTYPE html><html lang='en'><head><title>Just a moment...</title></head>"
    "<body><h1>Checking your browser before accessing the site.</h1>"
    "<p>This process is automatic. Your browser will redirect shortly.</p></body></html>"
)


def vendor_error(path: str, status: int) -> tuple[str, dict | str]:
    """(content type, body) of an error as the vendor serving `path` words it."""
    reason = REASONS.get(status, "Error")
    if path.startswith("/2/"):
        detail = "Rate limit exceeded" if status == 429 else reason
        return "application/problem+json", {
            "title": reason,
            "detail": detail,
            "type": "about:blank",
            "status": status,
        }
    if path.startswith("/v2/"):
        code, message = NEWSAPI_MESSAGES.get(status, NEWSAPI_MESSAGES[500])
        return "application/json; charset=utf-8", {"status": "error", "code": code, "message": message}
    if path.startswith(("/r/", "/api/v1/access_token")):
        return "application/json; charset=UTF-8", {"message": reason, "error": status}
    if path.startswith("/api/v1/"):
        message = "Too many requests" if status == 429 else reason
        return "application/json; charset=utf-8", {"error": message}
    return (
        "text/html; charset=utf-8",
        f"<html><head><title>{status} {reason}</title></head><body><h1>{reason}</h1></body></html>",
    )


# --- the server --------------------------------------------------------------------------------


@dataclass
class RecordedRequest:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]  # lower-cased names
    body: str = ""

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


@dataclass
class _Rule:
    prefix: str
    status: int
    body: bytes
    content_type: str
    headers: dict[str, str]
    times: int | None  # None: every matching request


@dataclass
class _Data:
    x_trends: list = field(default_factory=lambda: copy.deepcopy(X_TRENDS))
    news_headlines: dict = field(default_factory=lambda: copy.deepcopy(NEWS_HEADLINES))
    news_everything: list = field(default_factory=lambda: copy.deepcopy(NEWS_EVERYTHING))
    reddit_posts: dict = field(default_factory=lambda: copy.deepcopy(REDDIT_POSTS))
    feeds: dict = field(default_factory=lambda: dict(FEEDS))
    mastodon_tags: list = field(default_factory=lambda: copy.deepcopy(MASTODON_TAGS))
    mastodon_links: list = field(default_factory=lambda: copy.deepcopy(MASTODON_LINKS))


class FakeSourcesServer(LocalServer):
    """X, NewsAPI, Reddit, feeds and Mastodon on one local port. `reset()` between tests."""

    def __init__(self):
        self.lock = threading.Lock()
        self._serve(self._handler())
        self.reset()

    def reset(self) -> None:
        """Default data, no scripted failures or delays, no recorded requests, no issued tokens."""
        with self.lock:
            self.data = _Data()
            self.requests: list[RecordedRequest] = []
            self.reddit_tokens: set[str] = set()
            self._rules: list[_Rule] = []
            self._delays: dict[str, float] = {}
            self._remaining: dict[str, int] = {"x": 75, "reddit": 100, "mastodon": 300}

    def feed_url(self, name: str) -> str:
        return f"{self.url}/feeds/{name}.xml"

    # --- scripting -------------------------------------------------------------------------------

    def fail(
        self,
        path_prefix: str,
        status: int = 500,
        body: dict | list | str | bytes | None = None,
        headers: dict[str, str] | None = None,
        *,
        times: int | None = None,
    ) -> None:
        """Answer requests under `path_prefix` with `status` (and the vendor's error body by default)."""
        content_type, default = vendor_error(path_prefix, status)
        if body is not None:
            content_type = (
                "text/plain; charset=utf-8" if isinstance(body, str | bytes) else "application/json"
            )
        self._add_rule(
            path_prefix, status, body if body is not None else default, content_type, headers, times
        )

    def malformed(
        self,
        path_prefix: str,
        body: dict | list | str | bytes | None = None,
        *,
        content_type: str | None = None,
        times: int | None = None,
    ) -> None:
        """Answer 200 with something that is not the expected body: an HTML page by default, or
        `body` (a dict or list is sent as JSON of the wrong shape)."""
        if body is None:
            body, content_type = NOT_A_FEED, content_type or "text/html; charset=utf-8"
        elif content_type is None:
            content_type = "text/plain" if isinstance(body, str | bytes) else "application/json"
        self._add_rule(path_prefix, 200, body, content_type, None, times)

    def delay(self, path_prefix: str, seconds: float) -> None:
        """Hold back answers under `path_prefix` (to make clients time out)."""
        with self.lock:
            self._delays[path_prefix] = seconds

    def requests_to(self, path_prefix: str, method: str | None = None) -> list[RecordedRequest]:
        with self.lock:
            return [
                r
                for r in self.requests
                if r.path.startswith(path_prefix) and (method is None or r.method == method)
            ]

    def _add_rule(self, prefix, status, body, content_type, headers, times) -> None:
        with self.lock:
            self._rules.append(
                _Rule(prefix, status, encode_body(body), content_type, dict(headers or {}), times)
            )

    def _scripted(self, path: str) -> tuple[float, _Rule | None]:
        with self.lock:
            delay = max((s for p, s in self._delays.items() if path.startswith(p)), default=0.0)
            for rule in reversed(self._rules):  # the latest rule wins
                if path.startswith(rule.prefix) and (rule.times is None or rule.times > 0):
                    if rule.times is not None:
                        rule.times -= 1
                    return delay, rule
            return delay, None

    def _take(self, counter: str) -> int:
        with self.lock:
            self._remaining[counter] = max(self._remaining[counter] - 1, 0)
            return self._remaining[counter]

    # --- HTTP ------------------------------------------------------------------------------------

    def _handler(self):
        server = self

        class Handler(QuietHandler):
            content_type = "application/json; charset=utf-8"

            def _error(self, path: str, status: int, headers=None, body=None):
                content_type, default = vendor_error(path, status)
                return self._send(status, default if body is None else body, content_type, headers)

            def _record(self, url) -> RecordedRequest:
                length = int(self.headers.get("Content-Length") or 0)
                request = RecordedRequest(
                    method=self.command,
                    path=url.path,
                    query={k: v[0] for k, v in parse_qs(url.query).items()},
                    headers={k.lower(): v for k, v in self.headers.items()},
                    body=self.rfile.read(length).decode() if length else "",
                )
                with server.lock:
                    server.requests.append(request)
                return request

            def _handle(self):
                url = urlparse(self.path)
                request = self._record(url)
                delay, rule = server._scripted(url.path)
                if delay:
                    time.sleep(delay)
                if rule is not None:
                    return self._send(rule.status, rule.body, rule.content_type, rule.headers)
                return self._route(request)

            do_GET = _handle
            do_POST = _handle

            def _route(self, request: RecordedRequest):
                path, method = request.path, request.method
                if path.startswith("/2/trends/by/woeid/") and method == "GET":
                    return self._x_trends(request)
                if path in ("/v2/top-headlines", "/v2/everything") and method == "GET":
                    return self._newsapi(request)
                if path == "/api/v1/access_token" and method == "POST":
                    return self._reddit_token(request)
                if path.startswith("/r/") and method == "GET":
                    return self._reddit_listing(request)
                if path.startswith("/feeds/") and method == "GET":
                    return self._feed(request)
                if path in ("/api/v1/trends/tags", "/api/v1/trends/links") and method == "GET":
                    return self._mastodon(request)
                return self._error(path, 404)

            # X ---------------------------------------------------------------------------------

            def _x_trends(self, request):
                if request.header("Authorization") != f"Bearer {X_BEARER_TOKEN}":
                    return self._error(request.path, 401)
                woeid = request.path.rsplit("/", 1)[-1]
                if not woeid.isdigit():
                    return self._send(
                        400,
                        {
                            "errors": [
                                {
                                    "parameters": {"woeid": [woeid]},
                                    "message": f"The `woeid` query parameter value [{woeid}] is not valid",
                                }
                            ],
                            "title": "Invalid Request",
                            "detail": "One or more parameters to your request was invalid.",
                            "type": "https://api.twitter.com/2/problems/invalid-request",
                        },
                    )
                limit = int(request.query.get("max_trends", 20))
                headers = {
                    "x-rate-limit-limit": "75",
                    "x-rate-limit-remaining": str(server._take("x")),
                    "x-rate-limit-reset": str(int(time.time()) + 900),
                }
                return self._send(200, {"data": server.data.x_trends[:limit]}, headers=headers)

            # NewsAPI ---------------------------------------------------------------------------

            def _newsapi(self, request):
                key = request.header("X-Api-Key") or request.query.get("apiKey")
                if not key:
                    return self._send(
                        401,
                        {
                            "status": "error",
                            "code": "apiKeyMissing",
                            "message": "Your API key is missing. Append this to the URL with the apiKey param, or use the x-api-key HTTP header.",
                        },
                    )
                if key != NEWSAPI_KEY:
                    return self._error(request.path, 401)
                q = request.query
                if request.path == "/v2/top-headlines":
                    if not any(q.get(p) for p in ("country", "category", "sources", "q")):
                        return self._send(
                            400,
                            {
                                "status": "error",
                                "code": "parametersMissing",
                                "message": "Required parameters are missing. Please set any of the following parameters and try again: sources, q, language, country, category.",
                            },
                        )
                    articles = server.data.news_headlines.get(q.get("category", "general"), [])
                else:
                    if not q.get("q"):
                        return self._send(
                            400,
                            {
                                "status": "error",
                                "code": "parametersMissing",
                                "message": "Required parameters are missing, the scope of your search is too broad. Please set any of the following required parameters and try again: q, qInTitle, sources, domains.",
                            },
                        )
                    terms = [t.strip().strip('"').lower() for t in q["q"].split(" OR ")]
                    articles = [
                        a
                        for a in server.data.news_everything
                        if a["title"] == "[Removed]"
                        or any(t and t in f"{a['title']} {a['description']}".lower() for t in terms)
                    ]
                    articles = sorted(articles, key=lambda a: a["publishedAt"], reverse=True)
                size = int(q.get("pageSize", 20))
                body = {"status": "ok", "totalResults": len(articles), "articles": articles[:size]}
                return self._send(200, body)

            # Reddit ----------------------------------------------------------------------------

            def _reddit_rate_headers(self) -> dict[str, str]:
                remaining = server._take("reddit")
                return {
                    "x-ratelimit-used": str(100 - remaining),
                    "x-ratelimit-remaining": f"{remaining:.1f}",
                    "x-ratelimit-reset": "540",
                }

            def _reddit_token(self, request):
                auth = request.header("Authorization") or ""
                client_id, _, secret = (
                    base64.b64decode(auth[6:]).decode().partition(":")
                    if auth.startswith("Basic ")
                    else ("", "", "")
                )
                if (client_id, secret) != (REDDIT_CLIENT_ID, REDDIT_CLIENT_SECRET):
                    return self._error(request.path, 401)
                form = {k: v[0] for k, v in parse_qs(request.body).items()}
                if form.get("grant_type") != "client_credentials":
                    return self._send(200, {"error": "unsupported_grant_type"})
                token = secrets.token_urlsafe(24)
                with server.lock:
                    server.reddit_tokens.add(token)
                return self._send(
                    200, {"access_token": token, "token_type": "bearer", "expires_in": 86400, "scope": "*"}
                )

            def _reddit_listing(self, request):
                parts = request.path.strip("/").split("/")  # r, sub, hot(.json)
                if len(parts) != 3 or parts[2] not in ("hot", "hot.json"):
                    return self._error(request.path, 404)
                ua = request.header("User-Agent") or ""
                if not ua or "python-httpx" in ua:
                    # Reddit throttles default library user agents at once.
                    return self._error(request.path, 429, self._reddit_rate_headers())
                if parts[2] == "hot":
                    token = (request.header("Authorization") or "").removeprefix("Bearer ")
                    if token not in server.reddit_tokens:
                        return self._error(request.path, 401, {"www-authenticate": 'Bearer realm="reddit"'})
                posts = server.data.reddit_posts.get(parts[1].lower())
                if posts is None:
                    return self._error(request.path, 404)
                limit = int(request.query.get("limit", 25))
                listing = {
                    "kind": "Listing",
                    "data": {
                        "after": None,
                        "dist": len(posts[:limit]),
                        "modhash": "",
                        "geo_filter": None,
                        "children": posts[:limit],
                        "before": None,
                    },
                }
                return self._send(200, listing, headers=self._reddit_rate_headers())

            # Feeds -----------------------------------------------------------------------------

            def _feed(self, request):
                name = request.path.removeprefix("/feeds/").removesuffix(".xml")
                if name not in server.data.feeds:
                    return self._error(request.path, 404)
                content_type, text = server.data.feeds[name]
                return self._send(200, text, content_type, {"ETag": f'"{name}-1"'})

            # Mastodon --------------------------------------------------------------------------

            def _mastodon(self, request):
                limit = int(request.query.get("limit", 10))
                entries = (
                    server.data.mastodon_tags
                    if request.path.endswith("/tags")
                    else server.data.mastodon_links
                )
                reset = datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=5)
                headers = {
                    "X-RateLimit-Limit": "300",
                    "X-RateLimit-Remaining": str(server._take("mastodon")),
                    "X-RateLimit-Reset": reset.strftime("%Y-%m-%dT%H:%M:%S.000000Z"),
                }
                return self._send(200, entries[:limit], headers=headers)

        return Handler


# --- settings, environment and fixtures -----------------------------------------------------------


def industry_sources(server: FakeSourcesServer) -> dict:
    """TREND_INDUSTRY_SOURCES with the feeds pointing at the fake."""
    return {
        "fintech": {
            "keywords": ["fintech", "open banking", "payments"],
            "subreddits": ["fintech", "finance"],
            "feeds": [server.feed_url("fintech")],
            "newsapi_category": "business",
        },
        "tech": {
            "keywords": ["artificial intelligence", "cybersecurity", "developer tools"],
            "subreddits": ["technology", "programming"],
            "feeds": [server.feed_url("tech")],
            "newsapi_category": "technology",
        },
        "education": {
            "keywords": ["edtech", "online learning"],
            "subreddits": ["edtech"],
            "feeds": [server.feed_url("education")],
            "newsapi_category": "",
        },
    }


def sources_settings(server: FakeSourcesServer) -> dict:
    """Django settings that point every trend source at the fake (X and NewsAPI with credentials;
    Reddit without, so it uses the public JSON listings)."""
    return {
        "TREND_SOURCES": ["x", "newsapi", "reddit", "rss", "mastodon"],
        "X_BEARER_TOKEN": X_BEARER_TOKEN,
        "X_API_BASE_URL": server.url,
        "X_TRENDS_WOEID": 1,
        "NEWSAPI_KEY": NEWSAPI_KEY,
        "NEWSAPI_BASE_URL": server.url,
        "NEWSAPI_COUNTRY": "us",
        "REDDIT_CLIENT_ID": "",
        "REDDIT_CLIENT_SECRET": "",
        "REDDIT_BASE_URL": server.url,
        "REDDIT_OAUTH_BASE_URL": server.url,
        "MASTODON_BASE_URL": server.url,
        "TREND_INDUSTRY_SOURCES": industry_sources(server),
        "TREND_SOURCE_TIMEOUT": 1.0,
    }


def sources_env(server: FakeSourcesServer) -> dict[str, str]:
    """The same settings as environment variables, for a worker process talking to this fake."""
    values = sources_settings(server)
    return {
        "TREND_SOURCES": ",".join(values["TREND_SOURCES"]),
        "X_BEARER_TOKEN": X_BEARER_TOKEN,
        "X_API_BASE_URL": server.url,
        "NEWSAPI_KEY": NEWSAPI_KEY,
        "NEWSAPI_BASE_URL": server.url,
        "REDDIT_BASE_URL": server.url,
        "REDDIT_OAUTH_BASE_URL": server.url,
        "MASTODON_BASE_URL": server.url,
        "TREND_INDUSTRY_SOURCES_JSON": json.dumps(values["TREND_INDUSTRY_SOURCES"]),
        "TREND_SOURCE_TIMEOUT": "5",
    }


@pytest.fixture(scope="session")
def fake_sources_server():
    server = FakeSourcesServer().start()
    yield server
    server.stop()


@pytest.fixture
def fake_sources(fake_sources_server, settings):
    """The fake trend sources, reset, with settings (as the environment would give them) pointing
    every source at it. Returns the server for scripting: fail(), malformed(), delay(), requests."""
    fake_sources_server.reset()
    for name, value in sources_settings(fake_sources_server).items():
        setattr(settings, name, value)
    yield fake_sources_server
    fake_sources_server.reset()
