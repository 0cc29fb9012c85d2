"""Throughput over real sockets: 64 concurrent ``payouts.retrieve`` against the floor.

The server (``benchmarks._server``, uvicorn on 127.0.0.1) runs in its own process. Both clients
use httpx's default connection pool and send signed requests; rounds alternate between them,
and the ratio is the median over rounds of the SDK's requests per second over the floor's.
"""

from __future__ import annotations

import asyncio
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import httpx

from alliance_pay import AsyncAllianceClient

from . import _floor
from ._data import ACCESS, ORDER_ID, SECRET

CONCURRENCY = 64
SDK, FLOOR = "alliance-pay", "floor"


@dataclass(frozen=True)
class Throughput:
    per_second: dict[str, list[float]]

    def median(self, name: str) -> float:
        return statistics.median(self.per_second[name])

    @property
    def ratio(self) -> float:
        pairs = zip(self.per_second[SDK], self.per_second[FLOOR], strict=True)
        return statistics.median(mine / theirs for mine, theirs in pairs)


@contextmanager
def _server() -> Iterator[str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "benchmarks._server"], stdout=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None
        port = int(process.stdout.readline())
        yield f"http://127.0.0.1:{port}/"
    finally:
        process.terminate()
        process.wait(timeout=10)


async def _burst(call: Callable[[], Awaitable[object]], requests: int) -> float:
    """Requests per second for ``requests`` calls made by ``CONCURRENCY`` workers."""
    left = requests

    async def worker() -> None:
        nonlocal left
        while left > 0:
            left -= 1
            await call()

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
    return requests / (time.perf_counter() - started)


async def _measure(base_url: str, rounds: int, requests: int) -> Throughput:
    floor_url = base_url.rstrip("/") + "/"
    async with (
        AsyncAllianceClient(access_key=ACCESS, secret_key=SECRET, base_url=base_url) as sdk,
        httpx.AsyncClient() as raw,
    ):

        def floor_call() -> Awaitable[object]:
            return _floor.aretrieve(raw, ORDER_ID, base_url=floor_url)

        calls: dict[str, Callable[[], Awaitable[object]]] = {
            SDK: lambda: sdk.payouts.retrieve(ORDER_ID),
            FLOOR: floor_call,
        }
        for call in calls.values():  # warm-up: open the pools' connections
            await _burst(call, CONCURRENCY * 2)
        per_second: dict[str, list[float]] = {name: [] for name in calls}
        names = list(calls)
        for index in range(rounds):
            for name in names if index % 2 else names[::-1]:
                per_second[name].append(await _burst(calls[name], requests))
    return Throughput(per_second)


def run(*, rounds: int, requests: int) -> Throughput:
    with _server() as base_url:
        return asyncio.run(_measure(base_url, rounds, requests))
