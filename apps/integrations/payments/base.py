"""The payment interface: money in minor units, what a provider returns, its errors, and which
provider is switched on (settings.PAYMENT_PROVIDER)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field, replace
from typing import Literal

from django.conf import settings
from django.utils.module_loading import import_string

from apps.core.money import CURRENCY_EXPONENTS
from apps.integrations.http import ServiceError


@dataclass(frozen=True)
class Money:
    """An amount in the currency's minor unit (cents, yen, fils) and its ISO 4217 code. Never a
    float: `Money(1050, "EUR")` is EUR 10.50."""

    amount: int
    currency: str

    def __post_init__(self):
        if isinstance(self.amount, bool) or not isinstance(self.amount, int):
            raise TypeError(f"Money amount must be an int in minor units, not {type(self.amount).__name__}")
        if self.amount < 0:
            raise ValueError("Money amount cannot be negative")
        code = str(self.currency or "").strip().upper()
        if code not in CURRENCY_EXPONENTS:
            raise ValueError(f"Unknown ISO 4217 currency code: {self.currency!r}")
        object.__setattr__(self, "currency", code)

    @property
    def exponent(self) -> int:
        return CURRENCY_EXPONENTS[self.currency]

    @property
    def zero_decimal(self) -> bool:
        return self.exponent == 0

    def __str__(self) -> str:
        """ "EUR 10.50", "JPY 1050", "KWD 1.050" (exact: integer arithmetic only)."""
        if not self.exponent:
            return f"{self.currency} {self.amount}"
        whole, minor = divmod(self.amount, 10**self.exponent)
        return f"{self.currency} {whole}.{minor:0{self.exponent}d}"


# Where a payment stands, in our words for every provider:
#   pending          waiting for the payer (manual: the brand has not marked it paid; Stripe:
#                    requires_payment_method / requires_confirmation)
#   requires_action  the payer must do something (3-D Secure)
#   processing       the provider is moving the money
#   paid             the money left the payer (manual: the brand marked it paid; Stripe: succeeded)
#   received         the payee confirmed receipt (manual only: Stripe's transfers settle by themselves)
#   failed / canceled
PaymentStatus = Literal["pending", "requires_action", "processing", "paid", "received", "failed", "canceled"]


@dataclass(frozen=True)
class Payment:
    """One payment from a brand towards a payee (an influencer), as the provider reports it."""

    id: str
    provider: str
    amount: Money
    status: PaymentStatus
    idempotency_key: str = ""
    payee: str = ""  # the payee's account at the provider (Stripe: acct_…), or our own reference
    provider_status: str = ""  # the provider's own word (Stripe: "succeeded", …)
    client_secret: str = ""  # Stripe: for confirming in the browser when the payer must act
    metadata: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Transfer:
    """Money moved to a payee's account (Stripe Connect: a Transfer to a connected account)."""

    id: str
    provider: str
    amount: Money
    destination: str
    idempotency_key: str = ""
    transfer_group: str = ""
    source_payment: str = ""  # the charge it was funded from, when tied to one
    reversed: bool = False
    metadata: dict[str, str] = field(default_factory=dict)


class PaymentError(ServiceError):
    """A payment failed. `user_message` is safe to show the brand or influencer (a card decline's
    own words, or a plain "try again later"); str(error) is for the logs. `code`, `decline_code`,
    `param` and `kind` are the provider's (Stripe: error.code, .decline_code, .param, .type)."""

    def __init__(
        self,
        message: str,
        *,
        user_message: str = "The payment could not be completed. Please try again later.",
        code: str = "",
        decline_code: str = "",
        param: str = "",
        kind: str = "",
        status: int | None = None,
        body: str = "",
        retry_after: float | None = None,
    ):
        super().__init__(message, status=status, body=body, retry_after=retry_after)
        self.user_message, self.code, self.decline_code = user_message, code, decline_code
        self.param, self.kind = param, kind

    @property
    def is_decline(self) -> bool:
        return self.kind == "card_error"


class PaymentProvider(ABC):
    """Moves a collaboration's fee from a brand to an influencer. Every call that moves money takes
    an idempotency key chosen by the caller (one per operation, e.g. "collab-42-charge"): calling
    again with the same key and arguments returns the first result and never pays twice."""

    name: str = ""
    # Whether people record the payment by hand (the brand marks it paid, the influencer confirms
    # receipt) rather than the provider reporting it.
    manual: bool = False

    @abstractmethod
    def create_payment(
        self,
        *,
        amount: Money,
        idempotency_key: str,
        payee: str = "",
        description: str = "",
        metadata: dict[str, str] | None = None,
        customer: str = "",
        payment_method: str = "",
        transfer_group: str = "",
    ) -> Payment:
        """Start a payment of `amount` towards `payee`. Raises PaymentError."""

    @abstractmethod
    def get_payment(self, payment_id: str) -> Payment:
        """The payment as the provider sees it now. Raises PaymentError."""

    @abstractmethod
    def create_transfer(
        self,
        *,
        amount: Money,
        destination: str,
        idempotency_key: str,
        transfer_group: str = "",
        source_payment: str = "",
        metadata: dict[str, str] | None = None,
    ) -> Transfer:
        """Send `amount` to the payee's account `destination`. Raises PaymentError."""

    def mark_paid(self, payment: Payment) -> Payment:
        """The brand says it paid (manual providers only)."""
        raise PaymentError(f"{self.name} payments are not marked paid by hand", user_message=_NOT_MANUAL)

    def confirm_receipt(self, payment: Payment) -> Payment:
        """The influencer says the money arrived (manual providers only)."""
        raise PaymentError(f"{self.name} payments are not confirmed by hand", user_message=_NOT_MANUAL)


_NOT_MANUAL = "This payment is handled by the payment provider and updates by itself."


def with_status(payment: Payment, status: PaymentStatus) -> Payment:
    return replace(payment, status=status)


def payment_provider() -> PaymentProvider:
    """A new instance of settings.PAYMENT_PROVIDER (reads the settings at the time of the call):
    the manual provider unless STRIPE_SECRET_KEY is set."""
    return import_string(settings.PAYMENT_PROVIDER)()
