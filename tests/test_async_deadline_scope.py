"""The async attempt deadline on asyncio: it ends the attempt as a timeout, and it never takes
a cancellation that is not its own (the caller's cancel scope, ``task.cancel()``,
``asyncio.timeout``) for one, nor leaves a cancellation pending behind it."""

from __future__ import annotations

import asyncio
import contextlib
import sys

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
