"""Browser tests: a real daphne server (and a real Celery worker when Redis is there) on the
test database, driven by Playwright in Debian's chromium.

The server is a separate process, so these tests commit their data (transactional_db) and
read email from files the server writes.
"""

import email
import os
import shutil
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from email import policy
from pathlib import Path
from urllib.error import HTTPError, URLError
from urllib.request import urlopen

import pytest
from django.conf import settings
from django.db import connection

from tests.fakes.oauth import oauth_env

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)
            if not Path(CHROMIUM).exists():
                if settings.REQUIRE_SERVICES:
                    raise pytest.UsageError(f"chromium not found at {CHROMIUM}: apt-get install chromium")
                item.add_marker(
                    pytest.mark.skip(reason="chromium is not installed (apt-get install chromium)")
                )


def _die_with_parent() -> None:
    """In the child: be killed when the test run dies, even by SIGKILL (Linux prctl)."""
    import ctypes
    import signal

    pr_set_pdeathsig = 1
    ctypes.CDLL("libc.so.6", use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _database_url() -> str:
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    user = db.get("USER") or "postgres"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return (
        f"postgres://{user}{password}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"
    )


class LiveServer:
    def __init__(self, url: str, mail_dir: Path, real_worker: bool, logs: Path | None = None):
        self.url = url
        self.mail_dir = mail_dir
        self.real_worker = real_worker
        self.logs = logs

    def log_tail(self, name: str = "web", chars: int = 6000) -> str:
        """The end of the server's own log (its tracebacks), for a failing test to show."""
        path = self.logs / f"{name}.log" if self.logs else None
        return path.read_text(errors="replace")[-chars:] if path and path.exists() else ""

    def emails(self, to: str | None = None) -> list[email.message.EmailMessage]:
        messages = []
        for path in sorted(self.mail_dir.glob("*.log"), key=lambda p: p.stat().st_mtime):
            # The file backend writes each message followed by a line of dashes.
            for chunk in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
                if chunk.strip():
                    message = email.message_from_bytes(chunk.strip(), policy=policy.default)
                    if to is None or to in message["To"]:
                        messages.append(message)
        return messages

    def wait_for_email(self, to: str, timeout: float = 20) -> email.message.EmailMessage:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.emails(to)
            if found:
                return found[-1]
            time.sleep(0.1)  # the server or worker writes it; nothing here to freeze
        raise AssertionError(f"no email to {to} within {timeout}s")


@pytest.fixture(scope="session")
def fake_oauth_server():
    """X's and LinkedIn's OAuth servers, faked locally; the site server is configured for them."""
    from tests.fakes.oauth import FakeOAuthServer

    server = FakeOAuthServer().start()
    yield server
    server.stop()


@contextmanager
def run_site_server(tmp_path_factory, fake_oauth_server, extra_env: dict[str, str] | None = None):
    """Start daphne (and a Celery worker when Redis is there) on the test database; `extra_env`
    adds settings for this server only (a test module can run a server of its own with them)."""
    mail_dir = tmp_path_factory.mktemp("mail")
    port = _free_port()
    real_worker = settings.USE_REDIS
    env = {
        **os.environ,
        "TESTING": "1",  # same cache database, key prefixes and Celery queue as this process
        "DATABASE_URL": _database_url(),
        "EMAIL_FILE_PATH": str(mail_dir),
        "SITE_URL": f"http://127.0.0.1:{port}",
        "CELERY_TASK_ALWAYS_EAGER": "0" if real_worker else "1",
        "SOCIALMEDAI_QUIET_FALLBACKS": "1",
        "PYTHONUNBUFFERED": "1",
        # A queue of this server's own: a stray worker of another run (or another server of
        # this run, started with other settings) can never take its tasks.
        "CELERY_QUEUE": f"smai-e2e-{os.getpid()}-{port}",
        **oauth_env(fake_oauth_server),
        **(extra_env or {}),
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    if settings.REDIS_URL:
        env["REDIS_URL"] = settings.REDIS_URL
    logs = tmp_path_factory.mktemp("server-logs")
    commands = {
        "web": [
            sys.executable,
            "-m",
            "daphne",
            "-b",
            "127.0.0.1",
            "-p",
            str(port),
            "project.asgi:application",
        ]
    }
    if real_worker:
        commands["worker"] = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "project",
            "worker",
            "--pool=solo",
            "--loglevel=WARNING",
        ]
    processes = {}
    for name, cmd in commands.items():
        with open(logs / f"{name}.log", "wb") as log:  # the child keeps its own copy of the handle
            processes[name] = subprocess.Popen(
                cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, preexec_fn=_die_with_parent
            )
    url = f"http://127.0.0.1:{port}"
    deadline, last_health = time.monotonic() + 60, ""
    while True:
        try:
            with urlopen(f"{url}/healthz", timeout=2):  # noqa: S310 (our own local server)
                break
        except HTTPError as exc:  # up, but a service it needs is not: say which
            last_health = exc.read().decode()
        except (URLError, TimeoutError, ConnectionError):  # not up yet, or slow on a busy machine
            pass
        if processes["web"].poll() is not None or time.monotonic() > deadline:
            for process in processes.values():
                process.kill()
            log = (logs / "web.log").read_text()[-3000:]
            raise RuntimeError(f"daphne did not become healthy: {last_health}\n{log}")
        time.sleep(0.2)
    try:
        yield LiveServer(url, mail_dir, real_worker, logs)
    finally:
        for process in processes.values():
            process.terminate()
        for process in processes.values():
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


@pytest.fixture(scope="session")
def site_server(django_db_setup, django_db_blocker, tmp_path_factory, fake_oauth_server):
    with run_site_server(tmp_path_factory, fake_oauth_server) as server:
        yield server


@pytest.fixture(scope="package")
def browser():
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop in this thread while the browser lives; the ORM
    # calls the tests make are plain synchronous ones, so Django's async-safety guard does not
    # apply to them. Only for these tests, and not passed to the server processes.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            yield browser
            browser.close()
    finally:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture
def new_page(browser, site_server, request):
    """A factory of pages, each in its own browser context (its own cookies)."""
    contexts = []

    def make():
        context = browser.new_context(base_url=site_server.url, viewport={"width": 1280, "height": 860})
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield make
    failed = getattr(request.node, "rep_call", None) and request.node.rep_call.failed
    for i, context in enumerate(contexts):
        if failed:
            ARTIFACTS.mkdir(exist_ok=True)
            for j, page in enumerate(context.pages):
                page.screenshot(
                    path=str(ARTIFACTS / f"FAILED-{request.node.name}-{i}-{j}.png"), full_page=True
                )
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()


@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


def screenshot(page, name: str) -> Path:
    """Save a full-page screenshot as a test artifact (test-artifacts/<name>.png). The page is
    scrolled to the top first: full-page shots draw sticky bars where the window is."""
    page.evaluate("window.scrollTo(0, 0)")
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


# --- The meme pages' site: a server whose MEDIA_ROOT holds the starter templates --------------


@pytest.fixture(scope="module")
def meme_media_root(tmp_path_factory):
    return tmp_path_factory.mktemp("meme-media")


@pytest.fixture(scope="module")
def meme_site_server(
    django_db_setup, django_db_blocker, tmp_path_factory, fake_oauth_server, meme_media_root
):
    """A server of its own, so the template images a test imports are the ones it reads. A module
    uses it by overriding ``site_server`` with it."""
    with run_site_server(
        tmp_path_factory, fake_oauth_server, extra_env={"MEDIA_ROOT": str(meme_media_root)}
    ) as server:
        yield server


@pytest.fixture
def meme_starter(settings, meme_media_root):
    """The starter templates, imported into the test database and the meme site's media."""
    from apps.memes.services import template_import

    settings.MEDIA_ROOT = meme_media_root
    report = template_import()
    assert not report.skipped or all("already exists" in why for _, why in report.skipped)


# --- A site whose worker writes copy with the real LLM client against a local fake server --------


@pytest.fixture(scope="module")
def fake_llm_server():
    from tests.fakes.llm import FakeLLMServer

    server = FakeLLMServer().start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def llm_site_server(django_db_setup, django_db_blocker, tmp_path_factory, fake_oauth_server, fake_llm_server):
    """A server of its own with the LLM settings pointing at ``fake_llm_server``. A module uses it
    by overriding ``site_server`` with it."""
    from tests.fakes.llm import llm_env

    with run_site_server(tmp_path_factory, fake_oauth_server, extra_env=llm_env(fake_llm_server)) as server:
        yield server
