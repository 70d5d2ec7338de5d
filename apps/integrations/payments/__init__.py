"""Collaboration fees: a manual provider by default, Stripe Connect when STRIPE_SECRET_KEY is set."""

from .base import (
    CURRENCY_EXPONENTS,
    ZERO_DECIMAL_CURRENCIES,
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
