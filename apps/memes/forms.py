"""The meme maker's fields (texts, style, filters, size, format, public) read from a query or a
post and checked with ``generation.spec_from_input``; and the template upload form."""

from __future__ import annotations

import json

from django import forms
from django.core.exceptions import ValidationError
from django.http import QueryDict

from apps.core.api import validation_messages
from apps.memes import generation, render, services
from apps.memes.captions import box_labels
from apps.memes.models import MemeTemplate

# Filters the maker offers, in the order they are applied; the ones with a value take it from the
# field of the same name (blur radius, brightness and contrast factors).
FILTER_LABELS = {
    "blur": "Blur",
    "sharpen": "Sharpen",
    "edges": "Edges",
    "grayscale": "Grayscale",
    "sepia": "Sepia",
    "brightness": "Brightness",
    "contrast": "Contrast",
}
FILTER_DEFAULTS = {"blur": "2", "brightness": "1.3", "contrast": "1.3"}
SIZE_LABELS = {"thumbnail": "Thumbnail", "medium": "Medium", "full": "Full"}
SIZE_HELP = "Thumbnail is 320 px wide, medium 640 px, full the template's own size (at most 2048 px)."
FORMAT_LABELS = {"jpeg": "JPEG", "png": "PNG", "webp": "WebP", "gif": "GIF"}
ALIGN_LABELS = {"": "As the template", "left": "Left", "center": "Center", "right": "Right"}
# Where each error of spec_from_input / meme_create is shown in the maker.
ERROR_SLOTS = (
    "texts",
    "font",
    "fill",
    "stroke",
    "effect",
    "align",
    "filters",
    "size",
    "format",
    "is_public",
    "general",
)


def _slot(key: str) -> str:
    head = key.split(".", 1)[0].split("[", 1)[0]
    return head if head in ERROR_SLOTS else "general"


class MemeMakerForm:
    """What the maker sends, kept as typed (so a page with errors shows everything again) and
    checked as a whole: ``is_valid()`` fills ``spec`` or ``errors`` ({slot: [messages]})."""

    def __init__(self, data: QueryDict | None = None, *, template: MemeTemplate, public=None):
        self.template = template
        self.boxes = template.text_boxes()
        self.box_count = len(self.boxes)
        data = data if data is not None else QueryDict()
        self.texts = [t[: generation.MAX_TEXT_LENGTH * 2] for t in data.getlist("text")]
        self.font = data.get("font") or "impact"
        self.fill = data.get("fill") or "#FFFFFF"
        self.stroke = data.get("stroke") or "#000000"
        self.effect = data.get("effect") or "outline"
        self.align = data.get("align") or ""
        self.filters = [name for name in FILTER_LABELS if name in data.getlist("filter")]
        self.filter_values = {name: data.get(name) or FILTER_DEFAULTS[name] for name in FILTER_DEFAULTS}
        self.size = data.get("size") or "medium"
        self.format = (data.get("format") or ("gif" if template.is_animated else "jpeg")).lower()
        pending = template.status != MemeTemplate.Status.APPROVED
        self.is_public = (not pending) if public is None else bool(public)
        self.spec: generation.MemeSpec | None = None
        self.errors: dict[str, list[str]] = {}

    @property
    def text_fields(self) -> list[dict]:
        """One input per text box, labelled Top/Bottom (or Left/Right, or Text 1..n)."""
        labels = box_labels(self.box_count, self.boxes)
        values = self.texts + [""] * (self.box_count - len(self.texts))
        return [
            {"index": i, "label": labels[i], "value": values[i], "id": f"maker-text-{i}"}
            for i in range(self.box_count)
        ]

    @property
    def filter_args(self) -> list[str]:
        out = []
        for name in self.filters:
            value = self.filter_values.get(name)
            out.append(f"{name}:{value}" if value else name)
        return out

    @property
    def has_text(self) -> bool:
        return any(t.strip() for t in self.texts)

    def add_error(self, key: str, messages) -> None:
        self.errors.setdefault(_slot(key), []).extend(messages)

    def is_valid(self) -> bool:
        self.errors = {}
        if self.size not in render.SIZES:
            self.add_error("size", [f"Unknown size {self.size[:20]!r}; use {', '.join(render.SIZES)}."])
        try:
            self.spec = generation.spec_from_input(
                template=self.template,
                texts=self.texts,
                font=self.font,
                fill=self.fill,
                stroke=self.stroke,
                effect=self.effect,
                align=self.align,
                filters=self.filter_args,
                format=self.format,
            )
        except ValidationError as exc:
            self.spec = None
            for key, messages in validation_messages(exc).items():
                self.add_error(key, messages)
        return not self.errors

    @property
    def only_missing_text(self) -> bool:
        """Nothing typed yet and nothing else wrong: a blank template, not an error."""
        return not self.has_text and set(self.errors) == {"texts"}

    def preview_size(self) -> str:
        return "thumbnail" if self.size == "thumbnail" else "medium"


# --- Uploads ----------------------------------------------------------------------------------------


class TemplateUploadForm(forms.Form):
    image = forms.FileField(
        label="Image",
        help_text=(
            "JPEG, PNG, GIF or WebP, at most 20 MB. Animated GIFs and WebPs stay animated; "
            "a very large one is scaled down to fit what a render may use."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/gif,image/webp"}),
    )
    name = forms.CharField(
        label="Name",
        max_length=120,
        widget=forms.TextInput(attrs={"placeholder": "e.g. Surprised cat", "autocomplete": "off"}),
    )
    tags = forms.CharField(
        label="Tags",
        required=False,
        max_length=300,
        help_text="Words people would search for, separated by commas.",
        widget=forms.TextInput(attrs={"data-tags": "", "placeholder": "Type a tag and press Enter"}),
    )
    boxes = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, too_large: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.too_large = too_large

    def _too_large_message(self) -> str:
        return f"The file is larger than {services.MAX_FILE_BYTES // (1024 * 1024)} MB."

    def clean_image(self):
        upload = self.cleaned_data.get("image")
        # The size is known before the file is read; a file this large is never read into memory.
        if upload is not None and upload.size > services.MAX_FILE_BYTES:
            raise ValidationError(self._too_large_message())
        return upload

    def full_clean(self):
        super().full_clean()
        if self.is_bound and self.too_large:
            # The upload handler stopped reading at the limit and dropped the file, so the field
            # saw none: say why instead of "This field is required".
            self.errors.pop("image", None)
            self.add_error("image", self._too_large_message())

    def clean_boxes(self):
        raw = (self.cleaned_data.get("boxes") or "").strip()
        if not raw:
            return []
        try:
            boxes = json.loads(raw)
        except ValueError:
            raise ValidationError("The text boxes could not be read; place them again.") from None
        if not isinstance(boxes, list):
            raise ValidationError("The text boxes could not be read; place them again.")
        if len(boxes) > generation.MAX_BOXES:
            raise ValidationError(f"At most {generation.MAX_BOXES} text boxes are allowed.")
        return boxes

    def clean_tags(self):
        tags = [t.strip() for t in (self.cleaned_data.get("tags") or "").split(",") if t.strip()]
        if len(tags) > 12:
            raise ValidationError(f"At most 12 tags; you gave {len(tags)}.")
        return tags
