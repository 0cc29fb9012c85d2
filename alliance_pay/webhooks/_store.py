"""The ``EventStore`` protocol: what ``client.webhooks.handle`` keeps of every webhook it receives.

The backends are a module each (``_memory``, ``_sqlite``, ``_postgres``; the two SQL ones share
``_sql`` and the schema in ``_schema``); the receivers and ``client.webhooks`` talk to this
protocol only. The values a store hands back (``StoredEvent``, ``Delivery``, ``HistoryEntry``)
are defined here too, with the replay every store offers (``StoreBase``).
"""

from __future__ import annotations

import enum
import time
from collections.abc import Awaitable, Iterator, Sequence
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any, Protocol, overload

from attrs import frozen

from alliance_pay._exceptions import AllianceError

if TYPE_CHECKING:
    from alliance_pay._async._client import AsyncAllianceClient
    from alliance_pay._sync._client import AllianceClient
    from alliance_pay.webhooks._results import WebhookResult

__all__ = [
    "DEFAULT_LEASE",
    "DEFAULT_RETENTION",
    "EVENT_STORE_METHODS",
    "Claim",
    "Delivery",
    "EventNotStoredError",
    "EventState",
    "EventStore",
    "HistoryEntry",
    "StoreBase",
    "StoredEvent",
    "check_event_store",
    "seconds",
]

DEFAULT_LEASE = 60.0
"""How long, in seconds, a claim holds an event by default: a redelivery after that is
handled again, in case the process holding the claim died."""
DEFAULT_RETENTION = timedelta(days=30)
"""How long a durable store keeps an event and its raw deliveries by default."""


class Claim(enum.Enum):
    """What [`EventStore.claim`][alliance_pay.webhooks.EventStore.claim] found for an event key."""

    NEW = "new"
    """Not handled, and nobody holds it: the caller owns the key until the lease ends, and must
    ``complete``, ``fail``, ``forge`` or ``release`` it."""
    HANDLED = "handled"
    """Handled already: this is a redelivery."""
    IN_PROGRESS = "in_progress"
    """Another delivery of the same event holds a live claim on it right now."""


class EventState(str, enum.Enum):
    """Where a stored event stands; ``str(state)`` is its wire name.

    A claim in progress is not a state: see ``StoredEvent.in_progress``.
    """

    RECEIVED = "received"
    """Arrived and parsed; not confirmed yet (or confirming failed for a reason that says
    nothing about the event, such as a network error: it will be tried again)."""
    CONFIRMED = "confirmed"
    """The API confirmed it; the handler has not finished yet."""
    HANDLED = "handled"
    """The handler returned: later deliveries are duplicates."""
    FAILED = "failed"
    """The handler raised: the error and the attempt count are kept; a redelivery retries."""
    FORGED = "forged"
    """The API does not confirm it (an unknown order, another amount or status): never
    handled. A later genuine delivery with the same key is still confirmed and handled."""

    def __str__(self) -> str:
        return str(self.value)


@frozen(kw_only=True)
class Delivery:
    """One raw webhook request, kept before anything else is done with it.

    Attributes:
        body: the body exactly as received (only its first ``max_body_size`` bytes when
            ``truncated``).
        headers: the request headers, names lower-cased, in the order received.
        remote: the sender's address (``"203.0.113.7:51234"``), if the server said.
        received_at: when it arrived (UTC).
        truncated: the body was over the receiver's limit and refused; what is kept is its
            beginning.
        key: the event key, once the body parsed.
        outcome: what the receiver answered (a
            [`WebhookOutcome`][alliance_pay.webhooks.WebhookOutcome] value, ``"too_large"``
            or ``"error"``), once it did.
    """

    body: bytes
    headers: tuple[tuple[str, str], ...] = ()
    remote: str | None = None
    received_at: datetime
    truncated: bool = False
    key: str | None = None
    outcome: str | None = None

    @classmethod
    def now(
        cls,
        body: bytes,
        headers: Sequence[tuple[str, str]] = (),
        remote: str | None = None,
        *,
        truncated: bool = False,
    ) -> Delivery:
        """A delivery received now, headers' names lower-cased."""
        return cls(
            body=body,
            headers=tuple((name.lower(), value) for name, value in headers),
            remote=remote,
            received_at=datetime.now(timezone.utc),
            truncated=truncated,
        )


