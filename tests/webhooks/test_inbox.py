"""The transactional inbox: a handler's writes on the store's connection commit together with the
"handled" mark, or not at all, on SQLite and on a real PostgreSQL, through both receivers."""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable
from contextlib import closing
from typing import Any

import httpx
import psycopg
import pytest
import respx
from werkzeug.test import Client

from alliance_pay import AllianceClient, AsyncAllianceClient, Payin, Payout
from alliance_pay.webhooks import (
    EventState,
    EventStore,
    KnownEvent,
    PostgresEventStore,
    webhook_app,
    webhook_wsgi_app,
)
from tests.helpers import BASE_URL, PAYIN, envelope
from tests.webhooks.samples import PAYIN_ORDER, PAYIN_SUCCEEDED

PAYIN_STATUS_URL = f"{BASE_URL}/api/v1/payin/transactions"
KEY = f"payin.succeeded:{PAYIN_ORDER}"

MakeStore = Callable[..., EventStore]


class Orders:
    """The merchant's own table, in the store's database, written by a transactional handler."""

    def __init__(self, kind: str, location: str) -> None:
        self.kind, self.location = kind, location
        self.insert = (
            "INSERT INTO paid_orders (order_id, status) VALUES (?, ?)"
            if kind == "sqlite"
            else "INSERT INTO paid_orders (order_id, status) VALUES (%s, %s)"
        )
        self.fail_after_writing = 0
        self.before_commit: Callable[[], None] | None = None
        # closing(): a sqlite3 connection's own ``with`` commits but does not close it.
        with closing(self._connect()) as connection:
            connection.execute("CREATE TABLE paid_orders (order_id TEXT, status TEXT)")
            connection.commit()

    def _connect(self) -> Any:
        if self.kind == "sqlite":
            return sqlite3.connect(self.location)
        return psycopg.connect(self.location, autocommit=True)

    def __call__(self, event: KnownEvent, record: Payin | Payout, connection: Any) -> None:
        connection.execute(self.insert, (record.order_id, record.status.value))
        if self.before_commit is not None:
            self.before_commit()
        if self.fail_after_writing:
            self.fail_after_writing -= 1
            raise RuntimeError("the merchant's stock service is down")

    def rows(self) -> list[tuple[str, str]]:
        connection = self._connect()
        try:
            return [tuple(row) for row in connection.execute("SELECT * FROM paid_orders")]
        finally:
            connection.close()


@pytest.fixture
def orders(durable_kind: str, durable_location: str) -> Orders:
    return Orders(durable_kind, durable_location)


@pytest.fixture(autouse=True)
def api(respx_mock: respx.MockRouter) -> respx.MockRouter:
    respx_mock.post(PAYIN_STATUS_URL).respond(200, json=envelope(PAYIN))
    return respx_mock


async def post(app: Any) -> httpx.Response:
    transport = httpx.ASGITransport(app)
    async with httpx.AsyncClient(transport=transport, base_url="http://shop.test") as http:
        return await http.post("/", content=PAYIN_SUCCEEDED)


async def test_the_handlers_writes_commit_with_the_handled_mark(
    client: AsyncAllianceClient, make_durable_store: MakeStore, orders: Orders
) -> None:
    store = make_durable_store()
    app = webhook_app(client, orders, store=store, transactional=True)
    assert (await post(app)).json() == {"outcome": "handled"}
    assert (await post(app)).json() == {"outcome": "duplicate"}
    assert orders.rows() == [(PAYIN_ORDER, "Approved")]
    assert next(store.events()).state is EventState.HANDLED


async def test_a_handler_that_raises_leaves_neither_its_writes_nor_the_mark(
    client: AsyncAllianceClient, make_durable_store: MakeStore, orders: Orders
) -> None:
    store = make_durable_store()
    orders.fail_after_writing = 1
    app = webhook_app(client, orders, store=store, transactional=True)
    assert (await post(app)).status_code == 500
    assert orders.rows() == []  # rolled back with the transaction
    [failed] = store.events()
    assert (failed.state, failed.last_error) == (
        EventState.FAILED,
        "RuntimeError: the merchant's stock service is down",
    )
    assert (await post(app)).json() == {"outcome": "handled"}
    assert orders.rows() == [(PAYIN_ORDER, "Approved")]


def test_the_wsgi_receiver_runs_the_same_inbox(
    sync_client: AllianceClient, make_durable_store: MakeStore, orders: Orders
) -> None:
    store = make_durable_store()
    orders.fail_after_writing = 1
    http = Client(webhook_wsgi_app(sync_client, orders, store=store, transactional=True))
    answers = [http.post("/", data=PAYIN_SUCCEEDED) for _ in range(3)]
    assert [a.status_code for a in answers] == [500, 200, 200]
    assert [json.loads(a.data)["outcome"] for a in answers[1:]] == ["handled", "duplicate"]
    assert orders.rows() == [(PAYIN_ORDER, "Approved")]


async def test_a_claim_taken_over_after_its_lease_rolls_the_late_handler_back(
    client: AsyncAllianceClient, postgres_dsn: str
) -> None:
    # PostgreSQL only: SQLite's write lock, held by the handler's transaction, keeps any other
    # process from taking the claim over in the first place.
    orders = Orders("postgres", postgres_dsn)
    store = PostgresEventStore(postgres_dsn, lease=0.3)
    replica = PostgresEventStore(postgres_dsn, lease=0.3)

    def another_replica_takes_over() -> None:
        time.sleep(0.4)  # this handler outlived its lease...
        assert replica.claim(KEY).value == "new"  # ...and a redelivery was handled elsewhere
        replica.complete(KEY)

    orders.before_commit = another_replica_takes_over
    try:
        answer = await post(webhook_app(client, orders, store=store, transactional=True))
        assert (answer.status_code, answer.json()) == (503, {"outcome": "in_progress"})
        assert orders.rows() == []  # the late handler's write did not commit
        [event] = store.events()
        assert event.state is EventState.HANDLED  # by the replica
    finally:
        store.close()
        replica.close()
