"""An influencer's usual fee per repost, as they type it on their profile (search filters on it)."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from ..models import InfluencerProfile
from ..money import MAX_AMOUNT_MINOR, currency_clean

__all__ = ["influencer_rate_set"]


def influencer_rate_set(
    *, profile: InfluencerProfile, rate_minor: int | None, currency: str
) -> InfluencerProfile:
    """Set (or, with `rate_minor` None, clear) the usual fee: a positive amount in minor units of a
    known ISO 4217 currency. Bad input raises ValidationError naming the field, and changes nothing."""
    if rate_minor is None:
        if profile.rate_minor is None and not profile.rate_currency:
            return profile
        profile.rate_minor, profile.rate_currency = None, ""
    else:
        try:
            code = currency_clean(currency)
        except ValueError as exc:
            raise ValidationError({"rate_currency": str(exc)}) from None
        if isinstance(rate_minor, bool) or not isinstance(rate_minor, int):
            raise ValidationError({"rate": "Type the fee as an amount, like 120.50."})
        if rate_minor <= 0:
            raise ValidationError({"rate": "The fee must be more than zero."})
        if rate_minor > MAX_AMOUNT_MINOR:
            raise ValidationError({"rate": "That fee is too large."})
        if (profile.rate_minor, profile.rate_currency) == (rate_minor, code):
            return profile
        profile.rate_minor, profile.rate_currency = rate_minor, code
    profile.save(update_fields=["rate_minor", "rate_currency", "updated_at"])
    return profile
