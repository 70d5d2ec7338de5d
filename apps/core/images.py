"""Safe image uploads: type, size and pixel limits, decompression bombs refused, re-encoded with
Pillow (metadata stripped), and the dominant colours of an image."""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from PIL import Image, ImageOps, UnidentifiedImageError

ALLOWED_FORMATS = {"PNG": "png", "JPEG": "jpg", "WEBP": "webp"}
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_UPLOAD_PIXELS = 25_000_000


@dataclass
class CleanImage:
    content: ContentFile
    format: str
    width: int
    height: int
    image: Image.Image


def image_clean_upload(
    upload, *, name: str, max_bytes: int = MAX_UPLOAD_BYTES, max_pixels: int = MAX_UPLOAD_PIXELS
) -> CleanImage:
    """Validate an uploaded image and return it re-encoded, without metadata.

    Raises ValidationError with a message a person can act on; nothing is stored here.
    """
    size = getattr(upload, "size", None)
    if size is not None and size > max_bytes:
        raise ValidationError(f"The file is {size / 1048576:.1f} MB; the limit is {max_bytes // 1048576} MB.")
    data = upload.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise ValidationError(f"The file is larger than {max_bytes // 1048576} MB.")
    try:
        with warnings.catch_warnings():
            # Pillow warns before its hard limit; here every oversized image is refused.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            probe = Image.open(io.BytesIO(data))
            if probe.format not in ALLOWED_FORMATS:
                raise ValidationError(
                    "Upload a PNG, JPEG or WebP image (SVG and other formats are not accepted)."
                )
            width, height = probe.size
            if width * height > max_pixels:
                raise ValidationError(
                    f"The image is {width}×{height} pixels ({width * height / 1e6:.0f} megapixels); "
                    f"the limit is {max_pixels / 1e6:.0f} megapixels."
                )
            image = Image.open(io.BytesIO(data))
            image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValidationError("The image is too large to open safely (a decompression bomb?).") from None
    except UnidentifiedImageError:
        raise ValidationError("The file is not an image we can read. Upload a PNG, JPEG or WebP.") from None
    except (OSError, SyntaxError, ValueError) as exc:
        raise ValidationError(f"The image is damaged and could not be read ({exc}).") from None

    fmt = probe.format
    image = ImageOps.exif_transpose(image)  # keep the orientation the camera meant, then drop EXIF
    if fmt == "JPEG" and image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    elif image.mode not in ("RGB", "RGBA", "L", "LA"):
        image = image.convert("RGBA")
    # Pillow writes a JPEG/WebP comment and XMP kept in `info` back out on save: drop them first.
    image.info = {key: value for key, value in image.info.items() if key not in ("comment", "xmp", "exif")}
    out = io.BytesIO()
    save_options = {
        "JPEG": {"quality": 90, "optimize": True},
        "PNG": {"optimize": True},
        "WEBP": {"quality": 90},
    }
    image.save(out, format=fmt, **save_options[fmt])  # a fresh file: no EXIF, XMP or ICC comments
    return CleanImage(
        content=ContentFile(out.getvalue(), name=f"{name}.{ALLOWED_FORMATS[fmt]}"),
        format=fmt,
        width=image.width,
        height=image.height,
        image=image,
    )


def image_dominant_colors(image: Image.Image, count: int = 5) -> list[str]:
    """The most common colours of an image as #RRGGBB, ignoring transparent and near-white/black pixels."""
    rgba = image.convert("RGBA")
    rgba.thumbnail((96, 96))
    pixels = [p[:3] for p in rgba.get_flattened_data() if p[3] > 128]
    if not pixels:
        return []
    flat = Image.new("RGB", (len(pixels), 1))
    flat.putdata(pixels)
    quantized = flat.quantize(colors=max(count * 2, 8), method=Image.Quantize.MEDIANCUT)
    palette = quantized.getpalette() or []
    ranked = sorted(quantized.getcolors() or [], reverse=True)
    colors = []
    for _, index in ranked:
        r, g, b = palette[index * 3 : index * 3 + 3]
        if (max(r, g, b) > 245 and min(r, g, b) > 235) or max(r, g, b) < 18:
            continue  # background white or black says nothing about the brand
        hex_color = f"#{r:02X}{g:02X}{b:02X}"
        if hex_color not in colors:
            colors.append(hex_color)
        if len(colors) == count:
            break
    return colors


def image_upload_clean(upload, *, field: str, name: str) -> CleanImage | None:
    """An optional upload for a model's image field, validated; errors are keyed by `field`."""
    if upload is None:
        return None
    try:
        return image_clean_upload(upload, name=name)
    except ValidationError as exc:
        raise ValidationError({field: exc.messages}) from None


def image_field_replace(instance, field: str, clean: CleanImage | None, *, remove: bool = False) -> None:
    """Put a cleaned image on `instance.<field>` (or clear it); call before saving the instance.
    The replaced file is deleted once the transaction commits, never before."""
    from django.db import transaction

    file = getattr(instance, field)
    old, storage = (file.name if file else ""), file.storage
    if clean is not None:
        file.save(clean.content.name, clean.content, save=False)
    elif remove:
        setattr(instance, field, "")
    current = getattr(instance, field)
    if old and old != (current.name if current else ""):
        transaction.on_commit(lambda: storage.delete(old))
