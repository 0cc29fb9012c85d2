"""``ApiCall``: one endpoint call (method, path, exact body bytes) before it is sent."""

from __future__ import annotations

import attrs

from ._body import request_body

__all__ = ["ApiCall"]


def _body_repr(body: bytes | None) -> str:
    # The body holds account numbers, names and mobiles: a traceback with locals (Sentry,
    # rich) shows every ApiCall on the stack, so its repr gives only the size.
    return "None" if body is None else f"<{len(body)} bytes>"


@attrs.frozen
class ApiCall:
    """One endpoint call, before it is sent.

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
    body: bytes | None = attrs.field(default=None, repr=_body_repr)
    idempotent: bool = True
    order_id: str | None = None

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
        body = request_body(payload)
        return cls(method, path, body, idempotent, order_id)
