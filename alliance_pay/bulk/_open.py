"""Choosing a journal from what the user typed: a path (SQLite) or a PostgreSQL URL."""

from __future__ import annotations

import os
from pathlib import Path

from alliance_pay.bulk._journal import Journal

__all__ = ["default_journal_path", "is_postgres_url", "open_journal"]


def is_postgres_url(spec: object) -> bool:
    """Whether ``spec`` names a PostgreSQL database.

    Examples:
        >>> is_postgres_url("postgresql://bulk@db/payouts"), is_postgres_url("run.sqlite3")
        (True, False)
    """
    return isinstance(spec, str) and spec.startswith(("postgresql://", "postgres://"))


def default_journal_path(results: str | os.PathLike[str]) -> Path:
    """The SQLite journal next to the results file.

    Examples:
        >>> default_journal_path("out/payroll.results.csv").as_posix()
        'out/payroll.results.journal.sqlite3'
    """
    path = Path(results)
    return path.with_name(f"{path.stem}.journal.sqlite3")


def open_journal(spec: Journal | str | os.PathLike[str]) -> Journal:
    """A ``Journal`` for ``spec``: itself if it is one, PostgreSQL for a URL, else SQLite.

    Example:
        ```python
        from alliance_pay.bulk import open_journal

        journal = open_journal("/tmp/example.journal.sqlite3")
        journal.close()
        ```
    """
    if is_postgres_url(spec):
        from alliance_pay.bulk._postgres import PostgresJournal

        return PostgresJournal(str(spec))
    if isinstance(spec, (str, os.PathLike)):
        from alliance_pay.bulk._sqlite import SQLiteJournal

        return SQLiteJournal(spec)
    return spec
