"""One suite, every journal backend: SQLite, and PostgreSQL on the real server the tests start."""

from __future__ import annotations

import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from alliance_pay.bulk import Journal, RowResult, RowState, SQLiteJournal, open_journal
from alliance_pay.bulk._journal import BatchInfo, LoadRow
from alliance_pay.bulk._load import read_report

BACKENDS = ["sqlite", "postgres"]


@pytest.fixture(params=BACKENDS)
def spec(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "postgres":
        return str(request.getfixturevalue("postgres_dsn"))
    return str(tmp_path / "journal.sqlite3")


@pytest.fixture
def journal(spec: str) -> Iterator[Journal]:
    opened = open_journal(spec)
    yield opened
    opened.close()


def load(journal: Journal, rows: list[LoadRow], batch: str = "b1", digest: str = "h1") -> None:
    journal.load(BatchInfo(batch, digest, "file.csv", 0, False), iter(rows))


def pending(number: int, order_id: str | None = None, amount: str = "10.00") -> LoadRow:
    oid = order_id or f"O-{number}"
    return LoadRow(number, oid, RowState.PENDING, Decimal(amount), {"order_id": oid})


def test_rows_sharing_an_order_id_are_all_invalid_and_named_in_each_message(
    journal: Journal,
) -> None:
    load(journal, [pending(1), pending(2, "DUP"), pending(3), pending(4, "DUP"), pending(5, "DUP")])

    invalid = journal.rows("b1", after_row=0, limit=10, states=[RowState.INVALID])

    assert [r.row for r in invalid] == [2, 4, 5]
    assert "also in row(s) 4, 5" in (invalid[0].error or "")
    report = read_report(journal, "b1")
    assert (report.valid, report.invalid, report.total) == (2, 3, Decimal("20.00"))


def test_claimed_rows_are_sending_for_every_other_connection_at_once(
    journal: Journal, spec: str
) -> None:
    load(journal, [pending(n) for n in range(1, 6)])

    claimed = journal.claim_pending("b1", "w1", 3)

    other = open_journal(spec)
    try:
        sending = other.rows("b1", after_row=0, limit=10, states=[RowState.SENDING])
    finally:
        other.close()
    assert [r.row for r in claimed] == [1, 2, 3]
    assert [r.row for r in sending] == [1, 2, 3]


def test_a_journal_never_makes_a_row_less_final(journal: Journal) -> None:
    load(journal, [pending(1)])
    journal.claim_pending("b1", "w1", 1)
    approved = RowResult(row=1, order_id="O-1", state=RowState.APPROVED, status="Approved")
    journal.finish("b1", [approved])

    journal.finish("b1", [RowResult(row=1, order_id="O-1", state=RowState.UNKNOWN)])
    journal.finish("b1", [RowResult(row=1, order_id="O-1", state=RowState.CREATED)])

    (row,) = journal.rows("b1", after_row=0, limit=1)
    assert row.state is RowState.APPROVED


def test_totals_are_exact_sums_per_state(journal: Journal) -> None:
    load(journal, [pending(1, amount="0.10"), pending(2, amount="0.20"), pending(3, amount="1e2")])

    totals = {t.state: (t.count, t.amount) for t in journal.totals("b1")}

    assert totals[RowState.PENDING] == (3, Decimal("100.30"))


def test_rows_in_doubt_are_claimed_for_lookup_once_per_pass(journal: Journal) -> None:
    load(journal, [pending(n) for n in range(1, 5)])
    journal.claim_pending("b1", "dead", 2)
    journal.finish("b1", [RowResult(row=3, order_id="O-3", state=RowState.UNKNOWN)])

    first = journal.claim_in_doubt("b1", "w2", 10, 0, ttl=0.0)
    again = journal.claim_in_doubt("b1", "w2", 10, first[-1].row, ttl=0.0)

    assert [r.row for r in first] == [1, 2, 3]
    assert again == []


@pytest.mark.parametrize("spec", ["postgres"], indirect=True)
def test_a_live_workers_rows_are_left_alone_until_its_heartbeat_expires(
    journal: Journal,
) -> None:
    load(journal, [pending(n) for n in range(1, 4)])
    journal.acquire("b1", "alive")
    journal.claim_pending("b1", "alive", 2)

    assert journal.claim_in_doubt("b1", "other", 10, 0, ttl=30.0) == []
    assert journal.others_in_flight("b1", "other") == 2
    time.sleep(0.3)
    reclaimed = journal.claim_in_doubt("b1", "other", 10, 0, ttl=0.2)
    assert [r.row for r in reclaimed] == [1, 2]


def test_sqlite_allows_one_run_at_a_time_and_frees_the_lock_on_close(tmp_path: Path) -> None:
    from alliance_pay.bulk import BulkBusyError

    first = SQLiteJournal(tmp_path / "j.sqlite3")
    first.acquire("b1", "w1")
    second = SQLiteJournal(tmp_path / "j.sqlite3")
    with pytest.raises(BulkBusyError, match="another run"):
        second.acquire("b1", "w2")
    first.close()
    second.acquire("b1", "w2")
    second.close()
