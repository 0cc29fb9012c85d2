"""Progress of a bulk run: a rich bar on a terminal, plain periodic lines otherwise.

``rich`` is optional (``pip install 'alliance-pay[cli]'``) and imported only when a bar is
drawn; without it, or when stderr is not a terminal, a line is printed every few seconds.
"""

from __future__ import annotations

import sys
import time
from typing import TYPE_CHECKING, Protocol, TextIO

from alliance_pay.bulk._model import RowResult, RowState

if TYPE_CHECKING:
    from rich.progress import Progress as RichBar
    from rich.progress import TaskID

__all__ = ["PlainProgress", "Progress", "RichProgress", "make_progress"]

_OK = frozenset({RowState.CREATED, RowState.APPROVED})
_FAILED = frozenset({RowState.REFUSED, RowState.REJECTED, RowState.INVALID})


class Progress(Protocol):
    """What the command line feeds with each row's result."""

    def advance(self, result: RowResult) -> None: ...

    def settle(self, result: RowResult) -> None:
        """A row already counted reached its final status (``--wait``)."""
        ...

    def close(self) -> None: ...


class _Counts:
    def __init__(self, total: int) -> None:
        self.total = total
        self.done = self.ok = self.failed = self.unknown = 0
        self.started = time.monotonic()

    def add(self, result: RowResult) -> None:
        self.done += 1
        if result.state in _OK:
            self.ok += 1
        elif result.state in _FAILED:
            self.failed += 1
        elif result.state is RowState.UNKNOWN:
            self.unknown += 1

    def settle(self, result: RowResult) -> None:
        if result.state is RowState.REJECTED:
            self.ok -= 1
            self.failed += 1

    def line(self) -> str:
        elapsed = max(time.monotonic() - self.started, 1e-9)
        rate = self.done / elapsed
        left = max(self.total - self.done, 0)
        eta = f"{left / rate:.0f}s" if rate > 0 else "?"
        return (
            f"{self.done}/{self.total} rows, {rate:.1f} rows/s, ETA {eta}: ok {self.ok}, "
            f"refused/invalid {self.failed}, unknown {self.unknown}"
        )


class PlainProgress:
    """A line on ``stream`` every ``every`` seconds, and a last one at the end.

    Examples:
        >>> import io
        >>> out = io.StringIO()
        >>> p = PlainProgress(2, stream=out, every=0)
        >>> p.advance(RowResult(row=1, order_id="A", state=RowState.CREATED))
        >>> "1/2 rows" in out.getvalue()
        True
    """

    def __init__(self, total: int, *, stream: TextIO | None = None, every: float = 5.0) -> None:
        self._counts = _Counts(total)
        self._stream = stream if stream is not None else sys.stderr
        self._every = every
        self._last = time.monotonic()

    def advance(self, result: RowResult) -> None:
        self._counts.add(result)
        now = time.monotonic()
        if now - self._last >= self._every:
            self._last = now
            print(f"bulk: {self._counts.line()}", file=self._stream, flush=True)

    def settle(self, result: RowResult) -> None:
        self._counts.settle(result)

    def close(self) -> None:
        print(f"bulk: {self._counts.line()}", file=self._stream, flush=True)


class RichProgress:
    """A rich progress bar: rows/s, ETA, and ok / refused / unknown counts."""

    def __init__(self, total: int, *, stream: TextIO | None = None) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            TextColumn,
            TimeRemainingColumn,
        )
        from rich.progress import Progress as Bar

        self._counts = _Counts(total)
        console = Console(file=stream if stream is not None else sys.stderr)
        self._bar: RichBar = Bar(
            TextColumn("[bold]payouts"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[speed]} rows/s"),
            TimeRemainingColumn(),
            TextColumn("{task.fields[counts]}"),
            console=console,
        )
        self._task: TaskID = self._bar.add_task("payouts", total=total, speed="0.0", counts="")
        self._bar.start()

    def advance(self, result: RowResult) -> None:
        self._counts.add(result)
        self._show(1)

    def settle(self, result: RowResult) -> None:
        self._counts.settle(result)
        self._show(0)

    def _show(self, advance: int) -> None:
        c = self._counts
        rate = c.done / max(time.monotonic() - c.started, 1e-9)
        self._bar.update(
            self._task,
            advance=advance,
            speed=f"{rate:.1f}",
            counts=f"ok {c.ok}  refused {c.failed}  unknown {c.unknown}",
        )

    def close(self) -> None:
        self._bar.stop()


def make_progress(total: int, *, stream: TextIO | None = None, quiet: bool = False) -> Progress:
    """A rich bar when ``stream`` (default stderr) is a terminal and rich is installed, else
    plain lines (``quiet``: nothing until the end)."""
    out = stream if stream is not None else sys.stderr
    if not quiet and out.isatty():
        try:
            return RichProgress(total, stream=out)
        except ImportError:
            pass
    return PlainProgress(total, stream=out, every=float("inf") if quiet else 5.0)
