"""``client.payins``: payin links and their status."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Final

from alliance_pay._api_call import ApiCall
from alliance_pay._exceptions import AllianceValidationError, PayinLinkUnavailableError
from alliance_pay._models import (
    Payin,
    PayinLink,
    PayinLinkRequest,
    PayinStatusRequest,
    PaymentMethod,
)
from alliance_pay._response import async_to_raw_response_wrapper
from alliance_pay._retries import differences
from alliance_pay._types import NOT_GIVEN, NotGiven, NotGivenOr, TimeoutTypes
from alliance_pay._validation import check_order_id, payin_link_request

if TYPE_CHECKING:
    from ._client import AsyncAllianceClient

__all__ = ["AsyncPayinsResource", "AsyncPayinsWithRawResponse"]


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

    @property
    def with_raw_response(self) -> AsyncPayinsWithRawResponse:
        """The same methods, returning the [`APIResponse`][alliance_pay.APIResponse].

        Example:
            ```python
            raw = await client.payins.with_raw_response.retrieve("PAYIN-1001")
            print(raw.message)  # Payin transaction fetched successfully.
            ```
        """
        return AsyncPayinsWithRawResponse(self)

    async def create_link(
        self,
        *,
        user_id: str,
        order_id: str,
        amount: Decimal | int | str,
        redirect_url: str,
        method: PaymentMethod | str = PaymentMethod.UPI,
        extra_headers: Mapping[str, str] | None = None,
        timeout: NotGivenOr[TimeoutTypes] = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
    ) -> PayinLink:
        """Create a payment link for a customer (``POST api/v1/payin/generate/link``).

        Args:
            user_id: your id for the paying customer.
            order_id: your unique id for this payin; it is the idempotency key.
            amount: INR, positive, at most two decimal places.
            redirect_url: where the customer returns after paying (absolute http(s) URL).
            method: the payment rail; the documentation says it "always should be UPI".
            extra_headers: headers for this call only (never the signed ones).
            timeout: this call's timeout, instead of the client's.
            max_retries: this call's retry budget, instead of the client's.

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
        try:
            body = payin_link_request(
                user_id=user_id,
                order_id=order_id,
                amount=amount,
                redirect_url=redirect_url,
                method=method,
            )
        except AllianceValidationError as error:
            raise self._client._refused(error, "payins.create_link") from None

        def lost(payin: Payin) -> PayinLink:
            raise PayinLinkUnavailableError(order_id=body.order_id, payin=payin)

        client = self._client._with_call_options(
            extra_headers=extra_headers, timeout=timeout, max_retries=max_retries
        )
        return await client._create(
            ApiCall.json(
                "POST",
                "api/v1/payin/generate/link",
                body,
                idempotent=False,
                order_id=body.order_id,
            ),
            PayinLink,
            operation="payins.create_link",
            lookup=_status_call,
            lookup_type=Payin,
            found=lost,
            differences=lambda payin: _differences(body, payin),
        )

    async def retrieve(
        self,
        order_id: str,
        *,
        extra_headers: Mapping[str, str] | None = None,
        timeout: NotGivenOr[TimeoutTypes] = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
    ) -> Payin:
        """Fetch a payin's current state (``POST api/v1/payin/transactions``).

        Args:
            order_id: the order id the link was created with.
            extra_headers: headers for this call only (never the signed ones).
            timeout: this call's timeout, instead of the client's.
            max_retries: this call's retry budget, instead of the client's.

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
        try:
            call = _status_call(check_order_id(order_id))
        except AllianceValidationError as error:
            raise self._client._refused(error, "payins.retrieve") from None
        client = self._client._with_call_options(
            extra_headers=extra_headers, timeout=timeout, max_retries=max_retries
        )
        return await client._request(call, Payin)


class AsyncPayinsWithRawResponse:
    """``client.payins.with_raw_response``: each method returns an ``APIResponse``."""

    def __init__(self, payins: AsyncPayinsResource) -> None:
        self.create_link: Final = async_to_raw_response_wrapper(payins.create_link)
        self.retrieve: Final = async_to_raw_response_wrapper(payins.retrieve)


def _differences(asked: PayinLinkRequest, payin: Payin) -> dict[str, tuple[object, object]]:
    requested = payin.request_amount if payin.request_amount is not None else payin.amount
    found: dict[str, tuple[object, object]] = {}
    if requested is not None and requested != asked.amount:
        found["amount"] = (asked.amount, requested)
    found.update(differences(asked, payin, ("user_id",)))
    return found
