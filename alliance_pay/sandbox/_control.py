"""Unsigned control endpoints under ``/_sandbox/``, for tests and tools in another process.

Every call that changes something must say ``Content-Type: application/json`` (send ``{}``
when there is nothing to say): a web page can make a browser POST a form or ``text/plain``
to a sandbox on localhost without asking, but not JSON, so no page can reset or fault it.

=========  =====================  ==========================================================
method     path                   does
=========  =====================  ==========================================================
GET        /_sandbox/state        balance, payins, payouts, wallet entries, webhook log, faults
POST       /_sandbox/settle       settle every pending payout now; ``{"settled": [order ids]}``
POST       /_sandbox/tick         settle what is due and deliver queued webhooks; the state
GET        /_sandbox/faults       the fault rules
POST       /_sandbox/faults       add a rule (a ``Fault`` as JSON); 201 and the rule
DELETE     /_sandbox/faults       remove every rule; ``{"cleared": n}``
POST       /_sandbox/reset        back to a fresh sandbox; the state
=========  =====================  ==========================================================

Settling one order, the ledger and the webhook delivery feed are in ``_drive``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from alliance_pay.sandbox._drive import drive_routes
from alliance_pay.sandbox._wire import is_json_request, json_response, parse_json_object

if TYPE_CHECKING:
    from alliance_pay.sandbox._sandbox import Sandbox

__all__ = ["control_routes"]

Handler = Callable[[Request], Awaitable[Response]]


def _json_only(handler: Handler) -> Handler:
    async def guarded(request: Request) -> Response:
        if not is_json_request(request):
            return json_response(
                {
                    "error": "control calls that change the sandbox must be sent with "
                    "Content-Type: application/json (send {} for no arguments)"
                },
                415,
            )
        return await handler(request)

    return guarded


def control_routes(sandbox: Sandbox) -> list[Route]:
    """The control routes of one sandbox, to add to its app."""

    async def state(request: Request) -> Response:
        sandbox.settle_due()
        return json_response(sandbox.snapshot())

    async def settle(request: Request) -> Response:
        settled = [payout.order_id for payout in sandbox.settle_payouts()]
        return json_response({"settled": settled})

    async def tick(request: Request) -> Response:
        await sandbox.tick()
        return json_response(sandbox.snapshot())

    async def list_faults(request: Request) -> Response:
        return json_response({"faults": [fault.to_wire() for fault in sandbox.faults]})

    async def add_fault(request: Request) -> Response:
        spec = parse_json_object(await request.body())
        if spec is None:
            return json_response({"error": "the body must be a JSON object"}, 400)
        try:
            fault = sandbox.faults.add_from_wire(spec)
        except ValueError as exc:
            return json_response({"error": str(exc)}, 422)
        return json_response(fault.to_wire(), 201)

    async def clear_faults(request: Request) -> Response:
        return json_response({"cleared": sandbox.faults.clear()})

    async def reset(request: Request) -> Response:
        sandbox.reset()
        return json_response(sandbox.snapshot())

    return [
        Route("/_sandbox/state", state, methods=["GET"]),
        Route("/_sandbox/settle", _json_only(settle), methods=["POST"]),
        Route("/_sandbox/tick", _json_only(tick), methods=["POST"]),
        Route("/_sandbox/faults", list_faults, methods=["GET"]),
        Route("/_sandbox/faults", _json_only(add_fault), methods=["POST"]),
        Route("/_sandbox/faults", _json_only(clear_faults), methods=["DELETE"]),
        Route("/_sandbox/reset", _json_only(reset), methods=["POST"]),
        *drive_routes(sandbox),
    ]
