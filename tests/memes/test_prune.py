"""Stored renders nobody uses are pruned after MEME_RENDER_CACHE_DAYS; a meme's own files stay."""

import os
import time
from datetime import timedelta

from django.core.files.storage import default_storage
from django.utils import timezone

from apps.memes import generation, services
from apps.memes.tasks import stored_renders_prune_task
from tests.factories import UserFactory


def _age(name: str, days: float) -> None:
    moment = time.time() - days * 86400
    os.utime(default_storage.path(name), (moment, moment))


def test_old_unused_renders_go_and_memes_files_and_recent_renders_stay(starter, settings):
    settings.MEME_RENDER_CACHE_DAYS = 30
    template = starter["this-is-fine"]
    user = UserFactory()
    kept_spec = generation.spec_from_input(template=template, texts=["mine", "forever"])
    meme, _ = services.meme_create(user=user, spec=kept_spec, size="medium", is_public=False)
    old_url_render = generation.rendered_get_or_create(
        generation.spec_from_input(template=template, texts=["asked by URL", "long ago"]), "medium"
    ).name
    recent_preview = generation.rendered_get_or_create(
        generation.spec_from_input(template=template, texts=["a preview", "just now"]), "thumbnail"
    ).name
    _age(meme.images["medium"], 90)
    _age(old_url_render, 31)
    _age(recent_preview, 29)

    report = stored_renders_prune_task()

    assert report["deleted"] == 1 and report["kept"] == 2 and report["deleted_bytes"] > 0
    assert not default_storage.exists(old_url_render)
    assert default_storage.exists(meme.images["medium"]) and default_storage.exists(recent_preview)


def test_a_deleted_memes_files_are_pruned_and_an_empty_store_is_fine(starter):
    assert services.stored_renders_prune().deleted == 0  # nothing stored yet
    user = UserFactory()
    spec = generation.spec_from_input(template=starter["two-buttons"], texts=["soon", "gone"])
    meme, _ = services.meme_create(user=user, spec=spec, size="medium", is_public=False)
    name = meme.images["medium"]
    services.meme_delete(meme=meme, user=user)
    report = services.stored_renders_prune(now=timezone.now() + timedelta(days=31))
    assert report.deleted == 1 and not default_storage.exists(name)
