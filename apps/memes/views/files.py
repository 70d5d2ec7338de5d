"""Meme images over HTTP: stored renders by content address, render-by-URL previews, and template
images.

``/memes/r/<key>-<size>.<ext>`` serves a stored render. The key is the sha256 of everything that
decides the pixels (see ``generation``), so the URL is a capability: whoever has it may see the
image, whoever does not cannot guess it (256 bits), and nothing else is checked. A private meme's
images are therefore as private as their URLs; the API hands them only to those who may see the
meme. A file never changes under its name, so the response is cacheable for a year (``immutable``)
with the name as a strong ETag. A size not rendered yet is rendered on first request when a meme
with that key exists (the API lists every size's URL up front).

``/memes/render/<slug>.<ext>?text=…&text=…`` is the render-by-URL API (as memegen's, but
content-addressed): the query is checked like any meme request, hashed, and the stored file served
when it exists, so a repeated preview costs no rendering; a new one counts against the generation
rate limit (``ratelimit``) and is rendered and stored. Its URL names a template by slug (whose image
an operator may replace), so it is cached for a day, not for ever; the ETag and ``Content-Location``
point at the immutable file.

An animated render is made by the worker (``services.rendered_ensure``): both views wait for it a
moment and otherwise answer 202 with ``Retry-After`` and ``{"status": "rendering"}``; the same URL
serves the image once it is stored.

Both are on hot paths (the maker page's live preview, the feed's images): a hit runs no database
query and never touches the session. The render view keeps the approved template of a slug in
process memory for ``TEMPLATE_TTL`` seconds; a pending template (visible to its uploader only) is
checked against the signed-in user on every request.
"""

from __future__ import annotations

import time
from pathlib import PurePosixPath

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponse, HttpResponseNotModified, JsonResponse
from django.urls import reverse
from django.views.decorators.http import require_safe

from apps.core.api import validation_messages
from apps.memes import generation, ratelimit, render, selectors, services
from apps.memes.models import Meme, MemeTemplate

IMMUTABLE = "public, max-age=31536000, immutable"
RENDER_CACHE = "public, max-age=86400"
TEMPLATE_TTL = 5.0  # seconds an approved template is trusted from process memory
FORMAT_OF_EXT = {ext: fmt for fmt, ext in generation.EXTENSIONS.items()} | {"jpeg": "jpeg"}
CONTENT_TYPES = {ext: render.FORMATS[fmt] for ext, fmt in FORMAT_OF_EXT.items()}
TEMPLATE_CONTENT_TYPES = {"jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png"} | {
    "gif": "image/gif",
    "webp": "image/webp",
}
BOOL_FALSE = {"0", "false", "no", "off"}


def file_url(key: str, size: str, fmt: str) -> str:
    """The path of a stored render (content-addressed, immutable)."""
    return reverse("memes:file", kwargs={"key": key, "size": size, "ext": generation.EXTENSIONS[fmt]})


def template_ext(template: MemeTemplate) -> str:
    return PurePosixPath(template.image.name).suffix.lstrip(".").lower() or "jpg"


def template_image_url(template: MemeTemplate) -> str:
    """The template image's path, versioned by its hash so it can be cached for a year."""
    url = reverse("memes:template_image", kwargs={"slug": template.slug, "ext": template_ext(template)})
    return f"{url}?v={template.image_hash[:16]}" if template.image_hash else url


def render_url(template: MemeTemplate, fmt: str | None = None) -> str:
    """The render-by-URL path of a template (add ?text=…&text=… for the captions)."""
    fmt = fmt or ("gif" if template.is_animated else "jpeg")
    return reverse("memes:render", kwargs={"slug": template.slug, "ext": generation.EXTENSIONS[fmt]})


def _etag_matches(request, etag: str) -> bool:
    header = request.META.get("HTTP_IF_NONE_MATCH")
    if not header:
        return False
    if header.strip() == "*":
        return True
    # Weak comparison (RFC 9110 13.1.2): a proxy may have weakened our strong tag.
    return any(tag.strip().removeprefix("W/") == etag for tag in header.split(","))


