"""``AsyncBulkRun``: a file of payouts sent exactly once, resumable; see ``alliance_pay.bulk``."""

from __future__ import annotations

import os
import socket
import time
import uuid
from collections import deque
from collections.abc import AsyncGenerator, Callable, Iterator
from contextlib import aclosing
from pathlib import Path
from typing import Any, TypeVar

import anyio

from alliance_pay._exceptions import AllianceError, APIError, NotFoundError
from alliance_pay.bulk._errors import BulkBalanceError, BulkValidationError
from alliance_pay.bulk._journal import Journal, StoredRow
from alliance_pay.bulk._load import load_batch, read_report, stored_pages, stored_rows
from alliance_pay.bulk._model import BulkOptions, RowResult, RowState
from alliance_pay.bulk._open import default_journal_path, is_postgres_url, open_journal
from alliance_pay.bulk._outcomes import (
    Outcome,
    conflict_with,
    created_result,
    lookup_failure,
    not_found_result,
    send_failure,
)
from alliance_pay.bulk._pacer import Pacer
from alliance_pay.bulk._pool import AsyncRowAction, AsyncWorkerPool
from alliance_pay.bulk._results import ResultsWriter, default_results_path, write_report
from alliance_pay.bulk._summary import Summary
from alliance_pay.bulk._validate import ValidationReport

from ._client import AsyncAllianceClient
from ._paced import paced

__all__ = ["AsyncBulkRun"]

_FLUSH_ROWS = 64
_FLUSH_SECONDS = 0.5
#: Consecutive sends refused as "not processed" (no connection, 429 past its retries) before
#: the run stops: the API is unreachable, and every row is still safe to send later.
_MAX_UNSENT_IN_A_ROW = 25
#: Rounds of send-then-resolve in one run before leaving what is left to the next run.
_MAX_ROUNDS = 5

T = TypeVar("T")


