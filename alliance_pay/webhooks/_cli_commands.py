"""``alliance-pay webhooks events`` and ``alliance-pay webhooks replay``: see and replay a store.

Argparse-based and framework-free: ``add_events_arguments`` / ``add_replay_arguments`` declare
the options on a parser, ``events_command`` / ``replay_command`` take the parsed namespace and
return the exit code (0 done; 1 refused: a key not stored, an answer that is not 2xx; 2 usage;
4 the receiver could not be reached). The store is ``--store`` or ``ALLIANCE_WEBHOOK_STORE``:
a SQLite file path, or a ``postgresql://`` DSN.

Data goes to stdout (``--json`` for scripts), diagnostics to stderr.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from alliance_pay.webhooks._store import EventStore, StoredEvent

__all__ = [
    "STORE_ENV",
    "add_events_arguments",
    "add_replay_arguments",
    "events_command",
    "main",
    "open_store",
    "replay_command",
]

STORE_ENV = "ALLIANCE_WEBHOOK_STORE"
OK, REFUSED, USAGE, NETWORK = 0, 1, 2, 4
#: Headers a re-delivery does not copy from the stored request: the new connection sets them.
_HOP_HEADERS = frozenset(
    {"host", "content-length", "connection", "transfer-encoding", "keep-alive", "upgrade"}
)
_ERROR_WIDTH = 60


class UsageError(Exception):
    """A mistake in the command line: exit code 2, with the message."""


def _fail(code: int, message: str) -> int:
    print(f"alliance-pay: {message}", file=sys.stderr)
    return code


def open_store(location: str | None) -> EventStore:
    """The store ``location`` names (else ``ALLIANCE_WEBHOOK_STORE``); ``UsageError`` if none.

    A ``postgresql://`` (or ``postgres://``) DSN opens a
    [`PostgresEventStore`][alliance_pay.webhooks.PostgresEventStore]; anything else is the
    path of an existing [`SQLiteEventStore`][alliance_pay.webhooks.SQLiteEventStore] file
    (a typo must not create an empty store that shows nothing).
    """
    location = location or os.environ.get(STORE_ENV)
    if not location:
        raise UsageError(f"no store given: pass --store PATH|postgresql://... or set {STORE_ENV}")
    if location.startswith(("postgresql://", "postgres://")):
        from alliance_pay.webhooks._postgres import PostgresEventStore

        return PostgresEventStore(location)
    if not Path(location).is_file():
        raise UsageError(f"no SQLite store at {location}: check the path (--store or {STORE_ENV})")
    from alliance_pay.webhooks._sqlite import SQLiteEventStore

    return SQLiteEventStore(location)


def _add_store(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--store",
        metavar="PATH|postgresql://...",
        help=f"the event store: a SQLite file or a PostgreSQL DSN (default: ${STORE_ENV})",
    )


def _add_json(parser: argparse.ArgumentParser) -> None:
    if not any("--json" in action.option_strings for action in parser._actions):
        parser.add_argument("--json", action="store_true", help="print JSON on stdout")


def add_events_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``webhooks events``."""
    _add_store(parser)
    states = parser.add_mutually_exclusive_group()
    states.add_argument(
        "--failed", action="store_true", help="only the events whose handler failed"
    )
    states.add_argument(
        "--state",
        choices=["received", "confirmed", "handled", "failed", "forged"],
        help="only the events in this state",
    )
    parser.add_argument(
        "--since",
        type=datetime.fromisoformat,
        metavar="ISO-8601",
        help="only the events first received at or after this time (2026-11-29T10:00+05:30)",
    )
    _add_json(parser)


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
    _add_json(parser)


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


def _table(columns: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [max([len(c), *(len(r[i]) for r in rows)]) for i, c in enumerate(columns)]
    lines = [columns, *rows]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip()
        for line in lines
    )


def events_command(args: argparse.Namespace) -> int:
    """List the stored events, oldest first; exit 0."""
    try:
        store = open_store(args.store)
    except UsageError as exc:
        return _fail(USAGE, str(exc))
    state = "failed" if args.failed else args.state
    try:
        events = list(store.events(state=state, since=args.since))
    finally:
        store.close()
    if args.json:
        print(json.dumps([_event_data(event) for event in events], indent=2))
        return OK
    if not events:
        print("no events" + (f" in state {state}" if state else ""), file=sys.stderr)
        return OK
    rows = []
    for event in events:
        error = (event.last_error or "").replace("\n", " ")
        if len(error) > _ERROR_WIDTH:
            error = error[: _ERROR_WIDTH - 3] + "..."
        state_text = f"{event.state} (in progress)" if event.in_progress else str(event.state)
        received = event.received_at.isoformat(timespec="seconds")
        rows.append([event.key, state_text, str(event.attempts), received, error])
    print(_table(["KEY", "STATE", "ATTEMPTS", "RECEIVED", "LAST ERROR"], rows))
    return OK


def replay_command(args: argparse.Namespace) -> int:
    """Mark each event for one more handling and deliver its stored request to ``--to``."""
    if bool(args.key) == bool(args.failed):
        return _fail(USAGE, "give one event KEY, or --failed for every failed event")
    try:
        store = open_store(args.store)
    except UsageError as exc:
        return _fail(USAGE, str(exc))
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
        print("no failed events to replay", file=sys.stderr)
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
        print(json.dumps(results, indent=2))
        return
    for result in results:
        if "error" in result:
            print(f"{result['key']}: not replayed: {result['error']}", file=sys.stderr)
        else:
            outcome = f" {result['outcome']}" if result["outcome"] else ""
            print(f"{result['key']} -> HTTP {result['status_code']}{outcome}")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="alliance-pay")
    groups = parser.add_subparsers(dest="group", required=True, metavar="COMMAND")
    webhooks = groups.add_parser("webhooks", help="your webhook event store")
    commands = webhooks.add_subparsers(dest="command", required=True, metavar="SUBCOMMAND")
    events = commands.add_parser("events", help="list the stored events")
    add_events_arguments(events)
    events.set_defaults(handler=events_command)
    replay = commands.add_parser("replay", help="deliver stored events to a receiver again")
    add_replay_arguments(replay)
    replay.set_defaults(handler=replay_command)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``webhooks events`` / ``webhooks replay`` on their own, as the CLI will."""
    args = _parser().parse_args(argv)
    code: int = args.handler(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
