"""Changes to memes and their templates: importing a folder of template images with its config."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.text import slugify
from PIL import Image

from apps.memes import render
from apps.memes.models import MemeTemplate, normalize_tags

logger = logging.getLogger(__name__)

STARTER_DIR = Path(__file__).resolve().parent / "starter"
CONFIG_NAME = "templates.json"
MAX_FILE_BYTES = 20 * 1024 * 1024
IMAGE_FORMATS = {"JPEG": ".jpg", "PNG": ".png", "GIF": ".gif", "WEBP": ".webp"}
BOX_ALIGN = {"left", "center", "right"}
BOX_VALIGN = {"top", "middle", "bottom"}
ENTRY_FIELDS = {
    "file",
    "name",
    "slug",
    "tags",
    "boxes",
    "default_boxes",
    "source",
    "licence",
    "license",
    "author",
}


class TemplateEntryError(ValueError):
    """One config entry cannot be imported; the message says why."""


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (entry label, reason)


@dataclass(frozen=True)
class ImageInfo:
    data: bytes
    extension: str
    width: int
    height: int
    frame_count: int


def template_image_inspect(data: bytes) -> ImageInfo:
    """Check that `data` is a JPEG, PNG, GIF or WebP within the renderer's pixel and frame limits,
    that every frame decodes, and return its dimensions. Raises ``render.RenderError``."""
    if len(data) > MAX_FILE_BYTES:
        raise render.RenderError(f"The file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB.")
    im = render.open_template(data)  # header checks: not an image, pixels, frames
    if im.format not in IMAGE_FORMATS:
        raise render.RenderError(
            f"{im.format or 'This'} images are not accepted; use JPEG, PNG, GIF or WebP."
        )
    frames = getattr(im, "n_frames", 1)
    try:
        for index in range(frames):
            im.seek(index)
            im.load()
    except Image.DecompressionBombError as exc:
        raise render.RenderError("The image has too many pixels.") from exc
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise render.RenderError("The image could not be decoded.") from exc
    return ImageInfo(data, IMAGE_FORMATS[im.format], im.size[0], im.size[1], frames)


def _clean_boxes(raw) -> list[dict]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise TemplateEntryError("boxes must be a list.")
    boxes = []
    for i, item in enumerate(raw, 1):
        if not isinstance(item, dict):
            raise TemplateEntryError(f"box {i} must be an object.")
        box = render.TextBox()
        values = {}
        for key in ("x", "y", "w", "h"):
            value = item.get(key, getattr(box, key))
            if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
                raise TemplateEntryError(f"box {i}: {key} must be a fraction between 0 and 1.")
            values[key] = float(value)
        if values["w"] <= 0 or values["h"] <= 0:
            raise TemplateEntryError(f"box {i}: w and h must be above 0.")
        align, valign = item.get("align", box.align), item.get("valign", box.valign)
        if align not in BOX_ALIGN:
            raise TemplateEntryError(f"box {i}: align must be one of {', '.join(sorted(BOX_ALIGN))}.")
        if valign not in BOX_VALIGN:
            raise TemplateEntryError(f"box {i}: valign must be one of {', '.join(sorted(BOX_VALIGN))}.")
        boxes.append(
            {**values, "align": align, "valign": valign, "uppercase": bool(item.get("uppercase", True))}
        )
    return boxes


def _read_entry(entry, folder: Path) -> tuple[dict, ImageInfo]:
    """The model fields and the checked image of one config entry. Raises TemplateEntryError."""
    if not isinstance(entry, dict):
        raise TemplateEntryError("the entry is not an object.")
    unknown = set(entry) - ENTRY_FIELDS
    if unknown:
        raise TemplateEntryError(f"unknown field(s): {', '.join(sorted(unknown))}.")
    file, name = entry.get("file"), entry.get("name")
    if not isinstance(file, str) or not file.strip():
        raise TemplateEntryError("file is required.")
    if not isinstance(name, str) or not name.strip():
        raise TemplateEntryError("name is required.")
    slug = slugify(entry.get("slug") or name)[:140]
    if not slug:
        raise TemplateEntryError("the slug is empty.")
    root = folder.resolve()
    path = (root / file).resolve()
    if not path.is_relative_to(root):
        raise TemplateEntryError(f"{file} is outside the folder.")
    if not path.is_file():
        raise TemplateEntryError(f"{file} does not exist.")
    try:
        info = template_image_inspect(path.read_bytes())
    except render.RenderError as exc:
        raise TemplateEntryError(f"{file}: {exc}") from exc
    tags = entry.get("tags", [])
    if not isinstance(tags, list | str):
        raise TemplateEntryError("tags must be a list of words.")
    text = {key: entry.get(key, "") for key in ("source", "licence", "author")}
    text["licence"] = text["licence"] or entry.get("license", "")
    for key, value in text.items():
        if not isinstance(value, str):
            raise TemplateEntryError(f"{key} must be text.")
    fields = {
        "name": name.strip()[:120],
        "slug": slug,
        "tags": normalize_tags(tags)[:500],
        "default_boxes": _clean_boxes(entry.get("boxes", entry.get("default_boxes"))),
        "source": text["source"][:500],
        "licence": text["licence"][:200],
        "author": text["author"][:200],
        "width": info.width,
        "height": info.height,
        "frame_count": info.frame_count,
        "is_animated": info.frame_count > 1,
    }
    return fields, info


def _stored_bytes(template: MemeTemplate) -> bytes | None:
    if not template.image:
        return None
    try:
        with template.image.open("rb") as handle:
            return handle.read()
    except OSError:
        return None


def _save_entry(fields: dict, info: ImageInfo, *, status: str, update: bool, uploaded_by) -> str | None:
    """Create or update one template; returns "created", "updated" or None when it exists and
    `update` is off. The image is stored before the row is written and removed again when the write
    fails, so no entry is ever half-imported."""
    stored_name = None
    old_name = None
    try:
        with transaction.atomic():
            template = MemeTemplate.objects.select_for_update().filter(slug=fields["slug"]).first()
            created = template is None
            if not created and not update:
                return None
            if created:
                template = MemeTemplate(status=status, uploaded_by=uploaded_by)
            for key, value in fields.items():
                setattr(template, key, value)
            if not created:
                template.status = status
            if created or _stored_bytes(template) != info.data:
                old_name = None if created else template.image.name
                template.image.save(f"{fields['slug']}{info.extension}", ContentFile(info.data), save=False)
                stored_name = template.image.name
            template.full_clean(exclude=["image", "uploaded_by"])
            template.save()
    except Exception:
        if stored_name:
            template.image.storage.delete(stored_name)
        raise
    if old_name and old_name != stored_name:
        storage = template.image.storage
        transaction.on_commit(lambda: storage.delete(old_name))
    return "created" if created else "updated"


def template_import(
    *,
    folder: Path | str | None = None,
    config: Path | str | None = None,
    status: str = MemeTemplate.Status.APPROVED,
    update: bool = False,
    uploaded_by=None,
) -> ImportReport:
    """Import the templates listed in `config` (default: ``templates.json`` in `folder`; default
    folder: the starter set). Each entry is checked and stored on its own: a broken entry is
    skipped with its reason and the others still import. See ``import_templates`` for the format."""
    if status not in MemeTemplate.Status.values:
        raise ValueError(f"status must be one of {', '.join(MemeTemplate.Status.values)}.")
    folder = Path(folder) if folder else STARTER_DIR
    config_path = Path(config) if config else folder / CONFIG_NAME
    if not config_path.is_absolute() and not config_path.exists():
        config_path = folder / config_path
    try:
        entries = json.loads(config_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"Cannot read the config {config_path}: {exc}") from exc
    if not isinstance(entries, list):
        raise ValueError("The config must be a JSON list of template entries.")

    report = ImportReport()
    seen: set[str] = set()
    for index, entry in enumerate(entries, 1):
        label = f"#{index}"
        if isinstance(entry, dict):
            label = slugify(str(entry.get("slug") or entry.get("name") or "")) or str(
                entry.get("file") or label
            )
        try:
            fields, info = _read_entry(entry, folder)
            label = fields["slug"]
            if label in seen:
                raise TemplateEntryError("the slug appears twice in the config.")
            seen.add(label)
            outcome = _save_entry(fields, info, status=status, update=update, uploaded_by=uploaded_by)
        except TemplateEntryError as exc:
            report.skipped.append((label, str(exc)))
            continue
        except Exception as exc:  # a database or storage failure skips this entry only
            logger.exception("memes.template_import_failed", extra={"entry": label})
            report.skipped.append((label, f"could not be saved: {exc.__class__.__name__}: {exc}"))
            continue
        if outcome == "created":
            report.created.append(label)
        elif outcome == "updated":
            report.updated.append(label)
        else:
            report.skipped.append((label, "already exists (use --update to change it)."))
    return report


def template_image_bytes(template: MemeTemplate) -> bytes:
    """The stored image of a template (for rendering)."""
    with template.image.open("rb") as handle:
        return handle.read()
