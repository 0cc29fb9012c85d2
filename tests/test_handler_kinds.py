"""Handler kinds: the sync client refuses an ``async def`` handler before it can lose an event,
the async client runs both kinds, and nothing that did not run is ever acknowledged."""

from __future__ import annotations

import functools
import gc
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any

import httpx
import pytest
import respx
from flask import Flask, request

from alliance_pay import AllianceAuth, AllianceClient, AsyncAllianceClient, Payin, Payout
from alliance_pay._callables import (
    call_in_async_api,
    call_in_sync_api,
    check_async_api_callable,
    check_sync_api_callable,
    is_async_callable,
)
from alliance_pay.webhooks import KnownEvent, WebhookOutcome, webhook_app
from tests.helpers import ACCESS_KEY, BASE_URL, PAYIN, SECRET_KEY, envelope
from tests.webhooks.samples import PAYIN_SUCCEEDED

PAYIN_STATUS_URL = f"{BASE_URL}/api/v1/payin/transactions"

Calls = list[tuple[KnownEvent, Payin | Payout]]


async def async_handler(event: KnownEvent, record: Payin | Payout) -> None:
    raise AssertionError("never run by the sync client")


class AsyncCallableHandler:
    async def __call__(self, event: KnownEvent, record: Payin | Payout) -> None:
        raise AssertionError("never run by the sync client")


def generator_handler(event: KnownEvent, record: Payin | Payout) -> Iterator[None]:
    yield


@pytest.fixture
def sync_client() -> Iterator[AllianceClient]:
    with AllianceClient(
        access_key=ACCESS_KEY, secret_key=SECRET_KEY, base_url=BASE_URL, max_retries=0
    ) as client:
        yield client


@pytest.fixture
async def async_client() -> AsyncIterator[AsyncAllianceClient]:
    async with AsyncAllianceClient(
        access_key=ACCESS_KEY, secret_key=SECRET_KEY, base_url=BASE_URL, max_retries=0
    ) as client:
        yield client


@pytest.fixture
def api(respx_mock: respx.MockRouter) -> respx.Route:
    return respx_mock.post(PAYIN_STATUS_URL).respond(200, json=envelope(PAYIN))


# The sync client ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "handler",
    [
        async_handler,
        AsyncCallableHandler(),
        functools.partial(async_handler),
        AsyncCallableHandler().__call__,
    ],
    ids=["async-def", "async-call-object", "partial", "bound-method"],
)
@pytest.mark.parametrize("body", [PAYIN_SUCCEEDED, b"<not an event>"], ids=["event", "garbage"])
def test_the_sync_client_refuses_an_async_handler_before_anything_happens(
    sync_client: AllianceClient, api: respx.Route, handler: Any, body: bytes
) -> None:
    with pytest.raises(TypeError) as caught:
        sync_client.webhooks.handle(body, handler)
    message = str(caught.value)
    assert "is an async def function, but AllianceClient.webhooks.handle is sync" in message
    assert "Make it a plain def function, or receive webhooks with AsyncAllianceClient" in message
    assert api.call_count == 0  # refused before the status call, whatever the body


def test_after_refusing_an_async_handler_the_event_is_still_handled_by_a_sync_one(
    sync_client: AllianceClient, api: respx.Route
) -> None:
    with pytest.raises(TypeError):
        sync_client.webhooks.handle(PAYIN_SUCCEEDED, async_handler)
    calls: Calls = []
    result = sync_client.webhooks.handle(PAYIN_SUCCEEDED, lambda e, r: calls.append((e, r)))
    assert (result.outcome, result.status_code) == (WebhookOutcome.HANDLED, 200)
    assert len(calls) == 1


def test_a_handler_returning_a_coroutine_to_the_sync_client_is_an_error_not_a_200(
    sync_client: AllianceClient, api: respx.Route
) -> None:
    ran: list[str] = []

    async def work(event: KnownEvent, record: Payin | Payout) -> None:
        ran.append(record.order_id)

    sneaky: Any = lambda event, record: work(event, record)  # noqa: E731 - the trap itself
    with pytest.raises(TypeError, match=r"returned a coroutine to .*it never ran"):
        sync_client.webhooks.handle(PAYIN_SUCCEEDED, sneaky)
    gc.collect()  # a coroutine left unclosed would warn here, and warnings are errors
    assert ran == []
    # Not acknowledged: the redelivery is handled, by a handler that works.
    result = sync_client.webhooks.handle(PAYIN_SUCCEEDED, lambda e, r: ran.append(r.order_id))
    assert result.outcome is WebhookOutcome.HANDLED
    assert ran == [PAYIN["order_id"]]


def test_a_flask_receiver_answers_500_when_the_handler_returns_an_awaitable(
    sync_client: AllianceClient, api: respx.Route
) -> None:
    async def work() -> None: ...

    handler: Any = lambda event, record: work()  # noqa: E731
    app = Flask(__name__)

    @app.post("/webhooks")
    def receive() -> tuple[dict[str, str], int]:
        result = sync_client.webhooks.handle(request.get_data(), handler)
        return {"outcome": result.outcome.value}, result.status_code

    answer = app.test_client().post("/webhooks", data=PAYIN_SUCCEEDED)
    assert answer.status_code == 500


@pytest.mark.parametrize("client_kind", ["sync", "async"])
async def test_a_generator_handler_is_refused_by_both_clients(
    sync_client: AllianceClient,
    async_client: AsyncAllianceClient,
    api: respx.Route,
    client_kind: str,
) -> None:
    handler: Any = generator_handler
    refused = pytest.raises(TypeError, match="is a generator function: calling it runs none of")
    if client_kind == "sync":
        with refused:
            sync_client.webhooks.handle(PAYIN_SUCCEEDED, handler)
    else:
        with refused:
            await async_client.webhooks.handle(PAYIN_SUCCEEDED, handler)
    assert api.call_count == 0


