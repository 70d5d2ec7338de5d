"""API of the media library: upload (multipart), list, get, alt text, crop, delete, under
/api/v1/brands/{brand_id}/media. Refusals answer 4xx with a `detail` message: 413 too large or a
decompression bomb, 415 a type we do not take (or video not H.264/MP4), 422 a bad duration."""

from __future__ import annotations

from datetime import datetime

from django.urls import reverse
from ninja import Field, File, Form, Router, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile

from apps.accounts.access import api_require_role
from apps.accounts.models import Role
from apps.brands.selectors import brand_get_for_user

from . import limits, selectors, services
from .models import MediaAsset
from .processing import MediaRejected

router = Router(tags=["media"])


class PlatformCheckOut(Schema):
    platform: str
    ok: bool
    problems: list[str]
    warnings: list[str] = Field(description="To fix before publishing there, e.g. missing alt text.")
    notes: list[str]


class MediaAssetOut(Schema):
    id: int
    kind: str = Field(description="image, gif or video")
    original_name: str
    mime: str
    bytes: int
    width: int
    height: int
    duration_s: float | None
    frames: int
    codec: str
    audio_codec: str
    alt_text: str
    alt_text_suggestion: str
    sha256: str
    cropped_from: int | None
    crop_preset: str
    file_url: str = Field(description="Served to members of the brand only.")
    thumbnail_url: str | None
    poster_url: str | None
    checks: list[PlatformCheckOut]
    created_at: datetime
    created: bool = Field(True, description="False when the same file was already in the library.")


class AltTextIn(Schema):
    alt_text: str = Field(max_length=4000)


class CropIn(Schema):
    preset: str = Field(description="1x1, 16x9, 1.91x1 or 4x5")


def _brand(request, brand_id: int):
    return brand_get_for_user(user=api_require_role(request, Role.BRAND), brand_id=brand_id)


def _asset(request, brand_id: int, asset_id: int) -> MediaAsset:
    user = api_require_role(request, Role.BRAND)
    return selectors.media_asset_get_for_user(user=user, brand_id=brand_id, asset_id=asset_id)


def _out(asset: MediaAsset, *, created: bool = True) -> dict:
    args = (asset.brand_id, asset.pk)
    return {
        "id": asset.pk,
        "kind": asset.kind,
        "original_name": asset.original_name,
        "mime": asset.mime,
        "bytes": asset.bytes,
        "width": asset.width,
        "height": asset.height,
        "duration_s": asset.duration_s,
        "frames": asset.frames,
        "codec": asset.codec,
        "audio_codec": asset.audio_codec,
        "alt_text": asset.alt_text,
        "alt_text_suggestion": services.media_alt_text_suggest(asset=asset),
        "sha256": asset.sha256,
        "cropped_from": asset.cropped_from_id,
        "crop_preset": asset.crop_preset,
        "file_url": reverse("media:file", args=args),
        "thumbnail_url": reverse("media:thumbnail", args=args) if asset.thumbnail else None,
        "poster_url": reverse("media:poster", args=args) if asset.poster else None,
        "checks": [
            {
                "platform": c.platform,
                "ok": c.ok,
                "problems": c.problems,
                "warnings": c.warnings,
                "notes": c.notes,
            }
            for c in limits.asset_platform_checks(asset)
        ],
        "created_at": asset.created_at,
        "created": created,
    }


def _refused(exc: MediaRejected) -> HttpError:
    return HttpError(exc.status, exc.messages[0])


@router.post("/brands/{brand_id}/media", response={200: MediaAssetOut, 201: MediaAssetOut})
def media_upload(request, brand_id: int, file: File[UploadedFile], alt_text: Form[str] = ""):
    """Upload one image (JPEG, PNG, WebP, GIF) or MP4/H.264 video as multipart `file`. 201 with the
    new asset; 200 with the existing one when the same bytes are already in the library."""
    brand = _brand(request, brand_id)
    try:
        asset, created = services.media_asset_upload(
            brand=brand, user=api_require_role(request, Role.BRAND), upload=file, alt_text=alt_text
        )
    except MediaRejected as exc:
        raise _refused(exc) from None
    asset.brand = brand
    return Status(201 if created else 200, _out(asset, created=created))


@router.get("/brands/{brand_id}/media", response=list[MediaAssetOut])
def media_list(request, brand_id: int, kind: str = ""):
    brand = _brand(request, brand_id)
    if kind and kind not in {"image", "gif", "video"}:
        raise HttpError(400, "kind is image, gif or video.")
    assets = list(selectors.media_asset_list(brand=brand, kind=kind))
    for asset in assets:
        asset.brand = brand
    return [_out(asset) for asset in assets]


@router.get("/brands/{brand_id}/media/{asset_id}", response=MediaAssetOut)
def media_get(request, brand_id: int, asset_id: int):
    return _out(_asset(request, brand_id, asset_id))


@router.put("/brands/{brand_id}/media/{asset_id}/alt-text", response=MediaAssetOut)
def media_alt_text(request, brand_id: int, asset_id: int, payload: AltTextIn):
    asset = _asset(request, brand_id, asset_id)
    try:
        services.media_asset_set_alt_text(asset=asset, alt_text=payload.alt_text)
    except MediaRejected as exc:
        raise _refused(exc) from None
    return _out(asset)


@router.post("/brands/{brand_id}/media/{asset_id}/crop", response={200: MediaAssetOut, 201: MediaAssetOut})
def media_crop(request, brand_id: int, asset_id: int, payload: CropIn):
    """A new image asset cropped (centred) to a platform's aspect ratio."""
    asset = _asset(request, brand_id, asset_id)
    try:
        new, created = services.media_asset_crop(
            asset=asset, preset=payload.preset, user=api_require_role(request, Role.BRAND)
        )
    except MediaRejected as exc:
        raise _refused(exc) from None
    return Status(201 if created else 200, _out(new, created=created))


@router.delete("/brands/{brand_id}/media/{asset_id}", response={204: None})
def media_delete(request, brand_id: int, asset_id: int):
    services.media_asset_delete(asset=_asset(request, brand_id, asset_id))
    return Status(204, None)
