"""The media library page (/brand/<id>/media/): upload by drag and drop or the file picker (with a
progress bar, static/js/media.js), a grid of thumbnails, alt text edited in place (htmx), crops to
each platform's aspect ratio, per-platform checks, delete. Files are served only through these
access-checked views: another brand's asset is a 404."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from apps.accounts.access import brand_user_required
from apps.brands.selectors import brand_get_for_user
from apps.core.files import stored_file_response

from . import limits, selectors, services
from .models import MediaAsset
from .processing import MediaRejected, ffprobe_available

ACCEPT = "image/jpeg,image/png,image/webp,image/gif,video/mp4"


def _card(asset: MediaAsset, *, alt_error: str = "", note: str = "") -> dict:
    return {
        "asset": asset,
        "brand_id": asset.brand_id,
        "checks": limits.asset_platform_checks(asset),
        "suggestion": services.media_alt_text_suggest(asset=asset),
        "presets": limits.CROP_PRESETS.values(),
        "alt_error": alt_error,
        "alt_max": services.ALT_TEXT_MAX,
        "note": note,
    }


def _page(request, brand, *, upload_errors=(), status: int = 200):
    assets = list(selectors.media_asset_list(brand=brand))
    for asset in assets:
        asset.brand = brand  # the suggestion names the brand; no query per card
    return render(
        request,
        "media/library.html",
        {
            "brand": brand,
            "cards": [_card(asset) for asset in assets],
            "accept": ACCEPT,
            "upload_errors": upload_errors,
            "video_enabled": ffprobe_available(),
            "active": "media",
        },
        status=status,
    )


@brand_user_required
def media_current(request):
    """The nav's "Media": the library of the brand this session works on."""
    if not request.brand:
        return redirect("brands:dashboard")
    return redirect("media:library", brand_id=request.brand.pk)


@brand_user_required
@require_GET
def library(request, brand_id: int):
    brand = brand_get_for_user(user=request.user, brand_id=brand_id)
    return _page(request, brand)


@brand_user_required
@require_POST
def upload(request, brand_id: int):
    """One file (the page's script sends one request per file, to show each one's progress); without
    JavaScript the form posts here and the page comes back with the result."""
    brand = brand_get_for_user(user=request.user, brand_id=brand_id)
    wants_fragment = request.headers.get("X-Requested-With") == "XMLHttpRequest"
    files = request.FILES.getlist("file")
    if not files:
        message = "Choose a file to upload."
        if wants_fragment:
            return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")
        return _page(request, brand, upload_errors=[message], status=400)
    results, errors = [], []
    for upload in files:
        try:
            results.append(services.media_asset_upload(brand=brand, user=request.user, upload=upload))
        except MediaRejected as exc:
            errors.append((upload.name, exc.messages[0], exc.status))
    if wants_fragment:
        if errors:
            _name, message, status = errors[0]
            return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")
        asset, created = results[0]
        note = "" if created else "Already in your library."
        response = render(
            request, "media/partials/card.html", _card(asset, note=note), status=201 if created else 200
        )
        response["X-Media-Created"] = "1" if created else "0"
        return response
    if errors:
        return _page(
            request, brand, upload_errors=[f"{name}: {message}" for name, message, _ in errors], status=400
        )
    added = sum(1 for _, created in results if created)
    messages.success(request, f"Added {added} file{'s' if added != 1 else ''} to the library.")
    return redirect("media:library", brand_id=brand.pk)


def _asset(request, brand_id: int, asset_id: int) -> MediaAsset:
    return selectors.media_asset_get_for_user(user=request.user, brand_id=brand_id, asset_id=asset_id)


@brand_user_required
@require_GET
def asset_file(request, brand_id: int, asset_id: int):
    asset = _asset(request, brand_id, asset_id)
    response = stored_file_response(asset.file)
    response["Content-Type"] = asset.mime
    response["X-Content-Type-Options"] = "nosniff"
    return response


@brand_user_required
@require_GET
def asset_thumbnail(request, brand_id: int, asset_id: int):
    return stored_file_response(_asset(request, brand_id, asset_id).thumbnail)


@brand_user_required
@require_GET
def asset_poster(request, brand_id: int, asset_id: int):
    return stored_file_response(_asset(request, brand_id, asset_id).poster)


@brand_user_required
@require_POST
def alt_text(request, brand_id: int, asset_id: int):
    asset = _asset(request, brand_id, asset_id)
    error = ""
    try:
        services.media_asset_set_alt_text(asset=asset, alt_text=request.POST.get("alt_text", ""))
    except MediaRejected as exc:
        error = exc.messages[0]
        asset.refresh_from_db()
    if request.htmx:
        context = _card(asset, alt_error=error, note="" if error else "Alt text saved.")
        return render(request, "media/partials/card.html", context, status=422 if error else 200)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, "Alt text saved.")
    return redirect("media:library", brand_id=brand_id)


@brand_user_required
@require_POST
def crop(request, brand_id: int, asset_id: int):
    asset = _asset(request, brand_id, asset_id)
    try:
        new, created = services.media_asset_crop(
            asset=asset, preset=request.POST.get("preset", ""), user=request.user
        )
    except MediaRejected as exc:
        messages.error(request, exc.messages[0])
    else:
        label = limits.CROP_PRESETS[new.crop_preset].label if new.crop_preset else ""
        if created:
            messages.success(request, f"Cropped to {label}: {new.original_name} is in the library.")
        else:
            messages.info(request, f"That crop is already in the library ({new.original_name}).")
    return redirect("media:library", brand_id=brand_id)


@brand_user_required
@require_POST
def delete(request, brand_id: int, asset_id: int):
    asset = _asset(request, brand_id, asset_id)
    name = asset.original_name
    services.media_asset_delete(asset=asset)
    if request.htmx:
        return HttpResponse("")
    messages.success(request, f"Deleted {name}.")
    return redirect("media:library", brand_id=brand_id)
