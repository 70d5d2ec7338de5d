"""The default payment provider: money moves outside the app; the brand marks the fee paid and the
influencer confirms receipt. Nothing is stored here: the collaboration ledger keeps the payment."""

from __future__ import annotations

import hashlib

from .base import Money, Payment, PaymentError, PaymentProvider, Transfer, with_status


def _reference(prefix: str, idempotency_key: str) -> str:
    # The same key gives the same reference, so a repeated request records the same payment.
    return f"{prefix}_{hashlib.sha256(idempotency_key.encode()).hexdigest()[:24]}"


class ManualProvider(PaymentProvider):
    name = "manual"
    manual = True

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
        if not idempotency_key:
            raise ValueError("create_payment needs an idempotency_key")
        return Payment(
            id=_reference("manual", idempotency_key),
            provider=self.name,
            amount=amount,
            status="pending",
            idempotency_key=idempotency_key,
            payee=payee,
            provider_status="awaiting_brand",
            metadata=dict(metadata or {}),
        )

    def get_payment(self, payment_id: str) -> Payment:
        raise PaymentError(
            f"manual payment {payment_id} is kept in the collaboration ledger, not by a provider",
            user_message="Manual payments are tracked on the collaboration itself.",
        )

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
        """Records the payout the brand makes itself (bank transfer, invoice): no money moves here."""
        if not idempotency_key:
            raise ValueError("create_transfer needs an idempotency_key")
        return Transfer(
            id=_reference("manual_tr", idempotency_key),
            provider=self.name,
            amount=amount,
            destination=destination,
            idempotency_key=idempotency_key,
            transfer_group=transfer_group,
            source_payment=source_payment,
            metadata=dict(metadata or {}),
        )

    def mark_paid(self, payment: Payment) -> Payment:
        if payment.status == "pending":
            return with_status(payment, "paid")
        if payment.status in ("paid", "received"):
            raise PaymentError(
                f"manual payment {payment.id} is already {payment.status}",
                user_message="This payment is already marked paid.",
                code="already_paid",
            )
        raise PaymentError(
            f"manual payment {payment.id} is {payment.status}, cannot be marked paid",
            user_message="This payment can no longer be marked paid.",
            code="invalid_state",
        )

    def confirm_receipt(self, payment: Payment) -> Payment:
        if payment.status == "paid":
            return with_status(payment, "received")
        if payment.status == "received":
            raise PaymentError(
                f"manual payment {payment.id} is already received",
                user_message="You already confirmed this payment.",
                code="already_received",
            )
        raise PaymentError(
            f"manual payment {payment.id} is {payment.status}, not paid",
            user_message="The brand has not marked this payment paid yet.",
            code="not_paid",
        )
