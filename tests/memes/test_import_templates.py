"""Importing templates: the starter set, re-runs, --update, broken entries, and that every starter
template renders with its default boxes."""

import io
import json
import shutil
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from PIL import Image, ImageChops

from apps.memes.models import MemeTemplate
from apps.memes.render import RenderRequest, render
from apps.memes.services import STARTER_DIR, template_image_bytes, template_import

STARTER = json.loads((STARTER_DIR / "templates.json").read_text())


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def png(path: Path, size=(200, 120), color=(10, 120, 200)) -> Path:
    Image.new("RGB", size, color).save(path, "PNG")
    return path


def run(*args) -> str:
    out = io.StringIO()
    call_command("import_templates", *args, stdout=out)
    return out.getvalue()


def test_the_starter_set_imports_every_template_approved_with_its_image_and_dimensions(db, media):
    output = run()
    assert f"{len(STARTER)} created, 0 updated, 0 skipped." in output
    assert MemeTemplate.objects.count() == len(STARTER) >= 9
    for entry in STARTER:
        template = MemeTemplate.objects.get(slug=entry["slug"])
        assert template.status == MemeTemplate.Status.APPROVED
        assert template.licence == "CC0-1.0 (drawn for social-medAI)"
        assert template.author == "social-medAI"
        assert template.image.name.startswith("memes/templates/")
        assert (media / template.image.name).is_file()
        with Image.open(STARTER_DIR / entry["file"]) as im:
            assert (template.width, template.height) == im.size
            assert template.frame_count == getattr(im, "n_frames", 1)
        assert template.default_boxes and all(set(b) >= {"x", "y", "w", "h"} for b in template.default_boxes)
        assert template.tag_list == entry["tags"]
    animated = MemeTemplate.objects.get(is_animated=True)
    assert 12 <= animated.frame_count <= 20


def test_importing_the_starter_set_twice_does_not_duplicate(db):
    template_import()
    report = template_import()
    assert report.created == [] and report.updated == []
    assert len(report.skipped) == len(STARTER)
    assert all("already exists" in reason for _, reason in report.skipped)
    assert MemeTemplate.objects.count() == len(STARTER)


def test_update_changes_the_fields_of_existing_templates(
    db, tmp_path, media, django_capture_on_commit_callbacks
):
    folder = tmp_path / "lib"
    folder.mkdir()
    png(folder / "a.png")
    config = folder / "templates.json"
    config.write_text(json.dumps([{"file": "a.png", "name": "Alpha", "tags": ["one"], "licence": "CC0-1.0"}]))
    assert run(str(folder)).startswith("created  alpha")
    first = MemeTemplate.objects.get(slug="alpha")
    first_image = first.image.name

    png(folder / "a.png", size=(300, 100), color=(200, 0, 0))
    config.write_text(json.dumps([{"file": "a.png", "name": "Alpha", "slug": "alpha", "tags": ["two"]}]))
    assert "skipped  alpha" in run(str(folder))
    with django_capture_on_commit_callbacks(execute=True):
        output = run(str(folder), "--update", "--status", "pending")
    assert "updated  alpha" in output
    template = MemeTemplate.objects.get(slug="alpha")
    assert template.tag_list == ["two"]
    assert (template.width, template.height) == (300, 100)
    assert template.status == MemeTemplate.Status.PENDING
    assert template.licence == ""
    assert Image.open(io.BytesIO(template_image_bytes(template))).size == (300, 100)
    assert MemeTemplate.objects.count() == 1
    assert template.image.name != first_image
    assert not (media / first_image).exists()  # the replaced file is removed after commit


