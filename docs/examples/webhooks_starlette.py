"""Alliance webhooks in a Starlette app: the SDK's ASGI receiver at ``/webhooks/alliance``.

Run it with ``uvicorn webhooks_starlette:app``; ``ALLIANCE_BASE_URL``, ``ALLIANCE_ACCESS_KEY``
and ``ALLIANCE_SECRET_KEY`` configure the client, ``ALLIANCE_WEBHOOK_STORE`` the SQLite file
every worker process shares.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.routing import Route

from alliance_pay import AsyncAllianceClient, Payin, Payout
from alliance_pay.webhooks import KnownEvent, SQLiteEventStore, webhook_app

# The provider waits for the answer, and confirming takes a status call: keep it short.
client = AsyncAllianceClient(timeout=5, max_retries=1)
# Every request is kept here first; a redelivery, after a restart or to another worker
# process, is answered from it without calling on_event again.
store = SQLiteEventStore(os.environ.get("ALLIANCE_WEBHOOK_STORE", "webhooks.sqlite3"))

#: Stands in for your database: order id -> status.
orders: dict[str, str] = {}


async def on_event(event: KnownEvent, record: Payin | Payout) -> None:
    """Called once per confirmed event. Act on ``record``, the API's word, not on ``event``."""
    orders[record.order_id] = record.status.value


@asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[None]:
    async with client:  # closes the client's connections at shutdown
        yield
    store.close()


route = Route("/webhooks/alliance", webhook_app(client, on_event, store=store), methods=["POST"])
app = Starlette(routes=[route], lifespan=lifespan)
