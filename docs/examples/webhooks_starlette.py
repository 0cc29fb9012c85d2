"""Alliance webhooks in a Starlette app: the SDK's ASGI receiver at ``/webhooks/alliance``.

Run it with ``uvicorn webhooks_starlette:app``; ``ALLIANCE_BASE_URL``, ``ALLIANCE_ACCESS_KEY``
and ``ALLIANCE_SECRET_KEY`` configure the client.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.routing import Route

from alliance_pay import AsyncAllianceClient, Payin, Payout
from alliance_pay.webhooks import KnownEvent, webhook_app

# The provider waits for the answer, and confirming takes a status call: keep it short.
client = AsyncAllianceClient(timeout=5, max_retries=1)

#: Stands in for your database: order id -> status.
orders: dict[str, str] = {}


async def on_event(event: KnownEvent, record: Payin | Payout) -> None:
    """Called once per confirmed event. Act on ``record``, the API's word, not on ``event``."""
    orders[record.order_id] = record.status.value


@asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[None]:
    async with client:  # closes the client's connections at shutdown
        yield


route = Route("/webhooks/alliance", webhook_app(client, on_event), methods=["POST"])
app = Starlette(routes=[route], lifespan=lifespan)
