"""Template filters of the marketplace pages: money in a currency's minor unit as people read it."""

from django import template

from ..money import money_format

register = template.Library()


@register.filter
def money(amount_minor: int | None, currency: str) -> str:
    """{{ offer.fee_minor|money:offer.currency }} → "1,250.00 EUR"."""
    if amount_minor is None:
        return ""
    return money_format(int(amount_minor), currency)
