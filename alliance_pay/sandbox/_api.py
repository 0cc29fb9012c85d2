"""The five signed API endpoints, behind faults and the request guard."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING
from urllib.parse import quote

import anyio
from starlette.requests import Request
from starlette.responses import Response

from alliance_pay._signing import signing_path
from alliance_pay.sandbox._faults import fault_response, lost_response
from alliance_pay.sandbox._forms import parse_body
from alliance_pay.sandbox._state import DuplicateOrder, InsufficientBalance
from alliance_pay.sandbox._validation import (
    validate_order_lookup,
    validate_payin_link,
    validate_payout,
    validate_payout_lookup,
)
from alliance_pay.sandbox._wire import (
    failure,
    parse_json_object,
    raw_path,
    raw_segment,
    read_body,
    success,
    validation_failure,
)

if TYPE_CHECKING:
    from alliance_pay.sandbox._sandbox import Sandbox

__all__ = ["GET_BODY_HEADER", "Api"]

#: On every authorized GET: the body line its signature was made over, ``empty`` or ``{}``.
GET_BODY_HEADER = "X-Sandbox-Get-Body"

_TAKEN = "The order id has already been taken."
_NOT_FOUND = "Transaction not found."
_NOT_JSON = "The request body must be a JSON object."
_NOT_READABLE = "The request body must be a JSON object or a form."

Operation = Callable[[Request, bytes], Awaitable[Response]]


class Api:
    """Handlers for the documented endpoints of one sandbox.

    Each request goes: settle due payouts, meet a fault (if one fires), check the headers,
    read the body (at most ``max_body_bytes``), check the signature, parse and validate it,
    change the books, answer (or lose the answer, for a ``commit_then_drop`` fault). Nothing
    awaits between validation and the change, so two concurrent requests with one order id
    cannot both succeed.

    Examples:
        >>> from alliance_pay.sandbox import Sandbox
        >>> api = Api(Sandbox())
    """

    def __init__(self, sandbox: Sandbox) -> None:
        self._sandbox = sandbox

    async def _serve(self, request: Request, endpoint: str, operation: Operation) -> Response:
        sandbox = self._sandbox
        sandbox.settle_due()
        fault = sandbox.faults.take(endpoint)
        if fault is not None and fault.kind == "latency":
            await anyio.sleep(fault.latency)
        elif fault is not None and fault.kind in ("status", "malformed"):
            return fault_response(fault)
        # The headers first: an unsigned or stale request is refused before its body is read.
        problem = sandbox.guard.check_headers(request.headers)
        if problem:
            return failure(401, problem)
        body = await read_body(request, sandbox.config.max_body_bytes)
        if body is None:
            return failure(413, f"The body is over {sandbox.config.max_body_bytes} bytes.")
        problem = sandbox.guard.check_signature(
            request.method, raw_path(request.scope), body, request.headers
        )
        response = failure(401, problem) if problem else await operation(request, body)
        if not problem and request.method == "GET":
            response.headers[GET_BODY_HEADER] = self._get_body_line(request, body)
        if fault is not None and fault.kind == "commit_then_drop":
            return lost_response(fault, response)
        return response

    def _get_body_line(self, request: Request, body: bytes) -> str:
        headers = request.headers
        line = self._sandbox.guard.signed_body_line(
            "GET",
            signing_path(raw_path(request.scope)),
            body,
            headers.get("timestamp", ""),
            headers.get("signature", ""),
        )
        return "{}" if line == b"{}" else "empty"

    async def balance(self, request: Request) -> Response:
        """``GET api/v1/balance``."""
        return await self._serve(request, "balance", self._balance)

    async def create_link(self, request: Request) -> Response:
        """``POST api/v1/payin/generate/link``."""
        return await self._serve(request, "payin.create_link", self._create_link)

    async def payin_status(self, request: Request) -> Response:
        """``POST api/v1/payin/transactions``."""
        return await self._serve(request, "payin.status", self._payin_status)

    async def create_payout(self, request: Request) -> Response:
        """``POST api/v1/payout/initiate``."""
        return await self._serve(request, "payout.create", self._create_payout)

    async def payout_status(self, request: Request) -> Response:
        """``GET api/v1/payout/{order_id}/status``."""
        return await self._serve(request, "payout.status", self._payout_status)

    async def _balance(self, request: Request, body: bytes) -> Response:
        data = {"balance": f"{self._sandbox.balance:.2f}"}
        return success(data, "Merchant wallet balance fetched.")

    async def _create_link(self, request: Request, body: bytes) -> Response:
        payload = parse_json_object(body)
        if payload is None:
            return failure(400, _NOT_JSON)
        values, errors = validate_payin_link(payload)
        ledger = self._sandbox.ledger
        if "order_id" not in errors and payload["order_id"] in ledger.payins:
            errors["order_id"] = [_TAKEN]
        if errors:
            return validation_failure(errors)
        try:
            payin = ledger.create_payin(
                user_id=values["user_id"],
                order_id=values["order_id"],
                amount=values["amount"],
                redirect_url=values["redirect_url"],
            )
        except DuplicateOrder:
            return validation_failure({"order_id": [_TAKEN]})
        data = payin.link_wire(_pay_url(request, payin.order_id))
        return success(data, "Payin link generated successfully.", 201)

    async def _payin_status(self, request: Request, body: bytes) -> Response:
        # JSON as the SDK sends it, or a form as the documentation's cURL sample does.
        payload = parse_body(request.headers.get("content-type"), body)
        if payload is None:
            return failure(400, _NOT_READABLE)
        order_id, errors = validate_order_lookup(payload)
        if errors or order_id is None:
            return validation_failure(errors)
        payin = self._sandbox.ledger.payins.get(order_id)
        if payin is None:
            return failure(404, _NOT_FOUND)
        return success(payin.to_wire(), "Payin transaction fetched successfully.")

    async def _create_payout(self, request: Request, body: bytes) -> Response:
        payload = parse_json_object(body)
        if payload is None:
            return failure(400, _NOT_JSON)
        values, errors = validate_payout(payload)
        ledger = self._sandbox.ledger
        if "order_id" not in errors and payload["order_id"] in ledger.payouts:
            errors["order_id"] = [_TAKEN]
        if errors:
            return validation_failure(errors)
        try:
            payout = ledger.create_payout(values)
        except DuplicateOrder:
            return validation_failure({"order_id": [_TAKEN]})
        except InsufficientBalance:
            message = (
                f"Insufficient balance: {ledger.balance:.2f} cannot cover the amount "
                f"and the {ledger.payout_charge:.2f} charge."
            )
            return validation_failure({"amount": [message]})
        return success(payout.initiate_wire(), "Payout initiated.", 201)

    async def _payout_status(self, request: Request, body: bytes) -> Response:
        order_id = raw_segment(request.scope, "/api/v1/payout/", "/status")
        if order_id is not None or raw_path(request.scope).endswith("/payout//status"):
            errors = validate_payout_lookup(order_id)
            if errors:
                return validation_failure(errors)
        payout = None if order_id is None else self._sandbox.ledger.payouts.get(order_id)
        if payout is None:
            return failure(404, _NOT_FOUND)
        return success(payout.to_wire(), "Payout status fetched.")


def _pay_url(request: Request, order_id: str) -> str:
    # The scope's root_path is the prefix this app is mounted under (a Starlette Mount or a
    # server's --root-path), so the link works behind a prefix too.
    root = str(request.scope.get("root_path", "")).rstrip("/")
    return f"{request.url.scheme}://{request.url.netloc}{root}/pay/{quote(order_id, safe='')}"
