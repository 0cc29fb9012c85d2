"""A user's tests on the plugin's fixtures; async through anyio's own pytest plugin."""

from decimal import Decimal

import pytest


def test_balance(alliance_client) -> None:
    assert alliance_client.balance.retrieve().balance == Decimal("100000.00")


@pytest.mark.alliance_sandbox(balance="500.00")
def test_marker(alliance_sandbox) -> None:
    with alliance_sandbox.client() as client:
        assert client.balance.retrieve().balance == Decimal("500.00")


@pytest.mark.anyio
async def test_async(async_alliance_client) -> None:
    balance = await async_alliance_client.balance.retrieve()
    assert balance.balance == Decimal("100000.00")
