"""Meme fixtures: the starter templates imported into a temporary MEDIA_ROOT, and a clean trending
set in Redis for every test."""

import pytest

from apps.memes import trending
from apps.memes.models import MemeTemplate
from apps.memes.services import template_import


@pytest.fixture(autouse=True)
def _clean_trending(settings):
    def wipe():
        client = trending.redis_client()
        if client is not None:
            client.delete(trending._key(trending.ZSET), trending._key(trending.VERSION))

    wipe()
    yield
    wipe()


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def starter(db, media):
    """The shipped starter set, approved: {slug: MemeTemplate}."""
    report = template_import()
    assert not report.skipped, report.skipped
    return {t.slug: t for t in MemeTemplate.objects.all()}
