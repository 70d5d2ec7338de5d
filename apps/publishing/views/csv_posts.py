"""Posts in and out as CSV: the import page (upload → dry run → import as drafts or scheduled),
its template CSV, and the export with the posts list's filters."""

from __future__ import annotations

import secrets

from django.core.cache import cache
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST

from apps.accounts.access import brand_user_required
from apps.brands.selectors import brand_get_for_user

from .. import csv_export, csv_import

PAGE = "publishing/csv_import.html"
UPLOAD_TTL = 60 * 60  # an uploaded file waits an hour for its Import


def _upload_key(brand_id: int, user_id: int, token: str) -> str:
    return f"csv-import:{brand_id}:{user_id}:{token}"


def _page(request, brand, status=200, **context):
    mode = context.pop("mode", "draft")
    return render(
        request,
        PAGE,
        {
            "brand": brand,
            "active": "posts",
            "mode": mode,
            "max_rows": f"{csv_import.MAX_ROWS:,}",
            "max_mb": csv_import.MAX_BYTES // 1024 // 1024,
            "export_form": csv_export.export_form(brand, request.GET),
            **context,
        },
        status=status,
    )


@brand_user_required
def posts_import_page(request, brand_id: int):
    """GET: the upload form. POST: the file's dry run (nothing is written) and the Import button."""
    brand = brand_get_for_user(user=request.user, brand_id=brand_id)
    if request.method != "POST":
        return _page(request, brand)
    mode = request.POST.get("mode", "draft")
    mode = mode if mode in csv_import.MODES else "draft"
    upload = request.FILES.get("file")
    if upload is None:
        return _page(request, brand, status=400, mode=mode, file_error="Choose a CSV file to upload.")
    if upload.size > csv_import.MAX_BYTES:
        return _page(
            request,
            brand,
            status=400,
            mode=mode,
            file_error=f"The file is {upload.size / 1024 / 1024:.1f} MB; the limit is "
            f"{csv_import.MAX_BYTES // 1024 // 1024} MB. Split it into smaller files.",
        )
    try:
        text = csv_import.csv_decode(upload.read())
        plan = csv_import.csv_import_plan(brand=brand, data=text, mode=mode, user=request.user)
    except csv_import.CsvRefused as exc:
        return _page(request, brand, status=400, mode=mode, file_error=str(exc))
    token = secrets.token_urlsafe(16)
    cache.set(_upload_key(brand.pk, request.user.pk, token), text, UPLOAD_TTL)
    return _page(request, brand, mode=mode, plan=plan, token=token, filename=upload.name)


@brand_user_required
@require_POST
def posts_import_commit(request, brand_id: int):
    """Import the dry run's file: each good row created (or scheduled) whole, a summary after."""
    brand = brand_get_for_user(user=request.user, brand_id=brand_id)
    mode = request.POST.get("mode", "draft")
    mode = mode if mode in csv_import.MODES else "draft"
    key = _upload_key(brand.pk, request.user.pk, request.POST.get("token", "")[:40])
    text = cache.get(key)
    # One Import per upload: a second click (or a reload) finds the file gone.
    if text is None or not cache.delete(key):
        return _page(
            request,
            brand,
            status=400,
            mode=mode,
            file_error="This upload was already imported or has expired; upload the file again.",
        )
    try:
        result = csv_import.csv_import_commit(brand=brand, user=request.user, data=text, mode=mode)
    except csv_import.CsvRefused as exc:
        return _page(request, brand, status=400, mode=mode, file_error=str(exc))
    return _page(request, brand, mode=mode, result=result)


@brand_user_required
@require_GET
def posts_import_template(request, brand_id: int):
    brand_get_for_user(user=request.user, brand_id=brand_id)
    response = HttpResponse(csv_import.csv_template(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="posts-template.csv"'
    return response


@brand_user_required
@require_GET
def posts_export_csv(request, brand_id: int):
    """The brand's posts as CSV, filtered as the posts list is (status, platform, trend)."""
    brand = brand_get_for_user(user=request.user, brand_id=brand_id)
    lines = csv_export.csv_export_lines(brand=brand, **csv_export.export_filters(brand, request.GET))
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="posts-brand-{brand.pk}.csv"'
    return response
