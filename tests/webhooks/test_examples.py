"""The documentation's receiver examples (``docs/examples/webhooks_*.py``), driven in-process
(Starlette through ``httpx.ASGITransport`` inside its own lifespan, Flask through its test
client), with respx standing in for the API's status calls."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import psycopg
import pytest
import respx
from werkzeug.test import Client

from tests.helpers import BASE_URL, PAYIN, PAYOUT_STATUS, envelope
from tests.webhooks.samples import (
    PAYIN_INITIATED,
    PAYIN_ORDER,
    PAYIN_SUCCEEDED,
    PAYOUT_ORDER,
    PAYOUT_SUCCEEDED,
    altered,
)
from tests.webhooks.support import example_module

PAYIN_STATUS_URL = f"{BASE_URL}/api/v1/payin/transactions"
PAYOUT_STATUS_URL = f"{BASE_URL}/api/v1/payout/{PAYOUT_ORDER}/status"


@pytest.fixture
def api(respx_mock: respx.MockRouter) -> respx.MockRouter:
    respx_mock.post(PAYIN_STATUS_URL).respond(200, json=envelope(PAYIN))
    respx_mock.get(PAYOUT_STATUS_URL).respond(200, json=envelope(PAYOUT_STATUS))
    return respx_mock


@pytest.fixture
def starlette_example(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    with example_module("webhooks_starlette", monkeypatch, BASE_URL) as module:
        yield module


@asynccontextmanager
async def served(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    """Talk to a Starlette app in-process, with its lifespan run as a server would run it."""
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app)
        async with httpx.AsyncClient(transport=transport, base_url="http://shop.test") as http:
            yield http


@pytest.fixture
def flask_example(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    with example_module("webhooks_flask", monkeypatch, BASE_URL) as module:
        yield module
        module.client.close()


async def test_the_starlette_example_handles_confirmed_events_once(
    starlette_example: Any, api: respx.MockRouter
) -> None:
    async with served(starlette_example.app) as http:
        answers = [
            await http.post("/webhooks/alliance", content=body)
            for body in (PAYIN_INITIATED, PAYIN_SUCCEEDED, PAYIN_SUCCEEDED, PAYOUT_SUCCEEDED)
        ]
    assert [(a.status_code, a.json()["outcome"]) for a in answers] == [
        (200, "handled"),
        (200, "handled"),
        (200, "duplicate"),
        (200, "handled"),
    ]
    assert starlette_example.orders == {PAYIN_ORDER: "Approved", PAYOUT_ORDER: "Approved"}
    assert starlette_example.client._http_client.is_closed  # the lifespan closed it


async def test_the_starlette_example_refuses_a_forgery(
    starlette_example: Any, respx_mock: respx.MockRouter
) -> None:
    respx_mock.get(PAYOUT_STATUS_URL).respond(200, json=envelope(PAYOUT_STATUS))
    async with served(starlette_example.app) as http:
        forged = await http.post("/webhooks/alliance", content=altered(PAYOUT_SUCCEEDED, amount=1))
        wrong_method = await http.get("/webhooks/alliance")
    assert (forged.status_code, forged.json()) == (400, {"outcome": "rejected"})
    assert wrong_method.status_code == 405
    assert starlette_example.orders == {}


def test_the_flask_example_handles_confirmed_events_once(
    flask_example: Any, api: respx.MockRouter
) -> None:
    http = flask_example.app.test_client()
    answers = [
        http.post("/webhooks/alliance", data=body)
        for body in (PAYIN_INITIATED, PAYIN_SUCCEEDED, PAYIN_SUCCEEDED, PAYOUT_SUCCEEDED)
    ]
    assert [(a.status_code, a.get_json()["outcome"]) for a in answers] == [
        (200, "handled"),
        (200, "handled"),
        (200, "duplicate"),
        (200, "handled"),
    ]
    assert flask_example.orders == {PAYIN_ORDER: "Approved", PAYOUT_ORDER: "Approved"}


def test_the_flask_example_refuses_a_forgery_and_a_bad_body(
    flask_example: Any, respx_mock: respx.MockRouter
) -> None:
    respx_mock.post(PAYIN_STATUS_URL).respond(200, json=envelope(PAYIN))
    http = flask_example.app.test_client()
    forged = http.post("/webhooks/alliance", data=altered(PAYIN_SUCCEEDED, amount=1))
    malformed = http.post("/webhooks/alliance", data=b"event=payin.succeeded")
    assert (forged.status_code, forged.get_json()) == (400, {"outcome": "rejected"})
    assert (malformed.status_code, malformed.get_json()) == (400, {"outcome": "invalid"})
    assert flask_example.orders == {}


def test_the_flask_example_keeps_every_request_in_its_store_and_serves_flask_too(
    flask_example: Any, api: respx.MockRouter
) -> None:
    http = flask_example.app.test_client()
    assert http.get("/").get_data() == b"the shop"
    http.post("/webhooks/alliance", data=PAYIN_SUCCEEDED)
    http.post("/webhooks/alliance", data=b"not json")
    [event] = flask_example.store.events()
    assert (event.key, str(event.state)) == (f"payin.succeeded:{PAYIN_ORDER}", "handled")
    [refused] = flask_example.store.deliveries(None)
    assert (refused.body, refused.outcome) == (b"not json", "invalid")


def test_the_django_example_sends_webhooks_to_the_receiver_and_the_rest_to_django(
    monkeypatch: pytest.MonkeyPatch, api: respx.MockRouter
) -> None:
    with example_module("webhooks_django", monkeypatch, BASE_URL) as example:
        http = Client(example.application)
        answers = [http.post("/webhooks/alliance", data=body) for body in (PAYIN_SUCCEEDED,) * 2]
        assert [json.loads(a.data)["outcome"] for a in answers] == ["handled", "duplicate"]
        assert http.get("/").data == b"the shop"  # Django's own view
        assert example.orders == {PAYIN_ORDER: "Approved"}
        example.client.close()


async def test_the_fastapi_example_handles_confirmed_events_once(
    monkeypatch: pytest.MonkeyPatch, api: respx.MockRouter
) -> None:
    with example_module("webhooks_fastapi", monkeypatch, BASE_URL) as example:
        async with served(example.app) as http:
            answers = [
                await http.post("/webhooks/alliance", content=body)
                for body in (
                    PAYOUT_SUCCEEDED,
                    PAYOUT_SUCCEEDED,
                    altered(PAYOUT_SUCCEEDED, amount=1),
                )
            ]
        assert [(a.status_code, a.json()["outcome"]) for a in answers] == [
            (200, "handled"),
            (200, "duplicate"),
            (200, "duplicate"),  # answered from the store: no status call, no handler
        ]
        assert example.orders == {PAYOUT_ORDER: "Approved"}


async def test_the_inbox_example_commits_the_status_with_the_handled_mark(
    monkeypatch: pytest.MonkeyPatch, api: respx.MockRouter, postgres_dsn: str
) -> None:
    with psycopg.connect(postgres_dsn, autocommit=True) as connection:
        connection.execute("CREATE TABLE orders (order_id TEXT PRIMARY KEY, status TEXT)")
        connection.execute("INSERT INTO orders VALUES (%s, 'Pending')", (PAYIN_ORDER,))
    monkeypatch.setenv("DATABASE_URL", postgres_dsn)
    with example_module("webhooks_inbox", monkeypatch, BASE_URL) as example:
        async with served(example.app) as http:
            answers = [
                await http.post("/webhooks/alliance", content=PAYIN_SUCCEEDED) for _ in range(2)
            ]
    assert [a.json()["outcome"] for a in answers] == ["handled", "duplicate"]
    with psycopg.connect(postgres_dsn) as connection:
        status = connection.execute("SELECT status FROM orders").fetchone()
    assert status == ("Approved",)
