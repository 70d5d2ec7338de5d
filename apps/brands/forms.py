"""Forms of the brand pages: one per onboarding step (the settings page reuses them), members,
invitations and deleting a brand.

The forms parse what the browser sends; the services decide what is valid, so a rule lives in
one place and its message appears next to the field it is about.
"""

from __future__ import annotations

import zoneinfo
from functools import lru_cache

from django import forms
from django.utils.html import format_html

from apps.core.forms import TagsField
from apps.core.images import MAX_UPLOAD_BYTES
from apps.core.text import tags_clean

from .models import Brand, Industry, MembershipRole, Tone
from .services import (
    MAX_BANNED_TOPICS,
    MAX_NEGATIVE_TOPICS,
    MAX_PILLARS,
    MAX_TAGS,
    MAX_TOPIC_LENGTH,
    MAX_VOICE_SAMPLES,
)

WEEKDAYS = [(0, "Mon"), (1, "Tue"), (2, "Wed"), (3, "Thu"), (4, "Fri"), (5, "Sat"), (6, "Sun")]
WEEKDAY_NAMES = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


@lru_cache(maxsize=1)
def timezone_choices() -> list[tuple[str, str]]:
    return [(name, name.replace("_", " ")) for name in sorted(zoneinfo.available_timezones())]


class BrandCreateForm(forms.Form):
    name = forms.CharField(
        max_length=120,
        label="Brand name",
        error_messages={"required": "Enter your brand's name."},
        widget=forms.TextInput(attrs={"placeholder": "e.g. Northwind Analytics", "autofocus": True}),
    )


# --- Repeated inputs of one name (pillars, past posts) ----------------------------------------


class RepeatedInput(forms.Widget):
    """Several inputs sharing one name; the template draws them, this reads them all back."""

    def value_from_datadict(self, data, files, name):
        if hasattr(data, "getlist"):
            return data.getlist(name)
        value = data.get(name)
        return value if isinstance(value, list | tuple) else [value] if value else []

    def value_omitted_from_data(self, data, files, name):
        return False


class RepeatedField(forms.Field):
    """A list of texts; blank entries are dropped. Limits are the service's to enforce."""

    widget = RepeatedInput

    def __init__(self, *, max_items: int, **kwargs):
        self.max_items = max_items
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def to_python(self, value):
        if isinstance(value, str):
            value = [value]
        return [str(item).strip() for item in value or [] if item and str(item).strip()]


class BrandStepForm(forms.Form):
    """A form for one part of the brand profile, filled from the brand when unbound."""

    def __init__(self, *args, brand: Brand, **kwargs):
        self.brand = brand
        kwargs.setdefault("initial", self.initial_for(brand))
        super().__init__(*args, **kwargs)

    def initial_for(self, brand: Brand) -> dict:
        return {}


class RepeatedStepForm(BrandStepForm):
    """Pillars and past posts: show the saved items, then room for more up to the limit."""

    list_field = ""
    min_rows = 1

    def rows(self, extra: int = 0) -> list[str]:
        field = self.fields[self.list_field]
        if self.is_bound:
            values = [v for v in (self[self.list_field].value() or []) if v and v.strip()]
        else:
            values = list(self.initial.get(self.list_field) or [])
        count = max(len(values) + extra, self.min_rows)
        count = max(min(count, field.max_items), len(values))
        return values + [""] * (count - len(values))

    @property
    def max_items(self) -> int:
        return self.fields[self.list_field].max_items


# --- The onboarding steps -----------------------------------------------------------------------


class NameForm(BrandStepForm):
    name = forms.CharField(
        label="Brand name",
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "e.g. Northwind Analytics", "maxlength": 120}),
    )

    def initial_for(self, brand):
        return {"name": brand.name}


