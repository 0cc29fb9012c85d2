"""What the whole suite shares: the throwaway PostgreSQL server of ``tests/postgres.py``, and
the order pytest-xdist hands tests out in."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from typing import Any

import pytest

pytest_plugins = ["tests.postgres"]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Under pytest-xdist, the modules that hold slow tests go first.

    A worker runs its share in order and the others steal from its end, so a long test left
    to the end of the run keeps one worker busy while the rest wait. Modules stay whole (their
    module-scoped servers start once) and keep their order; every worker sorts alike, so all
    collect the same list.
    """
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        return
    slow_modules = {item.path for item in items if item.get_closest_marker("slow")}
    items.sort(key=lambda item: item.path not in slow_modules)  # stable: order kept within


#: The signals whose handling a test could leave changed for the tests after it and for every
#: process they start: a child inherits an ignored or blocked signal, so a command started after
#: such a leak would not stop on Ctrl-C or SIGTERM.
_GUARDED = (signal.SIGINT, signal.SIGTERM)


def _signal_state() -> tuple[dict[signal.Signals, Any], frozenset[signal.Signals]]:
    """The handlers of the guarded signals, and which of them this thread blocks."""
    handlers = {sig: signal.getsignal(sig) for sig in _GUARDED}
    blocked: frozenset[signal.Signals] = frozenset()
    if hasattr(signal, "pthread_sigmask"):
        mask = signal.pthread_sigmask(signal.SIG_BLOCK, [])
        blocked = frozenset(sig for sig in _GUARDED if sig in mask)
    return handlers, blocked


def _put_back(state: tuple[dict[signal.Signals, Any], frozenset[signal.Signals]]) -> None:
    handlers, blocked = state
    for sig, handler in handlers.items():
        if handler is not None:  # None: installed outside Python, cannot be put back from here
            signal.signal(sig, handler)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, set(_GUARDED) - blocked)
        signal.pthread_sigmask(signal.SIG_BLOCK, blocked)


#: The state the process started the tests with, and the test this process ran last.
_FOUND = _signal_state()
_previous = {"test": "(none: the first test of this process)"}


def _difference(before: tuple[Any, ...], after: tuple[Any, ...]) -> str:
    (handlers_before, blocked_before), (handlers_after, blocked_after) = before, after
    changes = [
        f"{sig.name}: {handlers_before[sig]!r} -> {handlers_after[sig]!r}"
        for sig in _GUARDED
        if handlers_before[sig] != handlers_after[sig]
    ]
    if blocked_before != blocked_after:
        names = sorted(sig.name for sig in blocked_after)
        changes.append(f"blocked: {sorted(s.name for s in blocked_before)} -> {names}")
    return "; ".join(changes)


@pytest.fixture(autouse=True)
def _signals_left_as_found(request: pytest.FixtureRequest) -> Iterator[None]:
    """Fail the test that leaves SIGINT or SIGTERM handled otherwise than it found them.

    Checked before the test too, which catches a module- or session-scoped fixture (set up or
    torn down between tests). The state is put back each time, so one leak fails one test,
    not every test after it.
    """
    found = _signal_state()
    if found != _FOUND:
        _put_back(_FOUND)
        pytest.fail(
            f"signal handling changed between {_previous['test']} and {request.node.nodeid} "
            f"(a fixture's set-up or tear-down): {_difference(_FOUND, found)}",
            pytrace=False,
        )
    yield
    _previous["test"] = request.node.nodeid
    left = _signal_state()
    if left != _FOUND:
        _put_back(_FOUND)
        pytest.fail(
            f"{request.node.nodeid} left signal handling changed: {_difference(_FOUND, left)}. "
            "Restore the previous handler on every exit path: processes started later inherit it.",
            pytrace=False,
        )
