"""The brand's forms in the marketplace: the influencer search filters and the offer form (a
direct offer or an open call). Amounts are typed as decimals and become minor units here."""

from __future__ import annotations

from datetime import datetime

from django import forms
from django.core.exceptions import ValidationError

from apps.brands.models import Brand
from apps.core import vocabulary, zones
from apps.core.text import tags_normalise
from apps.posts.models import Post

from .models import InfluencerProfile
from .money import CURRENCIES, MAX_AMOUNT_MINOR, to_minor
from .selectors.brand import SORTS, InfluencerQuery

PLATFORM_CHOICES = [(p, vocabulary.platform_label(p)) for p in vocabulary.PLATFORMS]


def _tags(text: str) -> list[str]:
    return tags_normalise([t for t in (text or "").split(",") if t.strip()])


class InfluencerSearchForm(forms.Form):
    roles = forms.CharField(
        required=False,
        label="Audience roles",
        widget=forms.TextInput(attrs={"placeholder": "Founders, CTOs"}),
    )
    industries = forms.CharField(
        required=False, label="Industries", widget=forms.TextInput(attrs={"placeholder": "Fintech"})
    )
    geographies = forms.CharField(
        required=False, label="Geographies", widget=forms.TextInput(attrs={"placeholder": "UK, Germany"})
    )
    platform = forms.ChoiceField(required=False, choices=[("", "Any platform"), *PLATFORM_CHOICES])
    min_followers = forms.IntegerField(required=False, min_value=0, label="Followers at least")
    verified = forms.BooleanField(
        required=False,
        label="Verified counts only",
        widget=forms.CheckboxInput(
            attrs={"title": "Follower counts read from a linked account, on the chosen platform (any, else)."}
        ),
    )
    min_engagement = forms.DecimalField(
        required=False,
        min_value=0,
        max_value=100,
        decimal_places=2,
        label="Engagement from (%)",
        widget=forms.NumberInput(attrs={"placeholder": "2.5", "step": "0.1"}),
    )
    min_reputation = forms.DecimalField(
        required=False, min_value=0, max_value=100, decimal_places=2, label="Reputation at least"
    )
    fee_min = forms.CharField(
        required=False,
        max_length=24,
        label="Usual fee from",
        widget=forms.TextInput(
            attrs={"placeholder": "50", "inputmode": "decimal", "aria-describedby": "mk-fee-note"}
        ),
    )
    fee_max = forms.CharField(
        required=False,
        max_length=24,
        label="Usual fee up to",
        widget=forms.TextInput(
            attrs={"placeholder": "500", "inputmode": "decimal", "aria-describedby": "mk-fee-note"}
        ),
    )
    sort = forms.ChoiceField(required=False, choices=list(SORTS.items()))
    shortlisted = forms.BooleanField(required=False, label="Shortlisted only")

    def __init__(self, *args, currency: str = "EUR", default_sort: str = "reach", **kwargs):
        super().__init__(*args, **kwargs)
        self.currency = currency
        self.default_sort = default_sort
        self.fields["sort"].initial = default_sort
        if self.is_bound and not self.data.get("sort"):
            self.data = self.data.copy()
            self.data["sort"] = default_sort
        self.fields["fee_min"].label = f"Usual fee from ({currency})"
        self.fields["fee_max"].label = f"Usual fee up to ({currency})"
        # Shown once under the filters (the fields point to it), so the filter fields line up.
        self.fee_note = (
            f"Usual fees are in {currency}, your offers' currency. Fees are not converted: an "
            "influencer quoting another currency, or no fee, is left out once a fee is set."
        )

    def _fee(self, name: str) -> int | None:
        value = (self.cleaned_data.get(name) or "").strip()
        if not value:
            return None
        try:
            minor = to_minor(value, self.currency)
        except (ValueError, TypeError) as exc:
            raise ValidationError(str(exc)) from None
        if minor < 0:
            raise ValidationError("A fee cannot be negative.")
        if minor > MAX_AMOUNT_MINOR:
            raise ValidationError("That fee is too large.")
        return minor

    def clean_fee_min(self) -> int | None:
        return self._fee("fee_min")

    def clean_fee_max(self) -> int | None:
        return self._fee("fee_max")

    def clean(self):
        data = super().clean()
        low, high = data.get("fee_min"), data.get("fee_max")
        if low is not None and high is not None and low > high:
            self.add_error("fee_max", "The upper fee is below the lower one.")
        return data

    def query(self) -> InfluencerQuery:
        """The filters as typed, or none of them where the form is invalid (the errors show)."""
        data = self.cleaned_data if self.is_valid() else {}
        reputation, engagement = data.get("min_reputation"), data.get("min_engagement")
        return InfluencerQuery(
            roles=_tags(data.get("roles", "")),
            industries=_tags(data.get("industries", "")),
            geographies=_tags(data.get("geographies", "")),
            platform=data.get("platform") or "",
            min_followers=data.get("min_followers") or 0,
            verified_only=bool(data.get("verified")),
            min_engagement=float(engagement) / 100 if engagement is not None else None,
            min_reputation=float(reputation) if reputation is not None else None,
            min_fee_minor=data.get("fee_min"),
            max_fee_minor=data.get("fee_max"),
            fee_currency=self.currency,
            sort=data.get("sort") or self.default_sort,
            shortlisted_only=bool(data.get("shortlisted")),
        )