@frozen(kw_only=True)
class StoredEvent:
    """What a store knows of one event, as ``store.events()`` yields it.

    Attributes:
        key: the event's idempotency key (``"payout.succeeded:PO-1001"``).
        state: its [`EventState`][alliance_pay.webhooks.EventState].
        attempts: how many times a delivery of it was claimed for handling.
        last_error: why the last attempt did not end handled (the handler's exception, the
            reason it was found forged, the failed status call), or ``None``.
        received_at: when its first delivery arrived (UTC).
        updated_at: when its state last changed (UTC).
        in_progress: a live claim holds it right now.
        record: the API's record that confirmed it, as JSON-ready data, once confirmed.
    """

    key: str
    state: EventState
    attempts: int
    last_error: str | None
    received_at: datetime
    updated_at: datetime
    in_progress: bool = False
    record: dict[str, Any] | None = None


@frozen(kw_only=True)
class HistoryEntry:
    """One change of an event, oldest first in ``store.history(key)``.

    Attributes:
        at: when (UTC).
        state: the [`EventState`][alliance_pay.webhooks.EventState] value it moved to, or
            ``"rearmed"`` when a replay marked it for one more handling.
        detail: the error or reason, when there is one.
    """

    at: datetime
    state: str
    detail: str | None = None


class EventNotStoredError(AllianceError, LookupError):
    """``replay`` was asked for an event key the store does not hold (never received, or
    pruned after the retention window)."""

    def __init__(self, key: str) -> None:
        super().__init__(
            f"no stored delivery for event {key!r}: it never arrived at this store, or it was "
            "pruned after the retention window; list what is stored with store.events()"
        )
        self.key = key


class EventStore(Protocol):
    """Keeps every webhook that arrives and where its event stands, so none is lost or handled
    twice: by a redelivery, after a restart, or on another replica.

    ``client.webhooks.handle`` calls, in order: ``record_delivery`` (the raw request, before
    anything else), ``claim`` (atomic: of two concurrent claims of one key, one gets ``NEW``;
    a claim expires after the store's lease), then ``mark_confirmed`` and ``complete``, or
    ``fail`` / ``forge`` / ``release``, and ``note_delivery`` with the answer. Implemented by
    [`InMemoryEventStore`][alliance_pay.webhooks.InMemoryEventStore],
    [`SQLiteEventStore`][alliance_pay.webhooks.SQLiteEventStore] and
    [`PostgresEventStore`][alliance_pay.webhooks.PostgresEventStore]; one test suite holds them
    all to the same behaviour.

    Example:
        ```python
        store: EventStore = SQLiteEventStore("webhooks.sqlite3")
        for event in store.events(state=EventState.FAILED):
            print(event.key, event.attempts, event.last_error)
        ```
    """

    lease: float
    """Seconds a claim holds an event before another delivery may take it over."""

    def record_delivery(self, delivery: Delivery) -> int:
        """Keep a raw request; returns its id. Called before the body is even parsed."""
        ...

    def note_delivery(self, delivery_id: int, *, key: str | None, outcome: str) -> None:
        """Record which event a delivery carried (once parsed) and what was answered."""
        ...

    def claim(self, key: str) -> Claim:
        """Try to take ``key`` for handling; see [`Claim`][alliance_pay.webhooks.Claim]."""
        ...

    def mark_confirmed(self, key: str, record: dict[str, Any]) -> None:
        """A claimed event was confirmed by the API, whose record (JSON-ready) is kept."""
        ...

    def complete(self, key: str) -> None:
        """Mark a claimed key handled: later claims get ``HANDLED``."""
        ...

    def fail(self, key: str, error: str) -> None:
        """The handler raised: keep the error, end the claim; a redelivery retries."""
        ...

    def forge(self, key: str, reason: str) -> None:
        """The API does not confirm the event: keep it as forged, end the claim."""
        ...

    def release(self, key: str, reason: str | None = None) -> None:
        """Give a claimed key back unhandled (the status call failed): a later delivery may
        claim it again."""
        ...

    def rearm(self, key: str) -> None:
        """Let the next claim of ``key`` be ``NEW`` once, even if it was handled: a replay."""
        ...

    def events(
        self, *, state: EventState | str | None = None, since: datetime | None = None
    ) -> Iterator[StoredEvent]:
        """The stored events, oldest first, optionally only those in ``state`` or received at
        or after ``since``."""
        ...

    def history(self, key: str) -> list[HistoryEntry]:
        """Every state ``key`` went through, oldest first."""
        ...

    def deliveries(self, key: str | None) -> list[Delivery]:
        """The raw deliveries of ``key``, oldest first; with ``None``, those that carried no
        event (a body that did not parse, or was refused as too large)."""
        ...

    def prune(self) -> int:
        """Forget events (and their deliveries) not updated within the retention window;
        returns how many events were forgotten. Live claims are kept."""
        ...

    def close(self) -> None:
        """Let go of the store's connections; it reconnects if used again."""
        ...


