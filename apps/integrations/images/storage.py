"""Graphics saved through Django's default storage (local files, or S3-compatible storage when
STORAGES points there): the full PNG, and "medium" and "thumbnail" variants for pages and lists."""

from __future__ import annotations

import io
import logging
import secrets
from collections.abc import Iterable

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image

from .base import Graphic

logger = logging.getLogger(__name__)

# name: (max width in pixels, format). WebP is a third of the PNG's size at this quality.
VARIANTS: dict[str, tuple[int, str]] = {"medium": (800, "WEBP"), "thumbnail": (320, "WEBP")}
EXTENSIONS = {"PNG": "png", "WEBP": "webp"}


def _encode(image: Image.Image, fmt: str) -> bytes:
    out = io.BytesIO()
    if fmt == "WEBP":
        image.save(out, format="WEBP", quality=86, method=4)
    else:
        image.save(out, format="PNG", optimize=False, compress_level=6)
    return out.getvalue()


def graphic_store(graphic: Graphic, *, path_prefix: str) -> dict:
    """Save the graphic and its variants under `path_prefix` (e.g. "posts/42/graphics").

    Returns {"full": {...}, "medium": {...}, "thumbnail": {...}}, each with the storage `name`
    (what to keep on the model; the storage may have changed it to stay unique), `width`,
    `height`, `bytes` and `format`. Variants are never wider than the original."""
    prefix = path_prefix.strip("/")
    stem = f"{graphic.kind}-{graphic.layout}-{secrets.token_hex(4)}"
    image = Image.open(io.BytesIO(graphic.png))
    image.load()
    if image.mode not in ("RGB", "RGBA"):
        image = image.convert("RGBA" if "A" in image.getbands() else "RGB")
    saved: dict[str, dict] = {}
    files = [("full", image, graphic.png, "PNG")]
    for variant, (max_width, fmt) in VARIANTS.items():
        scaled = image
        if image.width > max_width:
            height = max(1, round(image.height * max_width / image.width))
            scaled = image.resize((max_width, height), Image.Resampling.LANCZOS)
        files.append((variant, scaled, _encode(scaled, fmt), fmt))
    try:
        for variant, picture, data, fmt in files:
            name = default_storage.save(f"{prefix}/{stem}-{variant}.{EXTENSIONS[fmt]}", ContentFile(data))
            saved[variant] = {
                "name": name,
                "width": picture.width,
                "height": picture.height,
                "bytes": len(data),
                "format": fmt.lower(),
            }
    except Exception:
        graphic_delete(entry["name"] for entry in saved.values())  # no half-saved set left behind
        raise
    return saved


def graphic_url(name: str) -> str:
    return default_storage.url(name)


def graphic_delete(names: Iterable[str] | dict) -> int:
    """Delete stored files by name (or the dict graphic_store returned). Missing files are fine;
    a storage error is logged, not raised. Returns how many were deleted."""
    if isinstance(names, dict):
        names = [entry["name"] for entry in names.values() if isinstance(entry, dict) and entry.get("name")]
    deleted = 0
    for name in names:
        if not name:
            continue
        try:
            if default_storage.exists(name):
                default_storage.delete(name)
                deleted += 1
        except Exception:
            logger.warning("could not delete stored graphic %s", name, exc_info=True)
    return deleted
