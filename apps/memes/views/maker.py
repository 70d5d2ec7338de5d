"""The meme maker (template picker, live preview, caption ideas, create), "My memes" and template
uploads."""

from __future__ import annotations

import json
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from apps.core.api import validation_messages
from apps.memes import captions, generation, selectors, services
from apps.memes import render as meme_render
from apps.memes.forms import (
    ALIGN_LABELS,
    ERROR_SLOTS,
    FILTER_LABELS,
    FORMAT_LABELS,
    SIZE_HELP,
    SIZE_LABELS,
    MemeMakerForm,
    TemplateUploadForm,
)
from apps.memes.models import Meme, MemeTemplate
from apps.memes.views import files as file_views

MAKER_TEMPLATE = "memes/maker.html"
PREVIEW_TEMPLATE = "memes/partials/maker_preview.html"
RESULTS_TEMPLATE = "memes/partials/maker_results.html"
CAPTIONS_TEMPLATE = "memes/partials/maker_captions.html"
MEMES_PER_PAGE = 12
TEMPLATES_PER_PAGE = 8
SEARCH_LIMIT = 60


# --- URLs of images (apps/memes/urls/files.py) ------------------------------------------------------


def meme_file_url(meme: Meme, size: str, *, download: bool = False) -> str:
    """A meme's stored image at `size` (rendered on first request when missing)."""
    url = reverse(
        "memes:file",
        kwargs={"key": meme.cache_key, "size": size, "ext": generation.EXTENSIONS[meme.format]},
    )
    return f"{url}?download=1" if download else url


def template_image_url(template: MemeTemplate) -> str:
    ext = (template.image.name.rsplit(".", 1)[-1] if "." in template.image.name else "jpg").lower()
    url = reverse("memes:template_image", kwargs={"slug": template.slug, "ext": ext})
    return f"{url}?v={template.image_hash[:16]}" if template.image_hash else url


def preview_url(form: MemeMakerForm) -> str:
    """The render-by-URL address of the form's meme (a content-addressed, cached render)."""
    spec = form.spec
    params: list[tuple[str, str]] = [("text", text) for text in spec.texts]
    params += [("size", form.preview_size()), ("font", spec.style.font)]
    params += [("fill", spec.style.fill), ("stroke", spec.style.stroke), ("effect", spec.style.effect)]
    if form.align:
        params.append(("align", form.align))
    if spec.filters:
        params.append(
            (
                "filters",
                ",".join(f"{f.name}:{f.value:g}" if f.value is not None else f.name for f in spec.filters),
            )
        )
    url = reverse(
        "memes:render", kwargs={"slug": spec.template.slug, "ext": generation.EXTENSIONS[spec.format]}
    )
    return f"{url}?{urlencode(params)}"


def meme_detail_url(meme: Meme) -> str:
    try:
        return reverse("memes:detail", args=[meme.pk])
    except NoReverseMatch:  # the feed's pages are not mounted (a trimmed URLconf)
        return f"/memes/{meme.pk}/"


# --- The maker --------------------------------------------------------------------------------------


def _template_cards(templates, user) -> list[dict]:
    return [
        {
            "template": t,
            "image_url": template_image_url(t),
            "pending": t.status == MemeTemplate.Status.PENDING,
            "own": t.uploaded_by_id == user.pk,
        }
        for t in templates
    ]


def _animation_state(request, form: MemeMakerForm) -> dict:
    """An animated preview is drawn by the worker: queue it (a new one counts against the rate
    limit) and wait a moment. {"rendering": True} while it is on its way (the preview asks again),
    {"error": …} when it cannot be drawn, {} when it is stored."""
    spec, size = form.spec, form.preview_size()
    try:
        file_views.rendered_for_request(request, spec, size, spec.key)
    except generation.RenderPending:
        return {"rendering": True}
    except file_views.RenderRateLimited as exc:
        return {"error": str(exc)}
    except meme_render.RenderError as exc:
        return {"error": str(exc)}
    return {}


