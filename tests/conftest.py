"""Fixtures shared by the whole suite."""

import pytest
from django.conf import settings

from tests.factories import BrandFactory, BrandUserFactory, InfluencerFactory, MembershipFactory, StaffFactory


def pytest_report_header(config):
    db = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    layer = settings.CHANNEL_LAYERS["default"]["BACKEND"].rsplit(".", 1)[-1]
    return (
        f"social-medAI: database={db} cache={settings.CACHES['default']['BACKEND'].rsplit('.', 1)[-1]} "
        f"channel_layer={layer} broker={settings.CELERY_BROKER_URL.split('://')[0]} "
        f"REQUIRE_SERVICES={int(settings.REQUIRE_SERVICES)}"
    )


def pytest_collection_modifyitems(config, items):
    # Browser tests last: Playwright's event loop must not share the thread with async tests.
    items.sort(key=lambda item: "/e2e/" in str(item.fspath))


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    cache.clear()
    from apps.publishing import ratelimit

    ratelimit._buckets = (
        None  # the in-process fallback's buckets start empty too (Redis ones are in the cache DB)
    )
    from apps.memes import api as memes_api
    from apps.memes.views import files as memes_files

    memes_api.trending_cache_clear()  # pages cached per trending version, which restarts with Redis
    memes_files._templates.clear()  # templates by slug kept a few seconds; each test has its own
    yield


def _raw_template_comment(response) -> str | None:
    """The first raw `{# … #}` in an HTML response, with some context, or None."""
    if getattr(response, "streaming", False) or not response.get("Content-Type", "").startswith("text/html"):
        return None
    html = response.content.decode(response.charset or "utf-8", errors="replace")
    for mark in ("{#", "#}"):
        at = html.find(mark)
        if at >= 0:
            return html[max(0, at - 80) : at + 80]
    return None


@pytest.fixture(autouse=True)
def _no_raw_template_comments(monkeypatch):
    """Every page the suite renders through the test client is checked for a template comment
    that Django did not strip (its `{# #}` is one line only; a two-line one reaches visitors)."""
    from django.test.client import Client

    render = Client.request

    def request(self, **kwargs):
        response = render(self, **kwargs)
        raw = _raw_template_comment(response)
        assert raw is None, f"{kwargs.get('PATH_INFO')} shows a raw template comment: …{raw}…"
        return response

    monkeypatch.setattr(Client, "request", request)


@pytest.fixture
def brand_user(db):
    return BrandUserFactory()


@pytest.fixture
def influencer(db):
    return InfluencerFactory()


@pytest.fixture
def staff(db):
    return StaffFactory()


@pytest.fixture
def brand(brand_user):
    brand = BrandFactory(created_by=brand_user)
    MembershipFactory(brand=brand, user=brand_user)
    return brand


@pytest.fixture
def other_brand(db):
    """A brand the `brand_user` fixture is not a member of."""
    membership = MembershipFactory()
    return membership.brand


@pytest.fixture
def real_worker(transactional_db):
    """A real Celery worker thread consuming the test queue (Redis in CI, memory otherwise)."""
    from celery.contrib.testing.worker import start_worker

    from project.celery import app

    app.conf.task_always_eager = False
    try:
        with start_worker(
            app, pool="solo", perform_ping_check=False, loglevel="WARNING", shutdown_timeout=10
        ):
            yield
    finally:
        app.conf.task_always_eager = True
