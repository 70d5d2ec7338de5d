"""The composer's form: the common text, where it goes, each platform's own text, the X thread's
tweets, an optional trend of the brand's, and a planned time in the brand's time zone."""

from __future__ import annotations

from datetime import UTC, datetime

from django import forms

from apps.core import zones
from apps.core.vocabulary import platform_label

from .composer import COMPOSER_PLATFORMS, TEXT_MAX, ComposerDraft

PLATFORM_CHOICES = [(p, platform_label(p)) for p in COMPOSER_PLATFORMS]


class ComposerForm(forms.Form):
    text = forms.CharField(
        label="Text",
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 7, "placeholder": "What do you want to say?"}),
    )
    platforms = forms.MultipleChoiceField(
        label="Post to",
        choices=PLATFORM_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Pick where the post goes: X, LinkedIn or Sandbox.",
            "invalid_choice": "Unknown platform: %(value)s. Pick X, LinkedIn or Sandbox.",
        },
    )
    override_x = forms.CharField(
        label="Own text for X",
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3, "data-count": "x", "data-limit": "280"}),
    )
    override_linkedin = forms.CharField(
        label="Own text for LinkedIn",
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 5, "data-count": "chars", "data-limit": "3000"}),
    )
    override_sandbox = forms.CharField(
        label="Own text for the Sandbox",
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3, "data-count": "x", "data-limit": "280"}),
    )
    trend = forms.TypedChoiceField(
        label="Trend (optional)", choices=[("", "No trend")], coerce=int, empty_value=None, required=False
    )
    planned_for = forms.DateTimeField(
        label="When (optional)",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        help_text="Where the calendar starts when you schedule it.",
    )

    def __init__(self, *args, brand, trends=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.brand = brand
        self.trends = {t.pk: t for t in trends}
        self.fields["trend"].choices = [("", "No trend"), *((t.pk, t.title[:90]) for t in trends)]
        self.thread = [
            t for t in (self.data.getlist("thread") if self.is_bound else self.initial.get("thread", []))
        ]

    def clean_planned_for(self):
        value: datetime | None = self.cleaned_data.get("planned_for")
        if value is None:
            return None
        local = value.replace(tzinfo=None)
        zone = zones.zone(self.brand.timezone)
        aware = local.replace(tzinfo=zone)
        # A time the clocks skip does not exist; say so instead of moving it silently.
        round_trip = aware.astimezone(UTC).astimezone(zone).replace(tzinfo=None)
        if round_trip != local:
            raise forms.ValidationError(
                "That time does not exist in the brand's time zone (the clocks skip it)."
            )
        return aware

    def draft(self) -> ComposerDraft:
        data = self.cleaned_data
        return ComposerDraft(
            text=data.get("text") or "",
            platforms=list(data.get("platforms") or []),
            overrides={
                p: data.get(f"override_{p}") or ""
                for p in COMPOSER_PLATFORMS
                if (data.get(f"override_{p}") or "").strip()
            },
            thread=[t for t in self.thread if isinstance(t, str)],
            trend=self.trends.get(data.get("trend")) if data.get("trend") else None,
            planned_for=data.get("planned_for"),
        )


def composer_initial(draft: ComposerDraft, *, tz_name: str) -> dict:
    initial = {
        "text": draft.text,
        "platforms": draft.platforms,
        "trend": draft.trend.pk if draft.trend is not None else "",
        "thread": draft.thread,
    }
    for platform, text in draft.overrides.items():
        initial[f"override_{platform}"] = text
    if draft.planned_for is not None:
        initial["planned_for"] = draft.planned_for.astimezone(zones.zone(tz_name)).replace(tzinfo=None)
    return initial
