"""What keeping webhooks durable costs: the store's work per webhook, memory against SQLite (and a
PostgreSQL server when given), in one run.

Per new event a receiver makes five store calls (record the raw delivery, claim, keep the
confirmed record, mark handled, note the answer); per duplicate three. Each store does the same
rounds, interleaved so a busy machine slows them alike; the medians and their ratios to the
in-memory store are printed. The status call a real receiver makes (tens of milliseconds to the
API) is left out: it is the same whatever the store.

Run: ``python benchmarks/webhook_stores.py [--postgres postgresql://...] [--events N]``.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from alliance_pay.webhooks import (
    Delivery,
    EventStore,
    InMemoryEventStore,
    PostgresEventStore,
    SQLiteEventStore,
)

__all__ = ["measure"]

BODY = b'{"event": "payout.succeeded", "data": {"order_id": "PO-1", "status": "Approved"}}'


def _new_events(store: EventStore, prefix: str, count: int) -> float:
    started = time.perf_counter()
    for i in range(count):
        key = f"payout.succeeded:{prefix}-{i}"
        delivery = store.record_delivery(Delivery.now(BODY, [("content-type", "application/json")]))
        store.claim(key)
        store.mark_confirmed(key, {"order_id": f"{prefix}-{i}", "amount": "1500.00"})
        store.complete(key)
        store.note_delivery(delivery, key=key, outcome="handled")
    return (time.perf_counter() - started) / count


def _duplicates(store: EventStore, prefix: str, count: int) -> float:
    started = time.perf_counter()
    for i in range(count):
        key = f"payout.succeeded:{prefix}-{i}"
        delivery = store.record_delivery(Delivery.now(BODY))
        store.claim(key)
        store.note_delivery(delivery, key=key, outcome="duplicate")
    return (time.perf_counter() - started) / count


def measure(
    stores: dict[str, Callable[[], EventStore]], events: int = 100, rounds: int = 5
) -> dict[str, dict[str, float]]:
    """Median seconds per new event and per duplicate, for each store."""
    made = {name: make() for name, make in stores.items()}
    new: dict[str, list[float]] = {name: [] for name in made}
    dup: dict[str, list[float]] = {name: [] for name in made}
    for round_ in range(rounds):
        for name, store in made.items():
            new[name].append(_new_events(store, f"r{round_}", events))
            dup[name].append(_duplicates(store, f"r{round_}", events))
    for store in made.values():
        store.close()
    return {
        name: {"new": statistics.median(new[name]), "duplicate": statistics.median(dup[name])}
        for name in made
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", metavar="DSN", help="also measure a PostgreSQL store")
    parser.add_argument("--events", type=int, default=100, help="events per round")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        stores: dict[str, Callable[[], EventStore]] = {
            "memory": InMemoryEventStore,
            "sqlite": lambda: SQLiteEventStore(Path(directory) / "webhooks.sqlite3"),
        }
        if args.postgres:
            stores["postgres"] = lambda: PostgresEventStore(args.postgres)
        results = measure(stores, events=args.events)
    base = results["memory"]
    print(f"{'store':<10} {'new event':>12} {'x memory':>9} {'duplicate':>12} {'x memory':>9}")
    for name, result in results.items():
        print(
            f"{name:<10} {result['new'] * 1e3:>9.3f} ms {result['new'] / base['new']:>8.0f}x "
            f"{result['duplicate'] * 1e3:>9.3f} ms {result['duplicate'] / base['duplicate']:>8.0f}x"
        )


if __name__ == "__main__":
    main()
