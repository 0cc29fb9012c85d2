"""The end of a run: counts and sums per state, the exit code, and their text and JSON forms."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from attrs import frozen

from alliance_pay.bulk._journal import TotalsRow
from alliance_pay.bulk._model import RowState

__all__ = ["EXIT_ALL_DONE", "EXIT_SOME_FAILED", "EXIT_UNFINISHED", "Summary"]

EXIT_ALL_DONE = 0
#: Some rows were refused, invalid, or rejected by the bank: they were not paid.
EXIT_SOME_FAILED = 1
#: Some rows are unknown or unfinished: run the same command again to resume.
EXIT_UNFINISHED = 5

_UNFINISHED = (RowState.PENDING, RowState.SENDING, RowState.UNKNOWN)
_FAILED = (RowState.REFUSED, RowState.INVALID, RowState.REJECTED)


@frozen(kw_only=True)
class Summary:
    """Counts and amount sums per state for a whole batch.

    Attributes:
        counts: rows per state (every state present, zeros included).
        amounts: the sum of the rows' amounts per state (invalid rows count as 0).
        waited: whether the run waited for final statuses (then ``created`` is unfinished).

    Examples:
        >>> s = Summary.from_totals([TotalsRow(RowState.CREATED, 2, Decimal("20.00"))])
        >>> s.exit_code, s.counts["created"]
        (0, 2)
    """

    counts: dict[str, int]
    amounts: dict[str, Decimal]
    waited: bool = False

    @classmethod
    def from_totals(cls, totals: Iterable[TotalsRow], *, waited: bool = False) -> Summary:
        counts = {state.value: 0 for state in RowState}
        amounts = {state.value: Decimal("0.00") for state in RowState}
        for row in totals:
            counts[row.state.value] += row.count
            amounts[row.state.value] += row.amount
        return cls(counts=counts, amounts=amounts, waited=waited)

    @property
    def rows(self) -> int:
        """Rows in the batch."""
        return sum(self.counts.values())

    @property
    def unfinished(self) -> int:
        """Rows a rerun still has to send or resolve (and, after a wait, to see final)."""
        count = sum(self.counts[s.value] for s in _UNFINISHED)
        return count + (self.counts[RowState.CREATED.value] if self.waited else 0)

    @property
    def failed(self) -> int:
        """Rows that were not paid and will not be: refused, invalid, rejected."""
        return sum(self.counts[s.value] for s in _FAILED)

    @property
    def exit_code(self) -> int:
        """0 every row done; 1 some refused, invalid or rejected; 5 some unknown or unfinished."""
        if self.unfinished:
            return EXIT_UNFINISHED
        return EXIT_SOME_FAILED if self.failed else EXIT_ALL_DONE

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: money as exact decimal strings."""
        return {
            "rows": self.rows,
            "exit_code": self.exit_code,
            "states": {
                state: {"count": count, "amount": str(self.amounts[state])}
                for state, count in self.counts.items()
            },
        }

    def to_text(self) -> str:
        """One line per state that has rows, then what to do next."""
        lines = [
            f"{state:>9}: {count:>8} rows  {self.amounts[state]:>16} INR"
            for state, count in self.counts.items()
            if count
        ]
        if self.exit_code == EXIT_UNFINISHED:
            lines.append(
                f"{self.unfinished} row(s) unfinished or unknown: run the same command again "
                "to resume (nothing is paid twice)."
            )
        elif self.exit_code == EXIT_SOME_FAILED:
            lines.append(f"{self.failed} row(s) not paid: see the results file for each reason.")
        else:
            lines.append("Every row is done.")
        return "\n".join(lines)