class OfferForm(forms.Form):
    DIRECT, OPEN_CALL = "direct", "open_call"

    post = forms.ModelChoiceField(queryset=Post.objects.none(), empty_label=None, label="Post to repost")
    kind = forms.ChoiceField(
        choices=[(DIRECT, "To chosen influencers"), (OPEN_CALL, "Open call")],
        widget=forms.RadioSelect,
        initial=DIRECT,
        label="Send",
    )
    influencers = forms.ModelMultipleChoiceField(
        queryset=InfluencerProfile.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Influencers",
    )
    fee = forms.CharField(max_length=24, label="Fee", help_text="For example 120.50")
    currency = forms.ChoiceField(choices=[(c, c) for c in CURRENCIES])
    deadline = forms.DateTimeField(
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        help_text="In the brand's time zone",
    )
    platform = forms.ChoiceField(choices=PLATFORM_CHOICES)
    tag_brand = forms.BooleanField(required=False, initial=True, label="The repost tags the brand")
    keep_link = forms.BooleanField(required=False, initial=True, label="The repost keeps the post's link")
    message = forms.CharField(required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    roles = forms.CharField(
        required=False,
        label="Audience roles",
        widget=forms.TextInput(attrs={"placeholder": "Founders, CTOs"}),
    )
    industries = forms.CharField(
        required=False, label="Industries", widget=forms.TextInput(attrs={"placeholder": "Fintech"})
    )
    geographies = forms.CharField(
        required=False, label="Geographies", widget=forms.TextInput(attrs={"placeholder": "UK, Germany"})
    )
    min_followers = forms.IntegerField(required=False, min_value=0, label="Followers at least")
    slots = forms.IntegerField(required=False, min_value=1, max_value=100, initial=1, label="Slots")

    def __init__(self, *args, brand: Brand, posts, influencers, **kwargs):
        super().__init__(*args, **kwargs)
        self.brand = brand
        self.fields["post"].queryset = posts
        self.fields["post"].label_from_instance = _post_label
        self.fields["influencers"].queryset = influencers
        self.fields["influencers"].label_from_instance = lambda p: f"{p.public_name} (@{p.slug})"
        self.fields["deadline"].help_text = f"In the brand's time zone ({brand.timezone})"

    def clean_deadline(self) -> datetime:
        value = self.cleaned_data["deadline"]
        # The browser sends a wall-clock time: it is the brand's, whatever the server's zone.
        naive = value.replace(tzinfo=None)
        return naive.replace(tzinfo=zones.zone(self.brand.timezone))

    def clean(self):
        data = super().clean()
        currency, fee = data.get("currency"), data.get("fee")
        if currency and fee:
            try:
                data["fee_minor"] = to_minor(fee, currency)
            except (ValueError, TypeError) as exc:
                self.add_error("fee", str(exc))
            else:
                if data["fee_minor"] <= 0:
                    self.add_error("fee", "The fee must be more than zero.")
        if data.get("kind") == self.DIRECT and not data.get("influencers"):
            self.add_error("influencers", "Choose at least one influencer, or send an open call.")
        if data.get("kind") == self.OPEN_CALL and not data.get("slots"):
            self.add_error("slots", "Open at least one slot.")
        return data

    def criteria(self) -> dict:
        data = self.cleaned_data
        return {
            "roles": _tags(data.get("roles", "")),
            "industries": _tags(data.get("industries", "")),
            "geographies": _tags(data.get("geographies", "")),
            "min_followers": data.get("min_followers") or 0,
        }

    # Service errors name the service's arguments; these are the form's fields for them.
    FIELD_FOR = {"fee_minor": "fee", "criteria": "roles"}

    def add_service_errors(self, exc: ValidationError) -> None:
        if not hasattr(exc, "error_dict"):
            self.add_error(None, exc)
            return
        for key, errors in exc.message_dict.items():
            name = self.FIELD_FOR.get(key, key)
            self.add_error(name if name in self.fields else None, errors)


def _post_label(post: Post) -> str:
    when = f"{post.published_at:%d %b %Y}" if post.published_at else "published"
    return f"{post.get_post_format_display()} · {when} (#{post.pk})"
