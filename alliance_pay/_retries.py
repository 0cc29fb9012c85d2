"""Retry and create-resolution decisions: pure functions of an error, no I/O.

Reads are retried on what is transient. Creates are never re-sent blindly: a failure either proves
the create was not processed (re-send it), or leaves it ambiguous (look the order up first).
"""

from __future__ import annotations

import email.utils
import random
import time
from collections.abc import Callable

import httpx

from ._exceptions import (
    APIConnectionError,
    APIError,
    APIResponseValidationError,
    APIStatusError,
    DuplicateOrderIdError,
)
from ._httpx2 import unsent_errors

__all__ = [
    "ResolveBudget",
    "backoff",
    "differences",
    "is_ambiguous",
    "is_duplicate_order_id",
    "is_resendable",
    "is_retryable",
    "next_delay",
    "retry_delay",
]

INITIAL_RETRY_DELAY = 0.5
MAX_RETRY_DELAY = 8.0
#: A ``Retry-After`` longer than this is not waited for: the call fails and the caller decides.
MAX_RETRY_AFTER = 60.0
#: The shortest wait between two look-ups of an in-doubt create, whatever ``Retry-After`` says
#: (with up to as much again of jitter): a burst of quick 503s must not use up the look-ups.
RESOLVE_MIN_DELAY = 0.1
RETRYABLE_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
#: Statuses after which a create is known not to have been processed, so it is re-sent as is.
_NOT_PROCESSED_STATUSES = frozenset({408, 429})


def _response_of(error: APIError) -> httpx.Response | None:
    return error.response if isinstance(error, APIStatusError) else None


def is_retryable(error: APIError) -> bool:
    """Whether an idempotent call that failed this way is worth another attempt."""
    if isinstance(error, APIConnectionError):
        return True
    return isinstance(error, APIStatusError) and error.status_code in RETRYABLE_STATUSES


def is_ambiguous(error: APIError) -> bool:
    """Whether a create that failed this way may still have taken effect on the server.

    No answer (timeouts, dropped connections), a 5xx, or a 2xx the SDK could not read: the request
    may have been processed. A connection that was never made, a 408/429, or any other 4xx means
    it was not.
    """
    if isinstance(error, APIConnectionError):
        cause = error.__cause__
        return not isinstance(cause, unsent_errors())
    if isinstance(error, APIResponseValidationError):
        return True
    return isinstance(error, APIStatusError) and error.status_code >= 500


def is_resendable(error: APIError) -> bool:
    """Whether a create that failed this way was certainly not processed, and may be re-sent."""
    if isinstance(error, APIConnectionError):
        return not is_ambiguous(error)
    return isinstance(error, APIStatusError) and error.status_code in _NOT_PROCESSED_STATUSES


def is_duplicate_order_id(error: APIError) -> bool:
    """Whether an error is the API's 422 saying the order id is already in use."""
    return isinstance(error, DuplicateOrderIdError)


def backoff(error: APIError, retries_done: int, max_retries: int) -> float | None:
    """How long to wait before another attempt, or None when the budget or the server's
    ``Retry-After`` says to stop."""
    if retries_done >= max_retries:
        return None
    return retry_delay(retries_done, _response_of(error))


def next_delay(error: APIError, retries_done: int, max_retries: int) -> float | None:
    """How long to wait before retrying an idempotent call that failed, or None to give up."""
    return backoff(error, retries_done, max_retries) if is_retryable(error) else None


def retry_delay(retries_done: int, response: httpx.Response | None) -> float | None:
    """Exponential backoff with jitter, or the server's ``Retry-After`` when it is reasonable.

    Examples:
        >>> 0 < retry_delay(0, None) <= 0.5
        True
    """
    if response is not None:
        after = _retry_after(response.headers)
        if after is not None:
            return after if after <= MAX_RETRY_AFTER else None
    base = min(INITIAL_RETRY_DELAY * 2.0**retries_done, MAX_RETRY_DELAY)
    # Full jitter in the top quarter spreads out clients that failed together.
    return base * (1 - 0.25 * random.random())  # noqa: S311 (jitter, not cryptography)


def _retry_after(headers: httpx.Headers) -> float | None:
    value = headers.get("retry-after-ms")
    if value is not None:
        try:
            return max(float(value) / 1000, 0.0)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return max(when.timestamp() - time.time(), 0.0)


def _now() -> float:
    # Looked up at each budget's creation, so a test can stand a fake clock in for it.
    return time.monotonic()


class ResolveBudget:
    """When to look an in-doubt create's order up again: a time budget, not a count.

    Looking the order up is a read, and the truth depends on it, so it goes on through
    transient failures until ``seconds`` have passed. Each wait is the usual backoff or the
    server's ``Retry-After``, but never less than a jittered floor, so that a proxy answering
    ``503 Retry-After: 0`` cannot burn through the look-ups in a few milliseconds.

    Examples:
        >>> now = [0.0]
        >>> budget = ResolveBudget(1.0, clock=lambda: now[0])
        >>> error = APIConnectionError("GET /x failed", method="GET", path="x")
        >>> 0.1 <= budget.next_delay(error) <= 0.5
        True
        >>> now[0] = 0.95
        >>> budget.next_delay(error) is None  # the next wait would end past the budget
        True
    """

    __slots__ = ("_clock", "_ends_at", "_retries")

    def __init__(self, seconds: float, *, clock: Callable[[], float] | None = None) -> None:
        self._clock = clock if clock is not None else _now
        self._ends_at = self._clock() + seconds
        self._retries = 0

    def next_delay(self, error: APIError) -> float | None:
        """The wait before the next look-up, or None: not transient, or out of time."""
        if not is_retryable(error):
            return None
        delay = retry_delay(self._retries, _response_of(error))
        if delay is None:  # a Retry-After longer than anyone should wait
            return None
        floor = RESOLVE_MIN_DELAY * (1 + random.random())  # noqa: S311 (jitter)
        delay = max(delay, floor)
        if self._clock() + delay > self._ends_at:
            return None
        self._retries += 1
        return delay


def differences(
    asked: object, record: object, fields: tuple[str, ...]
) -> dict[str, tuple[object, object]]:
    """The fields where an existing record disagrees with what was asked (``None`` is no answer)."""
    found: dict[str, tuple[object, object]] = {}
    for name in fields:
        want = getattr(asked, name)
        have = getattr(record, name, None)
        if have is not None and want != have:
            found[name] = (want, have)
    return found
