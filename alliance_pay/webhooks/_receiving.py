"""What the ASGI and the WSGI receivers share: limits, answers, and keeping a refused body.

Sans-I/O: the receivers read the request their own way and hand it to
``client.webhooks.handle``; this module says what to answer when they do not.
"""

from __future__ import annotations

import json

from alliance_pay._logging import logger
from alliance_pay.webhooks._store import Delivery, EventStore

__all__ = [
    "DEFAULT_MAX_BODY_SIZE",
    "JSON_HEADERS",
    "answer_body",
    "check_max_body_size",
    "keep_refused",
]

DEFAULT_MAX_BODY_SIZE = 64 * 1024
"""The largest body, in bytes, a receiver reads by default; a documented webhook is under
2 KiB. A larger one is refused with 413, and only its first ``max_body_size`` bytes are
stored (as a truncated delivery)."""

JSON_HEADERS = (("content-type", "application/json"),)


def answer_body(outcome: str) -> bytes:
    """The receivers' answer: ``{"outcome": "..."}`` and nothing that helps a forger."""
    return json.dumps({"outcome": outcome}).encode("ascii")


def check_max_body_size(max_body_size: int) -> int:
    """``max_body_size`` if it is a positive int, else ``ValueError``."""
    if isinstance(max_body_size, bool) or max_body_size < 1:
        raise ValueError(f"max_body_size must be a positive int, not {max_body_size!r}")
    return max_body_size


def keep_refused(
    store: EventStore, prefix: bytes, headers: list[tuple[str, str]], remote: str | None
) -> None:
    """Store the beginning of a body refused as too large, so the refusal can be seen."""
    delivery = Delivery.now(prefix, headers, remote, truncated=True)
    delivery_id = store.record_delivery(delivery)
    store.note_delivery(delivery_id, key=None, outcome="too_large")
    logger.warning("webhook too_large: a body over %d bytes was refused", len(prefix))
