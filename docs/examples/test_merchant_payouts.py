"""The merchant's tests, using the fixtures that come with ``alliance-pay[sandbox]``."""

from __future__ import annotations

from decimal import Decimal

import pytest
from merchant_payouts import pay_seller

from alliance_pay import AllianceClient
from alliance_pay.testing import LocalSandbox


@pytest.mark.alliance_sandbox(payout_delay=0)  # payouts settle at the next request
def test_a_good_account_is_paid(alliance_client: AllianceClient) -> None:
    outcome = pay_seller(
        alliance_client, order_id="ORD-1", amount=Decimal("99.50"), account="123456789012"
    )
    assert outcome == "paid"


@pytest.mark.alliance_sandbox(payout_delay=0)
def test_the_test_account_bounces_and_is_refunded(
    alliance_client: AllianceClient, alliance_sandbox: LocalSandbox
) -> None:
    before = alliance_sandbox.sandbox.balance
    outcome = pay_seller(
        alliance_client, order_id="ORD-2", amount=Decimal("10"), account="000000000000"
    )
    assert outcome == "bounced"
    assert alliance_sandbox.sandbox.balance == before


@pytest.mark.alliance_sandbox(payout_delay=0)
def test_a_lost_answer_still_pays_exactly_once(
    alliance_client: AllianceClient, alliance_sandbox: LocalSandbox
) -> None:
    # The server records the payout, then the connection drops before the answer arrives.
    alliance_sandbox.fault("payout.create", "commit_then_drop", mode="drop")
    outcome = pay_seller(
        alliance_client, order_id="ORD-3", amount=Decimal("5"), account="123456789012"
    )
    assert outcome == "paid"
    assert len(alliance_sandbox.sandbox.ledger.payouts) == 1
