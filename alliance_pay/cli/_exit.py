"""The exit codes, one per outcome class, and which error gets which.

====  ================================================================================
code  meaning
====  ================================================================================
0     it worked (for ``sign --verify``: the signature is right)
1     the API refused the request (a 4xx other than 401: 400, 404, 409-like conflicts,
      422, 429), or ``sign --verify`` found the signature wrong
2     usage: a bad flag or value, missing configuration; nothing was sent
3     authentication: the API answered 401 (keys, signature, clock, IP whitelist)
4     network or timeout: no answer, a 5xx, an answer that cannot be read, or a wait
      that ran out of time
5     outcome unknown: a create may or may not have happened; look the order up
====  ================================================================================
"""

from __future__ import annotations

__all__ = [
    "AUTHENTICATION",
    "NETWORK",
    "OK",
    "OUTCOME_UNKNOWN",
    "REFUSED",
    "USAGE",
    "CliError",
    "classify",
]

OK = 0
REFUSED = 1
USAGE = 2
AUTHENTICATION = 3
NETWORK = 4
OUTCOME_UNKNOWN = 5

_AUTH_HINT = (
    "hint: here the keys come from --access-key or ALLIANCE_ACCESS_KEY, and from "
    "--secret-key-file or ALLIANCE_SECRET_KEY (check neither has a trailing newline); "
    "`alliance-pay sign --verify` names the mistake in a request your own code signed."
)


_TAKEN_HINT = (
    "hint: that order id was used before: see it with `alliance-pay payouts status ID` (or "
    "`payins status ID`) before anything else, rather than retrying under a new id."
)


class CliError(Exception):
    """A failure the CLI explains itself: a message for stderr and an exit code.

    Examples:
        >>> CliError("no base URL", USAGE).code
        2
    """

    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


def classify(error: BaseException) -> tuple[int, str] | None:
    """The exit code and the stderr text for an SDK error; ``None`` for anything else.

    The SDK is imported here, when an error has happened, never at start-up.

    Examples:
        >>> from alliance_pay import AllianceValidationError
        >>> classify(AllianceValidationError("amount", "must be positive"))
        (2, 'error: amount: must be positive')
    """
    from alliance_pay import (
        AllianceError,
        AllianceValidationError,
        APIConnectionError,
        APIResponseValidationError,
        AuthenticationError,
        DuplicateOrderIdError,
        InternalServerError,
        OrderIdConflictError,
        OutcomeUnknownError,
        PayinLinkUnavailableError,
        WaitTimeoutError,
    )

    if not isinstance(error, AllianceError):
        return None
    text = f"error: {error}"
    if isinstance(error, AllianceValidationError):
        return USAGE, text
    if isinstance(error, OutcomeUnknownError):
        hint = f"alliance-pay {error.operation.split('.')[0]} status {error.order_id}"
        return OUTCOME_UNKNOWN, f"{text}\nhint: resolve it with `{hint}` before anything else."
    if isinstance(error, AuthenticationError):
        return AUTHENTICATION, f"{text}\n{_AUTH_HINT}"
    if isinstance(error, (APIConnectionError, APIResponseValidationError, InternalServerError)):
        return NETWORK, text
    if isinstance(error, WaitTimeoutError):
        last = getattr(error.last, "status", None)
        return NETWORK, text + (f" (last status: {last})" if last is not None else "")
    if isinstance(error, (DuplicateOrderIdError, OrderIdConflictError)):
        return REFUSED, f"{text}\n{_TAKEN_HINT}"
    if isinstance(error, PayinLinkUnavailableError):
        hint = f"alliance-pay payins status {error.order_id}"
        return REFUSED, f"{text}\nhint: the payin exists; `{hint}` shows it."
    return REFUSED, text
