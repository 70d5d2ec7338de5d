"""Money as integers of a currency's minor unit (cents, yen, fils): ISO 4217 codes and their
exponents, parsing typed amounts and formatting them. Never floats."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from apps.core.money import CURRENCY_EXPONENTS

CURRENCIES: tuple[str, ...] = tuple(sorted(CURRENCY_EXPONENTS))
MAX_AMOUNT_MINOR = 10**15  # far above any fee, far below BigInteger's limit


def currency_clean(code: str | None) -> str:
    """The ISO 4217 code in upper case, or ValueError naming the unknown one."""
    value = (code or "").strip().upper()
    if value not in CURRENCY_EXPONENTS:
        raise ValueError(f"“{code}” is not an ISO 4217 currency code (like EUR, USD, JPY).")
    return value


def minor_exponent(currency: str) -> int:
    return CURRENCY_EXPONENTS[currency_clean(currency)]


def to_minor(amount: str | Decimal | int, currency: str) -> int:
    """A typed amount ("12.50", "1,250.00", Decimal) in minor units of `currency`. More decimals
    than the currency has is an error, not a rounding."""
    if isinstance(amount, float):
        raise TypeError("Amounts are never floats.")
    exponent = minor_exponent(currency)
    text = str(amount).strip().replace(" ", "")
    if re.fullmatch(r"[0-9]{1,3}(,[0-9]{3})+(\.[0-9]+)?", text):
        text = text.replace(",", "")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"“{amount}” is not an amount.") from None
    if not value.is_finite():
        raise ValueError(f"“{amount}” is not an amount.")
    scaled = value.scaleb(exponent)
    if scaled != scaled.to_integral_value():
        raise ValueError(f"{currency} has {exponent} decimal places at most.")
    return int(scaled)


def from_minor(amount_minor: int, currency: str) -> Decimal:
    exponent = minor_exponent(currency)
    return (Decimal(amount_minor).scaleb(-exponent)).quantize(
        Decimal(1).scaleb(-exponent), rounding=ROUND_HALF_UP
    )


def money_format(amount_minor: int, currency: str) -> str:
    """ "1,250.00 EUR", "5,000 JPY" """
    exponent = minor_exponent(currency)
    return f"{from_minor(amount_minor, currency):,.{exponent}f} {currency_clean(currency)}"
