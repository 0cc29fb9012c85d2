"""Exactly-once effects with PostgreSQL: the handler writes in the store's own transaction.

``handler(event, record, connection)`` runs inside the transaction that marks the event
handled: the order's new status and the mark commit together, or neither does, whichever
replica handles the event and whenever a process dies. ``DATABASE_URL`` names the database
the store and your ``orders`` table share.

Run it with ``uvicorn webhooks_inbox:app --workers 4`` on as many hosts as you like.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from starlette.applications import Starlette
from starlette.routing import Route

from alliance_pay import AsyncAllianceClient, Payin, Payout
from alliance_pay.webhooks import KnownEvent, PostgresEventStore, webhook_app

client = AsyncAllianceClient(timeout=5, max_retries=1)
store = PostgresEventStore(os.environ["DATABASE_URL"], lease=30)


def on_event(event: KnownEvent, record: Payin | Payout, connection: Any) -> None:
    """Write on ``connection`` only, and do not commit: the receiver commits, with the mark."""
    connection.execute(
        "UPDATE orders SET status = %s WHERE order_id = %s",
        (record.status.value, record.order_id),
    )


@asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[None]:
    async with client:
        yield
    store.close()


receiver = webhook_app(client, on_event, store=store, transactional=True)
app = Starlette(routes=[Route("/webhooks/alliance", receiver, methods=["POST"])], lifespan=lifespan)
