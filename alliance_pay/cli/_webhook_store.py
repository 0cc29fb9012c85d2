"""``alliance-pay webhooks events``, ``deliveries`` and ``replay``: see and replay an event store.

The store is ``--store`` or ``ALLIANCE_WEBHOOK_STORE``: a SQLite file path, or a
``postgresql://`` DSN (the ``postgres`` extra). ``events`` lists what arrived and where each
event stands; ``deliveries`` lists the raw requests of one (never their bodies); ``replay``
marks events for one more handling and delivers their stored raw requests to your receiver
again (``--to URL``), which then handles them once more.

Exit codes: 0 done; 1 a key the store does not hold, or an answer that is not 2xx; 2 usage
(no store, a path that is no store); 4 the receiver could not be reached.
"""

from __future__ import annotations

import argparse
import os
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from alliance_pay.cli import _output
from alliance_pay.cli._exit import NETWORK, OK, REFUSED, USAGE, CliError
from alliance_pay.cli._tree import CommandTree

if TYPE_CHECKING:
    from alliance_pay.webhooks import EventStore, StoredEvent

__all__ = [
    "STORE_ENV",
    "add_events_arguments",
    "add_replay_arguments",
    "deliveries_command",
    "events_command",
    "open_store",
    "register",
    "replay_command",
]

STORE_ENV = "ALLIANCE_WEBHOOK_STORE"
#: Headers a re-delivery does not copy from the stored request: the new connection sets them.
_HOP_HEADERS = frozenset(
    {"host", "content-length", "connection", "transfer-encoding", "keep-alive", "upgrade"}
)
_ERROR_WIDTH = 60
_STATES = ("received", "confirmed", "handled", "failed", "forged")


def open_store(location: str | None) -> EventStore:
    """The store ``location`` names (else ``ALLIANCE_WEBHOOK_STORE``); exit 2 if none.

    A ``postgresql://`` (or ``postgres://``) DSN opens a
    [`PostgresEventStore`][alliance_pay.webhooks.PostgresEventStore]; anything else is the
    path of an existing [`SQLiteEventStore`][alliance_pay.webhooks.SQLiteEventStore] file
    (a typo must not create an empty store that shows nothing).
    """
    location = location or os.environ.get(STORE_ENV)
    if not location:
        raise CliError(
            f"no store given: pass --store PATH|postgresql://... or set {STORE_ENV}", USAGE
        )
    if location.startswith(("postgresql://", "postgres://")):
        from alliance_pay.webhooks import PostgresEventStore

        return PostgresEventStore(location)
    if not Path(location).is_file():
        raise CliError(
            f"no SQLite store at {location}: check the path (--store or {STORE_ENV})", USAGE
        )
    from alliance_pay.webhooks import SQLiteEventStore

    return SQLiteEventStore(location)


def _add_store(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--store",
        metavar="PATH|postgresql://...",
        help=f"the event store: a SQLite file or a PostgreSQL DSN (default: ${STORE_ENV})",
    )


def add_events_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``webhooks events``."""
    _add_store(parser)
    states = parser.add_mutually_exclusive_group()
    states.add_argument(
        "--failed", action="store_true", help="only the events whose handler failed"
    )
    states.add_argument(
        "--state",
        choices=_STATES,
        help="only the events in this state",
    )
    parser.add_argument(
        "--since",
        type=datetime.fromisoformat,
        metavar="ISO-8601",
        help="only the events first received at or after this time (2026-11-29T10:00+05:30)",
    )


def add_replay_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``webhooks replay``."""
    parser.add_argument("key", nargs="?", metavar="KEY", help="the event key to replay")
    parser.add_argument(
        "--failed", action="store_true", help="replay every event whose handler failed"
    )
    _add_store(parser)
    parser.add_argument(
        "--to",
        required=True,
        metavar="URL",
        help="your receiver's URL: the stored request is delivered to it again",
    )
    parser.add_argument(
        "--timeout", type=float, default=30.0, metavar="SECONDS", help="seconds per delivery"
    )


def _event_data(event: StoredEvent) -> dict[str, Any]:
    return {
        "key": event.key,
        "state": event.state.value,
        "attempts": event.attempts,
        "last_error": event.last_error,
        "received_at": event.received_at.isoformat(),
        "updated_at": event.updated_at.isoformat(),
        "in_progress": event.in_progress,
    }


def events_command(args: argparse.Namespace) -> int:
    """List the stored events, oldest first."""
    store = open_store(args.store)
    state = "failed" if args.failed else args.state
    try:
        events = list(store.events(state=state, since=args.since))
    finally:
        store.close()
    if not events and not args.json:
        _output.note("no events" + (f" in state {state}" if state else ""))
        return OK
    rows = [_event_row(event) for event in events]
    columns = ("key", "state", "attempts", "received_at", "last_error")
    _output.show_rows(args, rows, columns, data=[_event_data(event) for event in events])
    return OK


