"""``ApiCall``: one endpoint call (method, path, exact body bytes) before it is sent."""

from __future__ import annotations

from typing import NamedTuple

from ._body import request_body

__all__ = ["ApiCall"]


class ApiCall(NamedTuple):
    """One endpoint call, before it is sent: immutable, and made on every call, so a named
    tuple (one constructor call, no attribute set one by one).

    Attributes:
        method: the HTTP method.
        path: the path below the base URL, percent-encoded as it will be sent and signed.
        body: the exact JSON bytes to send, or ``None`` for none; ``repr`` shows only its size.
        idempotent: whether re-sending it can never create anything twice.
        order_id: the order the answer must be about: a record for another order is refused.

    Examples:
        >>> ApiCall("POST", "api/v1/payout/initiate", b'{"beneficiary_acc_no":"123"}')
        ApiCall(method='POST', path='api/v1/payout/initiate', body=<28 bytes>, idempotent=True, order_id=None)
    """  # noqa: E501 (a doctest line)

    method: str
    path: str
    body: bytes | None = None
    idempotent: bool = True
    order_id: str | None = None

    def __repr__(self) -> str:
        # The body holds account numbers, names and mobiles: a traceback with locals (Sentry,
        # rich) shows every ApiCall on the stack, so its repr gives only the size.
        body = "None" if self.body is None else f"<{len(self.body)} bytes>"
        return (
            f"ApiCall(method={self.method!r}, path={self.path!r}, body={body}, "
            f"idempotent={self.idempotent!r}, order_id={self.order_id!r})"
        )

    @classmethod
    def json(
        cls,
        method: str,
        path: str,
        payload: object,
        *,
        idempotent: bool,
        order_id: str | None = None,
    ) -> ApiCall:
        """The call with ``payload`` (a request model) as its exact JSON body."""
        body = request_body(payload)
        return cls(method, path, body, idempotent, order_id)
