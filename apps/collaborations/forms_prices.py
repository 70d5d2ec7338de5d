"""The brand's prices for valuing what collaborations deliver (CPM and CPE), typed as decimals in
the chosen currency and turned into minor units here."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from .money import CURRENCIES, currency_clean, from_minor, to_minor


class PricesForm(forms.Form):
    currency = forms.CharField(
        max_length=3,
        label="Currency",
        help_text="ISO 4217, like EUR. ROI is computed for collaborations whose fee is in this currency.",
        error_messages={"required": "Choose the currency of your prices, like EUR."},
        widget=forms.TextInput(attrs={"list": "currency-codes", "autocomplete": "off", "size": 5}),
    )
    cpm = forms.CharField(
        max_length=24,
        label="Value of 1,000 impressions (CPM)",
        error_messages={"required": "Type what 1,000 impressions are worth to you, like 8.00."},
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    cpe = forms.CharField(
        max_length=24,
        label="Value of one engagement (CPE)",
        help_text="A like, reply, repost or quote.",
        error_messages={"required": "Type what one engagement is worth to you, like 0.30."},
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )

    currencies = CURRENCIES

    @classmethod
    def initial_for(cls, *, currency: str, cpm_minor: int, cpe_minor: int) -> dict:
        return {
            "currency": currency,
            "cpm": str(from_minor(cpm_minor, currency)),
            "cpe": str(from_minor(cpe_minor, currency)),
        }

    def clean_currency(self) -> str:
        try:
            return currency_clean(self.cleaned_data["currency"])
        except ValueError as exc:
            raise ValidationError(str(exc)) from None

    def _price(self, name: str) -> int | None:
        currency = self.cleaned_data.get("currency")
        if not currency:
            return None  # the currency's own error says what to fix first
        try:
            value = to_minor(self.cleaned_data[name], currency)
        except ValueError as exc:
            raise ValidationError(str(exc)) from None
        if value < 0:
            raise ValidationError("A price cannot be negative.")
        return value

    def clean_cpm(self) -> int | None:
        return self._price("cpm")

    def clean_cpe(self) -> int | None:
        return self._price("cpe")