def _event_row(event: StoredEvent) -> dict[str, Any]:
    error = (event.last_error or "").replace("\n", " ")
    if len(error) > _ERROR_WIDTH:
        error = error[: _ERROR_WIDTH - 3] + "..."
    return {
        "key": event.key,
        "state": f"{event.state} (in progress)" if event.in_progress else str(event.state),
        "attempts": event.attempts,
        "received_at": event.received_at.isoformat(timespec="seconds"),
        "last_error": error or None,
    }


def deliveries_command(args: argparse.Namespace) -> int:
    """List the raw deliveries of one event, or those that carried none; never their bodies."""
    if bool(args.key) == bool(args.no_event):
        raise CliError("give one event KEY, or --no-event for the bodies that carried none", USAGE)
    store = open_store(args.store)
    try:
        deliveries = store.deliveries(None if args.no_event else args.key)
    finally:
        store.close()
    rows = [
        {
            "received_at": delivery.received_at.isoformat(timespec="seconds"),
            "remote": delivery.remote,
            "bytes": len(delivery.body),
            "truncated": delivery.truncated,
            "outcome": delivery.outcome,
        }
        for delivery in deliveries
    ]
    if not rows and not args.json:
        _output.note("no deliveries")
        return OK
    _output.show_rows(args, rows, ("received_at", "remote", "bytes", "truncated", "outcome"))
    return OK


def replay_command(args: argparse.Namespace) -> int:
    """Mark each event for one more handling and deliver its stored request to ``--to``."""
    if bool(args.key) == bool(args.failed):
        raise CliError("give one event KEY, or --failed for every failed event", USAGE)
    store = open_store(args.store)
    try:
        results, code = _replay(store, args)
    finally:
        store.close()
    _print_replays(args, results)
    return code


def _replay(store: EventStore, args: argparse.Namespace) -> tuple[list[dict[str, Any]], int]:
    import httpx

    keys = [args.key] if args.key else [event.key for event in store.events(state="failed")]
    if not keys:
        _output.note("no failed events to replay")
    results: list[dict[str, Any]] = []
    code = OK
    with httpx.Client(timeout=args.timeout) as http:
        for key in keys:
            stored = [d for d in store.deliveries(key) if not d.truncated]
            if not stored:
                results.append({"key": key, "error": "no stored delivery of this event"})
                code = max(code, REFUSED)
                continue
            latest = stored[-1]
            headers = [(n, v) for n, v in latest.headers if n not in _HOP_HEADERS]
            store.rearm(key)
            try:
                answer = http.post(args.to, content=latest.body, headers=headers)
            except httpx.TransportError as exc:
                results.append({"key": key, "error": f"{type(exc).__name__}: {exc}"})
                code = NETWORK
                continue
            outcome = _outcome(answer)
            results.append({"key": key, "status_code": answer.status_code, "outcome": outcome})
            if not answer.is_success and code == OK:
                code = REFUSED
    return results, code


def _outcome(answer: Any) -> str | None:
    try:
        data = answer.json()
    except ValueError:
        return None
    outcome = data.get("outcome") if isinstance(data, dict) else None
    return outcome if isinstance(outcome, str) else None


def _print_replays(args: argparse.Namespace, results: list[dict[str, Any]]) -> None:
    if args.json:
        _output.print_json(results)
        return
    for result in results:
        if "error" in result:
            _output.note(f"{result['key']}: not replayed: {result['error']}")
        else:
            outcome = f" {result['outcome']}" if result["outcome"] else ""
            print(f"{result['key']} -> HTTP {result['status_code']}{outcome}", flush=True)


def register(tree: CommandTree) -> None:
    """Add ``webhooks events`` and ``webhooks replay``."""
    webhooks = tree.group(
        "webhooks", help="webhooks: a running sandbox's deliveries, and your event store"
    )
    events = webhooks.command(
        "events",
        events_command,
        help="list the events a webhook store holds, oldest first",
        description="List what your receivers stored: each event's key, state (received, "
        "confirmed, handled, failed, forged), attempts, first arrival and last error. The "
        f"store is --store or ${STORE_ENV}: a SQLite file or a postgresql:// DSN.",
    )
    add_events_arguments(events)
    deliveries = webhooks.command(
        "deliveries",
        deliveries_command,
        help="list the raw requests a webhook store holds for an event",
        description="List the raw deliveries of event KEY (or, with --no-event, the ones that "
        "carried no event: a body that did not parse, or one refused as too large): when each "
        "arrived, from which address, its size and the answer it got. Bodies are not printed "
        "(they hold personal data); read them with store.deliveries(key) in Python.",
    )
    deliveries.add_argument("key", nargs="?", metavar="KEY", help="the event key")
    deliveries.add_argument(
        "--no-event", action="store_true", help="the deliveries that carried no event"
    )
    _add_store(deliveries)
    replay = webhooks.command(
        "replay",
        replay_command,
        help="deliver stored events to your receiver again, to be handled once more",
        description="Mark the event (KEY, or every failed one with --failed) for one more "
        "handling and POST its stored raw request to --to URL, your running receiver, which "
        "confirms it again and calls its handler even if it was handled before. Exits 1 if "
        "the key is not stored or the receiver did not answer 2xx, 4 if it could not be "
        "reached (the mark then stays: the next delivery of the event is handled once more).",
    )
    add_replay_arguments(replay)
