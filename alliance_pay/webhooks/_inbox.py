"""The transactional inbox: a handler's writes and the "handled" mark in one database transaction.

[`SQLEventStore.begin_handling`][alliance_pay.webhooks._sql.SQLEventStore.begin_handling] opens
an [`InboxTransaction`][alliance_pay.webhooks.InboxTransaction] on the store's own database; the
handler writes on its ``connection``; ``commit`` marks the event handled in the same transaction,
unless another delivery took the event over after the lease ran out
([`ClaimLostError`][alliance_pay.webhooks.ClaimLostError]).
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from alliance_pay.webhooks._sql import SQLEventStore

__all__ = ["ClaimLostError", "InboxTransaction"]


class ClaimLostError(RuntimeError):
    """The claim ran out (its lease ended) and another delivery took the event over before this
    transaction marked it handled: the transaction was rolled back, the other one handles it."""


class InboxTransaction:
    """A transaction on the store's own database, for a handler's writes (the inbox pattern).

    ``connection`` is the database connection inside the transaction; ``commit`` marks the
    event handled *in the same transaction* and commits, so the handler's writes and the mark
    are kept together or not at all. ``rollback`` undoes both.
    """

    def __init__(
        self,
        store: SQLEventStore,
        key: str,
        token: str,
        connection: Any,
        manager: AbstractContextManager[Any],
        transaction: AbstractContextManager[None],
    ) -> None:
        self.connection = connection
        self._store, self._key, self._token = store, key, token
        self._manager, self._transaction = manager, transaction

    def commit(self) -> None:
        """Mark the event handled and commit; ``ClaimLostError`` (rolled back) if another
        delivery took the event over after the lease ran out."""
        try:
            marked = self._store._mark_handled(self.connection, self._key, self._token)
        except BaseException:
            self.rollback()
            raise
        if not marked:
            self.rollback()
            raise ClaimLostError(
                f"{self._key}: the claim's lease ran out and another delivery took the event "
                "over; this transaction was rolled back"
            )
        try:
            self._transaction.__exit__(None, None, None)
        except BaseException as exc:  # COMMIT failed: the connection is closed, not reused
            self._manager.__exit__(type(exc), exc, exc.__traceback__)
            raise
        self._manager.__exit__(None, None, None)
        self._store._token(self._key)

    def rollback(self) -> None:
        """Undo the handler's writes; the event is not marked handled. The connection is
        closed rather than reused."""
        error = RuntimeError("rolled back")
        try:
            self._transaction.__exit__(RuntimeError, error, None)
        finally:
            self._manager.__exit__(RuntimeError, error, None)
