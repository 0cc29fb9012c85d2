"""The sans-I/O parts of a bulk run: reading, deriving ids, pacing, summaries, progress."""

from __future__ import annotations

import io
import time
from decimal import Decimal
from pathlib import Path

import httpx
import pytest

from alliance_pay import AllianceValidationError
from alliance_pay.bulk import BulkFileError, BulkOptions, RowResult, RowState, Summary, read_rows
from alliance_pay.bulk._journal import TotalsRow
from alliance_pay.bulk._pacer import Pacer
from alliance_pay.bulk._progress import PlainProgress, make_progress
from alliance_pay.bulk._validate import check_rows
from tests.bulk.support import rows, write_csv, write_jsonl


def test_a_misspelt_column_refuses_the_file_naming_it(tmp_path: Path) -> None:
    source = tmp_path / "typo.csv"
    source.write_text("order_id,user_id,amount,benificiary_name\nA,u,1,x\n")

    with pytest.raises(BulkFileError, match=r"unknown column.*'benificiary_name'"):
        list(read_rows(source))


def test_a_spreadsheet_byte_order_mark_is_not_part_of_the_first_column(tmp_path: Path) -> None:
    source = write_csv(tmp_path / "bom.csv", rows(1))
    source.write_bytes(b"\xef\xbb\xbf" + source.read_bytes())

    (row,) = read_rows(source)

    assert row.values["order_id"] == "BULK-1"


def test_json_lines_amounts_stay_exact_decimals(tmp_path: Path) -> None:
    record = {**rows(1)[0], "amount": 0.1}
    source = tmp_path / "exact.jsonl"
    source.write_text(str(record).replace("'", '"').replace('"amount": 0.1', '"amount": 100.10'))

    (checked,) = check_rows(read_rows(source), batch_id="b")

    assert checked.amount == Decimal("100.10")
    assert checked.payload is not None
    assert checked.payload["amount"] == "100.10"


def test_empty_order_ids_are_invalid_unless_derived(tmp_path: Path) -> None:
    source = write_jsonl(tmp_path / "ids.jsonl", [{**rows(1)[0], "order_id": ""}] * 2)

    plain = list(check_rows(read_rows(source), batch_id="b"))
    derived = list(check_rows(read_rows(source), batch_id="nov", derive="row"))
    by_content = list(check_rows(read_rows(source), batch_id="nov", derive="content"))

    assert [r.state for r in plain] == [RowState.INVALID, RowState.INVALID]
    assert [r.order_id for r in derived] == ["nov-000001", "nov-000002"]
    assert by_content[0].order_id == by_content[1].order_id  # identical rows: duplicates


def test_options_refuse_nonsense_with_the_field_named() -> None:
    with pytest.raises(AllianceValidationError, match="concurrency"):
        BulkOptions(concurrency=0)
    with pytest.raises(AllianceValidationError, match="rate"):
        BulkOptions(rate=float("nan"))


def test_the_pacer_spaces_requests_and_a_retry_after_holds_everyone() -> None:
    pacer = Pacer(rate=100)
    assert pacer.reserve() == 0.0
    assert 0.009 < pacer.reserve() <= 0.0101
    pacer.observe(httpx.Response(429, headers={"Retry-After": "2"}))
    assert pacer.reserve() > 1.9
    assert pacer.pauses == 1
    pacer.observe(httpx.Response(200))
    assert pacer.pauses == 1


def test_the_exit_code_is_5_while_rows_are_unfinished_then_1_for_failures() -> None:
    unknown = Summary.from_totals([TotalsRow(RowState.UNKNOWN, 1, Decimal(5))])
    refused = Summary.from_totals([TotalsRow(RowState.REFUSED, 1, Decimal(5))])
    waited = Summary.from_totals([TotalsRow(RowState.CREATED, 1, Decimal(5))], waited=True)
    assert (unknown.exit_code, refused.exit_code, waited.exit_code) == (5, 1, 5)
    assert unknown.to_dict()["states"]["unknown"] == {"count": 1, "amount": "5.00"}


def test_plain_progress_prints_counts_rate_and_eta_when_not_a_terminal() -> None:
    out = io.StringIO()
    progress = make_progress(3, stream=out)
    assert isinstance(progress, PlainProgress)
    progress.advance(RowResult(row=1, order_id="A", state=RowState.CREATED))
    progress.advance(RowResult(row=2, order_id="B", state=RowState.UNKNOWN))
    progress.advance(RowResult(row=3, order_id="C", state=RowState.CREATED))
    progress.settle(RowResult(row=3, order_id="C", state=RowState.REJECTED))  # --wait
    time.sleep(0.01)
    progress.close()
    assert "3/3 rows" in out.getvalue()
    assert "ok 1, refused/invalid 1, unknown 1" in out.getvalue()
    assert "ETA" in out.getvalue()


def test_a_terminal_gets_the_rich_bar(tmp_path: Path) -> None:
    pytest.importorskip("rich")

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    out = Tty()
    progress = make_progress(2, stream=out)
    progress.advance(RowResult(row=1, order_id="A", state=RowState.REFUSED))
    progress.close()
    assert type(progress).__name__ == "RichProgress"
    assert "refused 1" in out.getvalue()