class IndustryForm(BrandStepForm):
    """The industry: a radio card per active industry (a search box filters them when JavaScript
    runs), or its name typed in, and optionally the brand's own words for it."""

    industry = forms.CharField(label="Industry", required=False)
    industry_description = forms.CharField(
        label="Describe your industry",
        required=False,
        max_length=300,
        help_text="Optional, in your own words. Trends close to them count as your industry's too; "
        "with Other, they are what trends are matched to.",
        widget=forms.TextInput(
            attrs={"placeholder": "e.g. Specialty coffee roasting and cafés for offices", "maxlength": 300}
        ),
    )

    def __init__(self, *args, industries=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.industries = (
            list(industries) if industries is not None else list(Industry.objects.filter(is_active=True))
        )

    def initial_for(self, brand):
        return {"industry": brand.industry_id, "industry_description": brand.industry_description}

    def clean_industry(self):
        """The chosen industry's id: from a radio card (its id) or a typed name or slug."""
        value = " ".join(str(self.cleaned_data.get("industry") or "").split())
        if value.isdigit():
            return int(value)
        match = next((i for i in self.industries if value.lower() in (i.name.lower(), i.slug.lower())), None)
        return match.pk if match else None

    def clean_industry_description(self):
        return " ".join((self.cleaned_data.get("industry_description") or "").split())

    def selected(self) -> str:
        value = self["industry"].value()
        return str(value) if value not in (None, "") else ""


class IdentityForm(BrandStepForm):
    logo = forms.FileField(
        label="Logo",
        required=False,
        help_text="PNG, JPEG or WebP, up to 5 MB. Square logos look best.",
        widget=forms.FileInput(attrs={"accept": "image/png,image/jpeg,image/webp"}),
    )
    remove_logo = forms.BooleanField(label="Remove the current logo", required=False)
    # With JavaScript the logo travels once, with the colour suggestions; the form then sends the
    # token the server kept it under instead of the file (a file sent with the form still wins).
    logo_token = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)
    primary_color = forms.CharField(
        label="Primary colour",
        required=False,
        widget=forms.TextInput(
            attrs={"placeholder": "#4F46E5", "maxlength": 7, "spellcheck": "false", "data-color-text": ""}
        ),
    )
    secondary_color = forms.CharField(
        label="Secondary colour",
        required=False,
        widget=forms.TextInput(
            attrs={"placeholder": "#0EA5E9", "maxlength": 7, "spellcheck": "false", "data-color-text": ""}
        ),
    )
    # The colour pickers beside the hex fields. With JavaScript they mirror each other; without
    # it a changed picker wins over a hex field left as it was.
    primary_color_picker = forms.CharField(required=False)
    secondary_color_picker = forms.CharField(required=False)

    def initial_for(self, brand):
        return {"primary_color": brand.primary_color, "secondary_color": brand.secondary_color}

    @property
    def logo_max_bytes(self) -> int:
        """The upload limit the browser checks before sending a logo (the server checks again)."""
        return MAX_UPLOAD_BYTES

    def clean(self):
        cleaned = super().clean()
        for name in ("primary_color", "secondary_color"):
            text = (cleaned.get(name) or "").strip()
            picker = (cleaned.get(f"{name}_picker") or "").strip()
            unchanged = text.upper() == str(self.initial.get(name) or "").upper()
            if picker and unchanged and picker.upper() != text.upper():
                text = picker
            cleaned[name] = text
        return cleaned

    @property
    def primary_picker(self) -> str:
        return self.picker_value("primary_color")

    @property
    def secondary_picker(self) -> str:
        return self.picker_value("secondary_color")

    def picker_value(self, name: str) -> str:
        """A value an <input type=color> accepts (lower-case #rrggbb), even for a bad entry."""
        value = str(self[name].value() or "")
        if len(value) == 7 and value.startswith("#"):
            try:
                int(value[1:], 16)
                return value.lower()
            except ValueError:
                pass
        return str(getattr(self.brand, name) or "#000000").lower()


class TopicsField(TagsField):
    """Tags that are topics: the messages say "topic" (“At most 5 topics”)."""

    def validate(self, value):
        tags_clean(value, max_items=self.max_tags, max_length=self.max_length_each, what="topic")


class PillarsForm(RepeatedStepForm):
    """The pillars, and the topics to keep out: what the brand stands for and what it does not."""

    list_field = "pillars"
    min_rows = 3
    pillars = RepeatedField(label="Messaging pillars", max_items=MAX_PILLARS)
    negative_topics = TopicsField(
        label="Not about",
        max_tags=MAX_NEGATIVE_TOPICS,
        max_length_each=MAX_TOPIC_LENGTH,
        help_text=f"Up to {MAX_NEGATIVE_TOPICS} topics that sound like yours but are not. Trends close to "
        "these are held back from your recommendations. A payroll brand might add "
        "“sports team payrolls”.",
    )
    banned_topics = TopicsField(
        label="Never mention",
        max_tags=MAX_BANNED_TOPICS,
        max_length_each=MAX_TOPIC_LENGTH,
        help_text=f"Up to {MAX_BANNED_TOPICS} words or topics. Posts never mention these, and trends "
        "close to them are held back.",
    )
    TOPIC_FIELDS = ("negative_topics", "banned_topics")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["negative_topics"].widget.attrs["placeholder"] = "e.g. sports team payrolls"
        self.fields["banned_topics"].widget.attrs["placeholder"] = "e.g. crypto"

    def initial_for(self, brand):
        return {
            "pillars": list(brand.pillars or []),
            "negative_topics": list(brand.negative_topics or []),
            "banned_topics": list(brand.banned_topics or []),
        }

    def clean(self):
        """A request that leaves the topic fields out (only pillars posted) keeps them: None."""
        cleaned = super().clean()
        for name in self.TOPIC_FIELDS:
            widget = self.fields[name].widget
            if widget.value_omitted_from_data(self.data, self.files, self.add_prefix(name)):
                cleaned[name] = None
        return cleaned


