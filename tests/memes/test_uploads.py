"""Template uploads through the page: stored pending with their boxes, or refused with the reason
next to the field and nothing stored."""

import io
import json
import struct
import zlib
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from apps.memes import render, services
from apps.memes.models import MemeTemplate
from tests.factories import UserFactory
from tests.memes.large_gifs import large_gif

UPLOAD = "/memes/templates/new/"


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def signed_in(client, user):
    client.force_login(user)
    return client


def png(size=(400, 300), color="#3366cc") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "PNG")
    return buffer.getvalue()


def animated_gif(frames=4, size=(120, 90)) -> bytes:
    images = [Image.new("RGB", size, (40 * i, 80, 200 - 40 * i)) for i in range(frames)]
    buffer = io.BytesIO()
    images[0].save(buffer, "GIF", save_all=True, append_images=images[1:], duration=[70, 80, 90, 100], loop=0)
    return buffer.getvalue()


def png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims `width`×`height` pixels (a decompression bomb's shape)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0" * 64))
        + chunk(b"IEND", b"")
    )


def stored_files(media: Path) -> list[str]:
    return (
        sorted(str(p.relative_to(media)) for p in media.rglob("*") if p.is_file()) if media.exists() else []
    )


def upload(client, data: bytes, filename="dog.png", content_type="image/png", **fields):
    fields.setdefault("name", "Surprised dog")
    fields.setdefault("tags", "dog, surprise")
    return client.post(UPLOAD, {"image": SimpleUploadedFile(filename, data, content_type), **fields})


def error_next_to(page: str, field: str) -> str:
    import html
    import re

    found = re.search(rf'id="id_{field}_error">(.*?)</ul>', page, re.S)
    if not found:
        found = re.search(
            rf'name="{field}"[^>]*>.*?<ul class="errorlist field-error"[^>]*>(.*?)</ul>', page, re.S
        )
    return html.unescape(re.sub(r"<[^>]+>", " ", found.group(1))).strip() if found else ""


def test_the_upload_page_needs_a_signed_in_user(client, db):
    response = client.get(UPLOAD)
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))
    response = client.post(UPLOAD, {"name": "x"})
    assert response.status_code == 302 and not MemeTemplate.objects.exists()


def test_the_upload_page_has_the_box_editor(signed_in):
    page = signed_in.get(UPLOAD).content.decode()
    assert 'accept="image/jpeg,image/png,image/gif,image/webp"' in page
    assert "data-box-editor" in page and 'name="boxes"' in page
    assert 'enctype="multipart/form-data"' in page


def test_a_png_is_stored_pending_with_its_boxes_and_opens_in_the_maker(signed_in, user, media):
    boxes = [
        {"x": 0.1, "y": 0.05, "w": 0.8, "h": 0.2, "align": "center", "valign": "top", "uppercase": True},
        {"x": 0.5, "y": 0.5, "w": 0.45, "h": 0.3, "align": "center", "valign": "middle", "uppercase": True},
        {"x": 0.05, "y": 0.8, "w": 0.9, "h": 0.18, "align": "center", "valign": "bottom", "uppercase": True},
    ]
    response = upload(signed_in, png(), boxes=json.dumps(boxes))
    template = MemeTemplate.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/memes/make/?template={template.slug}"
    assert template.status == MemeTemplate.Status.PENDING and template.uploaded_by == user
    assert (template.name, template.width, template.height, template.is_animated) == (
        "Surprised dog",
        400,
        300,
        False,
    )
    assert template.tag_list == ["dog", "surprise"]
    assert template.default_boxes == boxes and len(template.text_boxes()) == 3
    assert stored_files(media) == [template.image.name]

    page = signed_in.get(response["Location"]).content.decode()
    assert "Uploaded — staff will review it; you can already use it in private memes." in page
    assert page.count('name="text"') == 3 and "waiting for staff approval" in page


def test_an_animated_gif_keeps_its_frames(signed_in, media):
    response = upload(signed_in, animated_gif(), filename="party.gif", content_type="image/gif", name="Party")
    assert response.status_code == 302
    template = MemeTemplate.objects.get()
    assert template.is_animated and template.frame_count == 4
    assert template.image.name.endswith(".gif")


