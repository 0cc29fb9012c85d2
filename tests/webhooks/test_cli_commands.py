"""``alliance-pay webhooks events`` and ``webhooks replay`` run as a user runs them, in a process,
against a store a receiver served over a real socket filled (SQLite, and a real PostgreSQL).

The receiver confirms with respx standing in for the API; the command only reads the store and
re-delivers the stored request to the receiver's URL.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx

from alliance_pay import AsyncAllianceClient
from alliance_pay.sandbox import serve_in_thread
from alliance_pay.webhooks import EventStore, webhook_app
from tests.helpers import BASE_URL, PAYIN, envelope
from tests.webhooks.samples import PAYIN_ORDER, PAYIN_SUCCEEDED
from tests.webhooks.support import Effects

PAYIN_STATUS_URL = f"{BASE_URL}/api/v1/payin/transactions"
KEY = f"payin.succeeded:{PAYIN_ORDER}"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def store(make_durable_store: Any) -> EventStore:
    store: EventStore = make_durable_store()
    return store


@pytest.fixture
def effects() -> Effects:
    return Effects()


@pytest.fixture
def receiver(
    client: AsyncAllianceClient, store: EventStore, effects: Effects, respx_mock: respx.MockRouter
) -> Iterator[str]:
    respx_mock.post(PAYIN_STATUS_URL).respond(200, json=envelope(PAYIN))
    respx_mock.route(host="127.0.0.1").pass_through()  # the command's re-delivery, and ours
    with serve_in_thread(webhook_app(client, effects, store=store)) as url:
        yield url


def run(*args: str, store: str | None, env_store: str | None = None) -> tuple[int, str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("ALLIANCE_")}
    if env_store is not None:
        env["ALLIANCE_WEBHOOK_STORE"] = env_store
    command = [sys.executable, "-m", "alliance_pay.cli", "webhooks", *args]
    if store is not None:
        command += ["--store", store]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    return done.returncode, done.stdout, done.stderr


def deliver(url: str) -> str:
    outcome: str = httpx.post(url, content=PAYIN_SUCCEEDED).json()["outcome"]
    return outcome


@pytest.mark.slow
def test_events_lists_what_arrived_and_replay_handles_it_once_more(
    receiver: str, durable_location: str, effects: Effects
) -> None:
    assert [deliver(receiver), deliver(receiver)] == ["handled", "duplicate"]
    code, out, _ = run("events", "--json", store=durable_location)
    assert code == 0
    [listed] = json.loads(out)
    assert (listed["key"], listed["state"], listed["attempts"]) == (KEY, "handled", 1)

    code, out, err = run("replay", KEY, "--to", receiver, "--json", store=durable_location)
    assert (code, err) == (0, "")
    assert json.loads(out) == [{"key": KEY, "status_code": 200, "outcome": "handled"}]
    assert effects.orders == [PAYIN_ORDER, PAYIN_ORDER]  # handled once more, as asked
    assert deliver(receiver) == "duplicate"  # and only once more

    code, out, _ = run("events", store=None, env_store=durable_location)  # the variable
    assert code == 0
    header, row = out.splitlines()
    assert header.split() == ["key", "state", "attempts", "received_at", "last_error"]
    assert row.split() == [KEY, "handled", "2", row.split()[3], "-"]


@pytest.mark.slow
def test_replay_failed_re_delivers_every_failed_event(
    receiver: str, durable_location: str, effects: Effects
) -> None:
    effects.failures = 1
    assert httpx.post(receiver, content=PAYIN_SUCCEEDED).status_code == 500
    code, out, _ = run("events", "--failed", store=durable_location)
    assert code == 0
    assert "RuntimeError: the merchant's database is down" in out

    code, out, _ = run("replay", "--failed", "--to", receiver, store=durable_location)
    assert (code, out) == (0, f"{KEY} -> HTTP 200 handled\n")
    assert effects.orders == [PAYIN_ORDER]
    code, out, _err = run("events", "--failed", "--json", store=durable_location)
    assert (code, json.loads(out)) == (0, [])


@pytest.mark.slow
def test_deliveries_lists_each_raw_request_without_its_body(
    receiver: str, durable_location: str
) -> None:
    deliver(receiver)
    deliver(receiver)
    httpx.post(receiver, content=b"order=PO-1&status=paid")
    code, out, _ = run("deliveries", KEY, "--json", store=durable_location)
    assert code == 0
    listed = json.loads(out)
    assert [(d["outcome"], d["bytes"], d["truncated"]) for d in listed] == [
        ("handled", len(PAYIN_SUCCEEDED), False),
        ("duplicate", len(PAYIN_SUCCEEDED), False),
    ]
    assert all(d["remote"].startswith("127.0.0.1:") for d in listed)
    assert PAYIN_ORDER not in out  # the body, and the personal data in it, stay in the store
    code, out, _ = run("deliveries", "--no-event", store=durable_location)
    assert code == 0
    [row] = out.splitlines()[1:]
    assert row.split()[2:] == ["22", "False", "invalid"]


def test_a_missing_store_is_a_usage_error_that_says_what_to_pass(tmp_path: Path) -> None:
    code, _, err = run("events", store=None)
    assert code == 2
    assert "pass --store PATH|postgresql://... or set ALLIANCE_WEBHOOK_STORE" in err
    code, _, err = run("events", store=str(tmp_path / "typo.sqlite3"))
    assert code == 2
    assert "no SQLite store at" in err
    assert not (tmp_path / "typo.sqlite3").exists()  # a typo creates nothing


def test_replay_of_a_key_the_store_does_not_hold_is_refused(
    store: EventStore, durable_location: str
) -> None:
    code, _out, err = run(
        "replay", "payin.failed:NOPE", "--to", "http://127.0.0.1:9/", store=durable_location
    )
    assert code == 1
    assert "payin.failed:NOPE: not replayed: no stored delivery of this event" in err


def test_replay_needs_one_key_or_failed(store: EventStore, durable_location: str) -> None:
    code, _, err = run("replay", "--to", "http://127.0.0.1:9/", store=durable_location)
    assert code == 2
    assert "give one event KEY, or --failed" in err
