"""Everything a command prints: data on stdout (``--json`` or a table), the rest on stderr.

``--json`` prints the models' JSON shape: money as an exact decimal string (``"100.50"``),
datetimes as ISO-8601, enums as their value, every field present. Human output is a short
table (on a terminal, rich when it is installed, imported only here and only then; aligned
plain text into a pipe or without rich) with personal data masked: account and mobile
numbers to their last four digits, emails to a first letter and domain, names and addresses
redacted.
"""

from __future__ import annotations

import argparse
import datetime as dt
import enum
import json
import sys
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

__all__ = ["human", "jsonable", "note", "print_json", "show", "show_record", "show_rows"]


def jsonable(value: Any) -> Any:
    """``value`` as plain JSON data, in the models' ``to_json`` shape.

    Examples:
        >>> from alliance_pay import Balance
        >>> jsonable(Balance(balance=Decimal("100.50")))
        {'balance': '100.50'}
    """
    to_dict = getattr(value, "to_dict", None)
    if callable(to_dict):
        return to_dict(mode="json")
    fields = getattr(type(value), "__attrs_attrs__", None)
    if fields is not None:
        return {field.name: jsonable(getattr(value, field.name)) for field in fields}
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(key): jsonable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(item) for item in value]
    return value


def print_json(value: Any) -> None:
    """Print ``value`` as indented JSON on stdout."""
    print(json.dumps(jsonable(value), indent=2, ensure_ascii=False), flush=True)


def note(text: str) -> None:
    """A diagnostic line (progress, hints, warnings) on stderr, never mixed with the data."""
    print(text, file=sys.stderr, flush=True)


def human(value: Any) -> str:
    """One value as a table cell: ``-`` for nothing, enums and money as text."""
    if value is None:
        return "-"
    if isinstance(value, enum.Enum):
        return str(value.value)
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    return str(value)


def _masked(data: Mapping[str, Any]) -> Mapping[str, Any]:
    from alliance_pay._logging import mask_personal_data

    masked: Mapping[str, Any] = mask_personal_data(dict(data))
    return masked


def _render(title: str | None, columns: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    # Into a pipe or a file: plain columns, never cut to a terminal's width.
    if not sys.stdout.isatty():
        _render_plain(title, columns, rows)
        return
    try:
        from rich.console import Console
        from rich.table import Table
        from rich.text import Text
    except ModuleNotFoundError:
        _render_plain(title, columns, rows)
        return
    table = Table(*columns, title=title, title_justify="left")
    for row in rows:
        # Text, not str: a value like "[redacted]" or "[b]" in a remark is data, not markup.
        table.add_row(*(Text(cell) for cell in row))
    Console(file=sys.stdout, highlight=False, soft_wrap=True).print(table)


def _render_plain(title: str | None, columns: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    widths = [max([len(c), *(len(r[i]) for r in rows)]) for i, c in enumerate(columns)]
    if title:
        print(title)
    print("  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip())
    for row in rows:
        print("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip())


def show_record(args: argparse.Namespace, record: Any, *, title: str | None = None) -> None:
    """One record: JSON with ``--json``, else a two-column field/value table, PII masked."""
    if args.json:
        print_json(record)
        return
    data = _masked(jsonable(record))
    rows = [(key, human(value)) for key, value in data.items() if value is not None]
    _render(title, ("field", "value"), rows)


def show_rows(
    args: argparse.Namespace,
    records: Sequence[Mapping[str, Any]],
    columns: Sequence[str],
    *,
    title: str | None = None,
    data: Any = None,
) -> None:
    """Several records as a table of ``columns`` (PII masked); ``--json`` prints ``data``
    (the records themselves when not given)."""
    if args.json:
        print_json(records if data is None else data)
        return
    rows = [[human(_masked(r).get(c)) for c in columns] for r in records]
    _render(title, columns, rows)


def show(args: argparse.Namespace, data: Any, text: str) -> None:
    """``data`` as JSON with ``--json``, else the line ``text``."""
    if args.json:
        print_json(data)
    else:
        print(text, flush=True)
