"""Crawl the demo site as each role: every GET link and htmx `hx-get` reachable from the pages
answers in under 2 s, never with a 5xx, and no page shows raw template syntax.

This is the test that would have caught the "Generate post" page that never answered for the
demo brand (issue 16 A): it follows what a person can click, on the demo brand's full history,
against the real server (daphne) over HTTP with a client-side timeout, so a hung view fails the
crawl instead of the whole run.
"""

from __future__ import annotations

import importlib
import io
import re
import time
from collections import deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin, urlsplit

import httpx
import pytest
from django.core.management import call_command

from apps.demo.management.commands.seed_demo import DEMO_PASSWORD
from tests.e2e.conftest import run_site_server

pytestmark = pytest.mark.django_db(transaction=True)

SLOW_SECONDS = 2.0
MAX_PAGES_PER_ROLE = 400
# Pages of one shape (/posts/<n>/, /admin/x/y/<n>/change/) are visited a few times each, not all.
MAX_PER_SHAPE = 4
RAW_TEMPLATE = re.compile(r"\{#|#\}|\{\{|\{%|%\}")  # "}}" closes nested JSON, so it is not looked for
ROLES = {
    "brand owner": "brand@demo.socialmedai.local",
    "brand editor": "editor@demo.socialmedai.local",
    "influencer": "influencer@demo.socialmedai.local",
    "staff": "staff@demo.socialmedai.local",
    "anonymous": None,
}
# Never followed: signing out ends the crawl's session; the rest are not pages (files and feeds
# are fetched, not parsed) or are admin pages that only repeat what the changelists show.
SKIP = (
    re.compile(r"^/accounts/logout/"),
    re.compile(r"^/admin/logout/"),
    re.compile(r"^/admin/.*/(delete|history)/$"),
    re.compile(r"^/admin/jsi18n/"),
    re.compile(r"^/admin/r/"),  # "view on site" redirects
)


# Stored files (graphics, renders) are fetched for their status, but a missing one is the file
# store's business, not a broken page link.
MEDIA_PREFIXES = ("/media/",)
SCRIPTS = re.compile(r"<(script|style)\b.*?</\1>", re.DOTALL | re.IGNORECASE)


