"""What the ASGI and the WSGI receivers share: limits, answers, and keeping a refused body.

Sans-I/O: the receivers read the request their own way and hand it to
``client.webhooks.handle``; this module says what to answer when they do not.
"""

from __future__ import annotations

import json
from typing import Any

from attrs import frozen

from alliance_pay._logging import logger
from alliance_pay.webhooks._memory import InMemoryEventStore
from alliance_pay.webhooks._results import NOT_TRANSACTIONAL
from alliance_pay.webhooks._sql import SQLEventStore
from alliance_pay.webhooks._store import Delivery, EventStore, check_event_store

__all__ = [
    "DEFAULT_MAX_BODY_SIZE",
    "HANDLER_FAILED",
    "JSON_HEADERS",
    "answer_body",
    "check_max_body_size",
    "keep_refused",
    "ReceiverSettings",
]

DEFAULT_MAX_BODY_SIZE = 64 * 1024
"""The largest body, in bytes, a receiver reads by default; a documented webhook is under
2 KiB. A larger one is refused with 413, and only its first ``max_body_size`` bytes are
stored (as a truncated delivery)."""

JSON_HEADERS = (("content-type", "application/json"),)
HANDLER_FAILED = "the webhook handler failed; answering 500, not acknowledging the event"


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


@frozen
class ReceiverSettings:
    """What a receiver was made with, checked once, the same way for ASGI and WSGI."""

    store: EventStore
    max_body_size: int
    transactional: bool

    @classmethod
    def of(
        cls, store: EventStore | None, max_body_size: int, transactional: bool
    ) -> ReceiverSettings:
        """Check the options: a positive size, a SQL store for ``transactional``."""
        chosen: EventStore = store if store is not None else InMemoryEventStore()
        check_event_store(chosen)
        if transactional and not isinstance(chosen, SQLEventStore):
            raise TypeError(NOT_TRANSACTIONAL.format(store=type(chosen).__name__))
        return cls(
            store=chosen,
            max_body_size=check_max_body_size(max_body_size),
            transactional=transactional,
        )

    def handle_options(self, headers: list[tuple[str, str]], remote: str | None) -> dict[str, Any]:
        """The keyword arguments of ``client.webhooks.handle`` for one request."""
        return {
            "store": self.store,
            "headers": headers,
            "remote": remote,
            "transactional": self.transactional,
        }