def _preview_context(request, form: MemeMakerForm) -> dict:
    """What the preview shows: the render URL when the input is valid (for an animation, once the
    worker has drawn it), the blank template when nothing is typed yet, and the errors per field
    (out of band next to each field)."""
    valid = form.is_valid()
    state = _animation_state(request, form) if valid and form.spec.animated else {}
    preview = {
        "url": preview_url(form) if valid and not state else "",
        "rendering": state.get("rendering", False),
        "error": state.get("error", ""),
        "frames": form.template.frame_count,
        "blank_url": template_image_url(form.template) if form.only_missing_text else "",
        "width": form.template.width or 4,
        "height": form.template.height or 3,
        # Where the captions will go, drawn over the blank template.
        "boxes": [
            {"label": label, "x": b.x * 100, "y": b.y * 100, "w": b.w * 100, "h": b.h * 100}
            for label, b in zip(captions.box_labels(form.box_count, form.boxes), form.boxes, strict=True)
        ],
    }
    errors = {} if form.only_missing_text else form.errors
    return {
        "preview": preview,
        "errors": errors,
        "error_list": [(slot, errors.get(slot, [])) for slot in ERROR_SLOTS],
    }


def _maker_context(request, *, form: MemeMakerForm | None, query: str, notice: str = "") -> dict:
    user = request.user
    template = form.template if form else None
    results = selectors.template_search(query=query, user=user, limit=SEARCH_LIMIT)
    if template is not None and all(t.pk != template.pk for t in results) and not query:
        results = [template, *results]
    context = {
        "active": "make",
        "query": query,
        "cards": _template_cards(results, user),
        "form": form,
        "notice": notice,
        "selected": template,
        "error_slots": ERROR_SLOTS,
        "fonts": generation.FONTS,
        "effects": generation.EFFECTS,
        "aligns": ALIGN_LABELS,
        "filter_labels": FILTER_LABELS,
        "filter_ranges": generation.FILTER_RANGES,
        "sizes": SIZE_LABELS,
        "size_help": SIZE_HELP,
        "formats": FORMAT_LABELS,
        "trends": selectors.trends_for_captions(),
    }
    if form is not None:
        context["template_image_url"] = template_image_url(template)
        context["pending"] = template.status == MemeTemplate.Status.PENDING
    return context


def _selected_template(request, slug: str) -> tuple[MemeTemplate | None, str]:
    if not slug:
        return None, ""
    try:
        return selectors.template_get_usable(slug=slug, user=request.user), ""
    except Http404:
        return None, "That template does not exist or is not available any more. Pick another one."


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def maker(request):
    """GET: the picker (and the chosen template's editor, prefilled from the query: ?template=,
    ?text=…). POST: create the meme and go to its page, or show the errors next to the fields."""
    if request.method == "POST":
        return _create(request)
    query = (request.GET.get("q") or "").strip()[:100]
    template, notice = _selected_template(request, (request.GET.get("template") or "").strip())
    form = MemeMakerForm(request.GET, template=template) if template else None
    context = _maker_context(request, form=form, query=query, notice=notice)
    if form is not None:
        context.update(_preview_context(request, form))
    return render(request, MAKER_TEMPLATE, context)