class _Links(HTMLParser):
    """The GET targets of a page: <a href> (followed as a browser would) and htmx `hx-get`
    (followed with the HX-Request header, as htmx sends it)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.links.append((attrs["href"], "page"))
        if attrs.get("hx-get"):
            # An hx-get on a form, or one that includes form fields (hx-include), sends them: fetched bare, it may
            # rightly answer 404 for the missing choice, so only a 5xx counts there.
            form_driven = tag == "form" or attrs.get("hx-include")
            self.links.append((attrs["hx-get"], "hx-form" if form_driven else "hx"))


def _shape(path: str) -> str:
    return re.sub(r"\d+", "<n>", path)


@dataclass
class Crawl:
    base: str
    client: httpx.Client
    seen: set[str] = field(default_factory=set)
    shapes: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    timings: list[tuple[float, str]] = field(default_factory=list)
    hung: int = 0  # requests that never answered: a few of them mean the server is stuck

    def _wanted(self, url: str) -> str | None:
        url, _ = urldefrag(url)
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or parts.netloc != urlsplit(self.base).netloc:
            return None
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if path in self.seen or any(rule.search(parts.path) for rule in SKIP):
            return None
        shape = _shape(parts.path)
        if self.shapes.get(shape, 0) >= MAX_PER_SHAPE:
            return None
        return path

    def run(self, starts: list[str]) -> None:
        queue = deque((self.base + start, "page") for start in starts)
        while queue and len(self.seen) < MAX_PAGES_PER_ROLE and self.hung < 3:
            link, mode = queue.popleft()
            path = self._wanted(link)
            if path is None:
                continue
            self.seen.add(path)
            shape = _shape(urlsplit(path).path)
            self.shapes[shape] = self.shapes.get(shape, 0) + 1
            page_url = self.base + path
            queue.extend((urljoin(page_url, link), kind) for link, kind in self.visit(path, mode=mode))

    def visit(self, path: str, mode: str) -> list[tuple[str, str]]:
        headers = {"HX-Request": "true"} if mode != "page" else {}
        started = time.monotonic()
        try:
            response = self.client.get(path, headers=headers, follow_redirects=False)
        except httpx.TimeoutException:
            self.problems.append(f"{path}: no answer within {SLOW_SECONDS * 5:.0f} s")
            self.hung += 1
            return []
        took = time.monotonic() - started
        self.timings.append((took, path))
        if took > SLOW_SECONDS:
            self.problems.append(f"{path}: {took:.2f} s (limit {SLOW_SECONDS} s)")
        if response.status_code >= 500:
            self.problems.append(f"{path}: HTTP {response.status_code}")
            return []
        if response.status_code == 404 and mode != "hx-form" and not path.startswith(MEDIA_PREFIXES):
            self.problems.append(f"{path}: HTTP 404 (a broken link)")
            return []
        if response.is_redirect:
            return [(response.headers["location"], "page")]
        if not response.headers.get("content-type", "").startswith("text/html"):
            return []
        parser = _Links()
        parser.feed(response.text)
        text = SCRIPTS.sub("", response.text)
        raw = RAW_TEMPLATE.search(text)
        if raw:
            around = text[max(0, raw.start() - 60) : raw.end() + 60].replace("\n", " ")
            self.problems.append(f"{path}: raw template syntax {raw.group()!r} in “…{around}…”")
        return parser.links


def _logged_in_client(base: str, email: str | None) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=SLOW_SECONDS * 5)
    if email is None:
        return client
    form = client.get("/accounts/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text).group(1)
    answer = client.post(
        "/accounts/login/",
        data={"login": email, "password": DEMO_PASSWORD, "csrfmiddlewaretoken": token},
        headers={"Referer": f"{base}/accounts/login/"},
    )
    assert answer.status_code == 302, f"{email} could not log in: {answer.status_code}"
    return client


def _server_errors(server, limit: int = 3) -> str:
    """The server log's first tracebacks (a 500's cause), not its access lines."""
    log = server.log_tail(chars=2_000_000)
    blocks = re.findall(r"^.*(?:ERROR|Traceback).*\n(?:(?:  |\S+Error|\S+Exception).*\n)*", log, re.MULTILINE)
    return "\n".join(blocks[:limit]) or log[-3000:]


@pytest.fixture(scope="module")
def media_root(tmp_path_factory):
    return tmp_path_factory.mktemp("crawl-media")


@pytest.fixture(scope="module")
def site_server(django_db_setup, django_db_blocker, tmp_path_factory, fake_oauth_server, media_root):
    """A server of its own whose MEDIA_ROOT holds the files seed_demo makes here."""
    with run_site_server(
        tmp_path_factory, fake_oauth_server, extra_env={"MEDIA_ROOT": str(media_root)}
    ) as server:
        yield server


def _restore_industries() -> None:
    """The industry list is data a migration made; the transactional tests before this one flushed
    it (Django's serialized_rollback clashes with the rows post_migrate makes again), so the
    migration's own function puts it back, on the migration's historical models."""
    from django.db import connection
    from django.db.migrations.loader import MigrationLoader

    loader = MigrationLoader(connection)
    key = max(k for k in loader.disk_migrations if k[0] == "brands" and "industries" in k[1])
    seed = importlib.import_module(f"apps.brands.migrations.{key[1]}").seed
    seed(loader.project_state(key).apps, None)


@pytest.fixture
def demo_site(site_server, settings, media_root):
    settings.MEDIA_ROOT = media_root
    _restore_industries()
    call_command("seed_demo", stdout=io.StringIO())
    return site_server


def test_every_page_a_demo_role_can_reach_answers_fast_without_errors_or_raw_templates(demo_site):
    report = {}
    for role, email in ROLES.items():
        starts = ["/", "/portal/", "/memes/", "/memes/trending/"]
        if role == "staff":
            starts += ["/admin/", "/staff/trends/", "/staff/analytics/"]
        client = _logged_in_client(demo_site.url, email)
        crawl = Crawl(base=demo_site.url, client=client)
        try:
            crawl.run(starts)
        finally:
            client.close()
        report[role] = crawl
        if crawl.hung >= 3:
            break  # a server stuck on hung requests answers nobody: the first role says why
    problems = [f"{role}: {p}" for role, crawl in report.items() for p in crawl.problems]
    assert not any(crawl.hung for crawl in report.values()), "\n".join(problems)
    visited = {role: len(crawl.seen) for role, crawl in report.items()}
    slowest = sorted((t for crawl in report.values() for t in crawl.timings), reverse=True)[:5]
    print(f"crawl: pages per role {visited}; slowest {[(round(t, 2), p) for t, p in slowest]}")
    # The crawl did reach the product, not just the login page.
    assert visited["brand owner"] > 40 and visited["brand editor"] > 30, visited
    assert visited["staff"] > 40 and visited["influencer"] > 10 and visited["anonymous"] > 5, visited
    generate_pages = [p for p in report["brand owner"].seen if p.startswith("/posts/new/")]
    assert generate_pages, "the crawl never opened a Generate post page"
    assert not problems, "\n".join(problems) + "\n\nserver errors:\n" + _server_errors(demo_site)
