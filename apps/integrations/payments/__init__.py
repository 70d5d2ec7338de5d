"""Collaboration fees: a manual provider by default, Stripe Connect when STRIPE_SECRET_KEY is set."""

from apps.core.money import CURRENCY_EXPONENTS, ZERO_DECIMAL_CURRENCIES

from .base import (
    Money,
    Payment,
    PaymentError,
    PaymentProvider,
    Transfer,
    payment_provider,
)

__all__ = [
    "CURRENCY_EXPONENTS",
    "ZERO_DECIMAL_CURRENCIES",
    "Money",
    "Payment",
    "PaymentError",
    "PaymentProvider",
    "Transfer",
    "payment_provider",
]