def _create(request):
    template = selectors.template_get_usable(
        slug=(request.POST.get("template") or "").strip(), user=request.user
    )
    form = MemeMakerForm(request.POST, template=template, public=request.POST.get("is_public") == "on")
    if form.is_valid():
        try:
            meme, created = services.meme_create(
                user=request.user, spec=form.spec, size=form.size, is_public=form.is_public, background=True
            )
        except ValidationError as exc:
            for key, texts in validation_messages(exc).items():
                form.add_error(key, texts)
        else:
            if meme.is_public and meme.moderation == Meme.Moderation.FLAGGED:
                messages.warning(
                    request,
                    f"Meme saved. It waits for staff review before it reaches the public feed: "
                    f"{meme.moderation_reason}",
                )
            elif not created:
                messages.info(request, "You made this exact meme before; here it is.")
            elif not services.rendered_ready(meme=meme, size=meme.size):
                messages.success(
                    request,
                    "Meme created. Its animation is being rendered and appears here in a moment"
                    + (" (and in the public feed)." if meme.is_public else "."),
                )
            elif meme.is_public:
                messages.success(request, "Meme created and posted to the public feed.")
            else:
                messages.success(request, "Meme created. It is private: only you can see it.")
            return redirect(meme_detail_url(meme))
    query = (request.POST.get("q") or "").strip()[:100]
    errors = form.errors
    context = _maker_context(request, form=form, query=query)
    context.update(_preview_context(request, form))  # checks the input again: the preview of what was sent
    # The create errors (meme_create's too, and "write a caption", which the preview leaves out).
    form.errors = errors
    context["errors"] = errors
    return render(request, MAKER_TEMPLATE, context, status=422)


@login_required
@require_GET
def maker_results(request):
    """The picker's search results (htmx, as the user types)."""
    query = (request.GET.get("q") or "").strip()[:100]
    templates = selectors.template_search(query=query, user=request.user, limit=SEARCH_LIMIT)
    selected = (request.GET.get("template") or "").strip()
    return render(
        request,
        RESULTS_TEMPLATE,
        {"cards": _template_cards(templates, request.user), "query": query, "selected_slug": selected},
    )


@login_required
@require_GET
def maker_preview(request):
    """The live preview (htmx, debounced): the render URL, or the errors next to the fields."""
    template = selectors.template_get_usable(
        slug=(request.GET.get("template") or "").strip(), user=request.user
    )
    form = MemeMakerForm(request.GET, template=template)
    context = _preview_context(request, form)
    context.update({"form": form, "error_slots": ERROR_SLOTS, "oob": True})
    return render(request, PREVIEW_TEMPLATE, context)


@login_required
@require_GET
def maker_captions(request):
    """Caption ideas for the template (and a trend), as chips that fill the text boxes."""
    template = selectors.template_get_usable(
        slug=(request.GET.get("template") or "").strip(), user=request.user
    )
    trend_id = (request.GET.get("trend") or "").strip()
    trend = selectors.trend_for_captions(trend_id=trend_id) if trend_id else None
    notice = "That trend has expired; these ideas are not about it." if trend_id and trend is None else ""
    seed_text = (request.GET.get("seed") or "").strip()
    seed = int(seed_text) % 1_000_000 if seed_text.isdigit() else None
    ideas = captions.caption_suggestions(template=template, trend=trend, n=5, seed=seed, user=request.user)
    labels = captions.box_labels(len(template.text_boxes()), template.text_boxes())
    base = reverse("memes:make")
    chips = []
    for texts in ideas.captions:
        params = [("template", template.slug), *(("text", t) for t in texts)]
        chips.append(
            {
                "texts": texts,
                "json": json.dumps(texts, ensure_ascii=False),
                "parts": [(labels[i], t) for i, t in enumerate(texts) if t],
                "href": f"{base}?{urlencode(params)}",
            }
        )
    return render(
        request,
        CAPTIONS_TEMPLATE,
        {
            "chips": chips,
            "source": ideas.source,
            "note": ideas.note or notice,
            "trend": trend,
            "template": template,
            "next_seed": (seed or 0) + 1,
        },
    )


# --- My memes ---------------------------------------------------------------------------------------


def _meme_cards(memes) -> list[dict]:
    cards = []
    for meme in memes:
        ext = generation.EXTENSIONS[meme.format]
        cards.append(
            {
                "meme": meme,
                "thumb_url": meme_file_url(meme, "thumbnail"),
                "detail_url": meme_detail_url(meme),
                "downloads": [
                    (size, meme_file_url(meme, size, download=True), ext) for size in meme_render.SIZES
                ],
                "template_pending": meme.template.status != MemeTemplate.Status.APPROVED,
                "caption": " / ".join(t for t in meme.texts if t) if isinstance(meme.texts, list) else "",
            }
        )
    return cards


