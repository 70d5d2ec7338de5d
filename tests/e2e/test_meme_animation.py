"""A large animated template in a browser: the upload is scaled down once (every frame kept), and
the maker shows the animation's progress while the worker draws it, then the animation itself.

The server of this module does not wait for the worker at all (MEME_RENDER_WAIT=0), so the
progress state is always seen; the real worker draws the frames meanwhile."""

import re

import pytest
from playwright.sync_api import expect

from apps.memes.models import Meme, MemeTemplate
from tests.e2e.conftest import run_site_server, screenshot
from tests.e2e.test_accounts_journeys import log_in
from tests.e2e.test_meme_maker import preview_loaded
from tests.factories import UserFactory
from tests.memes.large_gifs import large_gif

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(scope="module")
def site_server(django_db_setup, django_db_blocker, tmp_path_factory, fake_oauth_server, meme_media_root):
    with run_site_server(
        tmp_path_factory,
        fake_oauth_server,
        extra_env={"MEDIA_ROOT": str(meme_media_root), "MEME_RENDER_WAIT": "0"},
    ) as server:
        yield server


def test_a_large_animation_is_scaled_down_at_upload_and_drawn_by_the_worker_with_progress(
    page, site_server, meme_starter
):
    if not site_server.real_worker:
        pytest.skip("needs Redis for a real Celery worker (without it renders run in the request)")
    user = UserFactory()
    log_in(page, user.email)
    page.goto("/memes/templates/new/")
    page.set_input_files(
        "input[name=image]",
        files=[{"name": "big-party.gif", "mimeType": "image/gif", "buffer": large_gif()}],
    )
    page.get_by_label("Name").fill("Big party")
    page.get_by_role("button", name="Upload template").click()

    expect(page).to_have_url(re.compile(r"/memes/make/\?template=big-party$"))
    template = MemeTemplate.objects.get(slug="big-party")
    assert template.frame_count == 200 and template.width < 1400
    expect(
        page.get_by_text(
            f"It was scaled down from 1400×1400 to {template.width}×{template.height} so it renders "
            "quickly, every frame kept."
        )
    ).to_be_visible()

    page.get_by_label("Top text").fill("Two hundred frames")
    rendering = page.locator("[data-preview-rendering]")
    expect(rendering).to_be_visible()
    expect(rendering).to_contain_text("Rendering the animation…")
    expect(rendering).to_contain_text("200 frames")
    expect(page.locator("[data-preview-status]")).to_have_text(
        "The animation is being rendered in the background."
    )
    screenshot(page, "meme-maker-animation-rendering")

    src = preview_loaded(page)  # the worker stored it; the next poll shows it
    assert src.startswith("/memes/render/big-party.gif?text=Two+hundred+frames")
    expect(rendering).to_have_count(0)
    screenshot(page, "meme-maker-animation-ready")

    page.get_by_role("button", name="Create meme").click()
    expect(page).to_have_url(re.compile(r"/memes/\d+/$"))
    meme = Meme.objects.get(owner=user)
    assert meme.format == "gif"
    # The page shows the full size once the worker has drawn it too.
    page.wait_for_function(
        "() => [...document.images].some(i => i.src.includes('-full.gif') && i.naturalWidth > 0)",
        timeout=20_000,
    )
    expect(page.locator(".meme-figure-pending")).to_have_count(0)
    screenshot(page, "meme-detail-animation")
