"""Callables handed to the SDK: refuse the sync/async mismatches that would silently lose work.

A sync API handed an ``async def`` function calls it, gets a coroutine back and never runs it;
a webhook would then be acknowledged and never processed. A generator function is the same
trap on either side: calling it runs none of its body. So the SDK checks a callable when it is
handed over (``check_sync_api_callable`` / ``check_async_api_callable``) and checks what it
returned when it is called (``call_in_sync_api`` / ``call_in_async_api``).

The async API takes both kinds: it calls the function and awaits the result only when it is
awaitable, so a sync function runs exactly once and is never followed by an error.
``scripts/unasync.py`` turns the ``async`` names into the ``sync`` ones in the generated client.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, TypeAlias

__all__ = [
    "AwaitableOrNone",
    "WEBHOOK_HANDLER_FIX",
    "call_in_async_api",
    "call_in_sync_api",
    "check_async_api_callable",
    "check_sync_api_callable",
    "is_async_callable",
]

AwaitableOrNone: TypeAlias = "Awaitable[object] | None"
"""What a callback of the async API returns: it may be a plain or an ``async def`` function.
The sync API's callbacks return ``None`` instead, so a type checker refuses an ``async def``
one there too."""

WEBHOOK_HANDLER_FIX = (
    "Make it a plain def function, or receive webhooks with AsyncAllianceClient, whose "
    "webhooks.handle and webhook_app take async def handlers (and plain ones)."
)
"""The fix the sync client's ``TypeError`` names for an ``async def`` webhook handler."""


def _unwrap(obj: object) -> object:
    while isinstance(obj, functools.partial):
        obj = obj.func
    return obj


def is_async_callable(obj: object) -> bool:
    """Whether calling ``obj`` gives an awaitable without running its body.

    True for ``async def`` functions and methods, ``functools.partial`` of them, and objects
    whose ``__call__`` is ``async def``.

    Examples:
        >>> async def on_event(event, record): ...
        >>> is_async_callable(on_event), is_async_callable(print)
        (True, False)
    """
    target = _unwrap(obj)
    if inspect.iscoroutinefunction(target):
        return True
    call = getattr(type(target), "__call__", None)  # noqa: B004 - an instance's async __call__
    return not inspect.isfunction(target) and inspect.iscoroutinefunction(call)


def _is_generator_callable(obj: object) -> bool:
    target = _unwrap(obj)
    if inspect.isgeneratorfunction(target) or inspect.isasyncgenfunction(target):
        return True
    call = getattr(type(target), "__call__", None)  # noqa: B004
    return not inspect.isfunction(target) and (
        inspect.isgeneratorfunction(call) or inspect.isasyncgenfunction(call)
    )


def _describe(obj: object) -> str:
    target = _unwrap(obj)
    return str(getattr(target, "__qualname__", None) or type(target).__qualname__)


def _check_callable(obj: object, *, what: str) -> None:
    if not callable(obj):
        raise TypeError(f"{what} must be callable, not {type(obj).__name__} ({obj!r})")
    if _is_generator_callable(obj):
        raise TypeError(
            f"{what} {_describe(obj)!r} is a generator function: calling it runs none of its "
            "body, so nothing would be handled. Make it return instead of yield."
        )


def check_sync_api_callable(obj: object, *, what: str, api: str, fix: str) -> None:
    """Refuse, with ``TypeError``, what the sync ``api`` could not run: ``async def`` included.

    Args:
        obj: the callable handed over.
        what: what it is, for the message (``"the webhook handler"``).
        api: the API it was handed to (``"AllianceClient.webhooks.handle"``).
        fix: the next step for the user, a sentence.

    Examples:
        >>> async def on_event(event, record): ...
        >>> check_sync_api_callable(
        ...     on_event, what="the handler", api="handle", fix="Use a def function."
        ... )
        Traceback (most recent call last):
        TypeError: the handler 'on_event' is an async def function, but handle is sync: ...
    """
    _check_callable(obj, what=what)
    if is_async_callable(obj):
        raise TypeError(
            f"{what} {_describe(obj)!r} is an async def function, but {api} is sync: it "
            f"would never be awaited, so it would never run. {fix}"
        )


def check_async_api_callable(obj: object, *, what: str, api: str, fix: str) -> None:
    """Refuse, with ``TypeError``, what the async ``api`` could not run; both kinds are taken.

    The arguments are those of
    [`check_sync_api_callable`][alliance_pay._callables.check_sync_api_callable], so that the
    generated sync client can call that one in the same place.

    Examples:
        >>> check_async_api_callable(print, what="the handler", api="handle", fix="")
    """
    del api, fix  # the sync twin's message needs them; every callable is fine here
    _check_callable(obj, what=what)


def _refuse_generator(result: object, obj: object, *, what: str) -> None:
    if inspect.isgenerator(result) or inspect.isasyncgen(result):
        raise TypeError(
            f"{what} {_describe(obj)!r} returned a generator: none of its body ran, so "
            "nothing was handled. Make it return instead of yield."
        )


def call_in_sync_api(obj: Callable[..., object], *args: Any, what: str, api: str) -> object:
    """Call ``obj(*args)`` for the sync ``api``; an awaitable result is a ``TypeError``.

    A callable that passed ``check_sync_api_callable`` can still return an awaitable (a
    ``lambda`` around an ``async def``): it was not run, so the caller must not report
    success. A coroutine is closed first, so Python does not also warn that it was never
    awaited.

    Examples:
        >>> async def work(): ...
        >>> call_in_sync_api(lambda: work(), what="the handler", api="handle")
        Traceback (most recent call last):
        TypeError: the handler '<lambda>' returned a coroutine to handle, which is sync: ...
    """
    result = obj(*args)
    if inspect.isawaitable(result):
        if isinstance(result, Coroutine):
            result.close()
        raise TypeError(
            f"{what} {_describe(obj)!r} returned a {type(result).__name__} to {api}, which is "
            "sync: it was never awaited, so it never ran. Run the work before returning, or "
            "use AsyncAllianceClient."
        )
    _refuse_generator(result, obj, what=what)
    return result


async def call_in_async_api(obj: Callable[..., object], *args: Any, what: str, api: str) -> object:
    """Call ``obj(*args)`` for the async ``api``, awaiting the result only if it is awaitable.

    Examples:
        >>> import asyncio
        >>> asyncio.run(call_in_async_api(len, "abc", what="the handler", api="handle"))
        3
    """
    del api  # the sync twin's message needs it
    result = obj(*args)
    if inspect.isawaitable(result):
        return await result
    _refuse_generator(result, obj, what=what)
    return result
