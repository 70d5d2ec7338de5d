"""Forms of the influencer portal: the profile editor, one follower count, answers to offers and
the collaboration thread."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from apps.core.forms import TagsField, TagsWidget
from apps.core.images import image_clean_upload

from .models import InfluencerProfile
from .money import CURRENCIES, MAX_AMOUNT_MINOR, from_minor, to_minor
from .selectors import PLATFORM_LABELS
from .services import (
    FOLLOWER_FORMATS,
    HANDLE_RULES,
    MAX_FOLLOWERS,
    PLATFORMS,
    follower_count_parse,
    influencer_handle_clean,
)

BIO_MAX = 1000


class BioField(forms.CharField):
    """Browsers count a line break as one character but send it as two (CRLF): count it as one."""

    def to_python(self, value):
        value = super().to_python(value)
        return value.replace("\r\n", "\n").replace("\r", "\n") if value else value


class FollowerCountField(forms.IntegerField):
    """A whole number as people type it: "12,400", "12.400", "12 400", "25k", "1.2M" are fine."""

    def to_python(self, value):
        if value in self.empty_values or (isinstance(value, str) and not value.strip()):
            return None
        try:
            return follower_count_parse(value)
        except ValidationError:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None


def follower_field(platform: str) -> FollowerCountField:
    return FollowerCountField(
        label=f"{PLATFORM_LABELS[platform]} followers",
        required=False,
        min_value=0,
        max_value=MAX_FOLLOWERS,
        error_messages={
            "invalid": FOLLOWER_FORMATS,
            "min_value": "A follower count cannot be negative.",
            "max_value": "Enter a follower count up to 2 billion.",
        },
    )


class InfluencerProfileForm(forms.Form):
    display_name = forms.CharField(
        label="Public name",
        max_length=80,
        help_text="The name brands see on your page: yours, or the one you create under.",
        error_messages={"required": "Give the name brands will see on your page."},
    )
    handle = forms.CharField(
        label="Handle",
        max_length=31,
        help_text=f"Your page's address. {HANDLE_RULES} Links to an old handle keep working.",
        error_messages={"required": "Choose a handle: it is the address of your public page."},
        widget=forms.TextInput(
            attrs={"autocapitalize": "none", "spellcheck": "false", "autocomplete": "off"}
        ),
    )
    photo = forms.FileField(
        label="Profile photo",
        required=False,
        help_text="PNG, JPEG or WebP, up to 5 MB. A square photo looks best.",
        widget=forms.FileInput(attrs={"accept": "image/png,image/jpeg,image/webp"}),
    )
    remove_photo = forms.BooleanField(label="Remove the current photo", required=False)
    bio = BioField(
        label="Bio",
        required=False,
        max_length=BIO_MAX,
        help_text="What you post about and who reads it. Brands read this first.",
        widget=forms.Textarea(attrs={"rows": 6, "placeholder": "I write about…"}),
    )
    audience_roles = TagsField(
        label="Audience roles",
        help_text="Who follows you, e.g. founders, CFOs, developers. Up to 20.",
        widget=TagsWidget(attrs={"placeholder": "Type a role, press Enter"}),
    )
    audience_industries = TagsField(
        label="Audience industries",
        help_text="e.g. fintech, education, SaaS. Up to 20.",
        widget=TagsWidget(attrs={"placeholder": "Type an industry, press Enter"}),
    )
    audience_geographies = TagsField(
        label="Audience geographies",
        help_text="Countries, regions or cities, e.g. UK, DACH, Lagos. Up to 20.",
        widget=TagsWidget(attrs={"placeholder": "Type a place, press Enter"}),
    )
    rate = forms.CharField(
        label="Usual fee per repost",
        required=False,
        max_length=30,
        help_text="What you usually charge for one repost, like 150 or 120.50. Brands can filter on it; "
        "each offer still sets its own fee. Leave empty to not show one.",
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off", "placeholder": "150"}),
    )
    rate_currency = forms.ChoiceField(
        label="Currency",
        required=False,
        choices=[("", "—"), *((c, c) for c in CURRENCIES)],
        help_text="ISO 4217, like EUR or USD. Brands paying in another currency do not see your fee compared.",
    )
    is_public = forms.BooleanField(
        label="Public profile",
        required=False,
        help_text="Anyone with the link can see your profile, and brands can find you. "
        "Turn it off to hide the page (it then shows “not found” to others).",
    )

    def __init__(self, *args, profile: InfluencerProfile, **kwargs):
        self.profile = profile
        kwargs.setdefault(
            "initial",
            {
                "display_name": profile.display_name,
                "handle": profile.slug,
                "bio": profile.bio,
                "audience_roles": profile.audience_roles,
                "audience_industries": profile.audience_industries,
                "audience_geographies": profile.audience_geographies,
                "is_public": profile.is_public,
                "rate": from_minor(profile.rate_minor, profile.rate_currency)
                if profile.rate_minor and profile.rate_currency
                else "",
                "rate_currency": profile.rate_currency,
            },
        )
        super().__init__(*args, **kwargs)
        for platform in PLATFORMS:
            field = follower_field(platform)
            entry = profile.follower_counts.get(platform) or {}
            field.initial = entry.get("count")
            if entry.get("verified"):
                # Read from a linked account: shown, never taken from the request.
                field.disabled = True
            self.fields[f"followers_{platform}"] = field

    def follower_fields(self):
        return [self[f"followers_{platform}"] for platform in PLATFORMS]

    def clean_handle(self):
        try:
            return influencer_handle_clean(handle=self.cleaned_data["handle"], profile=self.profile)
        except ValidationError as exc:
            raise ValidationError(exc.message_dict["handle"]) from None

    def clean(self):
        data = super().clean()
        typed, currency = (data.get("rate") or "").strip(), data.get("rate_currency") or ""
        if not typed:
            data["rate_minor"] = None
            return data
        if not currency:
            self.add_error("rate_currency", "Choose the currency of your fee.")
            return data
        try:
            minor = to_minor(typed, currency)
        except ValueError as exc:
            self.add_error("rate", str(exc))
            return data
        if minor <= 0:
            self.add_error("rate", "The fee must be more than zero.")
        elif minor > MAX_AMOUNT_MINOR:
            self.add_error("rate", "That fee is too large.")
        else:
            data["rate_minor"] = minor
        return data

    def clean_photo(self):
        upload = self.cleaned_data.get("photo")
        if not upload:
            return None
        # Checked here too, so a bad photo is reported together with any other field's error.
        # The service validates again; it gets the re-encoded file, already safe and small.
        return image_clean_upload(upload, name="photo").content

    def follower_changes(self) -> dict[str, int]:
        """Counts to save: only those typed in and different from what is stored.

        An emptied count that was there before becomes 0, which hides the platform on the
        public page.
        """
        changes = {}
        for platform in PLATFORMS:
            name = f"followers_{platform}"
            if self.fields[name].disabled:
                continue
            value = self.cleaned_data.get(name)
            current = (self.profile.follower_counts.get(platform) or {}).get("count")
            if value is None:
                if current:
                    changes[platform] = 0
            elif value != current:
                changes[platform] = value
        return changes


class FollowerCountForm(forms.Form):
    """One platform's count, saved inline from the editor (field named as in the full form)."""

    def __init__(self, *args, platform: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.platform = platform
        field = follower_field(platform)
        field.required = True
        field.error_messages["required"] = "Enter a number (0 if you're not on this platform)."
        self.fields[f"followers_{platform}"] = field

    @property
    def count(self) -> int:
        return self.cleaned_data[f"followers_{self.platform}"]


# --- The influencer's answers to offers, and the collaboration thread ---------------------------


class AcceptForm(forms.Form):
    """No fields: it carries what the service says against accepting, shown above the answers."""


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label="Why not?",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The brand sees this, so it can send better offers.",
        error_messages={"required": "Say in a few words why, so the brand can do better."},
    )


class CounterForm(forms.Form):
    """Another fee, typed as people type money ("120.50"); stored in the currency's minor unit."""

    fee = forms.CharField(
        label="Your fee",
        max_length=30,
        error_messages={"required": "Type the fee you would take, like 120.50."},
    )

    def __init__(self, *args, currency: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.currency = currency
        self.fields[
            "fee"
        ].help_text = f"In {currency}. One counter-offer per offer: the brand accepts or declines it."
        self.fields["fee"].widget.attrs.update({"inputmode": "decimal", "autocomplete": "off"})

    def clean_fee(self) -> int:
        try:
            return to_minor(self.cleaned_data["fee"], self.currency)
        except ValueError as exc:
            raise ValidationError(str(exc)) from None


class ApplyForm(forms.Form):
    message = forms.CharField(
        label="Message to the brand",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Why your audience fits this post (optional).",
    )


class MessageForm(forms.Form):
    body = forms.CharField(
        label="Message",
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Write a message first."},
    )