def test_broken_entries_are_reported_and_skipped_while_the_others_import(db, tmp_path, media):
    folder = tmp_path / "lib"
    folder.mkdir()
    png(folder / "good.png")
    (folder / "notes.png").write_text("this is not an image")
    png(folder / "badbox.png")
    entries = [
        {"file": "good.png", "name": "Good one"},
        {"file": "missing.png", "name": "Missing"},
        {"file": "notes.png", "name": "Not an image"},
        {"file": "badbox.png", "name": "Bad box", "boxes": [{"x": 2, "y": 0, "w": 1, "h": 1}]},
        {"file": "../outside.png", "name": "Outside"},
        {"name": "No file"},
    ]
    (folder / "lib.json").write_text(json.dumps(entries))
    report = template_import(folder=folder, config="lib.json")
    assert report.created == ["good-one"]
    reasons = dict(report.skipped)
    assert "does not exist" in reasons["missing"]
    assert "not an image" in reasons["not-an-image"]
    assert "fraction" in reasons["bad-box"]
    assert "outside" in reasons["outside"]
    assert "file is required" in reasons["no-file"]
    assert list(MemeTemplate.objects.values_list("slug", flat=True)) == ["good-one"]
    stored = [p.name for p in (media / "memes" / "templates").iterdir()]
    assert stored == ["good-one.png"]  # nothing of a skipped entry was stored


def test_an_image_above_the_pixel_limit_is_skipped(db, tmp_path, monkeypatch):
    from apps.memes import render as r

    monkeypatch.setattr(r, "MAX_PIXELS", 100)
    folder = tmp_path / "lib"
    folder.mkdir()
    png(folder / "big.png")
    (folder / "templates.json").write_text(json.dumps([{"file": "big.png", "name": "Big"}]))
    report = template_import(folder=folder)
    assert report.created == [] and "megapixels" in report.skipped[0][1]


def test_an_unreadable_config_is_a_command_error(db, tmp_path):
    with pytest.raises(CommandError, match="Cannot read the config"):
        run(str(tmp_path))


def test_the_starter_gif_really_has_its_frames():
    with Image.open(STARTER_DIR / "hype-pulse.gif") as im:
        assert im.format == "GIF" and im.size == (520, 300)
        assert 12 <= im.n_frames <= 20
        im.seek(0)
        first = im.convert("RGB")
        im.seek(im.n_frames // 2)
        middle = im.convert("RGB")
    assert ImageChops.difference(first, middle).getbbox() is not None


def test_the_starter_images_are_small():
    assert sum(p.stat().st_size for p in STARTER_DIR.iterdir() if p.suffix in (".png", ".gif")) < 2_000_000


@pytest.mark.parametrize("entry", STARTER, ids=[e["slug"] for e in STARTER])
def test_each_starter_template_renders_text_in_its_default_boxes(entry, db):
    template_import()
    template = MemeTemplate.objects.get(slug=entry["slug"])
    data = template_image_bytes(template)
    fmt = "gif" if template.is_animated else "png"
    boxes = template.text_boxes()
    blank = render(RenderRequest(template=data, texts=[], boxes=boxes, format=fmt))
    drawn = render(
        RenderRequest(template=data, texts=["When it works"] * len(boxes), boxes=boxes, format=fmt)
    )
    assert drawn.frames == template.frame_count
    for box in boxes:
        region = tuple(
            round(v)
            for v in (
                box.x * drawn.width,
                box.y * drawn.height,
                (box.x + box.w) * drawn.width,
                (box.y + box.h) * drawn.height,
            )
        )
        a = Image.open(io.BytesIO(blank.data)).convert("RGB").crop(region)
        b = Image.open(io.BytesIO(drawn.data)).convert("RGB").crop(region)
        assert ImageChops.difference(a, b).getbbox() is not None, box


def test_the_starter_drawing_script_reproduces_the_committed_files(tmp_path):
    from apps.memes.starter.draw import draw_all

    draw_all(tmp_path)
    for entry in STARTER:
        assert (tmp_path / entry["file"]).read_bytes() == (STARTER_DIR / entry["file"]).read_bytes()
    assert json.loads((tmp_path / "templates.json").read_text()) == STARTER
    shutil.rmtree(tmp_path)
