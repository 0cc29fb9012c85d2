"""The receivers with every store: raw first, forged kept as forged, size limits, failures and
their retries, the transactional inbox, replay, and the WSGI receiver's handler rules.

In-process (``httpx.ASGITransport``, werkzeug's test client), with respx standing in for the
API's status calls; the same tests run against memory, SQLite and a real PostgreSQL.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
import respx
from werkzeug.test import Client

from alliance_pay import AllianceClient, AsyncAllianceClient, Payin, Payout
from alliance_pay.webhooks import (
    EventNotStoredError,
    EventState,
    EventStore,
    KnownEvent,
    WebhookOutcome,
    webhook_app,
    webhook_wsgi_app,
)
from tests.helpers import BASE_URL, PAYIN, envelope
from tests.webhooks.samples import PAYIN_ORDER, PAYIN_SUCCEEDED, altered
from tests.webhooks.support import Effects

PAYIN_STATUS_URL = f"{BASE_URL}/api/v1/payin/transactions"
KEY = f"payin.succeeded:{PAYIN_ORDER}"

MakeStore = Callable[..., EventStore]


@pytest.fixture
def api(respx_mock: respx.MockRouter) -> respx.MockRouter:
    respx_mock.post(PAYIN_STATUS_URL).respond(200, json=envelope(PAYIN))
    return respx_mock


async def post(app: Any, body: bytes, headers: dict[str, str] | None = None) -> httpx.Response:
    transport = httpx.ASGITransport(app, client=("203.0.113.7", 5123))
    async with httpx.AsyncClient(transport=transport, base_url="http://shop.test") as http:
        return await http.post("/webhooks/alliance", content=body, headers=headers)


async def test_the_raw_request_is_stored_before_the_status_call(
    client: AsyncAllianceClient, make_store: MakeStore, respx_mock: respx.MockRouter
) -> None:
    store = make_store()
    seen_at_status_call: list[int] = []

    def status_call(request: httpx.Request) -> httpx.Response:
        seen_at_status_call.append(len(store.deliveries(None)) + len(store.deliveries(KEY)))
        return httpx.Response(200, json=envelope(PAYIN))

    respx_mock.post(PAYIN_STATUS_URL).mock(side_effect=status_call)
    answer = await post(webhook_app(client, Effects(), store=store), PAYIN_SUCCEEDED, {"X-Id": "7"})
    assert answer.status_code == 200
    assert seen_at_status_call == [1]
    [delivery] = store.deliveries(KEY)
    assert delivery.body == PAYIN_SUCCEEDED
    assert ("x-id", "7") in delivery.headers
    assert (delivery.remote, delivery.outcome) == ("203.0.113.7:5123", "handled")


async def test_a_body_that_does_not_parse_is_kept_byte_for_byte(
    client: AsyncAllianceClient, make_store: MakeStore
) -> None:
    store = make_store()
    body = b"event=payin.succeeded&\xff\xfe"
    answer = await post(webhook_app(client, Effects(), store=store), body)
    assert (answer.status_code, answer.json()) == (400, {"outcome": "invalid"})
    [delivery] = store.deliveries(None)
    assert (delivery.body, delivery.outcome) == (body, "invalid")


async def test_a_forged_event_is_stored_as_forged_and_never_handled(
    client: AsyncAllianceClient, make_store: MakeStore, api: respx.MockRouter
) -> None:
    store, effects = make_store(), Effects()
    app = webhook_app(client, effects, store=store)
    answers = [await post(app, altered(PAYIN_SUCCEEDED, amount=1)) for _ in range(2)]
    assert [a.status_code for a in answers] == [400, 400]
    assert effects.orders == []
    [forged] = store.events(state="forged")
    assert forged.key == KEY
    assert forged.last_error == "amount disagrees: the event says 1, the API says 100"
    assert list(store.events(state="handled")) == []
    # The genuine delivery of the same key is still handled.
    assert (await post(app, PAYIN_SUCCEEDED)).json() == {"outcome": "handled"}
    assert effects.orders == [PAYIN_ORDER]
    assert [e.state for e in store.history(KEY)][-2:] == ["confirmed", "handled"]


@pytest.mark.parametrize("declare_length", [True, False])
async def test_a_body_over_the_limit_is_refused_and_only_its_beginning_is_kept(
    client: AsyncAllianceClient, make_store: MakeStore, declare_length: bool
) -> None:
    store = make_store()
    app = webhook_app(client, Effects(), store=store, max_body_size=100)
    huge = b'{"event": "payin.succeeded", "pad": "' + b"x" * 100_000 + b'"}'

    async def chunks() -> AsyncIterator[bytes]:
        for start in range(0, len(huge), 1000):
            yield huge[start : start + 1000]

    transport = httpx.ASGITransport(app)
    async with httpx.AsyncClient(transport=transport, base_url="http://shop.test") as http:
        content: Any = huge if declare_length else chunks()
        answer = await http.post("/", content=content)
    assert (answer.status_code, answer.json()) == (413, {"outcome": "too_large"})
    [kept] = store.deliveries(None)
    assert kept.truncated
    assert kept.outcome == "too_large"
    assert len(kept.body) <= 100
    assert kept.body == huge[: len(kept.body)]
    assert list(store.events()) == []


async def test_a_handler_failure_is_stored_with_its_error_and_the_redelivery_is_handled(
    client: AsyncAllianceClient, make_store: MakeStore, api: respx.MockRouter
) -> None:
    store, effects = make_store(), Effects()
    effects.failures = 1
    app = webhook_app(client, effects, store=store)
    assert (await post(app, PAYIN_SUCCEEDED)).status_code == 500
    [failed] = store.events()
    assert (failed.state, failed.attempts, failed.last_error) == (
        EventState.FAILED,
        1,
        "RuntimeError: the merchant's database is down",
    )
    assert failed.record is not None
    assert failed.record["amount"] == "100"  # exact, as a decimal string
    assert (await post(app, PAYIN_SUCCEEDED)).json() == {"outcome": "handled"}
    assert (await post(app, PAYIN_SUCCEEDED)).json() == {"outcome": "duplicate"}
    assert effects.orders == [PAYIN_ORDER]
    [handled] = store.events()
    assert (handled.state, handled.attempts) == (EventState.HANDLED, 2)
    assert [d.outcome for d in store.deliveries(KEY)] == ["error", "handled", "duplicate"]


async def test_a_failed_status_call_releases_the_claim_for_the_redelivery(
    client: AsyncAllianceClient, make_store: MakeStore, respx_mock: respx.MockRouter
) -> None:
    store, effects = make_store(), Effects()
    route = respx_mock.post(PAYIN_STATUS_URL)
    route.side_effect = [httpx.ConnectError("down"), httpx.Response(200, json=envelope(PAYIN))]
    app = webhook_app(client, effects, store=store)
    assert (await post(app, PAYIN_SUCCEEDED)).json() == {"outcome": "retry"}
    [waiting] = store.events()
    assert (waiting.state, waiting.in_progress) == (EventState.RECEIVED, False)
    assert waiting.last_error is not None
    assert waiting.last_error.startswith("the status call failed")
    assert (await post(app, PAYIN_SUCCEEDED)).json() == {"outcome": "handled"}
    assert effects.orders == [PAYIN_ORDER]


async def test_replay_confirms_again_and_handles_a_handled_event_once_more(
    client: AsyncAllianceClient, make_store: MakeStore, api: respx.MockRouter
) -> None:
    store, effects = make_store(), Effects()
    await post(webhook_app(client, effects, store=store), PAYIN_SUCCEEDED)
    calls_before = api.calls.call_count
    result = await store.replay(KEY, client, effects)
    assert result.outcome is WebhookOutcome.HANDLED
    assert api.calls.call_count == calls_before + 1  # confirmed again
    assert effects.orders == [PAYIN_ORDER, PAYIN_ORDER]
    assert (await post(webhook_app(client, effects, store=store), PAYIN_SUCCEEDED)).json() == {
        "outcome": "duplicate"
    }
    with pytest.raises(EventNotStoredError, match=r"no stored delivery for event 'payin\.failed"):
        await store.replay("payin.failed:X", client, effects)


def test_replay_works_with_the_sync_client_too(
    sync_client: AllianceClient, make_store: MakeStore, api: respx.MockRouter
) -> None:
    store, effects = make_store(), Effects()
    sync_client.webhooks.handle(PAYIN_SUCCEEDED, effects, store=store)
    assert store.replay(KEY, sync_client, effects).outcome is WebhookOutcome.HANDLED
    assert effects.orders == [PAYIN_ORDER, PAYIN_ORDER]


# The WSGI receiver ------------------------------------------------------------------------------


def test_the_wsgi_receiver_stores_confirms_and_handles_once(
    sync_client: AllianceClient, make_store: MakeStore, api: respx.MockRouter
) -> None:
    store, effects = make_store(), Effects()
    http = Client(webhook_wsgi_app(sync_client, effects, store=store))
    answers = [
        http.post("/", data=PAYIN_SUCCEEDED, environ_base={"REMOTE_ADDR": "203.0.113.9"})
        for _ in range(2)
    ]
    assert [(a.status_code, json.loads(a.data)) for a in answers] == [
        (200, {"outcome": "handled"}),
        (200, {"outcome": "duplicate"}),
    ]
    assert http.get("/").status_code == 405
    assert effects.orders == [PAYIN_ORDER]
    assert [d.remote for d in store.deliveries(KEY)] == ["203.0.113.9", "203.0.113.9"]


def test_the_wsgi_receiver_refuses_a_body_over_the_limit(
    sync_client: AllianceClient, make_store: MakeStore
) -> None:
    store = make_store()
    http = Client(webhook_wsgi_app(sync_client, Effects(), store=store, max_body_size=100))
    answer = http.post("/", data=b"x" * 5000)
    assert answer.status_code == 413
    [kept] = store.deliveries(None)
    assert (kept.truncated, kept.body) == (True, b"")  # its declared length was enough


def test_the_wsgi_receiver_refuses_an_async_def_handler_when_it_is_made(
    sync_client: AllianceClient,
) -> None:
    async def on_event(event: KnownEvent, record: Payin | Payout) -> None: ...

    with pytest.raises(TypeError, match=r"'.*on_event' is an async def function, but webhook_wsgi"):
        webhook_wsgi_app(sync_client, on_event)  # type: ignore[arg-type]


def test_a_handler_returning_an_awaitable_to_the_wsgi_receiver_is_a_500_never_a_200(
    sync_client: AllianceClient, make_store: MakeStore, api: respx.MockRouter
) -> None:
    async def work() -> None: ...

    store = make_store()
    http = Client(webhook_wsgi_app(sync_client, lambda event, record: work(), store=store))
    answer = http.post("/", data=PAYIN_SUCCEEDED)
    assert answer.status_code == 500
    [event] = store.events()
    assert event.state is EventState.FAILED
    assert event.last_error is not None
    assert "never awaited" in event.last_error


def test_a_transactional_receiver_needs_a_store_with_a_database(
    sync_client: AllianceClient, client: AsyncAllianceClient
) -> None:
    with pytest.raises(TypeError, match="transactional=True needs a store on a database"):
        webhook_wsgi_app(sync_client, Effects(), transactional=True)
    with pytest.raises(TypeError, match="not InMemoryEventStore"):
        webhook_app(client, Effects(), transactional=True)
