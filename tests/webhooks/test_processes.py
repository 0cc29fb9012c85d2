"""The proof with real processes: receivers in processes of their own share one store (a SQLite
file on this host, or a real PostgreSQL as replicas would), confirm against a sandbox served
over a socket, and get duplicates at once, or get killed with SIGKILL mid-handler.

The effect of the handler is counted where it lands: lines in a file (plain handlers), rows in
the store's database (transactional handlers).
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import closing
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest

from alliance_pay import AllianceClient
from alliance_pay.sandbox import SandboxConfig, create_app, serve_in_thread
from tests.helpers import ACCESS_KEY, SECRET_KEY
from tests.webhooks.receiver_process import EFFECTS_TABLE
from tests.webhooks.support import wait_until

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
ORDER = "PO-PROC-1"
KEY = f"payout.succeeded:{ORDER}"
BODY = json.dumps(
    {"event": "payout.succeeded", "data": {"order_id": ORDER, "status": "Approved"}}
).encode()
LEASE = 1.5


@pytest.fixture(scope="module")
def sandbox_url() -> Iterator[str]:
    """A sandbox on a real socket, holding one approved payout."""
    config = SandboxConfig(access_key=ACCESS_KEY, secret_key=SECRET_KEY, payout_delay=0)
    with serve_in_thread(create_app(config)) as base_url:
        with AllianceClient(
            access_key=ACCESS_KEY, secret_key=SECRET_KEY, base_url=base_url
        ) as client:
            client.payouts.create(
                order_id=ORDER,
                user_id="merchant-7",
                amount=Decimal("1500.00"),
                beneficiary_name="Asha Verma",
                beneficiary_email="asha@example.in",
                beneficiary_mobile_no="9876543210",
                beneficiary_address="12 MG Road, Bengaluru",
                beneficiary_acc_no="123456789012",
                bank_name="SBI",
                ifsc="SBIN0060589",
            )
            wait_until(lambda: client.payouts.retrieve(ORDER).status.value == "Approved")
        yield base_url


@pytest.fixture(params=["sqlite", "postgres"])
def shared_store(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Where the receivers keep their events: a file on this host, or a PostgreSQL server."""
    if request.param == "postgres":
        dsn: str = request.getfixturevalue("postgres_dsn")
        return dsn
    return str(tmp_path / "webhooks.sqlite3")


