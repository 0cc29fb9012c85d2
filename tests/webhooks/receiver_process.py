"""A merchant's webhook receiver in a process of its own, for the tests that run several of them
against one store, and kill some.

    python -m tests.webhooks.receiver_process '{"store": ..., "base_url": ..., ...}'

It prints its URL on the first line of stdout, then serves until its stdin is closed (or it is
killed). The handler's effect is a line appended to ``effects`` (a file), or, with
``transactional``, a row inserted on the store's own connection. With ``pause``, the first
handler call writes its effect, touches ``marker`` and then sleeps that long: a window in which
to deliver duplicates, or to kill the process.

Options (JSON): store (an SQLite path or a postgresql:// DSN), base_url, access_key,
secret_key, server ("asgi" or "wsgi"), lease, transactional, effects, pause, marker.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from pathlib import Path
from typing import Any

from alliance_pay import AllianceClient, AsyncAllianceClient, Payin, Payout
from alliance_pay.webhooks import (
    EventStore,
    KnownEvent,
    PostgresEventStore,
    SQLiteEventStore,
    webhook_app,
    webhook_wsgi_app,
)

EFFECTS_TABLE = "CREATE TABLE IF NOT EXISTS effects (event_key TEXT, pid INTEGER)"


def make_store(options: dict[str, Any]) -> EventStore:
    location: str = options["store"]
    lease = options.get("lease", 60.0)
    if location.startswith("postgresql://"):
        return PostgresEventStore(location, lease=lease)
    return SQLiteEventStore(location, lease=lease)


class Handler:
    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        self.paused = False
        self.insert = (
            "INSERT INTO effects (event_key, pid) VALUES (%s, %s)"
            if options["store"].startswith("postgresql://")
            else "INSERT INTO effects (event_key, pid) VALUES (?, ?)"
        )

    def __call__(self, event: KnownEvent, record: Payin | Payout, connection: Any = None) -> None:
        if connection is not None:
            connection.execute(self.insert, (event.key, os.getpid()))
        else:
            with open(self.options["effects"], "a") as effects:
                effects.write(f"{event.key} {os.getpid()}\n")
        if self.options.get("pause") and not self.paused:
            self.paused = True
            Path(self.options["marker"]).touch()
            time.sleep(self.options["pause"])


def serve_wsgi(app: Any) -> tuple[str, Any]:
    from werkzeug.serving import WSGIRequestHandler, make_server

    class Quiet(WSGIRequestHandler):
        def log(self, type: str, message: str, *args: Any) -> None:
            pass

    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=Quiet)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}", server


def main() -> None:
    options: dict[str, Any] = json.loads(sys.argv[1])
    store = make_store(options)
    handler = Handler(options)
    credentials = {
        "base_url": options["base_url"],
        "access_key": options["access_key"],
        "secret_key": options["secret_key"],
        "timeout": 10,
        "max_retries": 1,
    }
    transactional = bool(options.get("transactional"))
    if options.get("server") == "wsgi":
        client = AllianceClient(**credentials)
        url, _ = serve_wsgi(
            webhook_wsgi_app(client, handler, store=store, transactional=transactional)
        )
        print(url, flush=True)
        sys.stdin.read()
        return
    from alliance_pay.sandbox import serve_in_thread

    async_client = AsyncAllianceClient(**credentials)
    app = webhook_app(async_client, handler, store=store, transactional=transactional)
    with serve_in_thread(app) as url:
        print(url, flush=True)
        sys.stdin.read()


if __name__ == "__main__":
    main()
