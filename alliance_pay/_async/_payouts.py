"""``client.payouts``: sending money to bank accounts, and following it to a final state."""

from __future__ import annotations

import time
from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Final

import anyio

from alliance_pay._api_call import ApiCall
from alliance_pay._exceptions import (
    AllianceValidationError,
    APIError,
    APIResponseValidationError,
    WaitTimeoutError,
)
from alliance_pay._models import PaymentMethod, Payout, PayoutStatus
from alliance_pay._response import async_to_raw_response_wrapper
from alliance_pay._retries import differences, is_retryable
from alliance_pay._types import NOT_GIVEN, NotGiven, NotGivenOr, TimeoutTypes
from alliance_pay._validation import (
    Arguments,
    order_id_path_segment,
    payout_call,
    payout_request,
)

if TYPE_CHECKING:
    from ._client import AsyncAllianceClient

__all__ = ["AsyncPayoutsResource", "AsyncPayoutsWithRawResponse"]

FINAL_PAYOUT_STATUSES = frozenset({PayoutStatus.APPROVED, PayoutStatus.REJECTED})
_COMPARED_FIELDS = ("amount", "beneficiary_acc_no", "ifsc", "user_id")
_MAX_POLL_INTERVAL = 15.0


def _created(payout: Payout) -> Payout:
    # What a create whose answer was lost returns once its order's record is found.
    return payout


def _status_call(order_id: str) -> ApiCall:
    # order_id: a record for any other order is refused (a shared pool, a confused proxy).
    return ApiCall(
        "GET", f"api/v1/payout/{order_id_path_segment(order_id)}/status", order_id=order_id
    )


