"""Creates whose answers are lost, through a proxy that answers every second read with
``503 Retry-After: 0``: the look-ups outlast it, so every create learns its outcome."""

from __future__ import annotations

import itertools
from decimal import Decimal

import anyio
import httpx

from alliance_pay import AsyncAllianceClient, OutcomeUnknownError, Payout
from alliance_pay.sandbox import SandboxConfig, create_app
from tests.helpers import ACCESS_KEY, PAYOUT_ARGS, SECRET_KEY

CREATES = 40


class ChaosProxy(httpx.AsyncBaseTransport):
    """Passes every create to the sandbox and loses its answer (502); every second read is
    answered ``503 Retry-After: 0`` without reaching the sandbox."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self._inner = inner
        self._reads = itertools.count()
        self.busy = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/initiate"):
            response = await self._inner.handle_async_request(request)
            await response.aread()
            return httpx.Response(502, text="<html>502 Bad Gateway</html>")
        if next(self._reads) % 2 == 1:
            self.busy += 1
            return httpx.Response(503, headers={"Retry-After": "0"})
        return await self._inner.handle_async_request(request)


async def test_forty_creates_through_a_flapping_proxy_all_learn_their_outcome() -> None:
    app = create_app(
        SandboxConfig(
            access_key=ACCESS_KEY,
            secret_key=SECRET_KEY,
            balance=Decimal("1000000.00"),
            payout_delay=3600,
        )
    )
    proxy = ChaosProxy(httpx.ASGITransport(app))
    outcomes: dict[str, object] = {}

    async def one(client: AsyncAllianceClient, index: int) -> None:
        order_id = f"CHAOS-{index}"
        try:
            outcomes[order_id] = await client.payouts.create(
                **{**PAYOUT_ARGS, "order_id": order_id, "amount": "10.00"}
            )
        except OutcomeUnknownError as error:
            outcomes[order_id] = error

    async with (
        AsyncAllianceClient(
            access_key=ACCESS_KEY,
            secret_key=SECRET_KEY,
            base_url="http://sandbox",
            http_client=httpx.AsyncClient(transport=proxy),
        ) as client,
        anyio.create_task_group() as group,
    ):
        for index in range(CREATES):
            group.start_soon(one, client, index)

    unknown = [k for k, v in outcomes.items() if isinstance(v, OutcomeUnknownError)]
    assert unknown == []
    assert all(isinstance(v, Payout) for v in outcomes.values())
    assert len(app.state.sandbox.ledger.payouts) == CREATES
    assert proxy.busy >= CREATES // 2  # the proxy really did flap
