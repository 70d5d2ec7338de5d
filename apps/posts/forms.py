"""Forms of the post pages: generate from a trend, edit one platform's copy, regenerate, reject."""

from __future__ import annotations

from django import forms

from apps.brands.models import Tone
from apps.core.vocabulary import NETWORKS, format_on, platform_label
from apps.integrations.images.base import LAYOUTS

from .limits import slide_join
from .models import PostFormat, PostStatus

PLATFORM_CHOICES = [(platform, platform_label(platform)) for platform in NETWORKS]


def format_mapping_notes(platforms, post_format: str) -> list[str]:
    """What the generator will make instead, for each platform that lacks the picked format."""
    notes = []
    for platform in platforms:
        made = format_on(platform, post_format)
        if made != post_format:
            notes.append(f"{platform_label(platform)} has no {post_format}: it gets a {made}.")
    return notes


class GenerateForm(forms.Form):
    platforms = forms.MultipleChoiceField(
        choices=PLATFORM_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Pick X, LinkedIn or both."},
    )
    post_format = forms.ChoiceField(
        label="Format", choices=PostFormat.choices, widget=forms.RadioSelect, initial=PostFormat.POST
    )
    tone = forms.ChoiceField(choices=Tone.choices, widget=forms.RadioSelect)


class RejectForm(forms.Form):
    reason = forms.CharField(
        label="Why not?",
        max_length=2000,
        widget=forms.TextInput(attrs={"placeholder": "Too salesy, wrong angle, off-brand…"}),
        error_messages={"required": "Say why, so the next version can do better."},
    )


class RegenerateForm(forms.Form):
    platform = forms.ChoiceField(choices=PLATFORM_CHOICES, required=False)
    tone = forms.ChoiceField(choices=[("", "Same tone"), *Tone.choices], required=False)
    graphics = forms.BooleanField(required=False)
    layout = forms.ChoiceField(
        choices=[("", "Any layout"), *[(name, name.capitalize()) for name in LAYOUTS]], required=False
    )


class FilterForm(forms.Form):
    status = forms.ChoiceField(choices=[("", "Any status"), *PostStatus.choices], required=False)
    platform = forms.ChoiceField(choices=[("", "Any platform"), *PLATFORM_CHOICES], required=False)
    trend = forms.TypedChoiceField(choices=[("", "Any trend")], coerce=int, empty_value=None, required=False)

    def __init__(self, *args, trends=(), **kwargs):
        super().__init__(*args, **kwargs)
        # The trends this brand has posts about (an old trend link still filters if it is one).
        self.fields["trend"].choices = [("", "Any trend"), *((t.pk, t.title[:80]) for t in trends)]


def copy_from_post(data, *, post_format: str) -> tuple[list[str], str | None]:
    """The parts (and a carousel's caption) of one platform's copy from its edit form: `parts`
    (one text, or a thread's tweets), or a carousel's `headline`/`body` pairs with `caption`."""
    if post_format == "carousel":
        headlines, bodies = data.getlist("headline"), data.getlist("body")
        slides = [
            slide_join(h, b) if b.strip() else h.strip()
            for h, b in zip(headlines, bodies, strict=False)
            if h.strip() or b.strip()
        ]
        return slides, data.get("caption", "")
    return data.getlist("parts"), None


class RequestChangesForm(forms.Form):
    note = forms.CharField(
        label="What should change?",
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Say what should change."},
    )


class CommentForm(forms.Form):
    body = forms.CharField(
        label="Comment",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "Write a comment; @name mentions a member"}),
        error_messages={"required": "Write a comment first."},
    )


class GuestCommentForm(CommentForm):
    name = forms.CharField(
        label="Your name",
        max_length=80,
        error_messages={"required": "Give your name, so the brand knows who wrote it."},
    )

    field_order = ["name", "body"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].widget.attrs["placeholder"] = "What do you think of this post?"


class PreviewLinkForm(forms.Form):
    days = forms.IntegerField(
        label="Valid for (days)",
        min_value=1,
        max_value=30,
        initial=7,
        error_messages={
            "min_value": "A link is valid for 1 to 30 days.",
            "max_value": "A link is valid for 1 to 30 days.",
            "invalid": "Give a number of days.",
            "required": "Give a number of days.",
        },
    )
