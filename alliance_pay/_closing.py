"""Objects that hold a database open: closed by their ``close()``, else by the collector, loudly.

The SQLite journal and the SQL event stores own connections (and the journal a lock file). Their
``close()`` lets go of them; one dropped without it is closed when collected, with a
``ResourceWarning`` of ours that names the object and says what to call, rather than the bare
"unclosed database" that Python 3.13's ``sqlite3`` prints about a connection it cannot name.
"""

from __future__ import annotations

import warnings
import weakref
from collections.abc import Callable
from types import TracebackType
from typing import TypeVar

__all__ = ["ClosedOnExit", "close_when_collected"]

_Self = TypeVar("_Self", bound="ClosedOnExit")


class ClosedOnExit:
    """``with thing:`` closes ``thing`` at the end of the block, however it ends."""

    def close(self) -> None:
        raise NotImplementedError

    def __enter__(self: _Self) -> _Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


def close_when_collected(
    owner: object, close: Callable[[], object], *, what: str, advice: str
) -> weakref.finalize[..., object]:
    """Call ``close`` once ``owner`` is collected, then warn that ``what`` was never closed.

    ``close`` must not hold a reference to ``owner``. The owner's own ``close()`` calls
    ``detach()`` on the returned finalizer first: closed by hand, nothing is said.

    Example:
        ```python
        finalizer = close_when_collected(
            self, connection.close, what=f"Thing({path!r})", advice="call thing.close()"
        )
        ```
    """
    return weakref.finalize(owner, _collected, close, what, advice)


def _collected(close: Callable[[], object], what: str, advice: str) -> None:
    try:
        close()
    finally:
        # After closing: with warnings turned into errors, the connection is closed all the same.
        warnings.warn(
            f"{what} was never closed; its database connection was closed when it was "
            f"garbage-collected. {advice}",
            ResourceWarning,
            stacklevel=2,
        )
