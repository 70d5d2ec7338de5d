"""Money as integers of a currency's minor unit (cents, yen, fils): ISO 4217 codes and their
exponents, parsing typed amounts and formatting them. Never floats."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

# Active ISO 4217 codes with their minor-unit exponent (digits after the decimal point).
_ZERO = "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF"
_THREE = "BHD IQD JOD KWD LYD OMR TND"
_FOUR = "CLF UYW"
_TWO = (
    "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BOV BRL BSD BTN BWP BYN "
    "BZD CAD CDF CHE CHF CHW CNY COP COU CRC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP "
    "GEL GHS GIP GMD GTQ GYD HKD HNL HTG HUF IDR ILS INR IRR JMD KES KGS KHR KPW KYD KZT LAK LBP "
    "LKR LRD LSL MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR "
    "NZD PAB PEN PGK PHP PKR PLN QAR RON RSD RUB SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN "
    "SVC SYP SZL THB TJS TMT TOP TRY TTD TWD TZS UAH USD USN UYU UZS VED VES WST XCD XCG YER ZAR "
    "ZMW ZWG"
)
CURRENCY_EXPONENTS: dict[str, int] = {
    **{code: 0 for code in _ZERO.split()},
    **{code: 2 for code in _TWO.split()},
    **{code: 3 for code in _THREE.split()},
    **{code: 4 for code in _FOUR.split()},
}
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