class AudienceForm(BrandStepForm):
    roles = TagsField(
        label="Roles you want to reach",
        max_tags=MAX_TAGS,
        help_text="Job titles or groups, e.g. CFO, founders, HR leads.",
    )
    geographies = TagsField(
        label="Geographies",
        max_tags=MAX_TAGS,
        help_text="Countries, regions or cities. Leave empty for anywhere.",
    )
    company_sizes = TagsField(
        label="Company sizes",
        max_tags=MAX_TAGS,
        help_text="e.g. 1-10, 11-50, 51-200, 200+. Leave empty for any size.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        placeholders = {
            "roles": "e.g. CFO — press Enter after each",
            "geographies": "e.g. Germany",
            "company_sizes": "e.g. 11-50",
        }
        for name, text in placeholders.items():
            self.fields[name].widget.attrs["placeholder"] = text

    def initial_for(self, brand):
        return {
            "roles": list(brand.audience_roles or []),
            "geographies": list(brand.audience_geographies or []),
            "company_sizes": list(brand.audience_company_sizes or []),
        }


class AccountsForm(BrandStepForm):
    """Connecting accounts happens through OAuth elsewhere; this step only moves on."""


class VoiceForm(RepeatedStepForm):
    list_field = "samples"
    min_rows = 2
    samples = RepeatedField(label="Past posts", max_items=MAX_VOICE_SAMPLES)

    def initial_for(self, brand):
        return {"samples": list(brand.voice_samples or [])}


class PreferencesForm(BrandStepForm):
    posts_per_week = forms.CharField(
        label="Posts per week",
        required=False,
        widget=forms.NumberInput(attrs={"min": 1, "max": 28, "step": 1, "inputmode": "numeric"}),
    )
    preferred_days = forms.MultipleChoiceField(
        label="Preferred days",
        required=False,
        choices=WEEKDAYS,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Pick days of the week."},
    )
    time_windows = TagsField(
        label="Time windows",
        max_tags=12,
        help_text="When posts may go out, in the brand's time zone, e.g. 09:00-11:00.",
    )
    timezone = forms.CharField(label="Time zone", required=False)
    default_tone = forms.CharField(
        label="Default tone",
        required=False,
        widget=forms.RadioSelect(choices=Tone.choices),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["timezone"].widget = forms.Select(choices=timezone_choices())
        self.fields["time_windows"].widget.attrs["placeholder"] = "e.g. 09:00-11:00"
        if not self.is_bound and self.brand.timezone == "UTC":
            # Not chosen yet: the page preselects the browser's zone (static/js/onboarding.js).
            self.fields["timezone"].widget.attrs["data-browser-timezone"] = ""

    def initial_for(self, brand):
        days = list(brand.preferred_days or [])
        windows = list(brand.preferred_time_windows or [])
        if not brand.is_onboarded:
            # Sensible starting points for a first setup; the brand changes them freely.
            days = days or [0, 1, 2, 3, 4]
            windows = windows or ["09:00-11:00"]
        return {
            "posts_per_week": brand.posts_per_week,
            "preferred_days": [str(d) for d in days],
            "time_windows": windows,
            "timezone": brand.timezone,
            "default_tone": brand.default_tone,
        }


TONE_HINTS = {
    Tone.PROFESSIONAL: "Clear, credible, to the point.",
    Tone.FRIENDLY: "Warm and approachable.",
    Tone.WITTY: "Clever, light, a little playful.",
    Tone.BOLD: "Confident takes, strong opinions.",
    Tone.EDUCATIONAL: "Explains and teaches.",
    Tone.INSPIRATIONAL: "Uplifting, big-picture.",
}


# --- Members, invitations, deletion ---------------------------------------------------------


class InviteForm(forms.Form):
    email = forms.EmailField(
        label="Email address",
        error_messages={"required": "Enter an email address.", "invalid": "Enter a valid email address."},
        widget=forms.EmailInput(attrs={"placeholder": "name@company.com", "autocomplete": "off"}),
    )
    role = forms.ChoiceField(label="Role", choices=MembershipRole.choices, initial=MembershipRole.EDITOR)


class MemberRoleForm(forms.Form):
    role = forms.ChoiceField(label="Role", choices=MembershipRole.choices)


class BrandDeleteForm(forms.Form):
    confirm_name = forms.CharField(
        label="Brand name",
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def __init__(self, *args, brand: Brand, **kwargs):
        self.brand = brand
        super().__init__(*args, **kwargs)
        self.fields["confirm_name"].widget.attrs["data-confirm-name"] = brand.name
        # The shared field template marks help text safe: escape the brand's name here.
        self.fields["confirm_name"].help_text = format_html("Type “{}” to confirm.", brand.name)

    def clean_confirm_name(self):
        value = (self.cleaned_data.get("confirm_name") or "").strip()
        if value != self.brand.name:
            raise forms.ValidationError(f"Type “{self.brand.name}” exactly to delete the brand.")
        return value
