"""``client.balance``: the merchant wallet."""

from __future__ import annotations

from typing import TYPE_CHECKING

from alliance_pay._base import ApiCall
from alliance_pay._models import Balance

if TYPE_CHECKING:
    from ._client import AsyncAllianceClient

__all__ = ["AsyncBalanceResource"]

_BALANCE = ApiCall("GET", "api/v1/balance")


class AsyncBalanceResource:
    """The merchant wallet, reached as ``client.balance``."""

    def __init__(self, client: AsyncAllianceClient) -> None:
        self._client = client

    async def retrieve(self) -> Balance:
        """Fetch the wallet's current balance (``GET api/v1/balance``).

        Returns:
            The [`Balance`][alliance_pay.Balance]; ``balance`` is a ``Decimal`` in INR.

        Example:
            ```python
            balance = await client.balance.retrieve()
            assert isinstance(balance.balance, Decimal)
            ```
        """
        return await self._client._request(_BALANCE, Balance)
