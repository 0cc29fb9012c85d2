"""``alliance-pay payouts bulk FILE``: the command line over ``AsyncBulkRun`` (docs/bulk.md).

Data (the summary, ``--json``) goes to stdout; progress and diagnostics to stderr. Exit codes:
0 every row done; 1 some rows refused, invalid or rejected (or the file refused by ``--strict`` or
the balance check); 2 usage (bad flags, unreadable file, changed file, journal busy);
3 authentication; 4 network; 5 some rows unknown or unfinished: run the same command again.

Nothing but ``argparse`` and the CLI's own modules is imported until the command runs.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from alliance_pay.cli import _config
from alliance_pay.cli._exit import OUTCOME_UNKNOWN, REFUSED, USAGE

if TYPE_CHECKING:
    from alliance_pay._async._bulk import AsyncBulkRun
    from alliance_pay._async._client import AsyncAllianceClient
    from alliance_pay.bulk._model import BulkOptions
    from alliance_pay.bulk._summary import Summary
    from alliance_pay.cli._tree import CommandTree

__all__ = ["register"]


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1: {text!r}")
    return value


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be more than 0: {text!r}")
    return value


def register(tree: CommandTree) -> None:
    """Add ``alliance-pay payouts bulk``."""
    payouts = tree.group("payouts", help="send money to bank accounts")
    parser = payouts.command(
        "bulk",
        run_bulk,
        help="pay a CSV or JSON Lines file of payouts, each valid row exactly once",
        description="Validate every row, then pay each valid row exactly once. After any "
        "interruption (Ctrl-C, kill -9, a lost network), run the same command again to resume: "
        "nothing is paid twice. Exit 0: every row done; 1: some rows refused or invalid; 5: "
        "some rows unknown or unfinished (rerun). See docs/bulk.md.",
        api=True,
    )
    _add_arguments(parser)


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="FILE", help="CSV or JSON Lines file of payouts")
    parser.add_argument("--out", help="results file (default: FILE.results.<ext> beside FILE)")
    parser.add_argument(
        "--journal",
        help="SQLite path or postgresql:// URL (default: SQLite beside the results file)",
    )
    parser.add_argument("--dry-run", action="store_true", help="validate only; send nothing")
    parser.add_argument("--concurrency", type=_positive_int, default=8, metavar="N")
    parser.add_argument("--rate", type=_positive_float, metavar="R", help="requests per second")
    parser.add_argument("--wait", action="store_true", help="poll until every payout is final")
    parser.add_argument("--wait-timeout", type=_positive_float, default=600.0, metavar="SECONDS")
    parser.add_argument("--worker", action="store_true", help="join a batch already loaded")
    parser.add_argument(
        "--report", action="store_true", help="write the whole batch from the journal to --out"
    )
    parser.add_argument("--strict", action="store_true", help="refuse the file if any row is bad")
    parser.add_argument("--skip-balance-check", action="store_true")
    parser.add_argument("--batch-id", help="the batch's name (default: FILE's name)")
    parser.add_argument(
        "--derive-order-ids",
        choices=("row", "content"),
        help="give rows without an order_id one derived from the batch id and the row",
    )
    parser.add_argument("--format", choices=("csv", "jsonl"), help="when FILE's extension won't")
    parser.add_argument(
        "--heartbeat-ttl",
        type=_positive_float,
        default=15.0,
        metavar="SECONDS",
        help="PostgreSQL: reclaim a worker's rows after this long without a heartbeat",
    )


def _options(args: argparse.Namespace) -> BulkOptions:
    from alliance_pay.bulk._model import BulkOptions

    return BulkOptions(
        concurrency=args.concurrency,
        rate=args.rate,
        strict=args.strict,
        skip_balance_check=args.skip_balance_check,
        wait=args.wait,
        wait_timeout=args.wait_timeout,
        derive_order_ids=args.derive_order_ids,
        batch_id=args.batch_id,
        heartbeat_ttl=args.heartbeat_ttl,
    )


def _emit(args: argparse.Namespace, summary: Summary, extra: dict[str, Any]) -> None:
    if args.json:
        print(json.dumps({**summary.to_dict(), **extra}, indent=2))
    else:
        for key, value in extra.items():
            print(f"{key}: {value}")
        print(summary.to_text())


def _client(args: argparse.Namespace) -> AsyncAllianceClient:
    from alliance_pay._async._client import AsyncAllianceClient

    url = _config.base_url(args)
    access = getattr(args, "access_key", None) or os.environ.get(_config.ENV_ACCESS_KEY, "")
    secret = _config.secret_key(args)
    timeout = getattr(args, "request_timeout", None)
    options: dict[str, Any] = {} if timeout is None else {"timeout": timeout}
    return AsyncAllianceClient(access_key=access, secret_key=secret, base_url=url, **options)


def run_bulk(args: argparse.Namespace) -> int:
    """Run ``payouts bulk`` with parsed ``args``; returns the exit code."""
    from alliance_pay._exceptions import AllianceError, APIError
    from alliance_pay.bulk._errors import BulkBalanceError, BulkError, BulkValidationError

    try:
        if args.dry_run:
            return _dry_run(args)
        if args.report:
            return _report(args)
        return asyncio.run(_run(args))
    except KeyboardInterrupt:
        print(
            "Interrupted: rows in flight are recorded as unknown. Run the same command again "
            "to resume; nothing is paid twice.",
            file=sys.stderr,
        )
        return OUTCOME_UNKNOWN
    except (BulkValidationError, BulkBalanceError) as error:
        print(f"error: {error}", file=sys.stderr)
        return REFUSED
    except BulkError as error:
        print(f"error: {error}", file=sys.stderr)
        return USAGE
    except APIError:
        # The CLI's own mapping (401 -> 3, network -> 4, ...); the rows stay resumable.
        print(
            "The run stopped; its rows are safe. Rerun the same command to resume.", file=sys.stderr
        )
        raise
    except AllianceError as error:
        if type(error).__name__ == "MissingExtraError":
            raise
        print(f"error: {error}. Rerun the same command to resume.", file=sys.stderr)
        return OUTCOME_UNKNOWN
    except OSError as error:
        print(f"error: {error}", file=sys.stderr)
        return USAGE


def _dry_run(args: argparse.Namespace) -> int:
    from alliance_pay.bulk._load import load_batch, read_report, stored_rows
    from alliance_pay.bulk._model import RowState
    from alliance_pay.bulk._sqlite import SQLiteJournal

    journal = SQLiteJournal(":memory:")  # a dry run leaves nothing behind
    try:
        batch_id = args.batch_id or Path(args.file).stem
        load_batch(
            journal, args.file, batch_id, derive=args.derive_order_ids, file_format=args.format
        )
        report = read_report(journal, batch_id)
        invalid = [s.result() for s in stored_rows(journal, batch_id, RowState.INVALID)]
    finally:
        journal.close()
    if args.json:
        body = {
            "rows": report.rows,
            "valid": report.valid,
            "invalid": report.invalid,
            "total": str(report.total),
            "invalid_rows": [r.to_record() for r in invalid],
        }
        print(json.dumps(body, indent=2))
    else:
        for result in invalid:
            print(f"row {result.row}: {result.error}")
        print(
            f"{report.rows} rows: {report.valid} valid totalling {report.total} INR, "
            f"{report.invalid} invalid. Dry run: nothing was sent."
        )
    return REFUSED if report.invalid else 0


def _report(args: argparse.Namespace) -> int:
    from alliance_pay.bulk._open import default_journal_path, open_journal
    from alliance_pay.bulk._results import default_results_path, write_report
    from alliance_pay.bulk._summary import Summary

    out = Path(args.out) if args.out else default_results_path(args.file)
    # The journal the run used: --journal, else the one beside FILE's default results file
    # (--out here names the report, which may be anywhere).
    journal = open_journal(args.journal or default_journal_path(default_results_path(args.file)))
    try:
        batch_id = args.batch_id or Path(args.file).stem
        if journal.batch(batch_id) is None:
            print(f"error: no batch {batch_id!r} in {journal.location}", file=sys.stderr)
            return USAGE
        count = write_report(journal, batch_id, out)
        summary = Summary.from_totals(journal.totals(batch_id), waited=args.wait)
    finally:
        journal.close()
    _emit(args, summary, {"report": str(out), "rows_written": count})
    return summary.exit_code


async def _run(args: argparse.Namespace) -> int:
    from alliance_pay._async._bulk import AsyncBulkRun

    async with _client(args) as client:
        run = AsyncBulkRun(
            client,
            args.file,
            out=args.out,
            journal=args.journal,
            options=_options(args),
            worker=args.worker,
            file_format=args.format,
        )
        async with run:  # the journal is closed on every way out, before run.run() too
            await _send(args, run)
    assert run.summary is not None
    _emit(args, run.summary, {"results": str(run.out), "journal": run.journal_location})
    return run.summary.exit_code


async def _send(args: argparse.Namespace, run: AsyncBulkRun) -> None:
    from alliance_pay.bulk._progress import make_progress

    report = run.validate()
    if report.invalid:
        print(
            f"{report.invalid} invalid row(s), never sent (first: row "
            f"{report.invalid_rows[0].row}, {report.invalid_rows[0].reason})",
            file=sys.stderr,
        )
    progress = make_progress(report.rows if not args.worker else report.to_send)
    try:
        await run.run(lambda r: (progress.settle if run.phase == "wait" else progress.advance)(r))
    finally:
        progress.close()
