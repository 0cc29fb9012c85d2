"""One pacer per run: a requests-per-second cap, and a pause that a 429 or 503 imposes on all.

Sans-I/O: ``reserve`` says how long the caller must sleep before sending; the async and sync
runners do the sleeping. A ``Retry-After`` seen by one request holds back every request of the
run, so a rate-limited API sees the whole run slow down, not one row retrying while the others
keep hammering.
"""

from __future__ import annotations

import threading
import time

import httpx

from alliance_pay._retries import MAX_RETRY_AFTER, retry_delay

__all__ = ["Pacer"]

#: Statuses whose ``Retry-After`` pauses the whole run.
SLOW_DOWN_STATUSES = frozenset({429, 503})


class Pacer:
    """Spaces requests ``1/rate`` seconds apart and honours ``Retry-After`` for everyone.

    Examples:
        >>> pacer = Pacer(rate=10)
        >>> pacer.reserve() == 0.0, round(pacer.reserve(), 1)
        (True, 0.1)
    """

    def __init__(self, rate: float | None = None) -> None:
        self._interval = 0.0 if rate is None else 1.0 / rate
        self._lock = threading.Lock()
        self._next = 0.0
        self._paused_until = 0.0
        self.pauses: int = 0

    def reserve(self) -> float:
        """Take the next slot; returns the seconds to sleep before sending."""
        with self._lock:
            now = time.monotonic()
            start = max(now, self._next, self._paused_until)
            self._next = start + self._interval
            return start - now

    def hold(self, seconds: float) -> None:
        """No request of the run starts for ``seconds`` from now."""
        with self._lock:
            self._paused_until = max(self._paused_until, time.monotonic() + seconds)
            self.pauses += 1

    def observe(self, response: httpx.Response) -> None:
        """Pause the run when the API says to slow down."""
        if response.status_code in SLOW_DOWN_STATUSES:
            delay = retry_delay(0, response)
            self.hold(min(MAX_RETRY_AFTER, delay if delay is not None else MAX_RETRY_AFTER))
