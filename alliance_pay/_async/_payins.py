"""``client.payins``: payin links and their status."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from alliance_pay._base import ApiCall
from alliance_pay._exceptions import PayinLinkUnavailableError
from alliance_pay._models import Payin, PayinLink, PayinLinkRequest, PayinStatusRequest
from alliance_pay._retries import differences
from alliance_pay._validation import check_order_id, payin_link_request

if TYPE_CHECKING:
    from ._client import AsyncAllianceClient

__all__ = ["AsyncPayinsResource"]


def _status_call(order_id: str) -> ApiCall:
    # A read that happens to be a POST: re-sending it can never create anything.
    body = PayinStatusRequest(order_id=order_id)
    return ApiCall.json(
        "POST", "api/v1/payin/transactions", body, idempotent=True, order_id=order_id
    )


class AsyncPayinsResource:
    """Payins (money collected from customers through UPI), reached as ``client.payins``."""

    def __init__(self, client: AsyncAllianceClient) -> None:
        self._client = client

    async def create_link(
        self,
        *,
        user_id: str,
        order_id: str,
        amount: Decimal | int | str,
        redirect_url: str,
        method: str = "UPI",
    ) -> PayinLink:
        """Create a payment link for a customer (``POST api/v1/payin/generate/link``).

        Args:
            user_id: your id for the paying customer.
            order_id: your unique id for this payin; it is the idempotency key.
            amount: INR, positive, at most two decimal places.
            redirect_url: where the customer returns after paying (absolute http(s) URL).
            method: the payment method; ``"UPI"``.

        Returns:
            The [`PayinLink`][alliance_pay.PayinLink]; send the customer to ``pay_url``.

        Raises:
            AllianceValidationError: an argument is malformed; nothing was sent.
            PayinLinkUnavailableError: the link was created but its answer was lost in transit.
            OutcomeUnknownError: the SDK could not learn whether the link was created.

        Example:
            ```python
            link = await client.payins.create_link(
                user_id="cust-42",
                order_id="PAYIN-1001",
                amount=Decimal("499.00"),
                redirect_url="https://shop.example.in/thanks",
            )
            print(link.pay_url)
            ```
        """
        body = payin_link_request(
            user_id=user_id,
            order_id=order_id,
            amount=amount,
            redirect_url=redirect_url,
            method=method,
        )

        def lost(payin: Payin) -> PayinLink:
            raise PayinLinkUnavailableError(order_id=body.order_id, payin=payin)

        return await self._client._create(
            ApiCall.json(
                "POST",
                "api/v1/payin/generate/link",
                body,
                idempotent=False,
                order_id=body.order_id,
            ),
            PayinLink,
            order_id=body.order_id,
            operation="payins.create_link",
            lookup=_status_call(body.order_id),
            lookup_type=Payin,
            found=lost,
            differences=lambda payin: _differences(body, payin),
        )

    async def retrieve(self, order_id: str) -> Payin:
        """Fetch a payin's current state (``POST api/v1/payin/transactions``).

        Args:
            order_id: the order id the link was created with.

        Returns:
            The [`Payin`][alliance_pay.Payin], with ``status`` and ``Decimal`` amounts.

        Raises:
            NotFoundError: no payin has that order id.

        Example:
            ```python
            payin = await client.payins.retrieve("PAYIN-1001")
            if payin.status is PayinStatus.APPROVED:
                print("paid", payin.amount)
            ```
        """
        return await self._client._request(_status_call(check_order_id(order_id)), Payin)


def _differences(asked: PayinLinkRequest, payin: Payin) -> dict[str, tuple[object, object]]:
    requested = payin.request_amount if payin.request_amount is not None else payin.amount
    found: dict[str, tuple[object, object]] = {}
    if requested is not None and requested != asked.amount:
        found["amount"] = (asked.amount, requested)
    found.update(differences(asked, payin, ("user_id",)))
    return found
