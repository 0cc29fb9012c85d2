"""Control endpoints that drive one order and follow webhook deliveries (``alliance-pay``'s
``sandbox`` and ``webhooks`` commands use them).

=========  ==========================  =====================================================
method     path                        does
=========  ==========================  =====================================================
POST       /_sandbox/orders/settle     ``{"order_id", "outcome", "kind"?}``: settle one
                                       payin or payout now; ``outcome`` is ``"approve"``,
                                       ``"reject"`` or (payins) ``"initiate"``
GET        /_sandbox/ledger            the balance and every wallet movement
GET        /_sandbox/webhooks          ``?after=SEQ``: the webhook URL and the delivery
                                       attempts numbered above ``SEQ``
POST       /_sandbox/webhooks          ``{"url": URL or null}``: where events go from now
                                       on; answers the new and the previous URL
=========  ==========================  =====================================================

Bodies are JSON objects sent as ``Content-Type: application/json``: a web page can POST
``text/plain`` to localhost without asking, and must not be able to redirect the webhooks or
settle orders (415 otherwise). Errors are ``{"error": "..."}`` with 400 (malformed), 404 (no
such order) or 409 (the order is not in a state that allows it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from alliance_pay.sandbox._state import LedgerError, UnknownOrder
from alliance_pay.sandbox._wire import json_response, parse_json_object

if TYPE_CHECKING:
    from alliance_pay.sandbox._sandbox import Sandbox

__all__ = ["drive_routes"]

_OUTCOMES = ("approve", "reject", "initiate")


def _error(message: str, status_code: int) -> Response:
    return json_response({"error": message}, status_code)


def _settle_one(sandbox: Sandbox, spec: dict[str, Any]) -> Response:
    order_id, outcome, kind = spec.get("order_id"), spec.get("outcome"), spec.get("kind")
    if not isinstance(order_id, str) or not order_id:
        return _error("order_id: a non-empty string is required", 400)
    if outcome not in _OUTCOMES:
        return _error(f"outcome: one of {', '.join(_OUTCOMES)}", 400)
    if kind not in (None, "payin", "payout"):
        return _error("kind: payin or payout", 400)
    ledger = sandbox.ledger
    kinds = [
        k for k, book in (("payin", ledger.payins), ("payout", ledger.payouts)) if order_id in book
    ]
    if kind is not None:
        kinds = [k for k in kinds if k == kind]
    if not kinds:
        return _error(f"no {kind or 'payin or payout'} has order_id {order_id!r}", 404)
    if len(kinds) > 1:
        return _error(f"{order_id!r} is both a payin and a payout: say which with kind", 409)
    try:
        if kinds[0] == "payin":
            if outcome == "initiate":
                record = ledger.initiate_payin(order_id).to_wire()
            else:
                record = ledger.complete_payin(order_id, approve=outcome == "approve").to_wire()
        elif outcome == "initiate":
            return _error("initiate applies to payins only", 400)
        else:
            record = ledger.settle_payout(order_id, approve=outcome == "approve").to_wire()
    except UnknownOrder:  # pragma: no cover - checked above
        return _error(f"no order has order_id {order_id!r}", 404)
    except LedgerError:
        status = (ledger.payins if kinds[0] == "payin" else ledger.payouts)[order_id].status
        return _error(f"{kinds[0]} {order_id!r} is {status}: it can no longer be settled", 409)
    return json_response({"kind": kinds[0], "record": record})


async def _json_body(request: Request) -> dict[str, Any] | Response:
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type != "application/json":
        return _error("send the body as Content-Type: application/json", 415)
    spec = parse_json_object(await request.body())
    return _error("the body must be a JSON object", 400) if spec is None else spec


def drive_routes(sandbox: Sandbox) -> list[Route]:
    """The routes of this module, for one sandbox."""

    async def settle_order(request: Request) -> Response:
        spec = await _json_body(request)
        if isinstance(spec, Response):
            return spec
        return _settle_one(sandbox, spec)

    async def ledger(request: Request) -> Response:
        sandbox.settle_due()
        books = sandbox.ledger
        return json_response(
            {
                "balance": f"{books.balance:.2f}",
                "entries": [entry.to_wire() for entry in books.entries],
            }
        )

    async def deliveries(request: Request) -> Response:
        try:
            after = int(request.query_params.get("after", "0"))
        except ValueError:
            return _error("after: a whole number", 400)
        webhooks = sandbox.webhooks
        attempts = [a for a in webhooks.attempts if int(str(a["seq"])) > after]
        return json_response({"url": webhooks.url, "attempts": attempts})

    async def set_target(request: Request) -> Response:
        spec = await _json_body(request)
        if isinstance(spec, Response):
            return spec
        if "url" not in spec:
            return _error('the body must be {"url": "http://..."} or {"url": null}', 400)
        url = spec["url"]
        if url is not None and (
            not isinstance(url, str) or urlsplit(url).scheme not in ("http", "https")
        ):
            return _error("url: an http:// or https:// URL, or null", 400)
        previous, sandbox.webhooks.url = sandbox.webhooks.url, url
        return json_response({"url": url, "previous": previous})

    return [
        Route("/_sandbox/orders/settle", settle_order, methods=["POST"]),
        Route("/_sandbox/ledger", ledger, methods=["GET"]),
        Route("/_sandbox/webhooks", deliveries, methods=["GET"]),
        Route("/_sandbox/webhooks", set_target, methods=["POST"]),
    ]
