"""``InMemoryEventStore``: the event store for tests and single-process experiments."""

from __future__ import annotations

import threading
from collections import OrderedDict

from alliance_pay.webhooks._store import Claim

__all__ = ["InMemoryEventStore"]


class InMemoryEventStore:
    """An [`EventStore`][alliance_pay.webhooks.EventStore] in memory: thread-safe, bounded in size.

    It keeps the ``max_size`` most recently handled keys and forgets older ones; it forgets
    everything on restart and is not shared between processes. In production, keep handled
    keys in your database, ideally in the same transaction as the handler's own writes.

    Examples:
        >>> store = InMemoryEventStore(max_size=2)
        >>> store.claim("payout.succeeded:P-1")
        <Claim.NEW: 'new'>
        >>> store.complete("payout.succeeded:P-1")
        >>> store.claim("payout.succeeded:P-1")
        <Claim.HANDLED: 'handled'>
    """

    def __init__(self, max_size: int = 10_000) -> None:
        if isinstance(max_size, bool) or max_size < 1:
            raise ValueError(f"max_size must be a positive int, not {max_size!r}")
        self._max_size = max_size
        self._handled: OrderedDict[str, None] = OrderedDict()
        self._in_progress: set[str] = set()
        self._lock = threading.Lock()

    def claim(self, key: str) -> Claim:
        """Take ``key`` unless it is handled or being handled."""
        with self._lock:
            if key in self._handled:
                return Claim.HANDLED
            if key in self._in_progress:
                return Claim.IN_PROGRESS
            self._in_progress.add(key)
            return Claim.NEW

    def complete(self, key: str) -> None:
        """Remember ``key`` as handled, forgetting the oldest beyond ``max_size``."""
        with self._lock:
            self._in_progress.discard(key)
            self._handled[key] = None
            self._handled.move_to_end(key)
            while len(self._handled) > self._max_size:
                self._handled.popitem(last=False)

    def release(self, key: str) -> None:
        """Forget a claim that was not handled."""
        with self._lock:
            self._in_progress.discard(key)