@login_required
@require_GET
def mine(request):
    """The user's memes (with their state, downloads, publish and delete) and uploaded templates."""
    memes_page = Paginator(selectors.memes_of_owner(user=request.user), MEMES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    templates_page = Paginator(
        selectors.templates_of_uploader(user=request.user), TEMPLATES_PER_PAGE
    ).get_page(request.GET.get("tpage"))
    return render(
        request,
        "memes/mine.html",
        {
            "active": "mine",
            "memes_page": memes_page,
            "cards": _meme_cards(memes_page.object_list),
            "templates_page": templates_page,
            "template_cards": [
                {"template": t, "image_url": template_image_url(t)} for t in templates_page.object_list
            ],
            "sizes": SIZE_LABELS,
        },
    )


def _back_to_mine(request):
    page = request.POST.get("page") or ""
    url = reverse("memes:mine")
    return redirect(f"{url}?page={int(page)}" if page.isdigit() and int(page) > 1 else url)


@login_required
@require_POST
def mine_delete(request, meme_id: int):
    meme = selectors.meme_get_owned(meme_id=meme_id, user=request.user)
    services.meme_delete(meme=meme, user=request.user)
    messages.success(request, "Meme deleted.")
    return _back_to_mine(request)


@login_required
@require_POST
def mine_publish(request, meme_id: int):
    meme = selectors.meme_get_owned(meme_id=meme_id, user=request.user)
    try:
        meme = services.meme_publish(meme=meme, user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(m for ms in validation_messages(exc).values() for m in ms))
        return _back_to_mine(request)
    if meme.moderation == Meme.Moderation.FLAGGED:
        messages.warning(
            request, f"Your meme waits for staff review before it reaches the feed: {meme.moderation_reason}"
        )
    else:
        messages.success(request, "Your meme is on the public feed.")
    return _back_to_mine(request)


# --- Uploads ----------------------------------------------------------------------------------------


class UploadLimitHandler(FileUploadHandler):
    """Stops reading an uploaded file at services.MAX_FILE_BYTES (before the default handlers
    keep it in memory or on disk) and notes it on the request; the other fields are still read."""

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > services.MAX_FILE_BYTES:
            self.request.upload_too_large = True
            raise SkipFile
        return raw_data

    def file_complete(self, file_size):
        return None


@csrf_exempt  # checked by csrf_protect below, once the upload handlers are in place
@login_required
def template_upload(request):
    request.upload_handlers.insert(0, UploadLimitHandler(request))
    return _template_upload(request)


@csrf_protect
@require_http_methods(["GET", "HEAD", "POST"])
def _template_upload(request):
    """Upload a template: checked, stored pending staff approval, usable at once in private memes."""
    if request.method != "POST":
        form = TemplateUploadForm()
        return render(request, "memes/upload.html", {"form": form, "active": "make"})
    form = TemplateUploadForm(
        request.POST, request.FILES, too_large=getattr(request, "upload_too_large", False)
    )
    if form.is_valid():
        upload = form.cleaned_data["image"]
        try:
            template = services.template_upload(
                user=request.user,
                name=form.cleaned_data["name"],
                data=upload.read(),
                tags=form.cleaned_data["tags"],
                boxes=form.cleaned_data["boxes"],
            )
        except ValidationError as exc:
            for key, texts in validation_messages(exc).items():
                form.add_error(key if key in form.fields else None, texts)
        else:
            scaled = ""
            if template.scaled_from:
                scaled = (
                    f" It was scaled down from {template.scaled_from[0]}×{template.scaled_from[1]} to "
                    f"{template.width}×{template.height} so it renders quickly"
                    f"{', every frame kept' if template.is_animated else ''}."
                )
            messages.success(
                request, "Uploaded — staff will review it; you can already use it in private memes." + scaled
            )
            return redirect(f"{reverse('memes:make')}?{urlencode({'template': template.slug})}")
    return render(request, "memes/upload.html", {"form": form, "active": "make"}, status=400)