def _not_modified(etag: str, cache_control: str) -> HttpResponse:
    response = HttpResponseNotModified()
    response["ETag"] = etag
    response["Cache-Control"] = cache_control
    return response


def _open(name: str):
    try:
        return default_storage.open(name, "rb")
    except (FileNotFoundError, IsADirectoryError):
        return None


def _file_response(handle, ext: str, etag: str, cache_control: str, *, download_as: str = ""):
    response = FileResponse(
        handle, content_type=CONTENT_TYPES[ext], as_attachment=bool(download_as), filename=download_as
    )
    response["ETag"] = etag
    response["Cache-Control"] = cache_control
    return response


def _json_error(status: int, detail: str, **extra) -> JsonResponse:
    return JsonResponse({"detail": detail, **extra}, status=status)


def rendering_response(pending: generation.RenderPending, url: str) -> JsonResponse:
    """202 while the worker renders: come back to `url` in a moment."""
    response = JsonResponse(
        {"status": "rendering", "detail": "The animation is being rendered; it is ready in a moment."},
        status=202,
    )
    response["Retry-After"] = str(pending.retry_after)
    response["Location"] = url
    response["Cache-Control"] = "no-store"
    return response


class RenderRateLimited(Exception):
    def __init__(self, wait: int):
        super().__init__(f"Too many memes generated; try again in {wait} s.")
        self.wait = wait


def rendered_for_request(request, spec: generation.MemeSpec, size: str, key: str) -> str:
    """The stored file name of `spec` at `size` for a preview request: rendered now (a still) or
    by the worker (an animation, ``generation.RenderPending`` while on its way). A new render counts
    against the generation rate limit (``RenderRateLimited``); looking again at one on its way
    does not. Raises ``render.RenderError`` when it cannot be rendered."""
    name = generation.rendered_name(key, size, spec.format)
    if not (spec.animated and generation.render_is_queued(name)):
        wait = ratelimit.generation_take_for_request(request)
        if wait:
            raise RenderRateLimited(wait)
    return services.rendered_ensure(spec=spec, size=size, key=key, background=True).name


@require_safe
def stored_file(request, key: str, size: str, ext: str):
    """A stored render by its content address; a missing size of a known meme is rendered now."""
    fmt = FORMAT_OF_EXT[ext]
    name = generation.rendered_name(key, size, fmt)
    etag = f'"{key}-{size}"'
    if _etag_matches(request, etag) and default_storage.exists(name):
        return _not_modified(etag, IMMUTABLE)
    handle = _open(name)
    if handle is None:
        meme = Meme.objects.filter(cache_key=key, format=fmt).select_related("template").first()
        if meme is None:
            raise Http404("No such image.")
        try:
            name = services.meme_size_ensure(meme=meme, size=size, background=True)
        except generation.RenderPending as pending:
            return rendering_response(pending, request.path)
        except render.RenderError as exc:
            return _json_error(422, f"This image cannot be rendered: {exc}")
        handle = _open(name)
        if handle is None:
            raise Http404("No such image.")
    download_as = f"meme-{key[:12]}-{size}.{ext}" if request.GET.get("download") == "1" else ""
    return _file_response(handle, ext, etag, IMMUTABLE, download_as=download_as)


# Approved templates by slug: slug → (fetched at, template). A pending one is not kept (its access
# depends on the user); a rejected or unknown slug is looked up again each time.
_templates: dict[str, tuple[float, MemeTemplate]] = {}


def _approved_template(slug: str) -> MemeTemplate | None:
    now = time.monotonic()
    cached = _templates.get(slug)
    if cached is not None and now - cached[0] < TEMPLATE_TTL:
        return cached[1]
    template = MemeTemplate.objects.approved().filter(slug=slug).first()
    if template is not None:
        if len(_templates) > 512:
            _templates.clear()
        _templates[slug] = (now, template)
    else:
        _templates.pop(slug, None)
    return template


