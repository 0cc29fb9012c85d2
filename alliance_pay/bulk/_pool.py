"""Bounded concurrency for a bulk run: tasks (``AsyncWorkerPool``) or threads (``WorkerPool``).

``imap(fn, items)`` calls ``fn`` on at most ``size`` items at once and yields each result as it
finishes, or ``None`` each ``tick`` seconds with nothing finished (the runner flushes and
heartbeats then). ``items`` is pulled lazily, in the caller's task or thread, only when a slot is
free, so an item pulled is an item started: ``started`` minus what came back is exactly what is
in flight when the run is interrupted.
"""

from __future__ import annotations

import concurrent.futures
import math
from collections.abc import AsyncGenerator, Awaitable, Callable, Generator, Iterable
from typing import Generic, TypeAlias, TypeVar

import anyio
from anyio.streams.memory import MemoryObjectSendStream

__all__ = ["AsyncRowAction", "AsyncWorkerPool", "RowAction", "WorkerPool"]

T = TypeVar("T")
R = TypeVar("R")

#: What a pool runs on each item: a coroutine function (tasks) or a plain one (threads).
AsyncRowAction: TypeAlias = Callable[[T], Awaitable[R]]
RowAction: TypeAlias = Callable[[T], R]


class AsyncWorkerPool(Generic[T, R]):
    """At most ``size`` coroutines at once, in one anyio task group."""

    def __init__(self, size: int, tick: float = 0.25) -> None:
        self.size = size
        self.tick = tick

    async def imap(
        self, fn: AsyncRowAction[T, R], items: Iterable[T]
    ) -> AsyncGenerator[R | None, None]:
        send, receive = anyio.create_memory_object_stream[R](math.inf)
        iterator = iter(items)
        exhausted = False
        in_flight = 0
        async with anyio.create_task_group() as group, send, receive:
            while True:
                while not exhausted and in_flight < self.size:
                    item = next(iterator, _END)
                    if item is _END:
                        exhausted = True
                        break
                    group.start_soon(_run, fn, item, send)  # type: ignore[arg-type]
                    in_flight += 1
                if in_flight == 0:
                    return
                result: R | None = None
                with anyio.move_on_after(self.tick):
                    result = await receive.receive()
                    in_flight -= 1
                try:
                    yield result
                except GeneratorExit:
                    # The consumer stopped: cancel what is in flight, and end quietly (raising
                    # here would wrap GeneratorExit in the task group's exception group).
                    group.cancel_scope.cancel()
                    return


async def _run(fn: Callable[[T], Awaitable[R]], item: T, send: MemoryObjectSendStream[R]) -> None:
    await send.send(await fn(item))


_END: object = object()


class WorkerPool(Generic[T, R]):
    """At most ``size`` calls at once, in a thread pool."""

    def __init__(self, size: int, tick: float = 0.25) -> None:
        self.size = size
        self.tick = tick

    def imap(self, fn: RowAction[T, R], items: Iterable[T]) -> Generator[R | None, None, None]:
        iterator = iter(items)
        exhausted = False
        pending: set[concurrent.futures.Future[R]] = set()
        executor = concurrent.futures.ThreadPoolExecutor(self.size, "alliance-bulk")
        try:
            while True:
                while not exhausted and len(pending) < self.size:
                    item = next(iterator, _END)
                    if item is _END:
                        exhausted = True
                        break
                    pending.add(executor.submit(fn, item))  # type: ignore[arg-type]
                if not pending:
                    return
                done, pending = concurrent.futures.wait(
                    pending, timeout=self.tick, return_when=concurrent.futures.FIRST_COMPLETED
                )
                if not done:
                    yield None
                for future in done:
                    yield future.result()
        finally:
            # Calls already running finish on their own; their rows are recorded as unknown by
            # the runner and resolved by the next run.
            executor.shutdown(wait=False, cancel_futures=True)