def test_without_javascript_the_top_and_bottom_boxes_are_used(signed_in, media):
    upload(signed_in, png())  # no boxes field sent, as a browser without JavaScript
    template = MemeTemplate.objects.get()
    assert template.default_boxes == []
    assert [(b.y, b.valign) for b in template.text_boxes()] == [(0.02, "top"), (0.73, "bottom")]


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (b"This is a text file, not a picture.", "notes.png", "The file is not an image Pillow can read."),
        (b"GIF89a" + b"\0" * 20, "broken.gif", "The file is not an image Pillow can read."),
        (png_claiming(50_000, 50_000), "bomb.png", "too many pixels"),
        (png_claiming(9_000, 9_000), "big.png", "at most 40 megapixels"),
    ],
)
def test_a_bad_file_is_refused_next_to_the_field_and_nothing_is_stored(
    signed_in, media, data, filename, message
):
    before = stored_files(media)
    response = upload(signed_in, data, filename=filename, name="Kept name", tags="kept, tags")
    page = response.content.decode()
    assert response.status_code == 400
    assert message in error_next_to(page, "image")
    assert 'value="Kept name"' in page and 'value="kept, tags"' in page
    assert not MemeTemplate.objects.exists()
    assert stored_files(media) == before


def test_an_oversized_file_is_refused_before_it_is_read_whole(signed_in, media, monkeypatch):
    read_sizes = []
    original = services.template_upload

    def spy(**kwargs):
        read_sizes.append(len(kwargs["data"]))
        return original(**kwargs)

    monkeypatch.setattr(services, "template_upload", spy)
    data = png() + b"\0" * (services.MAX_FILE_BYTES + 1)
    response = upload(signed_in, data, name="Huge", tags="big")
    page = response.content.decode()
    assert response.status_code == 400
    assert "The file is larger than 20 MB." in error_next_to(page, "image")
    assert 'value="Huge"' in page and 'value="big"' in page  # fields after the file are still read
    assert read_sizes == [] and not MemeTemplate.objects.exists() and stored_files(media) == []


def test_the_size_limit_also_holds_for_a_file_the_handler_let_through(signed_in, media, monkeypatch):
    # A handler-less path (e.g. another upload handler order) still checks UploadedFile.size first.
    from apps.memes.views import maker as maker_views

    monkeypatch.setattr(maker_views.UploadLimitHandler, "receive_data_chunk", lambda self, raw, start: raw)
    monkeypatch.setattr(services, "MAX_FILE_BYTES", 1000)
    response = upload(signed_in, png(size=(600, 600), color="#123456") + b"\0" * 2000)
    assert response.status_code == 400
    assert "The file is larger than 0 MB." in error_next_to(response.content.decode(), "image")
    assert not MemeTemplate.objects.exists()


@pytest.mark.parametrize(
    ("boxes", "message"),
    [
        ("{not json", "could not be read"),
        (json.dumps({"x": 1}), "could not be read"),
        (json.dumps([{"x": 2, "y": 0, "w": 0.5, "h": 0.5}]), "x must be a fraction between 0 and 1"),
        (json.dumps([{"x": 0, "y": 0, "w": 0.1, "h": 0.1}] * 11), "At most 10 text boxes"),
    ],
)
def test_bad_boxes_are_refused_next_to_the_editor(signed_in, media, boxes, message):
    response = upload(signed_in, png(), boxes=boxes)
    page = response.content.decode()
    assert response.status_code == 400
    assert message in error_next_to(page, "boxes")
    assert not MemeTemplate.objects.exists() and stored_files(media) == []


def test_a_name_is_required(signed_in, media):
    response = upload(signed_in, png(), name="")
    assert response.status_code == 400
    assert "This field is required." in error_next_to(response.content.decode(), "name")
    assert not MemeTemplate.objects.exists()


def test_a_large_animated_gif_is_scaled_down_once_and_keeps_every_frame(signed_in, media):
    response = upload(signed_in, large_gif(), filename="big.gif", content_type="image/gif", name="Big")

    assert response.status_code == 302
    template = MemeTemplate.objects.get()
    assert template.is_animated and template.frame_count == 200
    assert render.decoded_bytes(template.width, template.height, 200) <= render.MAX_DECODED_BYTES
    with template.image.open("rb") as handle:
        stored = Image.open(io.BytesIO(handle.read()))
        assert stored.n_frames == 200 and stored.size == (template.width, template.height)
    assert "scaled down from 1400×1400" in template.source
    page = signed_in.get(response["Location"]).content.decode()
    assert f"It was scaled down from 1400×1400 to {template.width}×{template.height}" in page


def test_an_animation_too_large_to_scale_down_is_refused_next_to_the_field(signed_in, media, monkeypatch):
    monkeypatch.setattr(render, "MIN_TEMPLATE_SIDE", 400)

    response = upload(signed_in, large_gif(), filename="big.gif", content_type="image/gif", name="Big")

    assert response.status_code == 400
    assert "too large for a template" in error_next_to(response.content.decode(), "image")
    assert not MemeTemplate.objects.exists() and stored_files(media) == []
