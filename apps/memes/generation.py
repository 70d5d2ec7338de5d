"""What a meme looks like (`MemeSpec`), checked from user input, and the content-addressed store of
rendered files.

The cache key is the sha256 of everything that decides the pixels: the renderer's version, the
template image's own sha256, the texts, the boxes, the style, the filters and the format. The size
is not in the key; each size is a file of its own named ``<key>-<size>.<ext>`` under
``memes/r/<key[:2]>/``. A request whose file exists is answered from storage without rendering, for
any user, and the file name doubles as an immutable ETag (a file never changes under its name).

Two processes rendering the same new key at once both render and the second save replaces the first
with the same bytes; nothing is lost and no lock is held across a render.

Animated renders asked for by a web request are made by the worker (``services.rendered_ensure``):
the request queues the render once (``render_claim``, a short-lived cache key per file name),
waits a moment for the file, and otherwise answers that it is on its way (``RenderPending``); the
file appears under its content address when the worker is done, and a failure is kept for a while
(``render_failure``) so the waiting page can say why instead of waiting forever. The worker gets the
spec as JSON (``spec_data`` / ``spec_from_data``).
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import asdict, dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from apps.integrations.images.text import parse_color
from apps.memes import render
from apps.memes.models import Meme, MemeTemplate

logger = logging.getLogger(__name__)

# Bump when a renderer change alters the pixels of an unchanged request (old files then go unused).
RENDER_VERSION = 2
MAX_TEXT_LENGTH = 200
MAX_BOXES = 10
MAX_FILTERS = 6
FONTS = {"impact": "Impact-style (Anton)", "sans": "Sans bold (Inter Display)"}
EFFECTS = {"outline": "Outline", "shadow": "Shadow", "none": "None"}
EXTENSIONS = {"jpeg": "jpg", "png": "png", "webp": "webp", "gif": "gif"}
FILTER_RANGES = {"blur": (0.0, 20.0), "brightness": (0.2, 3.0), "contrast": (0.2, 3.0)}
RENDERED_DIR = "memes/r"
RENDER_POLL = 0.1  # seconds between two looks for the file while waiting
RENDER_QUEUED_TTL = 120  # a queued render not done by then is queued again by the next request
RENDER_FAILED_TTL = 600  # how long a failed render's reason is kept (and not retried)
RENDER_RETRY_AFTER = 2  # the Retry-After (s) of a 202 while rendering


class RenderPending(Exception):
    """The file is being rendered by the worker; it will be stored under `name`."""

    def __init__(self, name: str):
        super().__init__(f"{name} is being rendered.")
        self.name = name
        self.retry_after = RENDER_RETRY_AFTER


@dataclass(frozen=True)
class MemeSpec:
    """A checked meme request: a template plus everything that decides its pixels."""

    template: MemeTemplate = field(compare=False, hash=False)
    texts: tuple[str, ...]
    boxes: tuple[render.TextBox, ...]
    custom_boxes: bool
    style: render.Style
    filters: tuple[render.Filter, ...]
    format: str
    animated: bool = True

    @property
    def key(self) -> str:
        payload = {
            "v": RENDER_VERSION,
            "template": self.template.image_hash or f"{self.template.pk}:{self.template.image.name}",
            "texts": list(self.texts),
            "boxes": [asdict(box) for box in self.boxes],
            "style": asdict(self.style),
            "filters": [asdict(flt) for flt in self.filters],
            "format": self.format,
            "animated": self.animated,
        }
        blob = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(blob.encode()).hexdigest()

    def as_fields(self) -> dict:
        """The Meme fields that store this spec (``spec_from_meme`` reads them back)."""
        return {
            "texts": list(self.texts),
            "boxes": [asdict(box) for box in self.boxes] if self.custom_boxes else [],
            "style": asdict(self.style),
            "filters": [asdict(flt) for flt in self.filters],
            "format": self.format,
        }


def _number(value, name: str, errors: dict, low: float, high: float) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        errors[name] = f"{name} must be a number between {low:g} and {high:g}."
        return None
    try:
        number = float(value)
    except ValueError:
        errors[name] = f"{name} must be a number between {low:g} and {high:g}."
        return None
    if not low <= number <= high:
        errors[name] = f"{name} must be between {low:g} and {high:g}."
        return None
    return number


def _boxes(raw, errors: dict) -> tuple[render.TextBox, ...] | None:
    if not isinstance(raw, list | tuple):
        errors["boxes"] = "boxes must be a list of {x, y, w, h} objects."
        return None
    if len(raw) > MAX_BOXES:
        errors["boxes"] = f"At most {MAX_BOXES} boxes are allowed (got {len(raw)})."
        return None
    boxes = []
    for i, item in enumerate(raw):
        name = f"boxes[{i}]"
        if isinstance(item, render.TextBox):
            boxes.append(item)
            continue
        if not isinstance(item, dict):
            errors[name] = f"{name} must be an object with x, y, w and h."
            continue
        unknown = set(item) - set(render.TextBox.__dataclass_fields__)
        if unknown:
            errors[name] = f"{name} has unknown field(s): {', '.join(sorted(unknown))}."
            continue
        default = render.TextBox()
        values = {}
        for key in ("x", "y", "w", "h"):
            number = _number(item.get(key, getattr(default, key)), f"{name}.{key}", errors, 0.0, 1.0)
            if number is not None:
                values[key] = round(number, 4)
        if len(values) < 4:
            continue
        if values["w"] < 0.02 or values["h"] < 0.02:
            errors[name] = f"{name} is too small: w and h must be at least 0.02."
            continue
        align, valign = item.get("align", "center"), item.get("valign", "top")
        if align not in ("left", "center", "right"):
            errors[f"{name}.align"] = "align must be left, center or right."
            continue
        if valign not in ("top", "middle", "bottom"):
            errors[f"{name}.valign"] = "valign must be top, middle or bottom."
            continue
        boxes.append(
            render.TextBox(**values, align=align, valign=valign, uppercase=bool(item.get("uppercase", True)))
        )
    return tuple(boxes)


def _color(value, name: str, errors: dict, default: str) -> str:
    if value in (None, ""):
        return default
    try:
        r, g, b = parse_color(value) if isinstance(value, str) else (None, None, None)
        if r is None:
            raise ValueError
    except (ValueError, TypeError):
        errors[name] = f"{name} must be a hex colour such as #FFFFFF (got {str(value)[:20]!r})."
        return default
    return f"#{r:02X}{g:02X}{b:02X}"


def _filters(raw, errors: dict) -> tuple[render.Filter, ...]:
    if raw in (None, ""):
        return ()
    if isinstance(raw, str):
        raw = [part for part in raw.split(",") if part.strip()]
    if not isinstance(raw, list | tuple):
        errors["filters"] = "filters must be a list."
        return ()
    if len(raw) > MAX_FILTERS:
        errors["filters"] = f"At most {MAX_FILTERS} filters are allowed."
        return ()
    out = []
    for item in raw:
        if isinstance(item, render.Filter):
            out.append(item)
            continue
        value = None
        if isinstance(item, dict):
            name, value = item.get("name"), item.get("value")
        elif isinstance(item, str):
            name, _, text = item.strip().partition(":")
            value = text or None
        else:
            name = None
        if name not in render.FILTERS:
            errors["filters"] = f"Unknown filter {str(name)[:30]!r}; use {', '.join(render.FILTERS)}."
            return ()
        if value is not None:
            if name not in FILTER_RANGES:
                errors["filters"] = f"The {name} filter takes no value."
                return ()
            low, high = FILTER_RANGES[name]
            value = _number(value, f"filters.{name}", errors, low, high)
            if value is None:
                return ()
            value = round(value, 2)
        out.append(render.Filter(name, value))
    return tuple(out)


def spec_from_input(
    *,
    template: MemeTemplate,
    texts,
    boxes=None,
    font: str | None = None,
    fill: str | None = None,
    stroke: str | None = None,
    effect: str | None = None,
    align: str | None = None,
    filters=None,
    format: str | None = None,
    animated: bool = True,
) -> MemeSpec:
    """Check raw input (API, form or preview URL) and return the spec; raises ValidationError with
    one message per field: ``{"texts": [...], "fill": [...]}``."""
    errors: dict[str, str] = {}
    if isinstance(texts, str):
        texts = [texts]
    if not isinstance(texts, list | tuple) or not all(isinstance(t, str) for t in texts):
        errors["texts"] = "texts must be a list of strings."
        texts = []
    texts = [t.replace("\r\n", "\n").strip() for t in texts]
    # Trailing empty texts do not change the pixels; drop them so "a, b, ''" and "a, b" share a file.
    while texts and not texts[-1]:
        texts.pop()
    for i, text in enumerate(texts):
        if len(text) > MAX_TEXT_LENGTH:
            errors["texts"] = (
                f"Text {i + 1} is {len(text)} characters; at most {MAX_TEXT_LENGTH} are allowed."
            )
    custom = boxes not in (None, [], ())
    box_list = _boxes(boxes, errors) if custom else tuple(template.text_boxes())
    if box_list is not None and len(texts) > len(box_list):
        errors.setdefault(
            "texts",
            f"This template has {len(box_list)} text box{'es' if len(box_list) != 1 else ''}; "
            f"got {len(texts)} texts.",
        )
    if not any(t.strip() for t in texts) and "texts" not in errors:
        errors["texts"] = "Write at least one caption."
    font = font or "impact"
    if font not in FONTS:
        errors["font"] = f"Unknown font {font[:30]!r}; use {', '.join(FONTS)}."
    effect = effect or "outline"
    if effect not in EFFECTS:
        errors["effect"] = f"Unknown effect {effect[:30]!r}; use {', '.join(EFFECTS)}."
    if align not in (None, "", "left", "center", "right"):
        errors["align"] = "align must be left, center or right."
    style = render.Style(
        font=font if font in FONTS else "impact",
        fill=_color(fill, "fill", errors, "#FFFFFF"),
        stroke=_color(stroke, "stroke", errors, "#000000"),
        effect=effect if effect in EFFECTS else "outline",
    )
    flts = _filters(filters, errors)
    fmt = (format or ("gif" if template.is_animated else "jpeg")).lower()
    fmt = {"jpg": "jpeg"}.get(fmt, fmt)
    if fmt not in render.FORMATS:
        errors["format"] = f"Unknown format {str(format)[:20]!r}; use {', '.join(render.FORMATS)}."
    if errors:
        raise ValidationError({name: [message] for name, message in errors.items()})
    if align:
        box_list = tuple(render.TextBox(**{**asdict(box), "align": align}) for box in box_list)
        custom = True
    return MemeSpec(
        template=template,
        texts=tuple(texts),
        boxes=tuple(box_list),
        custom_boxes=custom,
        style=style,
        filters=flts,
        format=fmt,
        animated=bool(animated) and template.is_animated and fmt in ("gif", "webp"),
    )


def spec_from_meme(meme: Meme) -> MemeSpec:
    style = meme.style or {}
    boxes = (
        tuple(render.TextBox(**box) for box in meme.boxes)
        if meme.boxes
        else tuple(meme.template.text_boxes())
    )
    return MemeSpec(
        template=meme.template,
        texts=tuple(meme.texts),
        boxes=boxes,
        custom_boxes=bool(meme.boxes),
        style=render.Style(**{k: v for k, v in style.items() if k in render.Style.__dataclass_fields__}),
        filters=tuple(render.Filter(**flt) for flt in meme.filters),
        format=meme.format,
        animated=meme.template.is_animated and meme.format in ("gif", "webp"),
    )


# --- The store ------------------------------------------------------------------------------------


def rendered_name(key: str, size: str, fmt: str) -> str:
    return f"{RENDERED_DIR}/{key[:2]}/{key}-{size}.{EXTENSIONS[fmt]}"


@dataclass(frozen=True)
class StoredRender:
    name: str
    hit: bool  # True when the file was already stored (nothing was rendered)


_template_bytes: dict[tuple[int, str], bytes] = {}


def _template_data(template: MemeTemplate) -> bytes:
    """Template images are small and few; keep the bytes of the last 32 in memory."""
    key = (template.pk, template.image_hash or template.image.name)
    data = _template_bytes.get(key)
    if data is None:
        with template.image.open("rb") as handle:
            data = handle.read()
        if len(_template_bytes) >= 32:
            _template_bytes.pop(next(iter(_template_bytes)))
        _template_bytes[key] = data
    return data


def render_spec(spec: MemeSpec, size: str) -> render.Rendered:
    if size not in render.SIZES:
        raise ValidationError({"size": [f"Unknown size {size[:20]!r}; use {', '.join(render.SIZES)}."]})
    return render.render(
        render.RenderRequest(
            template=_template_data(spec.template),
            texts=spec.texts,
            boxes=spec.boxes,
            style=spec.style,
            filters=spec.filters,
            size=size,
            format=spec.format,
            animated=spec.animated,
        )
    )


def rendered_get_or_create(spec: MemeSpec, size: str, *, key: str | None = None) -> StoredRender:
    """The stored file of `spec` at `size`, rendered and stored first when missing."""
    key = key or spec.key
    name = rendered_name(key, size, spec.format)
    if default_storage.exists(name):
        return StoredRender(name, True)
    result = render_spec(spec, size)
    if default_storage.exists(name):  # another process stored it meanwhile
        return StoredRender(name, True)
    saved = default_storage.save(name, ContentFile(result.data))
    if saved != name:  # a concurrent save won the name; keep that one
        default_storage.delete(saved)
    return StoredRender(name, False)


# --- Renders made by the worker ---------------------------------------------------------------------


def spec_data(spec: MemeSpec) -> dict:
    """The spec as JSON for a task (``spec_from_data`` reads it back)."""
    return {
        "template_id": spec.template.pk,
        "texts": list(spec.texts),
        "boxes": [asdict(box) for box in spec.boxes],
        "custom_boxes": spec.custom_boxes,
        "style": asdict(spec.style),
        "filters": [asdict(flt) for flt in spec.filters],
        "format": spec.format,
        "animated": spec.animated,
    }


def spec_from_data(data: dict) -> MemeSpec:
    """Raises MemeTemplate.DoesNotExist when the template was deleted meanwhile."""
    return MemeSpec(
        template=MemeTemplate.objects.get(pk=data["template_id"]),
        texts=tuple(data["texts"]),
        boxes=tuple(render.TextBox(**box) for box in data["boxes"]),
        custom_boxes=bool(data["custom_boxes"]),
        style=render.Style(**data["style"]),
        filters=tuple(render.Filter(**flt) for flt in data["filters"]),
        format=data["format"],
        animated=bool(data["animated"]),
    )


def render_wait() -> float:
    """Seconds a web request waits for the worker's render before answering 202
    (settings.MEME_RENDER_WAIT)."""
    return float(getattr(settings, "MEME_RENDER_WAIT", 2.0))


def _queued_key(name: str) -> str:
    return f"memes:render:queued:{name}"


def _failed_key(name: str) -> str:
    return f"memes:render:failed:{name}"


def render_claim(name: str) -> bool:
    """True for the one caller that should queue the render of `name` (nobody has in the last
    ``RENDER_QUEUED_TTL`` seconds)."""
    return cache.add(_queued_key(name), 1, RENDER_QUEUED_TTL)


def render_release(name: str) -> None:
    """Forget that `name` was queued (the queue could not take it)."""
    cache.delete(_queued_key(name))


def render_is_queued(name: str) -> bool:
    return cache.get(_queued_key(name)) is not None


def render_failure(name: str) -> str:
    """Why the worker could not render `name` lately ("" when it did not fail)."""
    return cache.get(_failed_key(name)) or ""


def render_fail(name: str, message: str) -> None:
    """Keep why `name` could not be rendered, for the requests waiting for it."""
    cache.set(_failed_key(name), message, RENDER_FAILED_TTL)
    cache.delete(_queued_key(name))


def rendered_store_from_data(data: dict, size: str, key: str) -> str:
    """The worker's side: render and store the spec at `size` under `key` (nothing when it is
    stored already). A render that cannot be made leaves its reason for the waiting requests."""
    name = rendered_name(key, size, data["format"])
    try:
        if not default_storage.exists(name):
            rendered_get_or_create(spec_from_data(data), size, key=key)
    except MemeTemplate.DoesNotExist:
        render_fail(name, "The template no longer exists.")
    except (render.RenderError, ValidationError) as exc:
        render_fail(name, exc.messages[0] if isinstance(exc, ValidationError) else str(exc))
    finally:
        cache.delete(_queued_key(name))
    return name
