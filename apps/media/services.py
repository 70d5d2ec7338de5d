"""Changes to a brand's media library: upload (cleaned, deduplicated per brand), alt text, crop to a
platform's aspect ratio, delete. Stored through Django's default storage (S3 when S3_BUCKET is set)."""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from django.db import IntegrityError, transaction

from apps.accounts.models import User
from apps.brands.models import Brand

from . import limits
from .models import MediaAsset
from .processing import CleanMedia, MediaRejected, image_crop_centered, media_clean_upload

ALT_TEXT_MAX = limits.X_ALT_TEXT_MAX  # the stricter platform (LinkedIn takes 4,086)

# Camera and phone names say nothing about the picture.
_CAMERA_NAME = re.compile(
    r"^(img|dsc|dscn|pxl|mvimg|vid|screenshot|photo|image|whatsapp image)[\s_-]*\d", re.I
)


def _clean_name(name: str) -> str:
    name = PurePosixPath(str(name).replace("\\", "/")).name.strip() or "upload"
    return name[:255]


def media_alt_text_suggest(*, asset: MediaAsset) -> str:
    """A plain suggestion from the file name and the brand (no image recognition: the LLM vision
    is not available, so the person describes what the picture shows)."""
    stem = PurePosixPath(asset.original_name).stem
    words = re.sub(r"[_\-.]+", " ", stem).strip()
    words = re.sub(r"\s+", " ", words)
    kind = {"video": "Video", "gif": "Animation"}.get(asset.kind, "Image")
    if not words or _CAMERA_NAME.match(stem) or words.replace(" ", "").isdigit():
        return f"{kind} from {asset.brand.name}"
    return f"{kind}: {words[:1].upper()}{words[1:]} — {asset.brand.name}"[:ALT_TEXT_MAX]


def _store(
    *, brand: Brand, user: User | None, clean: CleanMedia, original_name: str, **extra
) -> tuple[MediaAsset, bool]:
    existing = MediaAsset.objects.filter(brand=brand, sha256=clean.sha256).first()
    if existing is not None:
        return existing, False
    asset = MediaAsset(
        brand=brand,
        uploaded_by=user,
        kind=clean.kind,
        original_name=original_name,
        mime=clean.mime,
        bytes=clean.content.size,
        width=clean.width,
        height=clean.height,
        duration_s=clean.duration_s,
        frames=clean.frames,
        codec=clean.codec,
        audio_codec=clean.audio_codec,
        fps=clean.fps,
        sha256=clean.sha256,
        **extra,
    )
    written: list[tuple] = []
    try:
        asset.file.save(clean.content.name, clean.content, save=False)
        written.append((asset.file.storage, asset.file.name))
        if clean.thumbnail is not None:
            asset.thumbnail.save(clean.thumbnail.name, clean.thumbnail, save=False)
            written.append((asset.thumbnail.storage, asset.thumbnail.name))
        if clean.poster is not None:
            asset.poster.save(clean.poster.name, clean.poster, save=False)
            written.append((asset.poster.storage, asset.poster.name))
        with transaction.atomic():
            asset.save()
    except IntegrityError:
        # The same file finished uploading a moment ago (two tabs): keep that one.
        for storage, name in written:
            storage.delete(name)
        return MediaAsset.objects.get(brand=brand, sha256=clean.sha256), False
    except BaseException:
        for storage, name in written:
            storage.delete(name)
        raise
    return asset, True


def media_asset_upload(
    *, brand: Brand, user: User | None, upload, alt_text: str = ""
) -> tuple[MediaAsset, bool]:
    """Clean and keep an uploaded file. Returns (asset, created): the same bytes uploaded again to
    the brand give back the asset already in the library. Raises MediaRejected, storing nothing."""
    original_name = _clean_name(getattr(upload, "name", "") or "upload")
    alt_text = (alt_text or "").strip()
    if len(alt_text) > ALT_TEXT_MAX:
        raise MediaRejected(f"Alt text is {len(alt_text)} characters; X takes up to {ALT_TEXT_MAX}.")
    clean = media_clean_upload(upload, original_name=original_name)
    try:
        return _store(brand=brand, user=user, clean=clean, original_name=original_name, alt_text=alt_text)
    finally:
        clean.discard()


def media_asset_set_alt_text(*, asset: MediaAsset, alt_text: str) -> MediaAsset:
    alt_text = (alt_text or "").strip()
    if len(alt_text) > ALT_TEXT_MAX:
        raise MediaRejected(f"Alt text is {len(alt_text)} characters; X takes up to {ALT_TEXT_MAX}.")
    asset.alt_text = alt_text
    asset.save(update_fields=["alt_text", "updated_at"])
    return asset


def media_asset_crop(*, asset: MediaAsset, preset: str, user: User | None) -> tuple[MediaAsset, bool]:
    """A new image asset: the largest centred crop of `asset` at the preset's aspect ratio."""
    if preset not in limits.CROP_PRESETS:
        choices = ", ".join(p.label for p in limits.CROP_PRESETS.values())
        raise MediaRejected(f"Choose a crop: {choices}.", status=400)
    if asset.kind != "image":
        raise MediaRejected(
            "Only still images can be cropped here (not videos or animated GIFs).", status=400
        )
    chosen = limits.CROP_PRESETS[preset]
    with asset.file.open("rb") as handle:
        data = handle.read()
    clean = image_crop_centered(data, ratio=chosen.ratio)
    stem = PurePosixPath(asset.original_name).stem
    suffix = PurePosixPath(clean.content.name).suffix
    name = _clean_name(f"{stem}-{chosen.key}{suffix}")
    return _store(
        brand=asset.brand,
        user=user,
        clean=clean,
        original_name=name,
        alt_text=asset.alt_text,
        cropped_from=asset,
        crop_preset=preset,
    )


def media_asset_delete(*, asset: MediaAsset) -> None:
    """Delete the asset; its files go once the transaction commits, never before."""
    files = [(f.storage, f.name) for f in (asset.file, asset.thumbnail, asset.poster) if f]
    asset.delete()

    def remove() -> None:
        for storage, name in files:
            storage.delete(name)

    transaction.on_commit(remove)
