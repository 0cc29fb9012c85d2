"""One behaviour, every store: the in-memory one, SQLite, and a real PostgreSQL server.

Claims and their leases, the states and history of an event, raw deliveries, the listing,
replay marks and retention, all through the ``EventStore`` protocol only.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
import warnings
from collections.abc import Callable
from datetime import datetime, timedelta, timezone

import pytest

from alliance_pay import MissingExtraError
from alliance_pay.webhooks import Claim, Delivery, EventState, EventStore, PostgresEventStore

KEY = "payout.succeeded:PO-1"
LEASE = 0.3

MakeStore = Callable[..., EventStore]


def test_a_key_is_claimed_once_until_it_is_handled(make_store: MakeStore) -> None:
    store = make_store()
    assert store.claim(KEY) is Claim.NEW
    assert store.claim(KEY) is Claim.IN_PROGRESS
    store.complete(KEY)
    assert store.claim(KEY) is Claim.HANDLED
    [event] = store.events()
    assert (event.key, event.state, event.attempts, event.in_progress) == (
        KEY,
        EventState.HANDLED,
        1,
        False,
    )


def test_of_many_concurrent_claims_exactly_one_is_new(make_store: MakeStore) -> None:
    store = make_store()
    results: list[Claim] = []
    barrier = threading.Barrier(8)

    def claim() -> None:
        barrier.wait()
        results.append(store.claim(KEY))

    threads = [threading.Thread(target=claim) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(claim.value for claim in results) == ["in_progress"] * 7 + ["new"]


def test_a_claim_whose_lease_ran_out_can_be_taken_over(make_store: MakeStore) -> None:
    store = make_store(lease=LEASE)
    assert store.claim(KEY) is Claim.NEW  # and the process dies: nothing completes it
    assert store.claim(KEY) is Claim.IN_PROGRESS
    time.sleep(LEASE + 0.1)
    [event] = store.events()
    assert not event.in_progress
    assert store.claim(KEY) is Claim.NEW
    assert next(store.events()).attempts == 2


def test_a_released_claim_keeps_its_state_and_can_be_claimed_again(
    make_store: MakeStore,
) -> None:
    store = make_store()
    store.claim(KEY)
    store.release(KEY, "the status call failed: timeout")
    [event] = store.events()
    assert (event.state, event.last_error, event.in_progress) == (
        EventState.RECEIVED,
        "the status call failed: timeout",
        False,
    )
    assert store.claim(KEY) is Claim.NEW


def test_a_failed_handling_keeps_the_error_and_attempts_and_is_retried(
    make_store: MakeStore,
) -> None:
    store = make_store()
    store.claim(KEY)
    store.mark_confirmed(KEY, {"order_id": "PO-1", "amount": "100.50"})
    store.fail(KEY, "RuntimeError: database down")
    [failed] = store.events(state="failed")
    assert (failed.state, failed.attempts, failed.last_error) == (
        EventState.FAILED,
        1,
        "RuntimeError: database down",
    )
    assert failed.record == {"order_id": "PO-1", "amount": "100.50"}
    assert store.claim(KEY) is Claim.NEW
    store.complete(KEY)
    [handled] = store.events()
    assert (handled.state, handled.attempts, handled.last_error) == (EventState.HANDLED, 2, None)
    assert [entry.state for entry in store.history(KEY)] == [
        "received",
        "confirmed",
        "failed",
        "handled",
    ]


def test_a_forged_event_is_kept_as_forged_and_a_genuine_one_may_follow(
    make_store: MakeStore,
) -> None:
    store = make_store()
    store.claim(KEY)
    store.forge(KEY, "amount disagrees: the event says 1, the API says 100")
    [forged] = store.events(state=EventState.FORGED)
    assert forged.last_error == "amount disagrees: the event says 1, the API says 100"
    assert list(store.events(state="handled")) == []
    # The genuine event has the same key: it must still be handled when it comes.
    assert store.claim(KEY) is Claim.NEW


def test_a_rearmed_event_is_claimed_once_more_then_is_a_duplicate_again(
    make_store: MakeStore,
) -> None:
    store = make_store()
    store.claim(KEY)
    store.complete(KEY)
    store.rearm(KEY)
    assert store.claim(KEY) is Claim.NEW
    assert store.claim(KEY) is Claim.IN_PROGRESS
    store.complete(KEY)
    assert store.claim(KEY) is Claim.HANDLED
    assert "rearmed" in [entry.state for entry in store.history(KEY)]


def test_raw_deliveries_are_kept_with_headers_address_and_answer(make_store: MakeStore) -> None:
    store = make_store()
    body = b'{"event": "payout.succeeded", "data": {"amount": 1500.50}} \xff not even utf-8'
    delivery = Delivery.now(body, [("Content-Type", "application/json")], "203.0.113.7:5123")
    delivery_id = store.record_delivery(delivery)
    store.note_delivery(delivery_id, key=KEY, outcome="invalid")
    [kept] = store.deliveries(KEY)
    assert kept.body == body  # byte for byte, even what does not parse
    assert kept.headers == (("content-type", "application/json"),)
    assert (kept.remote, kept.key, kept.outcome, kept.truncated) == (
        "203.0.113.7:5123",
        KEY,
        "invalid",
        False,
    )
    assert abs(kept.received_at - delivery.received_at) < timedelta(milliseconds=1)


def test_events_are_listed_oldest_first_and_filtered(make_store: MakeStore) -> None:
    store = make_store()
    store.claim("payin.succeeded:A")
    store.complete("payin.succeeded:A")
    time.sleep(0.02)
    middle = datetime.now(timezone.utc)
    store.claim("payin.succeeded:B")
    store.fail("payin.succeeded:B", "boom")
    store.claim("payin.succeeded:C")
    assert [e.key for e in store.events()] == [f"payin.succeeded:{x}" for x in "ABC"]
    assert [e.key for e in store.events(since=middle)] == ["payin.succeeded:B", "payin.succeeded:C"]
    assert [e.key for e in store.events(state="failed", since=middle)] == ["payin.succeeded:B"]
    assert [e.in_progress for e in store.events()] == [False, False, True]
    with pytest.raises(ValueError, match="'done' is not a valid EventState"):
        list(store.events(state="done"))


def test_pruning_forgets_old_events_and_deliveries_but_keeps_live_claims(
    make_store: MakeStore,
) -> None:
    store = make_store(retention=0.2, lease=30)
    delivery_id = store.record_delivery(Delivery.now(b"{}"))
    store.note_delivery(delivery_id, key="payin.succeeded:old", outcome="handled")
    store.claim("payin.succeeded:old")
    store.complete("payin.succeeded:old")
    store.claim("payin.succeeded:live")  # held by a live process
    time.sleep(0.3)
    store.claim("payin.succeeded:new")
    assert store.prune() == 1
    assert [e.key for e in store.events()] == ["payin.succeeded:live", "payin.succeeded:new"]
    assert store.deliveries("payin.succeeded:old") == []
    assert store.history("payin.succeeded:old") == []
    # Forgotten means a redelivery after the retention window is handled again.
    assert store.claim("payin.succeeded:old") is Claim.NEW


@pytest.mark.parametrize(
    ("option", "value"), [("lease", 0), ("lease", -1), ("retention", 0), ("lease", True)]
)
def test_a_lease_or_retention_that_is_not_positive_is_refused(
    make_store: MakeStore, option: str, value: object
) -> None:
    with pytest.raises(ValueError, match=f"{option} must be a positive number of seconds"):
        make_store(**{option: value})


def test_durable_stores_remember_across_a_restart(make_durable_store: MakeStore) -> None:
    before = make_durable_store()
    before.claim(KEY)
    before.complete(KEY)
    before.claim("payin.failed:X")
    before.close()  # type: ignore[attr-defined]
    after = make_durable_store()  # a new process, or another replica
    assert after.claim(KEY) is Claim.HANDLED
    assert after.claim("payin.failed:X") is Claim.IN_PROGRESS


def test_a_claim_held_by_another_store_object_is_in_progress_there(
    make_durable_store: MakeStore,
) -> None:
    replica_a, replica_b = make_durable_store(lease=LEASE), make_durable_store(lease=LEASE)
    assert replica_a.claim(KEY) is Claim.NEW
    assert replica_b.claim(KEY) is Claim.IN_PROGRESS
    time.sleep(LEASE + 0.1)
    assert replica_b.claim(KEY) is Claim.NEW  # replica A died holding it
    replica_b.complete(KEY)
    assert replica_a.claim(KEY) is Claim.HANDLED


def test_without_psycopg_the_postgres_store_names_the_extra_that_installs_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "psycopg", None)
    with pytest.raises(
        MissingExtraError,
        match=r"^PostgresEventStore needs the 'postgres' extra \(psycopg is not installed\): "
        r"pip install 'alliance-pay\[postgres\]'$",
    ):
        PostgresEventStore("postgresql://localhost/shop")


def test_the_webhooks_package_imports_without_psycopg() -> None:
    code = "import sys; sys.modules['psycopg'] = None; import alliance_pay.webhooks, alliance_pay"
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


def test_a_store_made_before_a_fork_works_in_the_parent_and_the_child(
    make_durable_store: MakeStore,
) -> None:
    # gunicorn and uvicorn --workers fork after the app module made its store.
    store = make_durable_store()
    store.claim("payin.succeeded:parent")
    with warnings.catch_warnings():  # 3.12+ warns that forking a threaded process may deadlock
        warnings.simplefilter("ignore", DeprecationWarning)
        pid = os.fork()
    if pid == 0:  # the child: its own connections, never the parent's
        try:
            store.claim("payin.succeeded:child")
            store.complete("payin.succeeded:child")
            code = 0 if store.claim("payin.succeeded:parent") is Claim.IN_PROGRESS else 1
        except BaseException:
            code = 2
        os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    store.complete("payin.succeeded:parent")
    assert [e.state.value for e in store.events()] == ["handled", "handled"]


def test_the_postgres_store_never_shows_the_password_of_its_dsn(postgres_dsn: str) -> None:
    with_password = postgres_dsn.replace(
        "postgresql://postgres@", "postgresql://postgres:s3cr3t-pw@"
    )
    store = PostgresEventStore(with_password)  # the test server trusts loopback: it is ignored
    try:
        shown = repr(store)
        assert "s3cr3t-pw" not in shown
        assert shown.startswith("PostgresEventStore('127.0.0.1:")
    finally:
        store.close()
