"""``InMemoryEventStore``: the event store for tests and single-process experiments."""

from __future__ import annotations

import threading
import uuid
from collections import OrderedDict
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

from attrs import Factory, define, evolve

from alliance_pay.webhooks._store import (
    DEFAULT_LEASE,
    DEFAULT_RETENTION,
    Claim,
    Delivery,
    EventState,
    HistoryEntry,
    StoreBase,
    StoredEvent,
    now,
    seconds,
)

__all__ = ["InMemoryEventStore"]


@define
class _Event:
    received_at: float
    updated_at: float
    state: EventState = EventState.RECEIVED
    attempts: int = 0
    last_error: str | None = None
    record: dict[str, Any] | None = None
    token: str | None = None
    lease_until: float | None = None
    rearmed: bool = False
    history: list[HistoryEntry] = Factory(list)


def _utc(timestamp: float) -> datetime:
    return datetime.fromtimestamp(timestamp, timezone.utc)


class InMemoryEventStore(StoreBase):
    """An [`EventStore`][alliance_pay.webhooks.EventStore] in memory: thread-safe, bounded in size.

    It keeps the ``max_size`` most recently changed events (and their deliveries) and forgets
    older ones; it forgets everything on restart and is not shared between processes, so a
    redelivery after a restart, or to another replica, is handled again. For tests; in
    production use [`SQLiteEventStore`][alliance_pay.webhooks.SQLiteEventStore] or
    [`PostgresEventStore`][alliance_pay.webhooks.PostgresEventStore].

    Examples:
        >>> store = InMemoryEventStore(max_size=2)
        >>> store.claim("payout.succeeded:P-1")
        <Claim.NEW: 'new'>
        >>> store.complete("payout.succeeded:P-1")
        >>> store.claim("payout.succeeded:P-1")
        <Claim.HANDLED: 'handled'>
    """

    def __init__(
        self,
        max_size: int = 10_000,
        *,
        lease: float | timedelta = DEFAULT_LEASE,
        retention: float | timedelta = DEFAULT_RETENTION,
    ) -> None:
        if isinstance(max_size, bool) or max_size < 1:
            raise ValueError(f"max_size must be a positive int, not {max_size!r}")
        self.lease: float = seconds(lease, "lease")
        self.retention: float = seconds(retention, "retention")
        self._max_size = max_size
        self._events: OrderedDict[str, _Event] = OrderedDict()
        self._deliveries: OrderedDict[int, Delivery] = OrderedDict()
        self._tokens: dict[str, str] = {}
        self._next_id = 1
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"InMemoryEventStore(max_size={self._max_size}, lease={self.lease!r})"

    def close(self) -> None:
        """Nothing to close: the events live as long as the store object."""

    def record_delivery(self, delivery: Delivery) -> int:
        """Keep a raw request; returns its id."""
        with self._lock:
            delivery_id, self._next_id = self._next_id, self._next_id + 1
            self._deliveries[delivery_id] = delivery
            while len(self._deliveries) > 4 * self._max_size:
                self._deliveries.popitem(last=False)
            return delivery_id

    def note_delivery(self, delivery_id: int, *, key: str | None, outcome: str) -> None:
        """Record the event a delivery carried and the answer it got."""
        with self._lock:
            delivery = self._deliveries.get(delivery_id)
            if delivery is not None:
                self._deliveries[delivery_id] = evolve(delivery, key=key, outcome=outcome)

    def _change(self, key: str, event: _Event, state: EventState, detail: str | None) -> None:
        moment = now()
        event.state, event.updated_at = state, moment
        event.history.append(HistoryEntry(at=_utc(moment), state=state.value, detail=detail))
        self._events.move_to_end(key)

    def claim(self, key: str) -> Claim:
        """Take ``key`` unless it is handled or a live claim holds it."""
        moment = now()
        with self._lock:
            event = self._events.get(key)
            if event is None:
                event = self._events[key] = _Event(received_at=moment, updated_at=moment)
                self._change(key, event, EventState.RECEIVED, None)
                while len(self._events) > self._max_size:
                    self._events.popitem(last=False)
            elif event.lease_until is not None and event.lease_until >= moment:
                return Claim.IN_PROGRESS
            elif event.state is EventState.HANDLED and not event.rearmed:
                return Claim.HANDLED
            token = uuid.uuid4().hex
            event.token, event.lease_until, event.rearmed = token, moment + self.lease, False
            event.attempts += 1
            event.updated_at = moment
            self._tokens[key] = token
            return Claim.NEW

    def _owned(self, key: str) -> _Event | None:
        token = self._tokens.pop(key, None)
        event = self._events.get(key)
        if event is None or token is None or event.token != token:
            return None
        event.token = event.lease_until = None
        return event

    def mark_confirmed(self, key: str, record: dict[str, Any]) -> None:
        """Keep the API's record of a claimed event; its state becomes ``confirmed``."""
        with self._lock:
            event = self._events.get(key)
            if event is not None and event.token == self._tokens.get(key):
                event.record = record
                self._change(key, event, EventState.CONFIRMED, None)

    def complete(self, key: str) -> None:
        """Remember ``key`` as handled."""
        with self._lock:
            self._tokens.pop(key, None)
            event = self._events.get(key)
            if event is None:  # forgotten meanwhile (max_size): remember it again
                event = self._events[key] = _Event(received_at=now(), updated_at=now())
            event.token = event.lease_until = None
            event.last_error = None
            self._change(key, event, EventState.HANDLED, None)

    def _end(self, key: str, state: EventState | None, detail: str | None) -> None:
        with self._lock:
            event = self._owned(key)
            if event is None:
                return
            event.last_error = detail
            if state is None:
                event.updated_at = now()
            else:
                self._change(key, event, state, detail)

    def fail(self, key: str, error: str) -> None:
        """The handler raised: state ``failed``; a redelivery retries."""
        self._end(key, EventState.FAILED, error)

    def forge(self, key: str, reason: str) -> None:
        """The API does not confirm the event: state ``forged``."""
        self._end(key, EventState.FORGED, reason)

    def release(self, key: str, reason: str | None = None) -> None:
        """Forget a claim that was not handled; the state stays."""
        self._end(key, None, reason)

    def rearm(self, key: str) -> None:
        """Let the next claim of ``key`` be ``NEW`` once, even though it was handled."""
        with self._lock:
            event = self._events.get(key)
            if event is not None:
                event.rearmed = True
                event.history.append(
                    HistoryEntry(
                        at=_utc(now()), state="rearmed", detail="marked for one more handling"
                    )
                )

    def events(
        self, *, state: EventState | str | None = None, since: datetime | None = None
    ) -> Iterator[StoredEvent]:
        """The stored events, oldest first; only those in ``state`` / received since ``since``."""
        wanted = None if state is None else EventState(state)
        moment = now()
        with self._lock:
            rows = sorted(self._events.items(), key=lambda item: (item[1].received_at, item[0]))
            snapshot = [
                StoredEvent(
                    key=key,
                    state=event.state,
                    attempts=event.attempts,
                    last_error=event.last_error,
                    received_at=_utc(event.received_at),
                    updated_at=_utc(event.updated_at),
                    in_progress=event.lease_until is not None and event.lease_until >= moment,
                    record=event.record,
                )
                for key, event in rows
                if (wanted is None or event.state is wanted)
                and (since is None or event.received_at >= since.timestamp())
            ]
        yield from snapshot

    def history(self, key: str) -> list[HistoryEntry]:
        """Every state ``key`` went through, oldest first."""
        with self._lock:
            event = self._events.get(key)
            return [] if event is None else list(event.history)

    def deliveries(self, key: str | None) -> list[Delivery]:
        """The raw deliveries that carried ``key``, oldest first; with ``None``, those that
        carried no event (a body that did not parse, or was refused as too large)."""
        with self._lock:
            return [delivery for delivery in self._deliveries.values() if delivery.key == key]

    def prune(self) -> int:
        """Forget what was not updated within the retention window; live claims stay."""
        moment = now()
        cutoff = moment - self.retention
        with self._lock:
            old = [
                key
                for key, event in self._events.items()
                if event.updated_at < cutoff
                and (event.lease_until is None or event.lease_until < moment)
            ]
            for key in old:
                del self._events[key]
            for delivery_id, delivery in list(self._deliveries.items()):
                if delivery.received_at.timestamp() < cutoff and delivery.key not in self._events:
                    del self._deliveries[delivery_id]
            return len(old)
