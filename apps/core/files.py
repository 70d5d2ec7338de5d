"""Serving stored uploads through views that decide who may see them (there is no public /media/)."""

from __future__ import annotations

import mimetypes

from django.http import FileResponse, Http404
from django.utils.cache import patch_cache_control


def stored_file_response(file, *, public: bool = False, max_age: int = 86400) -> FileResponse:
    """The file of an ImageField/FileField as a response; 404 when there is none or it is gone."""
    if not file:
        raise Http404("No file.")
    try:
        handle = file.open("rb")
    except FileNotFoundError:
        raise Http404("No file.") from None
    response = FileResponse(
        handle, content_type=mimetypes.guess_type(file.name)[0] or "application/octet-stream"
    )
    patch_cache_control(response, public=public, private=not public, max_age=max_age)
    return response
