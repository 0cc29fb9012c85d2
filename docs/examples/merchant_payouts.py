"""A merchant's own code: pay a seller for an order, exactly once, and record the outcome."""

from __future__ import annotations

from decimal import Decimal

from alliance_pay import AllianceClient, OutcomeUnknownError, Payout, PayoutStatus


def pay_seller(client: AllianceClient, *, order_id: str, amount: Decimal, account: str) -> str:
    """Pay out an order's proceeds; return what the merchant's books should say."""
    try:
        payout: Payout = client.payouts.create(
            order_id=order_id,
            user_id="seller-42",
            amount=amount,
            beneficiary_name="Asha Verma",
            beneficiary_email="asha@example.in",
            beneficiary_mobile_no="9876543210",
            beneficiary_address="12 MG Road, Bengaluru",
            beneficiary_acc_no=account,
            bank_name="SBI",
            ifsc="SBIN0060589",
        )
    except OutcomeUnknownError:
        return "check later"  # never pay again under a new order id
    final = client.payouts.wait(payout.order_id, timeout=30, poll_interval=0.01)
    return "paid" if final.status is PayoutStatus.APPROVED else "bounced"
