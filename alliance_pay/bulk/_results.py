"""The results file: one line per row, CSV or JSON Lines, written as rows finish.

Columns: ``row,order_id,state,status,transaction_id,charge,error_code,error``. The journal is the
truth; a line is written only after its row's state is committed there. ``write_report`` rewrites
a whole batch from the journal, in row order, atomically (a temporary file renamed over the old).
"""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import IO

from alliance_pay.bulk._journal import Journal
from alliance_pay.bulk._model import RESULT_COLUMNS, RowResult
from alliance_pay.bulk._reader import file_format

__all__ = ["ResultsWriter", "default_results_path", "write_report"]

_PAGE = 2000


def default_results_path(source: str | Path) -> Path:
    """``payroll.csv`` -> ``payroll.results.csv``, next to the input.

    Examples:
        >>> default_results_path("in/payroll.jsonl").as_posix()
        'in/payroll.results.jsonl'
    """
    path = Path(source)
    return path.with_name(f"{path.stem}.results{path.suffix}")


class ResultsWriter:
    """Writes result rows to ``path`` (``.csv``, or ``.jsonl`` / ``.ndjson``), truncating it.

    Example:
        ```python
        from alliance_pay.bulk import ResultsWriter

        with ResultsWriter("/tmp/results-example.csv") as out:
            pass  # out.write(result) for each RowResult
        ```
    """

    def __init__(self, path: str | os.PathLike[str], fmt: str | None = None) -> None:
        self.path: Path = Path(path)
        self.format: str = file_format(self.path, fmt)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._file: IO[str] = open(self.path, "w", encoding="utf-8", newline="")  # noqa: SIM115
        self._csv = csv.DictWriter(self._file, RESULT_COLUMNS) if self.format == "csv" else None
        if self._csv is not None:
            self._csv.writeheader()
        self.written: int = 0

    def write(self, result: RowResult) -> None:
        """Add one row's line (flushed by ``flush`` or ``close``)."""
        record = result.to_record()
        if self._csv is not None:
            self._csv.writerow(record)
        else:
            self._file.write(json.dumps(record, ensure_ascii=False) + "\n")
        self.written += 1

    def write_all(self, results: Iterable[RowResult]) -> None:
        """Add many lines, then flush them."""
        for result in results:
            self.write(result)
        self.flush()

    def flush(self) -> None:
        """Push the written lines to the file."""
        self._file.flush()

    def close(self) -> None:
        """Flush and close."""
        self._file.close()

    def __enter__(self) -> ResultsWriter:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def write_report(
    journal: Journal, batch_id: str, path: str | os.PathLike[str], fmt: str | None = None
) -> int:
    """Write every row of the batch, in row order, from the journal; returns the row count.

    Written to a temporary file renamed over ``path``, so a reader never sees half a report.
    """
    target = Path(path)
    temporary = target.with_name(f".{target.name}.partial")
    with ResultsWriter(temporary, fmt or file_format(target)) as out:
        after = 0
        while page := journal.rows(batch_id, after_row=after, limit=_PAGE):
            for stored in page:
                out.write(stored.result())
            after = page[-1].row
    os.replace(temporary, target)
    return out.written