class AsyncBulkRun:
    """One run over a bulk payout file: validate, then send each valid row exactly once.

    Args:
        client: the client to send with; the run paces it (``rate``, ``Retry-After``).
        source: the CSV or JSON Lines file.
        out: the results file (default: ``<source>.results.<ext>`` next to the input).
        journal: a path (SQLite), a ``postgresql://`` URL, or a ``Journal``; default: SQLite
            next to ``out``.
        options: concurrency, rate, strict, wait, ...; see ``BulkOptions``.
        worker: join a batch another process loaded (PostgreSQL); do not load the file.
        file_format: ``"csv"`` or ``"jsonl"`` when the extension does not say.

    Example:
        ```python
        from alliance_pay.bulk import AsyncBulkRun, BulkOptions

        async with AsyncAllianceClient() as client:
            run = AsyncBulkRun(client, csv_path, options=BulkOptions(concurrency=4))
            async for result in run.results():
                print(result.row, result.order_id, result.state.value)
        print(run.summary.to_text())
        ```
    """

    def __init__(
        self,
        client: AsyncAllianceClient,
        source: str | os.PathLike[str],
        *,
        out: str | os.PathLike[str] | None = None,
        journal: Journal | str | os.PathLike[str] | None = None,
        options: BulkOptions | None = None,
        worker: bool = False,
        file_format: str | None = None,
    ) -> None:
        self.source: Path = Path(source)
        self.options: BulkOptions = options or BulkOptions()
        self.out: Path = Path(out) if out is not None else default_results_path(self.source)
        self.batch_id: str = self.options.batch_id or self.source.stem
        self.worker = worker
        self.worker_id: str = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.pacer: Pacer = Pacer(self.options.rate)
        self._format = file_format
        self._journal_spec = journal if journal is not None else default_journal_path(self.out)
        # Many workers share the batch: each results file gets only its own rows.
        self._shared = is_postgres_url(self._journal_spec) or (
            type(self._journal_spec).__name__ == "PostgresJournal"
        )
        self._client = paced(client, self.pacer)
        self._journal: Journal | None = None
        #: Where the journal is (a PostgreSQL URL without its password).
        self.journal_location: str = ""
        self.report: ValidationReport | None = None
        #: Counts and sums per state once ``results()`` has ended (however it ended).
        self.summary: Summary | None = None
        #: Rows handled so far (sent, looked up or polled), reported or not.
        self.handled: int = 0
        #: ``"send"``, then ``"wait"`` while ``--wait`` polls rows already reported once.
        self.phase: str = "send"

    @property
    def journal(self) -> Journal:
        """The journal, opened on first use."""
        if self._journal is None:
            self._journal = open_journal(self._journal_spec)
            self.journal_location = self._journal.location
        return self._journal

    def validate(self) -> ValidationReport:
        """The validation pass: read every row, check it, load the batch into the journal.

        Nothing is sent. On a rerun with the same file the journal's copy is used; with a
        changed file it is refused (``BulkChangedFileError``) once any row has been sent.
        """
        try:
            load_batch(
                self.journal,
                self.source,
                self.batch_id,
                derive=self.options.derive_order_ids,
                file_format=self._format,
                join=self.worker,
            )
            self.report = read_report(self.journal, self.batch_id)
        except BaseException:
            self._close_own_journal()  # a changed file, a bad journal: nothing is left open
            raise
        return self.report

    async def check_balance(self) -> None:
        """Refuse (``BulkBalanceError``) when the rows left to send exceed the wallet."""
        report = read_report(self.journal, self.batch_id) if self.report is None else self.report
        if report.to_send == 0:
            return
        balance = await self._client.balance.retrieve()
        if report.to_send_total > balance.balance:
            raise BulkBalanceError(report.to_send_total, balance.balance, report.to_send)

    async def run(self, on_result: Callable[[RowResult], object] | None = None) -> Summary:
        """Drive ``results()`` to its end; returns the summary.

        Example:
            ```python
            async with AsyncAllianceClient() as client:
                summary = await AsyncBulkRun(client, csv_path).run()
            print(summary.exit_code)
            ```
        """
        async with aclosing(self.results()) as results:
            async for result in results:
                if on_result is not None:
                    on_result(result)
        assert self.summary is not None
        return self.summary

    async def results(self) -> AsyncGenerator[RowResult, None]:
        """Validate (if not done), then send; yields each row's result once it is journaled.

        Invalid rows come first, before anything is sent. Close the iterator (``aclosing``)
        when stopping early: rows in flight are then recorded ``unknown`` and resolved by
        the next run.

        Raises:
            BulkValidationError: ``strict`` and some rows are invalid (nothing sent).
            BulkBalanceError: the rows to send exceed the balance (nothing sent).
            BulkChangedFileError: the journal's batch came from another file.
            BulkBusyError: another run holds the SQLite journal.
        """
        try:
            report = self.report or self.validate()
            journal = self.journal
            writer = ResultsWriter(self.out)
            try:
                if not self.worker:
                    invalid = stored_rows(journal, self.batch_id, RowState.INVALID)
                    for stored in invalid:
                        result = stored.result()
                        writer.write(result)
                        yield result
                    writer.flush()
                    if self.options.strict and report.invalid:
                        first = report.invalid_rows[0]
                        raise BulkValidationError(
                            report.invalid, f"row {first.row}: {first.reason}"
                        )
                journal.acquire(self.batch_id, self.worker_id)
                try:
                    async with aclosing(self._work(writer)) as results:
                        async for result in results:
                            yield result
                finally:
                    journal.leave(self.batch_id, self.worker_id)
            finally:
                writer.close()
                if not self._shared:
                    write_report(journal, self.batch_id, self.out)
                self.summary = Summary.from_totals(
                    journal.totals(self.batch_id), waited=self.options.wait
                )
        finally:
            # However the run ended (an error, KeyboardInterrupt, an early aclose): the
            # journal it opened is closed and its lock freed, so a rerun can start at once.
            self._close_own_journal()

    async def aclose(self) -> None:
        """Close the journal the run opened (from a path or URL; a ``Journal`` passed in is
        yours to close). ``results()`` and ``run()`` do it when they end; call this (or use
        ``async with``) when you only ``validate()`` or ``check_balance()``.

        Example:
            ```python
            async with AsyncBulkRun(client, csv_path) as run:
                print(run.validate().invalid)
            ```
        """
        self._close_own_journal()

    async def __aenter__(self) -> AsyncBulkRun:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    def _close_own_journal(self) -> None:
        if self._journal is not None and isinstance(self._journal_spec, (str, os.PathLike)):
            journal, self._journal = self._journal, None
            journal.close()

    async def _work(self, writer: ResultsWriter) -> AsyncGenerator[RowResult, None]:
        async with aclosing(self._resolve(writer)) as results:
            async for result in results:
                yield result
        if not self.options.skip_balance_check and not self.worker:
            self.report = None
            await self.check_balance()
        rounds = 0
        while True:
            rounds += 1
            handled = self.handled
            for phase in (self._send, self._resolve):
                async with aclosing(phase(writer)) as results:
                    async for result in results:
                        yield result
            if self._any(RowState.PENDING):
                # Rows the lookups proved missing: send them now, within reason.
                if self.handled > handled and rounds < _MAX_ROUNDS:
                    continue
                break
            if self.journal.others_in_flight(self.batch_id, self.worker_id) == 0:
                break
            # Other workers hold rows: wait for them, or for their heartbeats to expire.
            self.journal.heartbeat(self.batch_id, self.worker_id)
            await anyio.sleep(min(1.0, self.options.heartbeat_ttl / 3))
        if self.options.wait:
            self.phase = "wait"
            async with aclosing(self._wait(writer)) as results:
                async for result in results:
                    yield result

    def _any(self, state: RowState) -> bool:
        return bool(self.journal.rows(self.batch_id, after_row=0, limit=1, states=[state]))

    async def _resolve_one(self, row: StoredRow) -> Outcome:
        try:
            payout = await self._client.payouts.retrieve(row.order_id)
        except NotFoundError:
            return Outcome(not_found_result(row), emit=False)
        except APIError as error:
            return lookup_failure(row, error)
        conflict = conflict_with(row, payout)
        return Outcome(conflict or created_result(row, payout))

    async def _send_one(self, row: StoredRow) -> Outcome:
        assert row.payload is not None
        try:
            fields: dict[str, Any] = dict(row.payload)
            payout = await self._client.payouts.create(**fields)
        except AllianceError as error:
            outcome = send_failure(row, error)
            if outcome.lookup:
                found = await self._resolve_one(row)
                # Taken, yet not found: the API contradicts itself; only a later lookup can say.
                return outcome if found.result.state is RowState.PENDING else found
            return outcome
        return Outcome(created_result(row, payout))

    async def _resolve(self, writer: ResultsWriter) -> AsyncGenerator[RowResult, None]:
        cursor = [0]

        def rows() -> Iterator[list[StoredRow]]:
            while page := self.journal.claim_in_doubt(
                self.batch_id,
                self.worker_id,
                self.options.concurrency,
                cursor[0],
                self.options.heartbeat_ttl,
            ):
                cursor[0] = page[-1].row
                yield page

        async with aclosing(self._drive(self._resolve_one, rows, writer)) as results:
            async for result in results:
                yield result

    async def _send(self, writer: ResultsWriter) -> AsyncGenerator[RowResult, None]:
        def rows() -> Iterator[list[StoredRow]]:
            while page := self.journal.claim_pending(
                self.batch_id, self.worker_id, self.options.concurrency
            ):
                yield page

        async with aclosing(self._drive(self._send_one, rows, writer)) as results:
            async for result in results:
                yield result

    async def _drive(
        self,
        act: AsyncRowAction[StoredRow, Outcome],
        claim: Callable[[], Iterator[list[StoredRow]]],
        writer: ResultsWriter,
    ) -> AsyncGenerator[RowResult, None]:
        """Run ``act`` over the claimed rows; journal, write and yield each outcome.

        Rows claimed but not started go back to ``pending`` if the run stops; rows in flight
        become ``unknown``: their requests may have left.
        """
        in_flight: dict[int, StoredRow] = {}
        claimed: deque[StoredRow] = deque()
        done: list[Outcome] = []
        stop: list[AllianceError] = []
        unsent_in_a_row = 0
        last_flush = last_beat = time.monotonic()

        def started() -> Iterator[StoredRow]:
            for page in claim():
                claimed.extend(page)
                while claimed:
                    if stop:
                        return
                    item = claimed.popleft()
                    in_flight[item.row] = item
                    yield item

        def flush() -> list[RowResult]:
            nonlocal last_flush
            self.journal.finish(self.batch_id, [o.result for o in done])
            emitted = [o.result for o in done if o.emit]
            writer.write_all(emitted)
            done.clear()
            last_flush = time.monotonic()
            return emitted

        pool: AsyncWorkerPool[StoredRow, Outcome] = AsyncWorkerPool(self.options.concurrency)
        try:
            async with aclosing(pool.imap(act, started())) as outcomes:
                async for outcome in outcomes:
                    now = time.monotonic()
                    if outcome is not None:
                        in_flight.pop(outcome.result.row, None)
                        done.append(outcome)
                        self.handled += 1
                        unsent = outcome.result.state is RowState.PENDING and outcome.result.error
                        unsent_in_a_row = unsent_in_a_row + 1 if unsent else 0
                        if outcome.fatal is not None:
                            stop.append(outcome.fatal)
                        elif unsent_in_a_row >= _MAX_UNSENT_IN_A_ROW:
                            stop.append(
                                AllianceError(outcome.result.error or "the API is unreachable")
                            )
                    if now - last_beat > self.options.heartbeat_ttl / 3:
                        self.journal.heartbeat(self.batch_id, self.worker_id)
                        last_beat = now
                    if done and (
                        len(done) >= _FLUSH_ROWS
                        or outcome is None
                        or now - last_flush > _FLUSH_SECONDS
                    ):
                        for result in flush():
                            yield result
                    if stop:
                        break
                for result in flush():
                    yield result
        finally:
            flush()
            # Claimed, never sent: pending again. Sent, unanswered: unknown until looked up.
            self.journal.finish(
                self.batch_id,
                [not_found_result(row) for row in claimed]
                + [
                    RowResult(
                        row=row.row,
                        order_id=row.order_id,
                        state=RowState.UNKNOWN,
                        amount=row.amount,
                        error_code="Interrupted",
                        error="the run stopped while this row was in flight; rerun to resolve",
                    )
                    for row in in_flight.values()
                ],
            )
        if stop:
            raise stop[0]

    async def _wait(self, writer: ResultsWriter) -> AsyncGenerator[RowResult, None]:
        deadline = time.monotonic() + self.options.wait_timeout
        interval = 1.0

        async def poll(row: StoredRow) -> Outcome:
            outcome = await self._resolve_one(row)
            final = outcome.result.state in (RowState.APPROVED, RowState.REJECTED)
            return outcome if final else Outcome(outcome.result, emit=False)

        while True:
            created = lambda: stored_pages(self.journal, self.batch_id, RowState.CREATED)  # noqa: E731
            async with aclosing(self._drive(poll, created, writer)) as results:
                async for result in results:
                    yield result
            waiting = self._any(RowState.CREATED)
            remaining = deadline - time.monotonic()
            if not waiting or remaining <= 0:
                return
            await anyio.sleep(min(interval, remaining))
            interval = min(interval * 1.5, 15.0)
