"""The ``EventStore`` protocol: where ``client.webhooks.handle`` remembers the events it saw.

The backends are a module each (``_memory`` for now); the receivers and ``client.webhooks``
talk to this protocol only.
"""

from __future__ import annotations

import enum
from typing import Protocol

__all__ = ["Claim", "EventStore"]


class Claim(enum.Enum):
    """What [`EventStore.claim`][alliance_pay.webhooks.EventStore.claim] found for an event key."""

    NEW = "new"
    """Not seen before: the caller owns the key and must ``complete`` or ``release`` it."""
    HANDLED = "handled"
    """Handled already: this is a redelivery."""
    IN_PROGRESS = "in_progress"
    """Another delivery of the same event is being handled right now."""


class EventStore(Protocol):
    """Remembers which event keys were handled, so a redelivery is not handled twice.

    ``claim`` must be atomic: of two concurrent claims of one key, one gets ``NEW``. A claim
    that is never completed or released (the process died mid-handler) should expire after a
    while in a persistent store, or the event stays ``IN_PROGRESS`` forever.

    Example:
        A store on your database, whose ``processed_webhooks`` table has a unique ``key``:

        ```python
        class DatabaseEventStore:
            def claim(self, key: str) -> Claim:
                ...  # INSERT the key as 'in_progress'; on conflict, read its state
            def complete(self, key: str) -> None:
                ...  # UPDATE its state to 'handled'
            def release(self, key: str) -> None:
                ...  # DELETE the row
        ```
    """

    def claim(self, key: str) -> Claim:
        """Try to take ``key`` for handling; see [`Claim`][alliance_pay.webhooks.Claim]."""
        ...

    def complete(self, key: str) -> None:
        """Mark a claimed key handled: later claims get ``HANDLED``."""
        ...

    def release(self, key: str) -> None:
        """Give a claimed key back unhandled: a later delivery may claim it again."""
        ...
