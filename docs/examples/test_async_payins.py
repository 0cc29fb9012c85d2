"""Async tests with the alliance_pay fixtures, run by anyio's pytest plugin (no extra install)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from alliance_pay import AsyncAllianceClient, PayinStatus
from alliance_pay.testing import LocalSandbox


@pytest.mark.anyio
async def test_a_confirmed_payin_is_approved(
    alliance_sandbox: LocalSandbox, async_alliance_client: AsyncAllianceClient
) -> None:
    link = await async_alliance_client.payins.create_link(
        user_id="cust-1",
        order_id="LINK-1",
        amount=Decimal("499.00"),
        redirect_url="https://shop.example.in/thanks",
    )
    assert link.pay_url
    alliance_sandbox.sandbox.confirm_payin("LINK-1")  # the customer pressed "Confirm Payment"
    payin = await async_alliance_client.payins.retrieve("LINK-1")
    assert payin.status is PayinStatus.APPROVED