#: What ``EventStore`` asks of a store beyond ``lease``. 0.1.0 asked for ``claim``, ``complete``
#: and ``release`` only: a store written then lacks the rest.
EVENT_STORE_METHODS = tuple(
    name for name, value in vars(EventStore).items() if callable(value) and name[0] != "_"
)


def check_event_store(store: object) -> None:
    """Refuse, before any request is stored, an object that is not a whole ``EventStore``.

    Raises:
        TypeError: naming what ``store`` lacks, and the ways to get it (a store written for
            alliance-pay 0.1.0 has three of the fourteen methods).

    Examples:
        >>> class StoreOf010:
        ...     def claim(self, key): ...
        ...     def complete(self, key): ...
        ...     def release(self, key): ...
        >>> check_event_store(StoreOf010())  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        TypeError: StoreOf010 is not an EventStore: it lacks record_delivery, note_delivery, ...
    """
    missing = [name for name in EVENT_STORE_METHODS if not callable(getattr(store, name, None))]
    if not hasattr(store, "lease"):
        missing.append("the lease attribute")
    if missing:
        raise TypeError(
            f"{type(store).__name__} is not an EventStore: it lacks {', '.join(missing)}. "
            "After alliance-pay 0.1.0 a store keeps every raw delivery and each event's state, "
            "not only claims: use SQLiteEventStore or PostgresEventStore, or add these "
            "methods (docs/webhooks.md, 'Your own store')"
        )


def seconds(value: float | timedelta, name: str) -> float:
    """A positive duration in seconds, from seconds or a ``timedelta``; else ``ValueError``."""
    if isinstance(value, timedelta):
        value = value.total_seconds()
    if isinstance(value, bool) or not value > 0:
        raise ValueError(
            f"{name} must be a positive number of seconds or a timedelta, not {value!r}"
        )
    return float(value)


def now() -> float:
    """Seconds since the epoch: every store measures leases and retention with it."""
    return time.time()


class StoreBase:
    """What every store does the same way: replay through the client."""

    @overload
    def replay(
        self: EventStore, key: str, client: AllianceClient, handler: Any
    ) -> WebhookResult: ...
    @overload
    def replay(
        self: EventStore, key: str, client: AsyncAllianceClient, handler: Any
    ) -> Awaitable[WebhookResult]: ...

    def replay(
        self: EventStore, key: str, client: AllianceClient | AsyncAllianceClient, handler: Any
    ) -> WebhookResult | Awaitable[WebhookResult]:
        """Handle a stored event once more: re-confirm it with a status call, call ``handler``.

        The latest stored raw delivery of ``key`` goes through ``client.webhooks.handle``
        again, after ``rearm`` let it be claimed once more, even if it was handled. With an
        ``AsyncAllianceClient``, await the result.

        Raises:
            EventNotStoredError: the store holds no delivery of ``key``.

        Example:
            ```python
            for event in store.events(state="failed"):
                result = store.replay(event.key, client, on_event)
                print(event.key, result.outcome)
            ```
        """
        return client.webhooks.replay(key, handler, store=self)
