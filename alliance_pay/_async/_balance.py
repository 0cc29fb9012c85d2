"""``client.balance``: the merchant wallet."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Final

from alliance_pay._api_call import ApiCall
from alliance_pay._models import Balance
from alliance_pay._response import async_to_raw_response_wrapper
from alliance_pay._types import NOT_GIVEN, NotGiven, NotGivenOr, TimeoutTypes

if TYPE_CHECKING:
    from ._client import AsyncAllianceClient

__all__ = ["AsyncBalanceResource", "AsyncBalanceWithRawResponse"]

_BALANCE = ApiCall("GET", "api/v1/balance")


class AsyncBalanceResource:
    """The merchant wallet, reached as ``client.balance``."""

    def __init__(self, client: AsyncAllianceClient) -> None:
        self._client = client

    @property
    def with_raw_response(self) -> AsyncBalanceWithRawResponse:
        """The same methods, returning the [`APIResponse`][alliance_pay.APIResponse].

        Example:
            ```python
            raw = await client.balance.with_raw_response.retrieve()
            print(raw.message, raw.parse().balance)
            ```
        """
        return AsyncBalanceWithRawResponse(self)

    async def retrieve(
        self,
        *,
        extra_headers: Mapping[str, str] | None = None,
        timeout: NotGivenOr[TimeoutTypes] = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
    ) -> Balance:
        """Fetch the wallet's current balance (``GET api/v1/balance``).

        Args:
            extra_headers: headers for this call only (never the signed ones).
            timeout: this call's timeout, instead of the client's.
            max_retries: this call's retry budget, instead of the client's.

        Returns:
            The [`Balance`][alliance_pay.Balance]; ``balance`` is a ``Decimal`` in INR.

        Example:
            ```python
            balance = await client.balance.retrieve(timeout=10)
            assert isinstance(balance.balance, Decimal)
            ```
        """
        client = self._client._with_call_options(
            extra_headers=extra_headers, timeout=timeout, max_retries=max_retries
        )
        return await client._request(_BALANCE, Balance)


class AsyncBalanceWithRawResponse:
    """``client.balance.with_raw_response``: each method returns an ``APIResponse``."""

    def __init__(self, balance: AsyncBalanceResource) -> None:
        self.retrieve: Final = async_to_raw_response_wrapper(balance.retrieve)
