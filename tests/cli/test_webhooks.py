"""``webhooks listen --forward-to`` delivers every triggered event to a receiver, which
confirms each with a signed status call, and prints each delivery as it happens."""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from alliance_pay import AsyncAllianceClient
from alliance_pay.sandbox import serve_in_thread
from tests.cli.support import REPO, run_cli
from tests.terminal import start_as_a_terminal

pytestmark = pytest.mark.slow

EVENTS = ("payin.initiated", "payin.succeeded", "payin.failed", "payout.succeeded", "payout.failed")


class Receiver:
    """A merchant's receiver: it confirms each event with the API before saying 200."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = env
        self.confirmed: list[tuple[str, str, str]] = []

    async def hook(self, request: Request) -> Response:
        event = json.loads(await request.body())
        order_id = event["data"]["order_id"]
        async with AsyncAllianceClient(
            base_url=self.env["ALLIANCE_BASE_URL"],
            access_key=self.env["ALLIANCE_ACCESS_KEY"],
            secret_key=self.env["ALLIANCE_SECRET_KEY"],
        ) as client:
            if event["event"].startswith("payin"):
                record: Any = await client.payins.retrieve(order_id)
            else:
                record = await client.payouts.retrieve(order_id)
        self.confirmed.append((event["event"], order_id, str(record.status)))
        return Response("ok")


@pytest.fixture
def receiver(env: dict[str, str]) -> Iterator[tuple[Receiver, str]]:
    receiver = Receiver(env)
    app = Starlette(routes=[Route("/hooks", receiver.hook, methods=["POST"])])
    with serve_in_thread(app) as url:
        yield receiver, f"{url}/hooks"


def _lines(stream: Any) -> queue.Queue[str]:
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in stream], daemon=True).start()
    return lines


def test_listen_forwards_every_triggered_event_and_prints_it(
    env: dict[str, str], served: str, receiver: tuple[Receiver, str]
) -> None:
    inbox, hook_url = receiver
    listen = subprocess.Popen(
        [sys.executable, "-m", "alliance_pay.cli", "webhooks", "listen", "--forward-to", hook_url,
         "--json"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO,
        env={**os.environ, **env, "PYTHONPATH": str(REPO)},
        preexec_fn=start_as_a_terminal,  # Ctrl-C below, as typed in a terminal
    )  # fmt: skip
    try:
        out, err = _lines(listen.stdout), _lines(listen.stderr)
        assert "Forwarding" in err.get(timeout=30)
        triggered = {}
        for event in EVENTS:
            run = run_cli("webhooks", "trigger", event, "--json", env=env)
            assert run.code == 0, run.stderr
            assert run.json()["delivered"] is True
            triggered[event] = run.json()["order_id"]
        printed = [json.loads(out.get(timeout=10)) for _ in range(7)]  # payins add .initiated
    finally:
        listen.send_signal(signal.SIGINT)
        code = listen.wait(timeout=120)  # a hang guard, not a speed: the machine may be busy
        for stream in (listen.stdout, listen.stderr):
            assert stream is not None
            stream.close()
    assert code == 0
    for event, order_id in triggered.items():
        status = "Initiated" if event == "payin.initiated" else None
        assert any(
            (p["event"], p["order_id"], p["status_code"]) == (event, order_id, 200)
            and p["latency_ms"] >= 0
            and (status is None or p["status"] == status)
            for p in printed
        ), event
        assert any(c[:2] == (event, order_id) for c in inbox.confirmed), event
    # The confirmation call sees what the event says.
    final = {c[0]: c[2] for c in inbox.confirmed if c[0] != "payin.initiated"}
    assert final == {
        "payin.succeeded": "Approved",
        "payin.failed": "Rejected",
        "payout.succeeded": "Approved",
        "payout.failed": "Rejected",
    }
    # Stopping put the sandbox back as it was: no webhook URL.
    assert httpx.get(f"{served}/_sandbox/webhooks").json()["url"] is None


def test_trigger_without_a_listener_warns_that_nothing_is_sent(env: dict[str, str]) -> None:
    run = run_cli("webhooks", "trigger", "payout.succeeded", "--json", env=env)
    assert run.code == 0, run.stderr
    assert "no webhook URL" in run.stderr
    assert run.json()["status"] == "Approved"


def test_a_listen_line_says_what_the_receiver_answered_and_what_comes_next() -> None:
    from alliance_pay.cli._webhooks import _line

    attempt = {
        "seq": 1, "event": "payout.failed", "order_id": "PO-9", "status": "Rejected",
        "url": "http://127.0.0.1:9000/hooks", "attempt": 1, "status_code": 500,
        "error": "HTTP 500", "latency_ms": 12.34, "delivered": False, "final": False,
    }  # fmt: skip
    line = _line(attempt)
    for part in ("payout.failed", "PO-9", "Rejected", "HTTP 500", "12.3 ms", "will retry"):
        assert part in line
    refused = {**attempt, "status_code": None, "error": "ConnectError: refused", "final": True}
    assert "no answer (ConnectError: refused)" in _line(refused)
    assert "gave up" in _line(refused)
