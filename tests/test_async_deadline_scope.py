"""The async attempt deadline on asyncio: it ends the attempt as a timeout, and it never takes
a cancellation that is not its own (the caller's cancel scope, ``task.cancel()``,
``asyncio.timeout``) for one, nor leaves a cancellation pending behind it."""

from __future__ import annotations

import asyncio
import contextlib
import sys
from typing import Any

import anyio
import httpx
import pytest

from alliance_pay import APITimeoutError, AsyncAllianceClient
from alliance_pay._limits import Deadline, attempt_scope_async

pytestmark = pytest.mark.skipif(
    sys.version_info < (3, 11), reason="3.10 has no Task.uncancel: the scope is anyio's there"
)


def _hanging_client(timeout: float) -> AsyncAllianceClient:
    async def hang(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(3600)
        raise AssertionError("unreachable")

    return AsyncAllianceClient(
        access_key="ak",
        secret_key="sk",
        base_url="https://alliance.test",
        http_client=httpx.AsyncClient(transport=httpx.MockTransport(hang)),
        max_retries=0,
        timeout=timeout,
    )


async def test_an_attempt_past_its_deadline_is_a_timeout_and_the_task_goes_on_uncancelled() -> None:
    async with _hanging_client(0.05) as client:
        with pytest.raises(APITimeoutError, match=r"took longer than its 0\.05 s deadline"):
            await client.balance.retrieve()
    task = asyncio.current_task()
    assert task is not None
    assert task.cancelling() == 0
    await asyncio.sleep(0)  # no cancellation left pending for the next await


async def test_the_callers_cancel_scope_cancels_the_call_it_does_not_become_a_timeout() -> None:
    async with _hanging_client(30) as client:
        with anyio.move_on_after(0.05) as scope:
            await client.balance.retrieve()
        assert scope.cancelled_caught


async def test_the_callers_asyncio_timeout_is_the_callers_timeout_error() -> None:
    async with _hanging_client(30) as client:
        with pytest.raises(TimeoutError) as caught:
            async with asyncio.timeout(0.05):
                await client.balance.retrieve()
        assert not isinstance(caught.value, APITimeoutError)


async def test_a_task_cancelled_while_calling_ends_cancelled() -> None:
    async with _hanging_client(30) as client:
        task = asyncio.ensure_future(client.balance.retrieve())
        await asyncio.sleep(0.05)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert task.cancelled()


async def test_a_cancellation_arriving_with_the_deadline_stays_a_cancellation() -> None:
    async def body() -> None:
        with attempt_scope_async(Deadline(0.01)):
            try:
                await asyncio.sleep(3600)
            finally:
                # The deadline has fired; now the task is cancelled from outside as well.
                asyncio.current_task().cancel()  # type: ignore[union-attr]
                await asyncio.sleep(0)

    task = asyncio.ensure_future(body())
    with pytest.raises(asyncio.CancelledError):
        await task


async def test_a_deadline_whose_cancellation_was_swallowed_leaves_nothing_pending() -> None:
    # Some library swallows the cancellation; the scope must not leave the task cancelling.
    with attempt_scope_async(Deadline(0.01)), contextlib.suppress(asyncio.CancelledError):
        await asyncio.sleep(3600)
    task = asyncio.current_task()
    assert task is not None
    assert task.cancelling() == 0
    await asyncio.sleep(0)


async def test_one_timer_serves_every_attempt_of_a_client() -> None:
    # A timer per attempt would cost each call a heap push and a cancellation on the loop.
    loop = asyncio.get_running_loop()
    armed = 0
    call_at = loop.call_at

    def counting_call_at(*args: Any, **kwargs: Any) -> asyncio.TimerHandle:
        nonlocal armed
        armed += 1
        return call_at(*args, **kwargs)

    answer = {"success": True, "data": {"balance": "10.00"}}
    async with AsyncAllianceClient(
        access_key="ak",
        secret_key="sk",
        base_url="https://alliance.test",
        http_client=httpx.AsyncClient(
            transport=httpx.MockTransport(lambda request: httpx.Response(200, json=answer))
        ),
    ) as client:
        loop.call_at = counting_call_at  # type: ignore[method-assign]
        try:
            for _ in range(50):
                await client.balance.retrieve()
        finally:
            del loop.call_at
    assert armed == 1


async def test_concurrent_attempts_each_end_at_their_own_deadline() -> None:
    # The shared timer is armed for the earliest deadline: a short one started after a long
    # one re-arms it earlier, and after it fires the timer re-arms for the next one due.
    async with _hanging_client(5.0) as client:
        loop = asyncio.get_running_loop()
        started = loop.time()
        ended: dict[str, float] = {}

        async def call(name: str, seconds: float) -> None:
            with pytest.raises(APITimeoutError):
                await client.with_options(timeout=seconds).balance.retrieve()
            ended[name] = loop.time() - started

        with anyio.fail_after(3):  # the test's own bound, were a deadline never to fire
            async with anyio.create_task_group() as group:
                group.start_soon(call, "long", 0.6)
                await asyncio.sleep(0.01)
                group.start_soon(call, "short", 0.05)
                group.start_soon(call, "middle", 0.3)
    assert 0.05 <= ended["short"] < 0.25
    assert 0.3 <= ended["middle"] < 0.5
    assert 0.6 <= ended["long"] < 0.9


async def test_a_deadline_still_fires_after_the_timer_fired_with_nothing_due() -> None:
    answer = {"success": True, "data": {"balance": "10.00"}}
    slow = False

    async def handler(request: httpx.Request) -> httpx.Response:
        if slow:
            await asyncio.sleep(3600)
        return httpx.Response(200, json=answer)

    async with AsyncAllianceClient(
        access_key="ak",
        secret_key="sk",
        base_url="https://alliance.test",
        http_client=httpx.AsyncClient(transport=httpx.MockTransport(handler)),
        max_retries=0,
        timeout=0.05,
    ) as client:
        await client.balance.retrieve()  # arms the timer for its deadline, and is done
        await asyncio.sleep(0.1)  # the timer fires, with no attempt open
        slow = True
        with pytest.raises(APITimeoutError):
            with anyio.fail_after(2):  # the test's own bound, were the deadline never to fire
                await client.balance.retrieve()
