"""Bulk runs against the in-process sandbox: exactly once, resumable, truthful results."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from contextlib import aclosing
from decimal import Decimal
from pathlib import Path

import pytest

from alliance_pay import AsyncAllianceClient
from alliance_pay.bulk import (
    AsyncBulkRun,
    BulkBalanceError,
    BulkChangedFileError,
    BulkOptions,
    BulkValidationError,
    RowState,
    SQLiteJournal,
)
from alliance_pay.sandbox import SandboxConfig
from alliance_pay.testing import LocalSandbox
from tests.bulk.support import (
    REJECTED_ACCOUNT,
    check_exactly_once,
    read_results,
    rows,
    write_csv,
    write_jsonl,
)
from tests.helpers import held_open


@pytest.fixture
def local() -> LocalSandbox:
    return LocalSandbox(SandboxConfig(payout_delay=3600, balance=Decimal("10000000.00")))


@pytest.fixture
async def client(local: LocalSandbox) -> AsyncIterator[AsyncAllianceClient]:
    async with local.async_client() as client:
        yield client


def ledger_check(local: LocalSandbox, results: Path, valid: dict[str, Decimal]) -> None:
    ledger = local.sandbox.ledger
    check_exactly_once(
        read_results(results),
        {oid: p.amount for oid, p in ledger.payouts.items()},
        [e.order_id for e in ledger.entries if e.kind == "payout"],
        valid,
    )


def states(journal: Path) -> dict[int, str]:
    db = sqlite3.connect(journal)
    try:
        return dict(db.execute("SELECT row, state FROM bulk_rows ORDER BY row").fetchall())
    finally:
        db.close()


async def test_invalid_rows_and_duplicates_are_reported_first_and_never_paid(
    client: AsyncAllianceClient, local: LocalSandbox, tmp_path: Path
) -> None:
    records = rows(12, **{"3": {"user_id": ""}, "7": {"amount": "-5"}})
    records[9]["order_id"] = records[4]["order_id"]  # rows 5 and 10 share an order id
    source = write_csv(tmp_path / "payroll.csv", records)
    run = AsyncBulkRun(client, source, options=BulkOptions(concurrency=4))
    seen = [result async for result in run.results()]

    first_sent = next(i for i, r in enumerate(seen) if r.state is not RowState.INVALID)
    assert {r.row for r in seen[:first_sent]} == {3, 5, 7, 10}
    assert all(r.state is RowState.CREATED for r in seen[first_sent:])
    results = {int(r["row"]): r for r in read_results(tmp_path / "payroll.results.csv")}
    assert results[3]["error_code"] == "user_id"
    assert results[3]["error"] == "user_id: is required"
    assert results[7]["error"].startswith("amount: must be greater than 0")
    assert "also in row(s) 10" in results[5]["error"]
    assert run.summary is not None
    assert run.summary.exit_code == 1
    assert run.summary.counts["invalid"] == 4
    valid = {r["order_id"]: Decimal(r["amount"]) for i, r in enumerate(records, 1)}
    for number in (3, 5, 7, 10):
        valid.pop(records[number - 1]["order_id"], None)
    ledger_check(local, tmp_path / "payroll.results.csv", valid)


async def test_a_rerun_of_a_finished_batch_sends_nothing(
    client: AsyncAllianceClient, local: LocalSandbox, tmp_path: Path
) -> None:
    source = write_csv(tmp_path / "refunds.csv", rows(6))
    first = await AsyncBulkRun(client, source).run()
    creates = local.fault("payout.create", "latency", times=None)  # counts every create

    again = await AsyncBulkRun(client, source).run()

    assert creates.fired == 0
    assert first.counts == again.counts
    assert again.exit_code == 0


async def test_rows_left_sending_are_looked_up_and_only_missing_ones_are_sent(
    client: AsyncAllianceClient, local: LocalSandbox, tmp_path: Path
) -> None:
    records = rows(8)
    source = write_csv(tmp_path / "crash.csv", records)
    async with AsyncBulkRun(client, source) as run:
        run.validate()
    # A run that died: rows 1-5 marked sending; the requests of rows 1-3 reached the API.
    journal = SQLiteJournal(tmp_path / "crash.results.journal.sqlite3")
    assert len(journal.claim_pending("crash", "dead-worker", 5)) == 5
    journal.close()
    for record in records[:3]:
        await client.payouts.create(**record)
    creates = local.fault("payout.create", "latency", times=None)

    summary = await AsyncBulkRun(client, source).run()

    assert creates.fired == 5  # rows 4-8; rows 1-3 found by lookup, never re-sent
    assert summary.counts["created"] == 8
    ledger_check(
        local,
        tmp_path / "crash.results.csv",
        {r["order_id"]: Decimal(r["amount"]) for r in records},
    )


async def test_a_changed_file_is_refused_once_rows_were_sent(
    client: AsyncAllianceClient, tmp_path: Path
) -> None:
    source = write_csv(tmp_path / "batch.csv", rows(3))
    await AsyncBulkRun(client, source).run()
    write_csv(source, rows(3, **{"2": {"amount": "99.00"}}))

    with pytest.raises(BulkChangedFileError, match="different file"):
        AsyncBulkRun(client, source).validate()


async def test_strict_refuses_the_whole_file_and_sends_nothing(
    client: AsyncAllianceClient, local: LocalSandbox, tmp_path: Path
) -> None:
    source = write_csv(tmp_path / "strict.csv", rows(5, **{"4": {"amount": "0"}}))
    run = AsyncBulkRun(client, source, options=BulkOptions(strict=True))

    with pytest.raises(BulkValidationError, match="row 4"):
        async for _ in run.results():
            pass

    assert local.sandbox.ledger.payouts == {}
    assert [r["state"] for r in read_results(tmp_path / "strict.results.csv")].count("pending") == 4


async def test_the_balance_preflight_refuses_a_file_the_wallet_cannot_cover(
    tmp_path: Path,
) -> None:
    local = LocalSandbox(SandboxConfig(payout_delay=3600, balance=Decimal("50.00")))
    source = write_csv(tmp_path / "big.csv", rows(10))
    async with local.async_client() as client:
        with pytest.raises(BulkBalanceError, match=r"wallet holds 50\.00"):
            await AsyncBulkRun(client, source).run()
    assert local.sandbox.ledger.payouts == {}


async def test_skip_balance_check_sends_until_the_api_refuses(tmp_path: Path) -> None:
    local = LocalSandbox(SandboxConfig(payout_delay=3600, balance=Decimal("50.00")))
    source = write_csv(tmp_path / "big.csv", rows(10))
    async with local.async_client() as client:
        options = BulkOptions(skip_balance_check=True, concurrency=1)
        summary = await AsyncBulkRun(client, source, options=options).run()
    assert summary.counts["created"] == len(local.sandbox.ledger.payouts) > 0
    assert summary.counts["refused"] == 10 - summary.counts["created"]
    assert summary.exit_code == 1


async def test_dropped_answers_and_server_errors_end_with_every_row_paid_once(
    client: AsyncAllianceClient, local: LocalSandbox, tmp_path: Path
) -> None:
    records = rows(60)
    source = write_jsonl(tmp_path / "faulty.jsonl", records)
    local.fault("payout.create", "commit_then_drop", mode="drop", times=None, probability=0.2)
    local.fault("payout.create", "commit_then_drop", mode="502", times=None, probability=0.2)
    local.fault("payout.create", "status", status_code=503, times=None, probability=0.1)
    local.fault("payout.status", "status", status_code=500, times=None, probability=0.2)
    options = BulkOptions(concurrency=6)
    summary = await AsyncBulkRun(client, source, options=options).run()
    for _ in range(5):
        if summary.exit_code == 0:
            break
        summary = await AsyncBulkRun(client, source, options=options).run()

    assert summary.exit_code == 0
    ledger_check(
        local,
        tmp_path / "faulty.results.jsonl",
        {r["order_id"]: Decimal(r["amount"]) for r in records},
    )


async def test_a_429_retry_after_pauses_the_whole_run(
    client: AsyncAllianceClient, local: LocalSandbox, tmp_path: Path
) -> None:
    source = write_csv(tmp_path / "limited.csv", rows(8))
    local.fault("payout.create", "status", status_code=429, headers={"Retry-After": "0.2"})
    run = AsyncBulkRun(client, source, options=BulkOptions(concurrency=4))

    summary = await run.run()

    assert run.pacer.pauses == 1
    assert summary.counts["created"] == 8


async def test_stopping_early_records_rows_in_flight_as_unknown_and_a_rerun_resolves_them(
    client: AsyncAllianceClient, local: LocalSandbox, tmp_path: Path
) -> None:
    records = rows(40)
    source = write_csv(tmp_path / "stop.csv", records)
    local.fault("payout.create", "latency", latency=0.3, times=None)
    run = AsyncBulkRun(client, source, options=BulkOptions(concurrency=8))
    async with aclosing(run.results()) as results:
        async for _ in results:
            break

    after_stop = list(states(tmp_path / "stop.results.journal.sqlite3").values())
    assert "sending" not in after_stop
    assert 1 <= after_stop.count("unknown") <= 8  # the rows in flight when the run stopped
    assert "pending" in after_stop
    summary = await AsyncBulkRun(client, source).run()

    assert summary.exit_code == 0
    ledger_check(
        local, tmp_path / "stop.results.csv", {r["order_id"]: Decimal(r["amount"]) for r in records}
    )


async def test_wait_follows_every_payout_to_its_final_status(tmp_path: Path) -> None:
    local = LocalSandbox(SandboxConfig(payout_delay=0.05, balance=Decimal("10000.00")))
    source = write_csv(
        tmp_path / "wait.csv", rows(4, **{"2": {"beneficiary_acc_no": REJECTED_ACCOUNT}})
    )
    options = BulkOptions(wait=True, wait_timeout=20)
    async with local.async_client() as client:
        summary = await AsyncBulkRun(client, source, options=options).run()

    results = {r["row"]: r for r in read_results(tmp_path / "wait.results.csv")}
    assert results["2"]["state"] == "rejected"
    assert results["2"]["status"] == "Rejected"
    assert {results[n]["state"] for n in ("1", "3", "4")} == {"approved"}
    assert summary.exit_code == 1  # one payout was not made


async def test_derived_order_ids_are_the_same_on_every_rerun(
    client: AsyncAllianceClient, local: LocalSandbox, tmp_path: Path
) -> None:
    records = [{k: v for k, v in r.items() if k != "order_id"} for r in rows(3)]
    source = write_csv(tmp_path / "noids.csv", records)
    options = BulkOptions(derive_order_ids="row", batch_id="nov-payroll")
    await AsyncBulkRun(client, source, options=options).run()
    (tmp_path / "noids.results.journal.sqlite3").unlink()  # even without the journal

    summary = await AsyncBulkRun(client, source, options=options).run()

    assert sorted(local.sandbox.ledger.payouts) == [
        "nov-payroll-000001",
        "nov-payroll-000002",
        "nov-payroll-000003",
    ]
    assert summary.counts["created"] == 3  # found as this row's payout, not paid again


async def test_a_journal_passed_in_stays_open_for_its_owner(
    client: AsyncAllianceClient, tmp_path: Path
) -> None:
    source = write_csv(tmp_path / "own.csv", rows(2))
    journal = SQLiteJournal(tmp_path / "mine.sqlite3")

    await AsyncBulkRun(client, source, journal=journal).run()
    again = await AsyncBulkRun(client, source, journal=journal).run()

    assert again.counts["created"] == 2
    assert journal.batch("own") is not None
    journal.close()


class Interrupted(BaseException):
    """Stands for a KeyboardInterrupt, which would stop the test session itself."""


async def test_a_run_interrupted_mid_send_closes_its_journal_and_a_rerun_starts_at_once(
    client: AsyncAllianceClient, local: LocalSandbox, tmp_path: Path
) -> None:
    records = rows(12)
    source = write_csv(tmp_path / "ctrlc.csv", records)
    journal = tmp_path / "ctrlc.results.journal.sqlite3"
    run = AsyncBulkRun(client, source, options=BulkOptions(concurrency=2))

    def interrupt(result: object) -> None:
        raise Interrupted

    with pytest.raises(Interrupted):
        await run.run(interrupt)

    assert held_open(journal) == []  # checked with the run still referenced
    summary = await AsyncBulkRun(client, source).run()  # no BulkBusyError: the lock went too
    assert summary.exit_code == 0
    paid = {r["order_id"]: Decimal(r["amount"]) for r in records}
    ledger_check(local, tmp_path / "ctrlc.results.csv", paid)


async def test_a_refused_validation_leaves_no_journal_open(
    client: AsyncAllianceClient, tmp_path: Path
) -> None:
    source = write_csv(tmp_path / "changed.csv", rows(2))
    await AsyncBulkRun(client, source).run()
    write_csv(source, rows(2, **{"1": {"amount": "99.00"}}))
    run = AsyncBulkRun(client, source)

    with pytest.raises(BulkChangedFileError):
        run.validate()

    assert held_open(tmp_path / "changed.results.journal.sqlite3") == []


async def test_a_run_only_validated_closes_its_journal_at_the_end_of_its_block(
    client: AsyncAllianceClient, tmp_path: Path
) -> None:
    source = write_csv(tmp_path / "check.csv", rows(3))
    journal = tmp_path / "check.results.journal.sqlite3"
    async with AsyncBulkRun(client, source) as run:
        assert run.validate().valid == 3
        assert held_open(journal) != []

    assert held_open(journal) == []
