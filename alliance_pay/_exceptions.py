"""Every error the SDK raises. One root, so ``except AllianceError`` catches them all:

    AllianceError
    ├── AllianceValidationError (also ValueError)   bad input, refused before any I/O
    ├── ClientUsageError (also RuntimeError)        the client cannot be used here; nothing sent
    │   └── ClientClosedError                       the client was closed
    ├── APIError                                    something went wrong talking to the API
    │   ├── APIConnectionError                      no HTTP response: DNS, refused, reset, TLS
    │   │   └── APITimeoutError                     the request timed out
    │   ├── APIResponseValidationError              a response that cannot be understood
    │   └── APIStatusError                          a non-success HTTP status
    │       ├── BadRequestError                     400
    │       ├── AuthenticationError                 401
    │       ├── PermissionDeniedError               403
    │       ├── NotFoundError                       404
    │       ├── UnprocessableEntityError            422
    │       │   └── DuplicateOrderIdError           422: the order id is already taken
    │       ├── RateLimitError                      429
    │       └── InternalServerError                 5xx
    ├── OutcomeUnknownError                         a create may or may not have happened
    ├── OrderIdConflictError                        the order id is taken by a different order
    ├── PayinLinkUnavailableError                   a link was created but its answer was lost
    ├── WaitTimeoutError                            payouts.wait gave up before a final status
    ├── WebhookParseError                           a webhook body that is not a valid event
    └── WebhookVerificationError                    a webhook the API does not confirm

No error carries a secret. An API error's message names the method and the path exactly as it went
on the wire (a base URL's path prefix included), what the server said (every field of a 422), the
server's request id when it sent one, and for a 401 what to check, in order.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ._hints import request_id
from ._logging import mask_text

if TYPE_CHECKING:
    import httpx

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
    "AllianceError",
    "AllianceValidationError",
    "AuthenticationError",
    "BadRequestError",
    "ClientClosedError",
    "ClientUsageError",
    "DuplicateOrderIdError",
    "InternalServerError",
    "NotFoundError",
    "OrderIdConflictError",
    "OutcomeUnknownError",
    "PayinLinkUnavailableError",
    "PermissionDeniedError",
    "RateLimitError",
    "UnprocessableEntityError",
    "WaitTimeoutError",
    "WebhookParseError",
    "WebhookVerificationError",
]


class AllianceError(Exception):
    """The root of every error this SDK raises."""


class AllianceValidationError(AllianceError, ValueError):
    """An argument was refused before anything was sent.

    The message lists every refused field as ``field: reason``. The rules are those of the
    table in ``docs/validation.md``, which the sandbox applies too.

    Attributes:
        field: the (first) refused parameter's name (``"amount"``, ``"ifsc"``).
        reason: why it was refused.
        errors: every refused field with its reasons, ``{"amount": ["must be ..."]}``.
        operation: the SDK method that refused it (``"payouts.create"``), when known.

    Examples:
        >>> from alliance_pay import AllianceValidationError
        >>> str(AllianceValidationError("ifsc", "must look like SBIN0060589"))
        'ifsc: must look like SBIN0060589'
        >>> print(AllianceValidationError.from_errors(
        ...     {"amount": "is required", "ifsc": "is required"}, operation="payouts.create"))
        payouts.create refused 2 arguments before sending anything:
          amount: is required
          ifsc: is required
    """

    def __init__(self, field: str, reason: str, *, operation: str | None = None) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason
        self.operation = operation
        self.errors: Mapping[str, list[str]] = {field: [reason]}
        self.method: str | None = None
        self.path: str | None = None

    @classmethod
    def from_errors(
        cls, errors: Mapping[str, str], *, operation: str | None = None
    ) -> AllianceValidationError:
        """One error for several refused fields (``errors`` must not be empty)."""
        (field, reason), *_ = errors.items()
        error = cls(field, reason, operation=operation)
        error.errors = {name: [why] for name, why in errors.items()}
        return error

    def locate(self, method: str, path: str) -> AllianceValidationError:
        """Name the request that was not sent: its method and wire path (prefix included)."""
        self.method = method
        self.path = path
        return self

    def __str__(self) -> str:
        where = f"nothing was sent to {self.method} {self.path}" if self.method else ""
        if len(self.errors) == 1:
            text = f"{self.field}: {self.reason}"
            return f"{text} ({self.operation}: {where})" if where and self.operation else text
        who = self.operation or "the SDK"
        head = f"{who} refused {len(self.errors)} arguments before sending anything"
        lines = [f"  {name}: {' '.join(why)}" for name, why in self.errors.items()]
        return "\n".join([f"{head} ({where}):" if where else f"{head}:", *lines])


class ClientUsageError(AllianceError, RuntimeError):
    """The client cannot be used from here, and nothing was sent.

    Raised when an async client is used from an event loop other than the one its
    connections belong to, or when a client built on your own ``http_client`` is used in a
    process forked after its creation. The message says what to do instead.
    """


class ClientClosedError(ClientUsageError):
    """The client was closed (``close()``, ``aclose()`` or the end of its ``with`` block)."""


class APIError(AllianceError):
    """Talking to the API failed.

    Attributes:
        message: a human-readable description.
        method: the HTTP method of the request.
        path: the request path as it went on the wire, from its leading ``/``: a base URL's
            path prefix included, percent-encoding intact, no host, no query string.
        request_id: the server's request id (``X-Request-Id``, ``CF-Ray``...) when it sent
            one: quote it to Alliance's support.
    """

    request_id: str | None = None

    def __init__(self, message: str, *, method: str, path: str) -> None:
        super().__init__(message)
        self.message = message
        self.method = method
        self.path = path


def _with_request_id(text: str, request_id: str | None) -> str:
    return text if request_id is None else f"{text} (request id: {request_id})"


class APIConnectionError(APIError):
    """No readable HTTP response: the connection failed or dropped, or the body would not decode."""


class APITimeoutError(APIConnectionError):
    """The request timed out."""


class APIResponseValidationError(APIError):
    """The API answered with something the SDK cannot understand.

    An HTML error page, an empty or truncated body, JSON of the wrong shape, or
    ``"success": false`` with a 2xx status.

    Attributes:
        status_code: the HTTP status.
        body: the parsed JSON body, or the raw text when it was not JSON.
        response: the ``httpx.Response``.
    """

    def __init__(
        self, message: str, *, response: httpx.Response, body: object, method: str, path: str
    ) -> None:
        super().__init__(message, method=method, path=path)
        self.response = response
        self.status_code: int = response.status_code
        self.body = body
        self.request_id: str | None = request_id(response.headers)

    def __str__(self) -> str:
        return _with_request_id(self.message, self.request_id)


class APIStatusError(APIError):
    """The API answered with a non-success HTTP status.

    Attributes:
        status_code: the HTTP status.
        message: the server's ``message`` (or ``error``) field, else the reason phrase.
        body: the parsed JSON body, or the raw text when it was not JSON.
        response: the ``httpx.Response``.

    Examples:
        >>> from alliance_pay import APIStatusError, AllianceError
        >>> issubclass(APIStatusError, AllianceError)
        True
    """

    def __init__(
        self, message: str, *, response: httpx.Response, body: object, method: str, path: str
    ) -> None:
        super().__init__(message, method=method, path=path)
        self.response = response
        self.status_code: int = response.status_code
        self.body = body
        self.request_id: str | None = request_id(response.headers)

    def __str__(self) -> str:
        head = f"{self.status_code} on {self.method} {self.path}: {self.message}"
        return "\n".join([_with_request_id(head, self.request_id), *self._details()])

    def _details(self) -> list[str]:
        """Lines under the first one: what the server said field by field, what to check."""
        return []


class BadRequestError(APIStatusError):
    """400 Bad Request."""


class AuthenticationError(APIStatusError):
    """401: a wrong key or signature, a stale timestamp, or an IP not whitelisted.

    Attributes:
        hints: what to check, in order (the keys and where they came from, the clock with the
            timestamp sent and the server's ``Date``, the GET body line on a GET, the IP
            whitelist); the message lists them too.
    """

    hints: tuple[str, ...] = ()

    def _details(self) -> list[str]:
        if not self.hints:
            return []
        return ["What to check, in order:"] + [
            f"  {number}. {hint}" for number, hint in enumerate(self.hints, 1)
        ]


class PermissionDeniedError(APIStatusError):
    """403 Forbidden, usually from a proxy or firewall in front of the API."""


class NotFoundError(APIStatusError):
    """404: the order, or the endpoint, does not exist."""


class UnprocessableEntityError(APIStatusError):
    """422: validation failed on the server, a duplicate ``order_id`` among the reasons.

    ``str()`` shows every field the server named, one ``field: reason`` line each.

    Attributes:
        errors: field name -> list of messages, when the server sent them (else empty).
    """

    def __init__(
        self, message: str, *, response: httpx.Response, body: object, method: str, path: str
    ) -> None:
        super().__init__(message, response=response, body=body, method=method, path=path)
        self.errors: Mapping[str, list[str]] = field_errors(body)

    def _details(self) -> list[str]:
        # The server's reasons may echo the value refused: an account number, a mobile.
        return [
            f"  {field}: {mask_text(' '.join(messages))}" for field, messages in self.errors.items()
        ]


def field_errors(body: object) -> dict[str, list[str]]:
    """Pull ``{"field": ["message", ...]}`` out of the shapes Laravel-style APIs send."""
    if not isinstance(body, Mapping):
        return {}
    for key in ("errors", "error", "data"):
        candidate: Any = body.get(key)
        if isinstance(candidate, Mapping) and candidate:
            found: dict[str, list[str]] = {}
            for field, messages in candidate.items():
                if isinstance(messages, str):
                    found[str(field)] = [messages]
                elif isinstance(messages, list) and all(isinstance(m, str) for m in messages):
                    found[str(field)] = list(messages)
            if found:
                return found
    return {}


class DuplicateOrderIdError(UnprocessableEntityError):
    """422 saying the order id is already taken.

    A create that meets it after one of its own attempts went unanswered is resolved by the SDK
    (the existing record is returned when it matches). Raised to you, it means the order id was
    used before: look it up with ``retrieve(order_id)`` rather than retrying under a new id.
    """


class RateLimitError(APIStatusError):
    """429 Too Many Requests."""


class InternalServerError(APIStatusError):
    """5xx: the API or a gateway in front of it failed."""


class OutcomeUnknownError(AllianceError):
    """A create may or may not have taken effect, and the SDK could not find out which.

    This is never a plain failure: the payout or payin link may exist. Do not create it again
    under a new order id; resolve it later with ``retrieve(order_id)``.

    Attributes:
        order_id: the order id the create was sent with.
        operation: ``"payouts.create"`` or ``"payins.create_link"``.
    """

    def __init__(self, *, order_id: str, operation: str, reason: str) -> None:
        super().__init__(
            f"outcome of {operation} for order_id {order_id!r} is unknown ({reason}); it may have "
            f"succeeded: look it up with retrieve({order_id!r}) before doing anything else"
        )
        self.order_id = order_id
        self.operation = operation
        self.reason = reason


class OrderIdConflictError(AllianceError):
    """The order id already belongs to an order that differs from the one asked for.

    Attributes:
        order_id: the order id.
        existing: the record the API holds under that order id.
        differences: field name -> (asked, existing).
    """

    def __init__(
        self, *, order_id: str, existing: object, differences: Mapping[str, tuple[object, object]]
    ) -> None:
        names = ", ".join(sorted(differences))
        super().__init__(
            f"order_id {order_id!r} is already used by a different order (differs in: {names})"
        )
        self.order_id = order_id
        self.existing = existing
        self.differences: dict[str, tuple[object, object]] = dict(differences)


class PayinLinkUnavailableError(AllianceError):
    """A payin link was created, but the answer carrying its ``pay_url`` was lost in transit.

    The SDK knows the payin exists (it looked the order up), but the status call does not return
    the link. Ask Alliance for the link, or let the order expire and create a new one.

    Attributes:
        order_id: the payin's order id.
        payin: the payin as the status call reports it.
    """

    def __init__(self, *, order_id: str, payin: object) -> None:
        super().__init__(
            f"the payin link for order_id {order_id!r} was created, but its pay_url was lost in "
            "transit and the status call does not return it"
        )
        self.order_id = order_id
        self.payin = payin


class WaitTimeoutError(AllianceError):
    """``payouts.wait`` reached its timeout before the payout was final.

    Attributes:
        order_id: the payout's order id.
        last: the last record seen, or ``None`` if no read succeeded.
    """

    def __init__(self, *, order_id: str, timeout: float, last: object) -> None:
        super().__init__(f"payout {order_id!r} was not final after {timeout:g} seconds")
        self.order_id = order_id
        self.last = last


class WebhookParseError(AllianceError):
    """A webhook body is not a valid Alliance event."""


class WebhookVerificationError(AllianceError):
    """A webhook event does not agree with what the API says about its order.

    Attributes:
        event: the event that failed.
        reason: what disagreed.
    """

    def __init__(self, reason: str, *, event: object) -> None:
        super().__init__(reason)
        self.reason = reason
        self.event = event
