"""Every SQLite connection the SDK opens is closed by it: no file left open, no warning.

Python 3.13's ``sqlite3`` warns about a connection left to the garbage collector ("unclosed
database"); earlier versions close it silently, at some later collection. So these tests look
at what the process holds open (``/proc/self/fd``) as well as at the warnings, and hold the
bulk journal and the webhook store to it on every path: closed by hand, in a ``with`` block,
after an error while opening, with a connection still in use when the store closes, and
dropped without being closed (closed all the same, with a ``ResourceWarning`` of ours that
says what to close).
"""

from __future__ import annotations

import gc
import os
import sqlite3
import subprocess
import sys
import threading
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

from alliance_pay.bulk import BulkBusyError, SQLiteJournal
from alliance_pay.webhooks import Claim, SQLiteEventStore
from tests.helpers import held_open

pytestmark = pytest.mark.skipif(
    not Path("/proc/self/fd").is_dir(), reason="counts open files through /proc (Linux)"
)


@pytest.fixture
def no_warnings() -> Iterator[list[warnings.WarningMessage]]:
    """Every warning raised meanwhile, collected ones included, for the test to check."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield caught
        gc.collect()


def resource_warnings(caught: list[warnings.WarningMessage]) -> list[str]:
    return [str(w.message) for w in caught if issubclass(w.category, ResourceWarning)]


def test_journals_and_stores_opened_and_closed_in_a_loop_leave_nothing_open(
    tmp_path: Path, no_warnings: list[warnings.WarningMessage]
) -> None:
    journal_path, store_path = tmp_path / "j.sqlite3", tmp_path / "w.sqlite3"
    for n in range(30):
        with SQLiteJournal(journal_path) as journal:
            journal.acquire("b1", f"w{n}")
            journal.leave("b1", f"w{n}")
        store = SQLiteEventStore(store_path)
        store.claim(f"payin.succeeded:P-{n}")
        store.complete(f"payin.succeeded:P-{n}")
        store.close()
    gc.collect()

    assert held_open(journal_path) == []
    assert held_open(store_path) == []
    assert resource_warnings(no_warnings) == []


def test_a_store_used_from_many_threads_closes_every_connection_it_opened(
    tmp_path: Path, no_warnings: list[warnings.WarningMessage]
) -> None:
    path = tmp_path / "w.sqlite3"
    store = SQLiteEventStore(path)
    together = threading.Barrier(6)

    def deliver(n: int) -> None:
        together.wait()
        assert store.claim(f"payin.succeeded:P-{n}") is Claim.NEW
        store.complete(f"payin.succeeded:P-{n}")

    threads = [threading.Thread(target=deliver, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert held_open(path) != []  # pooled for reuse until the store closes
    store.close()

    assert held_open(path) == []
    assert resource_warnings(no_warnings) == []


def test_a_connection_in_use_when_the_store_closes_is_closed_as_its_call_returns(
    tmp_path: Path, no_warnings: list[warnings.WarningMessage]
) -> None:
    path = tmp_path / "w.sqlite3"
    store = SQLiteEventStore(path)
    key = "payin.succeeded:P-1"
    store.claim(key)
    transaction = store.begin_handling(key)  # a handler's transaction holds a connection

    store.close()
    assert held_open(path) != []  # the handler's connection is still in use
    transaction.commit()

    assert held_open(path) == []
    assert [event.state.value for event in store.events()] == ["handled"]  # it reopens
    store.close()
    assert held_open(path) == []
    assert resource_warnings(no_warnings) == []


def test_a_journal_dropped_unclosed_is_closed_and_its_lock_freed_with_a_warning_naming_it(
    tmp_path: Path,
) -> None:
    path = tmp_path / "forgotten.sqlite3"
    journal = SQLiteJournal(path)
    journal.acquire("b1", "w1")

    with pytest.warns(ResourceWarning, match=r"SQLiteJournal\('.*forgotten.sqlite3'\) was never"):
        del journal

    assert held_open(path) == []
    with SQLiteJournal(path) as again:
        again.acquire("b1", "w2")  # the lock went with it: no BulkBusyError


def test_a_store_dropped_unclosed_is_closed_with_a_warning_saying_what_to_close(
    tmp_path: Path,
) -> None:
    path = tmp_path / "forgotten.sqlite3"
    store = SQLiteEventStore(path)
    store.claim("payin.succeeded:P-1")

    del store  # the store and its pool refer to each other: the cycle collector frees them
    with pytest.warns(ResourceWarning, match=r"SQLiteEventStore\(.*never closed.*store.close\(\)"):
        gc.collect()

    assert held_open(path) == []


def test_a_closed_store_dropped_later_says_nothing(
    tmp_path: Path, no_warnings: list[warnings.WarningMessage]
) -> None:
    store = SQLiteEventStore(tmp_path / "w.sqlite3")
    store.claim("payin.succeeded:P-1")
    store.close()
    del store
    gc.collect()

    assert resource_warnings(no_warnings) == []


def test_a_second_run_refused_by_the_lock_leaves_the_first_ones_journal_alone(
    tmp_path: Path, no_warnings: list[warnings.WarningMessage]
) -> None:
    path = tmp_path / "j.sqlite3"
    with SQLiteJournal(path) as first:
        first.acquire("b1", "w1")
        with SQLiteJournal(path) as second, pytest.raises(BulkBusyError):
            second.acquire("b1", "w2")
        first.heartbeat("b1", "w1")  # still working
    assert held_open(path) == []
    assert resource_warnings(no_warnings) == []


@pytest.mark.parametrize("opener", [SQLiteJournal, SQLiteEventStore], ids=["journal", "store"])
def test_a_file_that_is_no_database_is_refused_and_left_closed(
    tmp_path: Path, opener: type[object], no_warnings: list[warnings.WarningMessage]
) -> None:
    path = tmp_path / "corrupt.sqlite3"
    path.write_bytes(b"this is a CSV file, not a database\n" * 200)

    with pytest.raises(sqlite3.DatabaseError, match="not a database") as refused:
        opener(path)

    # Checked while the error, and through its traceback the half-made object, is alive:
    # the collector must not be what closes it.
    assert held_open(path) == []
    del refused
    gc.collect()
    assert resource_warnings(no_warnings) == []


@pytest.mark.parametrize(
    ("opener", "table"),
    [(SQLiteJournal, "bulk_rows"), (SQLiteEventStore, "alliance_webhook_events")],
    ids=["journal", "store"],
)
def test_a_database_with_tables_of_another_shape_is_refused_and_left_closed(
    tmp_path: Path, opener: type[object], table: str, no_warnings: list[warnings.WarningMessage]
) -> None:
    path = tmp_path / "other.sqlite3"
    db = sqlite3.connect(path)
    db.execute(f"CREATE TABLE {table} (something_else TEXT)")
    db.close()

    with pytest.raises(sqlite3.OperationalError, match="no such column") as refused:
        opener(path)

    # Checked while the error, and through its traceback the half-made object, is alive:
    # the collector must not be what closes it.
    assert held_open(path) == []
    del refused
    gc.collect()
    assert resource_warnings(no_warnings) == []


@pytest.mark.skipif(not hasattr(os, "fork"), reason="POSIX fork")
def test_a_forked_child_inherits_no_connection_of_the_parents_store(tmp_path: Path) -> None:
    # gunicorn and uvicorn --workers fork after the app module made (and used) its store.
    path = tmp_path / "w.sqlite3"
    store = SQLiteEventStore(path)
    store.claim("payin.succeeded:parent")
    assert held_open(path) != []
    with warnings.catch_warnings():  # 3.12+ warns that forking a threaded process may deadlock
        warnings.simplefilter("ignore", DeprecationWarning)
        pid = os.fork()
    if pid == 0:
        code = 1
        try:
            inherited = held_open(path)
            store.complete("payin.succeeded:parent")  # on a connection of its own
            code = 0 if inherited == [] else 3
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)

    assert os.waitstatus_to_exitcode(status) == 0
    assert [event.state.value for event in store.events()] == ["handled"]  # the parent goes on
    store.close()


_HOLD_LOCKED = """
import sqlite3, sys
holder = sqlite3.connect(sys.argv[1], isolation_level=None)
holder.execute("CREATE TABLE t (x)")
holder.execute("BEGIN EXCLUSIVE")  # what a long write in another process holds
print("locked", flush=True)
sys.stdin.read()
"""


@pytest.mark.slow  # waits out SQLite's 5 s busy timeout
def test_a_journal_on_a_file_another_process_holds_locked_is_refused_and_left_closed(
    tmp_path: Path, no_warnings: list[warnings.WarningMessage]
) -> None:
    path = tmp_path / "locked.sqlite3"
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLD_LOCKED, str(path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline() == "locked\n"
        with pytest.raises(sqlite3.OperationalError, match="locked") as refused:
            SQLiteJournal(path)
        assert held_open(path) == []  # checked with the half-made journal still referenced
        del refused
    finally:
        holder.communicate("", timeout=30)
    with SQLiteJournal(path) as journal:  # once the other process let go, it opens
        assert journal.batch("b1") is None
    assert resource_warnings(no_warnings) == []