class AsyncPayoutsResource:
    """Payouts (money sent to bank accounts), reached as ``client.payouts``."""

    def __init__(self, client: AsyncAllianceClient) -> None:
        self._client = client

    @property
    def with_raw_response(self) -> AsyncPayoutsWithRawResponse:
        """The same methods, returning the [`APIResponse`][alliance_pay.APIResponse].

        Example:
            ```python
            raw = await client.payouts.with_raw_response.retrieve("PAYOUT-2001")
            print(raw.status_code, raw.message)  # 200 Payout status fetched.
            ```
        """
        return AsyncPayoutsWithRawResponse(self)

    async def create(
        self,
        *,
        order_id: str,
        user_id: str,
        amount: Decimal | int | str,
        beneficiary_name: str,
        beneficiary_email: str,
        beneficiary_mobile_no: str | int,
        beneficiary_address: str,
        beneficiary_acc_no: str,
        bank_name: str,
        ifsc: str,
        payment_method: PaymentMethod | str = PaymentMethod.IMPS,
        remarks: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        timeout: NotGivenOr[TimeoutTypes] = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
    ) -> Payout:
        """Send money to a bank account (``POST api/v1/payout/initiate``).

        The payout is made at most once per ``order_id``, whatever the network does: a create
        whose answer is lost is resolved by looking the order up, never by blindly re-sending.

        Args:
            order_id: your unique id for this payout; it is the idempotency key.
            user_id: your merchant user id.
            amount: INR, positive, at most two decimal places.
            beneficiary_name: the account holder's name.
            beneficiary_email: the beneficiary's email.
            beneficiary_mobile_no: a 10-digit Indian mobile number.
            beneficiary_address: the beneficiary's address.
            beneficiary_acc_no: the bank account number.
            bank_name: the bank's name.
            ifsc: the branch's IFSC code (``SBIN0060589``).
            payment_method: the rail: ``PaymentMethod.IMPS`` (default), ``NEFT``, ``RTGS``,
                ``UPI``, or any string (a rail the API adds is not refused).
            remarks: an optional note.
            extra_headers: headers for this call only (never the signed ones).
            timeout: this call's timeout, instead of the client's.
            max_retries: this call's retry budget, instead of the client's.

        Returns:
            The [`Payout`][alliance_pay.Payout], usually ``Pending``; see
                [`wait`][alliance_pay._async._payouts.AsyncPayoutsResource.wait].

        Raises:
            AllianceValidationError: an argument is malformed; nothing was sent.
            OutcomeUnknownError: the SDK could not learn whether the payout was made; resolve it
                with [`retrieve`][alliance_pay._async._payouts.AsyncPayoutsResource.retrieve]
                before doing anything else.
            OrderIdConflictError: the order id belongs to a different payout.

        Example:
            ```python
            payout = await client.payouts.create(
                order_id="PAYOUT-2001",
                user_id="merchant-user-7",
                amount=Decimal("1500.00"),
                beneficiary_name="Asha Verma",
                beneficiary_email="asha@example.in",
                beneficiary_mobile_no="9876543210",
                beneficiary_address="12 MG Road, Bengaluru",
                beneficiary_acc_no="123456789012",
                bank_name="SBI",
                ifsc="SBIN0060589",
            )
            print(payout.status, payout.charge)
            ```
        """
        arguments = Arguments(
            order_id=order_id,
            user_id=user_id,
            amount=amount,
            beneficiary_name=beneficiary_name,
            beneficiary_email=beneficiary_email,
            beneficiary_mobile_no=beneficiary_mobile_no,
            beneficiary_address=beneficiary_address,
            beneficiary_acc_no=beneficiary_acc_no,
            bank_name=bank_name,
            ifsc=ifsc,
            payment_method=payment_method,
            remarks=remarks,
        )
        try:
            call = payout_call(arguments)
        except AllianceValidationError as error:
            raise self._client._refused(error, "payouts.create") from None
        client = self._client._with_call_options(
            extra_headers=extra_headers, timeout=timeout, max_retries=max_retries
        )
        return await client._create(
            call,
            Payout,
            operation="payouts.create",
            lookup=_status_call,
            lookup_type=Payout,
            found=_created,
            # Only after an unanswered attempt: the asked fields, against the order's record.
            differences=lambda payout: differences(
                payout_request(**arguments), payout, _COMPARED_FIELDS
            ),
        )

    async def retrieve(
        self,
        order_id: str,
        *,
        extra_headers: Mapping[str, str] | None = None,
        timeout: NotGivenOr[TimeoutTypes] = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
    ) -> Payout:
        """Fetch a payout's current state (``GET api/v1/payout/{order_id}/status``).

        The order id is percent-encoded into the path (``ORD/1`` travels as ``ORD%2F1``); one
        that could leave its path segment (``..``) is refused before anything is sent.

        Args:
            order_id: the payout's order id.
            extra_headers: headers for this call only (never the signed ones).
            timeout: this call's timeout, instead of the client's.
            max_retries: this call's retry budget, instead of the client's.

        Raises:
            NotFoundError: no payout has that order id.

        Example:
            ```python
            payout = await client.payouts.retrieve("PAYOUT-2001")
            print(payout.status)
            ```
        """
        try:
            call = _status_call(order_id)
        except AllianceValidationError as error:
            raise self._client._refused(error, "payouts.retrieve") from None
        client = self._client._with_call_options(
            extra_headers=extra_headers, timeout=timeout, max_retries=max_retries
        )
        return await client._request(call, Payout)

    async def wait(
        self,
        order_id: str,
        *,
        timeout: float = 300.0,  # the whole wait: a deadline, not one request's timeout
        poll_interval: float = 1.0,
        extra_headers: Mapping[str, str] | None = None,
        max_retries: int | NotGiven = NOT_GIVEN,
    ) -> Payout:
        """Poll until the payout is ``Approved`` or ``Rejected``, and return that record.

        The interval grows by half each poll, up to 15 seconds. A poll that fails transiently
        (network, 5xx, 429, an unreadable answer) after its own retries is not fatal; polling
        goes on until ``timeout``. The deadline is checked between polls, so the call may run
        over it by up to one poll (the client's timeout, with its retries).

        Args:
            order_id: the payout's order id.
            timeout: seconds to keep polling (the whole wait, not one request).
            poll_interval: seconds before the second poll.
            extra_headers: headers for every poll.
            max_retries: each poll's retry budget, instead of the client's.

        Raises:
            WaitTimeoutError: still not final after ``timeout`` seconds (it carries the last
                record seen).
            NotFoundError: no payout has that order id.
            APIStatusError: any other non-transient error (a 401, a 403), at once.

        Example:
            ```python
            final = await client.payouts.wait("PAYOUT-2001", timeout=120)
            if final.status is PayoutStatus.REJECTED:
                print("refunded:", final.amount)
            ```
        """
        if timeout <= 0:
            raise AllianceValidationError("timeout", "must be a positive number of seconds")
        if poll_interval <= 0:
            raise AllianceValidationError("poll_interval", "must be a positive number of seconds")
        try:
            call = _status_call(order_id)
        except AllianceValidationError as error:
            raise self._client._refused(error, "payouts.retrieve") from None
        client = self._client._with_call_options(
            extra_headers=extra_headers, max_retries=max_retries
        )
        deadline = time.monotonic() + timeout
        interval = poll_interval
        last: Payout | None = None
        while True:
            try:
                last = await client._request(call, Payout)
            except APIError as error:
                # Transient after its own retries: the deadline decides. Anything else (a 401,
                # a 404) will not get better by polling.
                if not (is_retryable(error) or isinstance(error, APIResponseValidationError)):
                    raise
            else:
                if last.status in FINAL_PAYOUT_STATUSES:
                    return last
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise WaitTimeoutError(order_id=order_id, timeout=timeout, last=last)
            await anyio.sleep(min(interval, remaining))
            interval = min(interval * 1.5, max(_MAX_POLL_INTERVAL, poll_interval))


class AsyncPayoutsWithRawResponse:
    """``client.payouts.with_raw_response``: each method returns an ``APIResponse``."""

    def __init__(self, payouts: AsyncPayoutsResource) -> None:
        self.create: Final = async_to_raw_response_wrapper(payouts.create)
        self.retrieve: Final = async_to_raw_response_wrapper(payouts.retrieve)
        self.wait: Final = async_to_raw_response_wrapper(payouts.wait)