class Receivers:
    """Receiver processes started for one test, stopped (or found killed) after it."""

    def __init__(self, sandbox_url: str, store: str, tmp_path: Path) -> None:
        self.sandbox_url, self.store, self.tmp_path = sandbox_url, store, tmp_path
        self.effects_file = tmp_path / "effects.txt"
        self.processes: list[subprocess.Popen[str]] = []

    def start(self, **options: Any) -> tuple[subprocess.Popen[str], str]:
        config = {
            "store": self.store,
            "base_url": self.sandbox_url,
            "access_key": ACCESS_KEY,
            "secret_key": SECRET_KEY,
            "lease": LEASE,
            "effects": str(self.effects_file),
            "marker": str(self.tmp_path / "in-handler"),
            **options,
        }
        process = subprocess.Popen(
            [sys.executable, "-m", "tests.webhooks.receiver_process", json.dumps(config)],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.processes.append(process)
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        assert url.startswith("http://"), f"the receiver did not start (exit {process.poll()})"
        return process, url

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                assert process.stdin is not None
                process.stdin.close()
                try:
                    process.wait(10)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
            for stream in (process.stdin, process.stdout):
                if stream is not None and not stream.closed:
                    stream.close()

    def file_effects(self) -> list[str]:
        if not self.effects_file.exists():
            return []
        return [line.split()[0] for line in self.effects_file.read_text().splitlines()]

    def table_effects(self) -> list[str]:
        if self.store.startswith("postgresql://"):
            with psycopg.connect(self.store) as connection:
                rows = connection.execute("SELECT event_key FROM effects").fetchall()
        else:
            connection = sqlite3.connect(self.store)
            try:
                rows = connection.execute("SELECT event_key FROM effects").fetchall()
            finally:
                connection.close()
        return [row[0] for row in rows]

    def make_effects_table(self) -> None:
        if self.store.startswith("postgresql://"):
            with psycopg.connect(self.store, autocommit=True) as connection:
                connection.execute(EFFECTS_TABLE)
        else:
            with closing(sqlite3.connect(self.store)) as connection:
                connection.execute(EFFECTS_TABLE)
                connection.commit()


@pytest.fixture
def receivers(sandbox_url: str, shared_store: str, tmp_path: Path) -> Iterator[Receivers]:
    started = Receivers(sandbox_url, shared_store, tmp_path)
    yield started
    started.stop()


def deliver(url: str) -> tuple[int, str]:
    """One delivery, as the provider makes it: the answer's status and outcome."""
    answer = httpx.post(f"{url}/", content=BODY, timeout=30)
    return answer.status_code, answer.json()["outcome"]


def deliver_until_acknowledged(url: str, timeout: float = 30) -> str:
    """The provider's retries: deliver again until a 2xx answer; its outcome."""
    deadline = time.monotonic() + timeout
    while True:
        status, outcome = deliver(url)
        if 200 <= status < 300:
            return outcome
        assert time.monotonic() < deadline, f"still {status} {outcome}"
        time.sleep(0.1)


@pytest.mark.parametrize("transactional", [False, True], ids=["plain", "transactional"])
def test_five_concurrent_deliveries_to_three_processes_have_one_effect(
    receivers: Receivers, transactional: bool
) -> None:
    if transactional:
        receivers.make_effects_table()
    # Two ASGI receivers and a WSGI one, as a mixed fleet would be, all on one store; the
    # handler dwells, so duplicates arrive while the first delivery is being handled.
    urls = [
        receivers.start(server=server, pause=1.0, transactional=transactional)[1]
        for server in ("asgi", "asgi", "wsgi")
    ]
    answers: list[tuple[int, str]] = []
    barrier = threading.Barrier(5)

    def provider(url: str) -> None:
        barrier.wait()
        answers.append(deliver(url))

    threads = [threading.Thread(target=provider, args=(urls[i % 3],)) for i in range(5)]
    for thread in threads:
        thread.start()
    # One more delivery once a handler is running (it touches the marker inside the handler).
    wait_until(lambda: (receivers.tmp_path / "in-handler").exists(), timeout=30)
    during_handler = deliver(urls[2])
    for thread in threads:
        thread.join()
    answers.append(during_handler)
    assert answers.count((200, "handled")) == 1, answers
    if receivers.store.startswith("postgresql://") or not transactional:
        assert (503, "in_progress") in answers, answers  # the race did happen
    else:
        # SQLite's inbox holds the write lock while the handler runs: a delivery made then
        # waits for it (up to the busy timeout), then finds the event handled. One that
        # claimed before the handler's transaction began (while the first was confirming the
        # event with the API) was told to come back: in_progress, as on the other stores.
        assert during_handler == (200, "duplicate"), answers
    others = {answer for answer in answers if answer != (200, "handled")}
    assert others <= {(200, "duplicate"), (503, "in_progress")}, answers
    # The provider retries what was not acknowledged: each is then a duplicate.
    assert {deliver_until_acknowledged(url) for url in urls} == {"duplicate"}
    effects = receivers.table_effects() if transactional else receivers.file_effects()
    assert effects == [KEY]


def kill_mid_handler(receivers: Receivers, transactional: bool) -> str:
    """Deliver to a receiver whose handler dwells, SIGKILL it inside the handler, and return
    the URL of a fresh receiver on the same store."""
    doomed, doomed_url = receivers.start(pause=120, transactional=transactional)
    _, survivor_url = receivers.start(transactional=transactional)
    provider = threading.Thread(target=lambda: _expect_no_answer(doomed_url), daemon=True)
    provider.start()
    wait_until(lambda: (receivers.tmp_path / "in-handler").exists(), timeout=30)
    os.kill(doomed.pid, signal.SIGKILL)
    doomed.wait(10)
    provider.join(30)
    # Its claim is alive until the lease runs out: the redelivery is told to come back.
    assert deliver(survivor_url) == (503, "in_progress")
    time.sleep(LEASE + 0.2)
    return survivor_url


def _expect_no_answer(url: str) -> None:
    try:
        httpx.post(f"{url}/", content=BODY, timeout=60)
    except httpx.TransportError:
        return  # the receiver died mid-request: the provider saw no answer
    raise AssertionError("a receiver killed mid-handler answered")


def test_a_receiver_killed_mid_handler_has_exactly_one_effect_with_the_inbox(
    receivers: Receivers,
) -> None:
    receivers.make_effects_table()
    survivor = kill_mid_handler(receivers, transactional=True)
    assert receivers.table_effects() == []  # the killed transaction never committed
    assert deliver(survivor) == (200, "handled")
    assert deliver(survivor) == (200, "duplicate")
    assert receivers.table_effects() == [KEY]


def test_a_receiver_killed_mid_handler_is_handled_again_at_least_once_without_the_inbox(
    receivers: Receivers,
) -> None:
    survivor = kill_mid_handler(receivers, transactional=False)
    assert receivers.file_effects() == [KEY]  # done, but never marked handled
    assert deliver(survivor) == (200, "handled")
    assert deliver(survivor) == (200, "duplicate")
    # At least once: the effect of the killed attempt stays, and the event was handled again.
    assert receivers.file_effects() == [KEY, KEY]


def test_a_redelivery_after_a_restart_is_a_duplicate(receivers: Receivers) -> None:
    first, first_url = receivers.start()
    assert deliver(first_url) == (200, "handled")
    receivers.stop()  # a deploy: the process exits
    assert first.poll() is not None
    _, second_url = receivers.start(server="wsgi")
    assert deliver(second_url) == (200, "duplicate")
    assert receivers.file_effects() == [KEY]
