"""The logo in the browser: a 34 MB file or an SVG is refused before anything is uploaded (the
colour suggestions are not even asked for), and a good logo travels once: with the colour
suggestions; saving the step sends the server's token for it, not the file again.
Screenshots: test-artifacts/logo-*.png."""

import re

import pytest
from playwright.sync_api import expect

from apps.brands.models import Brand, OnboardingStep
from tests.e2e.conftest import screenshot
from tests.e2e.test_accounts_journeys import log_in
from tests.e2e.test_onboarding import make_logo, next_button
from tests.factories import BrandFactory, BrandUserFactory, MembershipFactory

pytestmark = pytest.mark.django_db(transaction=True)

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def at_identity_step(page):
    user = BrandUserFactory(email="nora@northwind.example")
    brand = BrandFactory(name="Northwind Analytics", onboarding_step=OnboardingStep.IDENTITY)
    MembershipFactory(brand=brand, user=user, role="owner")
    log_in(page, user.email)
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    page.goto(f"/brand/{brand.pk}/onboarding/3/")
    expect(page.locator("input[name=logo]")).to_be_attached()
    return brand


@pytest.fixture
def posts(page):
    """Every POST the page sends: (address, body bytes, or None where Chromium hides a file's body)."""
    sent = []
    page.on("request", lambda r: r.method == "POST" and sent.append((r.url, r.post_data_buffer)))
    return sent


def test_a_34_mb_logo_is_refused_before_it_is_uploaded(page, at_identity_step, posts):
    page.set_input_files(
        "input[name=logo]",
        files=[{"name": "huge-logo.png", "mimeType": "image/png", "buffer": b"\0" * (34 * 1024 * 1024)}],
        timeout=60_000,  # 34 MB into the browser over the DevTools pipe: slow on a busy machine
    )

    error = page.locator("#logo-check-error")
    expect(error).to_be_visible()
    expect(error).to_contain_text("The file is 34.0 MB; the limit is 5 MB.")
    expect(page.locator("input[name=logo]")).to_have_attribute("aria-invalid", "true")
    assert page.locator("input[name=logo]").evaluate("input => input.files.length") == 0
    assert not [url for url, _ in posts if "/logo/colors/" in url]
    screenshot(page, "logo-too-big")


def test_an_svg_logo_is_refused_before_it_is_uploaded(page, at_identity_step, posts):
    page.set_input_files(
        "input[name=logo]", files=[{"name": "logo.svg", "mimeType": "image/svg+xml", "buffer": b"<svg/>"}]
    )

    expect(page.locator("#logo-check-error")).to_contain_text("is not a PNG, JPEG or WebP image")
    assert not [url for url, _ in posts if "/logo/colors/" in url]


def test_a_good_logo_is_uploaded_once_and_saved_with_the_step(page, at_identity_step, posts, tmp_path):
    brand = at_identity_step
    logo = make_logo(tmp_path / "northwind-logo.png")
    page.set_input_files(
        "input[name=logo]",
        files=[{"name": "too-big.png", "mimeType": "image/png", "buffer": b"\0" * (6 * 1024 * 1024)}],
    )
    expect(page.locator("#logo-check-error")).to_be_visible()

    page.set_input_files("input[name=logo]", str(logo))
    expect(page.get_by_text("Suggested from your logo")).to_be_visible(timeout=20_000)
    expect(page.locator("#logo-check-error")).to_be_hidden()  # a good pick clears the refusal
    expect(page.locator("#logo-token")).not_to_have_value("")
    page.locator("[data-swatch]").nth(0).click()
    screenshot(page, "logo-picked")
    next_button(page).click()

    expect(page).to_have_url(re.compile(r"/onboarding/4/$"))
    # The file went with the colour suggestions only. (Chromium hides the body of a request that
    # carries a file, so a save body we can read is one without the file.)
    assert [url for url in (u for u, _ in posts) if "/logo/colors/" in url] == [posts[0][0]]
    (save,) = [body for url, body in posts if url.endswith("/onboarding/3/")]
    assert save is not None and b'name="logo"; filename=' not in save and PNG_SIGNATURE not in save
    assert re.search(rb'name="logo_token"\r\n\r\n[\w-]{20,}\r\n', save)
    saved = Brand.objects.get(pk=brand.pk)
    assert saved.logo
