"""A user's file: mypy --strict must see the SDK's real types (the smoke suite reads the notes)."""

from decimal import Decimal

from alliance_pay import AllianceClient, AsyncAllianceClient


async def pay(client: AsyncAllianceClient) -> None:
    payout = await client.payouts.create(
        order_id="ORD-1",
        user_id="u-1",
        amount=Decimal("10.00"),
        beneficiary_name="Asha Rao",
        beneficiary_email="asha@example.in",
        beneficiary_mobile_no="9876543210",
        beneficiary_address="Pune",
        beneficiary_acc_no="123456789012",
        bank_name="SBI",
        ifsc="SBIN0060589",
    )
    reveal_type(payout)
    reveal_type(payout.status)
    reveal_type(await client.balance.retrieve())


def check(client: AllianceClient) -> None:
    reveal_type(client.payouts.retrieve("ORD-1"))
