"""Per-call overhead on a mock transport: the SDK, the hand-written floor, and openai-python.

Every contender gets its own ``httpx.MockTransport`` answering a prebuilt body, so what differs
between them is only what the client does around the request: building, signing, encoding,
checking and decoding.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from typing import Any

import httpx

from alliance_pay import AllianceClient, AsyncAllianceClient

from . import _floor
from ._data import (
    ACCESS,
    BASE_URL,
    BODY,
    JSON_HEADERS,
    OPENAI_COMPLETION,
    OPENAI_MODEL,
    ORDER_ID,
    PAYOUT_ARGS,
    SECRET,
)
from ._timing import CLOCK, Runner, Timings, interleave, timed

SDK, FLOOR, OPENAI = "alliance-pay", "floor", "openai"
#: What is measured per call, in this order: each a call and a client, async or sync.
GROUPS = (
    "payouts.retrieve, async",
    "payouts.retrieve, sync",
    "payouts.create, async",
    "payouts.create, sync",
)


@dataclass(frozen=True)
class Group:
    """One measured call, e.g. ``payouts.retrieve`` on the async client."""

    name: str
    timings: Timings


def _answer(body: bytes) -> httpx.MockTransport:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=body, headers=JSON_HEADERS)

    return httpx.MockTransport(handler)


def _openai_http(body: bytes, *, asynchronous: bool = False) -> Any:
    """openai-python's own HTTP client (httpx2 for openai 3.x) on its own mock transport."""
    import openai

    module: Any = httpx
    if int(openai.__version__.split(".")[0]) >= 3:
        import httpx2

        module = httpx2

    def handler(request: Any) -> Any:
        return module.Response(200, content=body, headers=JSON_HEADERS)

    kind = module.AsyncClient if asynchronous else module.Client
    return kind(transport=module.MockTransport(handler))


def _openai_installed() -> bool:
    try:
        import openai  # noqa: F401
    except ImportError:
        return False
    return True


def _sync_contenders(stack: ExitStack, create: bool) -> dict[str, Runner]:
    sdk = stack.enter_context(
        AllianceClient(
            access_key=ACCESS,
            secret_key=SECRET,
            base_url=BASE_URL,
            http_client=stack.enter_context(httpx.Client(transport=_answer(BODY))),
        )
    )
    raw = stack.enter_context(httpx.Client(transport=_answer(BODY)))
    if create:
        runners = {
            SDK: timed(lambda: sdk.payouts.create(**PAYOUT_ARGS)),
            FLOOR: timed(lambda: _floor.create(raw)),
        }
    else:
        runners = {
            SDK: timed(lambda: sdk.payouts.retrieve(ORDER_ID)),
            FLOOR: timed(lambda: _floor.retrieve(raw, ORDER_ID)),
        }
    if _openai_installed():
        import openai

        answer = OPENAI_COMPLETION if create else OPENAI_MODEL
        other = openai.OpenAI(
            api_key="sk-bench",
            base_url="https://openai.test/v1",
            http_client=stack.enter_context(_openai_http(answer)),
        )
        if create:
            runners[OPENAI] = timed(
                lambda: other.chat.completions.create(
                    model="gpt-bench", messages=[{"role": "user", "content": "hi"}]
                )
            )
        else:
            runners[OPENAI] = timed(lambda: other.models.retrieve("gpt-bench"))
    return runners


def _looped(loop: asyncio.AbstractEventLoop, call: Callable[[], Awaitable[object]]) -> Runner:
    async def batch(n: int) -> float:
        started = CLOCK()
        for _ in range(n):
            await call()
        return CLOCK() - started

    return lambda n: loop.run_until_complete(batch(n))


def _async_contenders(
    loop: asyncio.AbstractEventLoop, stack: ExitStack, create: bool
) -> dict[str, Runner]:
    sdk_http = httpx.AsyncClient(transport=_answer(BODY))
    raw = httpx.AsyncClient(transport=_answer(BODY))
    stack.callback(lambda: loop.run_until_complete(sdk_http.aclose()))
    stack.callback(lambda: loop.run_until_complete(raw.aclose()))
    sdk = AsyncAllianceClient(
        access_key=ACCESS, secret_key=SECRET, base_url=BASE_URL, http_client=sdk_http
    )
    calls: dict[str, Callable[[], Awaitable[object]]]
    if create:
        calls = {
            SDK: lambda: sdk.payouts.create(**PAYOUT_ARGS),
            FLOOR: lambda: _floor.acreate(raw),
        }
    else:
        calls = {
            SDK: lambda: sdk.payouts.retrieve(ORDER_ID),
            FLOOR: lambda: _floor.aretrieve(raw, ORDER_ID),
        }
    if _openai_installed():
        import openai

        answer = OPENAI_COMPLETION if create else OPENAI_MODEL
        other_http = _openai_http(answer, asynchronous=True)
        stack.callback(lambda: loop.run_until_complete(other_http.aclose()))
        other = openai.AsyncOpenAI(
            api_key="sk-bench", base_url="https://openai.test/v1", http_client=other_http
        )
        if create:
            calls[OPENAI] = lambda: other.chat.completions.create(
                model="gpt-bench", messages=[{"role": "user", "content": "hi"}]
            )
        else:
            calls[OPENAI] = lambda: other.models.retrieve("gpt-bench")
    return {name: _looped(loop, call) for name, call in calls.items()}


@contextmanager
def _event_loop() -> Iterator[asyncio.AbstractEventLoop]:
    loop = asyncio.new_event_loop()
    try:
        yield loop
    finally:
        loop.close()


def contenders_of(group: str, stack: ExitStack) -> dict[str, Runner]:
    """The contenders of one group (``"payouts.create, async"``), closed with ``stack``: an
    async group's event loop too."""
    name, mode = group.split(", ")
    create = name == "payouts.create"
    if mode == "async":
        loop = stack.enter_context(_event_loop())
        return _async_contenders(loop, stack, create)
    return _sync_contenders(stack, create)


def run(*, rounds: int, batch_seconds: float) -> list[Group]:
    """Measure retrieve and create, async and sync, each against its floor (and openai)."""
    groups: list[Group] = []
    for group in GROUPS:
        with ExitStack() as stack:
            contenders = contenders_of(group, stack)
            timings = interleave(contenders, rounds=rounds, batch_seconds=batch_seconds)
            groups.append(Group(group, timings))
    return groups
