"""The media library in the browser: a brand member opens it from the posts list, drops two images on the page (each with its
own progress bar), both appear in the grid with their per-platform checks, and alt text is set on
one in place (htmx) and survives a reload. Screenshots: test-artifacts/media-*.png."""

import io

import pytest
from django.urls import reverse
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from apps.media.models import MediaAsset
from tests.e2e.conftest import run_site_server, screenshot
from tests.e2e.test_accounts_journeys import log_in
from tests.factories import BrandFactory, BrandUserFactory, MembershipFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(scope="module")
def site_server(django_db_setup, django_db_blocker, tmp_path_factory, fake_oauth_server):
    """A server whose uploads land in a temporary MEDIA_ROOT, not the checkout's media/."""
    media_root = tmp_path_factory.mktemp("media-library")
    with run_site_server(
        tmp_path_factory, fake_oauth_server, extra_env={"MEDIA_ROOT": str(media_root)}
    ) as server:
        yield server


def _png(size, color) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format="PNG")
    return out.getvalue()


def test_upload_two_images_and_set_alt_text(page):
    user = BrandUserFactory(email="mia@harbor.example", display_name="Mia Harbor")
    brand = BrandFactory(name="Harbor Coffee", onboarding_completed_at=timezone.now())
    MembershipFactory(brand=brand, user=user, role="owner")
    log_in(page, user.email)
    page.wait_for_url(lambda url: "/accounts/login/" not in url)

    page.goto(reverse("posts:list"))  # the main nav is full at 1280 px: the library is linked here
    page.get_by_role("link", name="Media library").click()
    page.wait_for_url(f"**/brand/{brand.pk}/media/")
    expect(page.locator("#media-empty")).to_be_visible()

    page.set_input_files(
        "#media-file",
        files=[
            {"name": "latte-art.png", "mimeType": "image/png", "buffer": _png((1200, 675), (120, 72, 40))},
            {"name": "IMG_2041.png", "mimeType": "image/png", "buffer": _png((800, 1000), (30, 90, 160))},
        ],
    )
    cards = page.locator(".media-card")
    expect(cards).to_have_count(2)
    expect(page.locator(".media-progress-row.done")).to_have_count(2)
    expect(page.locator("#media-empty")).to_be_hidden()
    expect(page.locator("#media-count")).to_have_text("2 files")
    assert MediaAsset.objects.filter(brand=brand).count() == 2

    latte = MediaAsset.objects.get(brand=brand, original_name="latte-art.png")
    card = page.locator(f"#asset-{latte.pk}")
    expect(card.locator("[data-platform=x]")).to_contain_text("Add alt text before publishing to X.")
    expect(card.locator(".media-suggest button")).to_contain_text("Image: Latte art — Harbor Coffee")
    expect(card.locator(".media-thumb img")).to_have_js_property("complete", True)
    screenshot(page, "media-uploaded")

    card.locator("textarea[name=alt_text]").fill("A latte with a leaf drawn in the foam")
    card.get_by_role("button", name="Save alt text").click()
    card = page.locator(f"#asset-{latte.pk}")
    expect(card.locator(".media-note")).to_have_text("Alt text saved.")
    expect(card.locator("[data-platform=x]")).not_to_contain_text("Add alt text")

    other = MediaAsset.objects.get(brand=brand, original_name="IMG_2041.png")
    page.locator(f"#asset-{other.pk} .media-suggest button").click()
    expect(page.locator(f"#asset-{other.pk} textarea[name=alt_text]")).to_have_value(
        "Image from Harbor Coffee"
    )

    page.reload()
    expect(page.locator(f"#asset-{latte.pk} textarea[name=alt_text]")).to_have_value(
        "A latte with a leaf drawn in the foam"
    )
    latte.refresh_from_db()
    assert latte.alt_text == "A latte with a leaf drawn in the foam"
    screenshot(page, "media-alt-text")

    page.once("dialog", lambda dialog: dialog.accept())
    page.locator(f"#asset-{other.pk}").get_by_role("button", name="Delete").click()
    expect(page.locator(".media-card")).to_have_count(1)
    expect(page.locator("#media-count")).to_have_text("1 file")
    assert not MediaAsset.objects.filter(pk=other.pk).exists()


def test_a_file_that_is_not_a_picture_shows_why_it_was_refused(page):
    user = BrandUserFactory(email="ola@harbor.example")
    brand = BrandFactory(name="Harbor Coffee", onboarding_completed_at=timezone.now())
    MembershipFactory(brand=brand, user=user, role="owner")
    log_in(page, user.email)
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    page.goto(f"/brand/{brand.pk}/media/")
    page.set_input_files(
        "#media-file", files=[{"name": "menu.jpg", "mimeType": "image/jpeg", "buffer": b"%PDF-1.4 a menu"}]
    )
    failed = page.locator(".media-progress-row.failed")
    expect(failed).to_contain_text("menu.jpg")
    expect(failed.locator(".media-progress-status")).to_have_text(
        "The file is not an image or a video we can read. Upload JPEG, PNG, WebP, GIF or MP4 (H.264)."
    )
    expect(page.locator(".media-card")).to_have_count(0)
    screenshot(page, "media-refused")
