from __future__ import annotations

import threading
from collections.abc import AsyncIterator, Callable
from typing import Any

import anyio
import httpx
import pytest

from alliance_pay import AsyncAllianceClient
from tests.helpers import ACCESS_KEY, BASE_URL, SECRET_KEY, TLS


@pytest.fixture
async def client() -> AsyncIterator[AsyncAllianceClient]:
    # max_retries=0 keeps the plain endpoint tests to one request each; retries have their own.
    async with (
        httpx.AsyncClient(verify=TLS) as http_client,
        AsyncAllianceClient(
            access_key=ACCESS_KEY,
            secret_key=SECRET_KEY,
            base_url=BASE_URL,
            max_retries=0,
            http_client=http_client,
        ) as client,
    ):
        yield client


class FakeSleeper:
    """Stands in for the sleep between attempts: records each wait instead of taking it.

    Like ``time.sleep`` it refuses a negative wait, so a wait the SDK computes below zero
    fails the test on the async side too.
    """

    def __init__(self, real: Callable[[float], Any]) -> None:
        self.waits: list[float] = []
        self._real = real
        self._thread = threading.get_ident()

    #: More waits than any test needs: a retry loop that never ends fails fast instead of hanging.
    LIMIT = 100

    async def __call__(self, seconds: float) -> None:
        if threading.get_ident() != self._thread:
            # The sleep is patched process-wide: a sandbox served in a thread of this process
            # (a module- or session-scoped fixture of another test) sleeps for real, unrecorded.
            await self._real(seconds)
            return
        if seconds < 0:
            raise ValueError(f"sleep length must be non-negative, got {seconds}")
        if len(self.waits) >= self.LIMIT:
            raise RuntimeError(f"more than {self.LIMIT} waits: the retry loop does not end")
        self.waits.append(seconds)


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> FakeSleeper:
    """Every wait the client makes, in order, and no wall time spent on them."""
    sleeper = FakeSleeper(anyio.sleep)
    monkeypatch.setattr("anyio.sleep", sleeper)
    return sleeper


@pytest.fixture
async def retrying() -> AsyncIterator[AsyncAllianceClient]:
    """A client that retries twice, on a shared TLS context so each test starts quickly."""
    async with (
        httpx.AsyncClient(verify=TLS) as http_client,
        AsyncAllianceClient(
            access_key=ACCESS_KEY,
            secret_key=SECRET_KEY,
            base_url=BASE_URL,
            max_retries=2,
            http_client=http_client,
        ) as client,
    ):
        yield client