def _spec_from_query(request, template: MemeTemplate, fmt: str) -> tuple[generation.MemeSpec, str]:
    query = request.GET
    size = query.get("size") or "medium"
    errors = {}
    if size not in render.SIZES:
        errors["size"] = [f"Unknown size {size[:20]!r}; use {', '.join(render.SIZES)}."]
    try:
        spec = generation.spec_from_input(
            template=template,
            texts=query.getlist("text"),
            font=query.get("font"),
            fill=query.get("fill"),
            stroke=query.get("stroke"),
            effect=query.get("effect"),
            align=query.get("align"),
            filters=query.get("filters"),
            format=fmt,
            animated=query.get("animated", "1").lower() not in BOOL_FALSE,
        )
    except ValidationError as exc:
        errors = {**validation_messages(exc), **errors}
        spec = None
    if errors:
        raise ValidationError(errors)
    return spec, size


@require_safe
def render_by_url(request, slug: str, ext: str):
    """A meme described by its URL: stored file when it exists, else rendered (rate limited)."""
    fmt = FORMAT_OF_EXT[ext]
    template = _approved_template(slug)
    cache_control = RENDER_CACHE
    if template is None:
        # The uploader's own pending template (private); anything else is unknown.
        try:
            template = selectors.template_get_usable(slug=slug, user=request.user)
        except Http404:
            return _json_error(404, "No such template.")
        cache_control = "private, max-age=86400"
    try:
        spec, size = _spec_from_query(request, template, fmt)
    except ValidationError as exc:
        errors = validation_messages(exc)
        return _json_error(422, next(iter(errors.values()))[0], errors=errors)
    key = spec.key
    name = generation.rendered_name(key, size, fmt)
    etag = f'"{key}-{size}"'
    if _etag_matches(request, etag) and default_storage.exists(name):
        return _not_modified(etag, cache_control)
    handle = _open(name)
    if handle is None:
        try:
            name = rendered_for_request(request, spec, size, key)
        except RenderRateLimited as exc:
            response = _json_error(429, str(exc))
            response["Retry-After"] = str(exc.wait)
            return response
        except generation.RenderPending as pending:
            return rendering_response(pending, request.get_full_path())
        except render.RenderError as exc:
            return _json_error(422, str(exc), errors={"template": [str(exc)]})
        handle = _open(name)
        if handle is None:
            return _json_error(404, "No such image.")
    response = _file_response(handle, ext, etag, cache_control)
    response["Content-Location"] = file_url(key, size, fmt)
    return response


@require_safe
def template_image(request, slug: str, ext: str):
    """A template's image. Approved: public (cached for a year when the URL carries the image's
    hash, ``template_image_url``); pending: its uploader (and staff) only."""
    template = MemeTemplate.objects.filter(slug=slug).first()
    if template is None or not template.image:
        raise Http404("No such template.")
    if template.status == MemeTemplate.Status.APPROVED:
        versioned = template.image_hash and request.GET.get("v") == template.image_hash[:16]
        cache_control = IMMUTABLE if versioned else "public, max-age=3600"
    else:
        user = request.user
        if not user.is_authenticated or not (user.is_staff or template.uploaded_by_id == user.pk):
            raise Http404("No such template.")
        cache_control = "private, max-age=3600"
    if ext != template_ext(template):
        raise Http404("No such template image.")
    etag = f'"{template.image_hash or template.image.name}"'
    if _etag_matches(request, etag):
        return _not_modified(etag, cache_control)
    handle = _open(template.image.name)
    if handle is None:
        raise Http404("No such template image.")
    response = FileResponse(handle, content_type=TEMPLATE_CONTENT_TYPES.get(ext, "application/octet-stream"))
    response["ETag"] = etag
    response["Cache-Control"] = cache_control
    return response
