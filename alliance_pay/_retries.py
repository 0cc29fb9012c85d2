"""Retry and create-resolution decisions: pure functions of an error, no I/O.

Reads are retried on what is transient. Creates are never re-sent blindly: a failure either proves
the create was not processed (re-send it), or leaves it ambiguous (look the order up first).
"""

from __future__ import annotations

import email.utils
import random
import time

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
#: Looking an order up to resolve an ambiguous create is a read, and the truth depends on it: it
#: gets at least this many retries even when the client is set to fewer.
RESOLVE_MIN_RETRIES = 3
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