def test_a_non_callable_handler_is_refused_with_its_type(sync_client: AllianceClient) -> None:
    handler: Any = "on_event"
    with pytest.raises(TypeError, match=r"the webhook handler must be callable, not str"):
        sync_client.webhooks.handle(PAYIN_SUCCEEDED, handler)


# The async client --------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["def", "async def"])
async def test_the_async_client_runs_both_kinds_of_handler_once(
    async_client: AsyncAllianceClient, api: respx.Route, kind: str
) -> None:
    calls: Calls = []

    def plain(event: KnownEvent, record: Payin | Payout) -> None:
        calls.append((event, record))

    async def coroutine(event: KnownEvent, record: Payin | Payout) -> None:
        calls.append((event, record))

    handler = plain if kind == "def" else coroutine
    first = await async_client.webhooks.handle(PAYIN_SUCCEEDED, handler)
    again = await async_client.webhooks.handle(PAYIN_SUCCEEDED, handler)
    assert (first.outcome, first.status_code) == (WebhookOutcome.HANDLED, 200)
    assert again.outcome is WebhookOutcome.DUPLICATE
    assert [record.order_id for _, record in calls] == [PAYIN["order_id"]]


async def test_the_async_client_runs_a_sync_handler_once_and_raises_only_its_own_error(
    async_client: AsyncAllianceClient, api: respx.Route
) -> None:
    runs: list[str] = []

    def failing(event: KnownEvent, record: Payin | Payout) -> None:
        runs.append(record.order_id)
        raise LookupError("no such order in the shop")

    with pytest.raises(LookupError, match="no such order in the shop"):
        await async_client.webhooks.handle(PAYIN_SUCCEEDED, failing)
    assert runs == [PAYIN["order_id"]]


async def test_webhook_app_takes_a_sync_handler_and_answers_200(
    async_client: AsyncAllianceClient, api: respx.Route
) -> None:
    calls: Calls = []
    app = webhook_app(async_client, lambda event, record: calls.append((event, record)))
    transport = httpx.ASGITransport(app)
    async with httpx.AsyncClient(transport=transport, base_url="http://shop.test") as http:
        answer = await http.post("/", content=PAYIN_SUCCEEDED)
    assert (answer.status_code, answer.json()) == (200, {"outcome": "handled"})
    assert len(calls) == 1


def test_webhook_app_refuses_a_generator_handler_when_it_is_built(
    async_client: AsyncAllianceClient,
) -> None:
    handler: Any = generator_handler
    with pytest.raises(TypeError, match="generator function"):
        webhook_app(async_client, handler)


# The checks themselves ---------------------------------------------------------------------------


def test_is_async_callable_sees_through_partials_methods_and_call_objects() -> None:
    class Sync:
        def __call__(self) -> None: ...

    assert is_async_callable(async_handler)
    assert is_async_callable(functools.partial(functools.partial(async_handler)))
    assert is_async_callable(AsyncCallableHandler())
    assert is_async_callable(AsyncCallableHandler().__call__)
    assert not is_async_callable(print)
    assert not is_async_callable(Sync())
    assert not is_async_callable(lambda: None)
    assert not is_async_callable(AsyncCallableHandler)  # calling the class builds an instance


def test_the_checks_name_the_callable_the_api_and_the_fix() -> None:
    with pytest.raises(TypeError) as caught:
        check_sync_api_callable(
            async_handler, what="the hook", api="Thing.register", fix="Do X instead."
        )
    assert str(caught.value) == (
        "the hook 'async_handler' is an async def function, but Thing.register is sync: it "
        "would never be awaited, so it would never run. Do X instead."
    )
    check_async_api_callable(async_handler, what="the hook", api="Thing.register", fix="")


async def test_the_callers_return_what_the_callable_returned() -> None:
    async def answer(value: int) -> int:
        return value + 1

    coroutine_function: Callable[[int], Awaitable[int]] = answer
    assert await call_in_async_api(coroutine_function, 1, what="f", api="a") == 2
    assert await call_in_async_api(len, "ab", what="f", api="a") == 2
    assert call_in_sync_api(len, "abc", what="f", api="a") == 3


# Other sync APIs that take a callable ------------------------------------------------------------


def test_alliance_auth_refuses_an_async_clock_when_it_is_built() -> None:
    async def clock() -> int:
        return 1726748295000

    with pytest.raises(
        TypeError, match=r"clock 'test_.*clock' is an async def function, but AllianceAuth"
    ):
        AllianceAuth(ACCESS_KEY, SECRET_KEY, clock=clock)  # type: ignore[arg-type]


def test_a_cli_command_with_an_async_handler_is_refused_when_it_is_declared() -> None:
    import argparse

    from alliance_pay.cli._tree import CommandTree

    async def handler(args: argparse.Namespace) -> int:
        return 0

    tree = CommandTree(argparse.ArgumentParser(prog="alliance-pay"))
    refused: Any = handler
    with pytest.raises(TypeError, match=r"the handler of 'ledger' '.*handler' is an async def"):
        tree.command("ledger", refused, help="show the ledger")
    with pytest.raises(TypeError, match=r"the handler of 'tools export' '.*' is an async def"):
        tree.group("tools", help="tools").command("export", refused, help="export")
    with pytest.raises(TypeError, match=r"anyio\.run"):
        tree.group("other", help="other", handler=refused)
