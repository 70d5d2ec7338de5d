"""The meme maker in a browser: search a template, type captions and watch the preview redraw,
create the meme and land on its page; upload a template with its boxes placed and find it waiting
for approval in My memes."""

import io
import json
import re

import pytest
from PIL import Image
from playwright.sync_api import expect

from apps.memes.models import Meme, MemeTemplate
from tests.e2e.conftest import screenshot
from tests.e2e.test_accounts_journeys import log_in
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(scope="module")
def site_server(meme_site_server):
    return meme_site_server


def preview_loaded(page) -> str:
    """Wait until the preview image has loaded (no spinner) and return its address."""
    page.wait_for_function(
        "() => { const img = document.querySelector('[data-preview-image]');"
        " return img && img.complete && img.naturalWidth > 0"
        " && !document.querySelector('#maker-preview-frame.is-loading'); }"
    )
    return page.get_attribute("[data-preview-image]", "src")


def test_search_pick_type_preview_and_create_a_meme(page, meme_starter):
    user = UserFactory(display_name="Maya Maker")
    log_in(page, user.email)
    page.goto("/memes/make/")
    expect(page.get_by_role("heading", name="Pick a template to start")).to_be_visible()

    page.get_by_label("Search templates").fill("fine")
    results = page.locator("#maker-results a.template-card")
    expect(results).to_have_count(1)
    expect(results.first).to_contain_text("This is fine")
    results.first.click()
    expect(page).to_have_url(re.compile(r"/memes/make/\?q=fine&template=this-is-fine$"))
    expect(page.get_by_role("heading", name="This is fine")).to_be_visible()
    expect(page.locator("#maker-results a.is-selected")).to_have_attribute("data-template", "this-is-fine")

    # Nothing typed: the blank template, no error.
    expect(page.get_by_text("Type a caption to see it on the template.")).to_be_visible()
    blank = preview_loaded(page)
    assert blank.startswith("/memes/t/this-is-fine.png")

    page.get_by_label("Top text").fill("Deploying on Friday")
    page.get_by_label("Bottom text").fill("This is fine")
    page.wait_for_function(
        "() => (document.querySelector('[data-preview-image]') || {}).src.includes('/memes/render/')"
    )
    first = preview_loaded(page)
    assert "text=Deploying+on+Friday&text=This+is+fine" in first

    # A style change redraws the preview with it.
    page.get_by_text("Shadow", exact=True).click()
    page.wait_for_function(
        "() => (document.querySelector('[data-preview-image]') || {}).src.includes('effect=shadow')"
    )
    assert preview_loaded(page) != first

    # Bad input: the error shows next to the captions and the preview waits.
    page.get_by_label("Top text").fill("x" * 230)
    expect(page.locator("#err-texts")).to_contain_text("at most 200 are allowed")
    expect(page.get_by_text("Fix the fields marked in red.")).to_be_visible()
    screenshot(page, "meme-maker-errors")
    page.get_by_label("Top text").fill("Deploying on Friday")
    expect(page.locator("#err-texts")).to_be_empty()
    preview_loaded(page)
    screenshot(page, "meme-maker-preview")

    page.get_by_role("button", name="Create meme").click()
    expect(page).to_have_url(re.compile(r"/memes/\d+/$"))
    meme = Meme.objects.get(owner=user)
    assert page.url.endswith(f"/memes/{meme.pk}/")
    assert meme.is_public and meme.texts == ["Deploying on Friday", "This is fine"]
    assert meme.style["effect"] == "shadow"
    expect(page.get_by_text("Meme created and posted to the public feed.")).to_be_visible()
    page.wait_for_function(
        "() => [...document.images].some(i => i.src.includes('/memes/r/') && i.naturalWidth > 0)"
    )

    # My memes lists it with its downloads.
    page.goto("/memes/mine/")
    card = page.locator(f"#meme-{meme.pk}")
    expect(card).to_contain_text("Deploying on Friday / This is fine")
    expect(card.get_by_text("Public", exact=True)).to_be_visible()
    expect(card.get_by_role("link", name="Full")).to_have_attribute(
        "href", re.compile(r"-full\.jpg\?download=1$")
    )


def test_caption_ideas_fill_the_text_boxes(page, meme_starter):
    user = UserFactory()
    log_in(page, user.email)
    page.goto("/memes/make/?template=change-my-mind")
    page.get_by_role("button", name="Suggest captions").click()
    chips = page.locator(".caption-chip")
    expect(chips).to_have_count(5)
    texts = json.loads(chips.first.get_attribute("data-texts"))
    chips.first.click()
    inputs = page.locator("input[name=text]")
    expect(inputs.nth(0)).to_have_value(texts[0])
    expect(inputs.nth(1)).to_have_value(texts[1])
    page.wait_for_function(
        "() => (document.querySelector('[data-preview-image]') || {}).src.includes('/memes/render/')"
    )
    preview_loaded(page)


def test_upload_a_template_place_its_boxes_and_find_it_pending(page, meme_starter):
    user = UserFactory()
    log_in(page, user.email)
    page.goto("/memes/make/")
    page.get_by_role("link", name="Upload a template").click()
    expect(page).to_have_url(re.compile(r"/memes/templates/new/$"))

    buffer = io.BytesIO()
    Image.new("RGB", (600, 400), "#4a7a9c").save(buffer, "PNG")
    page.set_input_files(
        "input[name=image]",
        files=[{"name": "blue-wall.png", "mimeType": "image/png", "buffer": buffer.getvalue()}],
    )
    boxes = page.locator(".box-rect")
    expect(boxes).to_have_count(2)  # the default top and bottom boxes
    expect(page.get_by_label("Name")).to_have_value("blue wall")
    page.get_by_role("button", name="+ Add a box").click()
    expect(boxes).to_have_count(3)

    # Drag the new box to the left by a fifth of the image's width.
    stage = page.locator("[data-box-stage]").bounding_box()
    box = boxes.nth(2).bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] / 2 - stage["width"] / 5, box["y"] + box["height"] / 2, steps=5)
    page.mouse.up()
    placed = json.loads(page.locator("input[name=boxes]").input_value())
    assert len(placed) == 3 and placed[2]["x"] == pytest.approx(0.0, abs=0.02)
    screenshot(page, "meme-template-upload")

    page.get_by_label("Name").fill("Blue wall")
    page.get_by_role("button", name="Upload template").click()
    expect(page).to_have_url(re.compile(r"/memes/make/\?template=blue-wall$"))
    expect(
        page.get_by_text("Uploaded — staff will review it; you can already use it in private memes.")
    ).to_be_visible()
    expect(page.locator("input[name=text]")).to_have_count(3)
    expect(page.locator("input[name=is_public]")).to_be_disabled()

    template = MemeTemplate.objects.get(slug="blue-wall")
    assert template.status == MemeTemplate.Status.PENDING and template.uploaded_by == user
    assert len(template.default_boxes) == 3

    page.goto("/memes/mine/")
    row = page.locator("table.mine-templates tr", has_text="Blue wall")
    expect(row.get_by_text("Waiting for approval")).to_be_visible()
    expect(page.get_by_text("You have not made a meme yet")).to_be_visible()
