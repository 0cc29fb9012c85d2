"""Checks on what a caller passes, run before anything is sent and before any money moves.

The rules are those of the one table in ``alliance_pay._rules``, which the sandbox runs too, so
the SDK refuses exactly what the sandbox would. Every broken field is reported at once, in an
[`AllianceValidationError`][alliance_pay.AllianceValidationError] whose message lists each
``field: reason``.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from ._api_call import ApiCall
from ._body import checked_body, request_body
from ._exceptions import AllianceValidationError
from ._models import PayinLinkRequest, PayoutRequest
from ._rules import check_fields, check_value, quick_test, to_amount
from ._signing import encode_path_segment

__all__ = [
    "Arguments",
    "check_amount",
    "check_order_id",
    "order_id_path_segment",
    "payin_link_request",
    "payout_call",
    "payout_request",
]


class Arguments(dict[str, object]):
    """A call's arguments, by name, whose ``repr`` names them without their values: they hold
    account numbers, names and mobiles, and a traceback with locals shows every local's repr.

    Examples:
        >>> Arguments(order_id="P-1", beneficiary_acc_no="123456789012")
        Arguments(order_id=..., beneficiary_acc_no=...)
    """

    __slots__ = ()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(f'{name}=...' for name in self)})"


def _refuse(endpoint: str, body: Mapping[str, object]) -> None:
    errors = check_fields(endpoint, body)
    if errors:
        raise AllianceValidationError.from_errors(errors, operation=endpoint)


def _one(endpoint: str, field: str, value: object, name: str | None = None) -> None:
    reason = check_value(endpoint, field, value)
    if reason is not None:
        raise AllianceValidationError(name or field, reason, operation=endpoint)


def check_amount(value: object, field: str = "amount") -> Decimal:
    """Return ``value`` as an exact, positive ``Decimal`` with at most two decimal places.

    ``Decimal``, ``int`` and decimal strings are taken as they are. A ``float`` is read through its
    shortest repr (``0.1`` is ``Decimal("0.1")``) and refused if that is not exact to the paisa.

    Examples:
        >>> check_amount("100.50")
        Decimal('100.50')
        >>> check_amount(0.1)
        Decimal('0.1')
    """
    _one("payouts.create", "amount", value, field)
    amount = to_amount(value)
    assert amount is not None  # the rules refuse anything that is not a number
    return amount


def _checked_amount(value: object) -> Decimal:
    # An amount the endpoint's rules have passed (_refuse ran them): read, not checked again.
    amount = to_amount(value)
    assert amount is not None
    return amount


def check_order_id(value: object, field: str = "order_id") -> str:
    """Refuse an order id the payin status call would refuse (empty, control characters).

    Examples:
        >>> check_order_id("ORD/2026/11")
        'ORD/2026/11'
    """
    if not _PAYIN_ORDER_ID(value):  # then say which rule it breaks, or find that none does
        _one("payins.retrieve", "order_id", value, field)
    assert isinstance(value, str)
    return value


def order_id_path_segment(value: object, field: str = "order_id") -> str:
    """Percent-encode an order id for a URL path, refusing one that could leave its segment.

    ``/``, ``?``, ``#`` and ``%`` are encoded, so the id stays one segment; an id that is or holds
    a dot segment (``.``, ``..``, ``a/../b``) is refused because servers and proxies that decode
    ``%2F`` would resolve it to another endpoint.

    Examples:
        >>> order_id_path_segment("ORD/1")
        'ORD%2F1'
    """
    if not _PATH_ORDER_ID(value):  # then say which rule it breaks, or find that none does
        _one("payouts.retrieve", "order_id", value, field)
    assert isinstance(value, str)
    return encode_path_segment(value)


_PAYIN_ORDER_ID = quick_test("payins.retrieve", "order_id")
_PATH_ORDER_ID = quick_test("payouts.retrieve", "order_id")


def payin_link_request(
    *, user_id: object, order_id: object, amount: object, redirect_url: object, method: object
) -> PayinLinkRequest:
    """Check the arguments of ``payins.create_link`` and build its body."""
    given = {
        "user_id": user_id,
        "order_id": order_id,
        "amount": amount,
        "method": method,
        "redirect_url": redirect_url,
    }
    _refuse("payins.create_link", given)
    return PayinLinkRequest(
        user_id=_text(user_id),
        order_id=_text(order_id),
        amount=_checked_amount(amount),
        method=_text(method),
        redirect_url=_text(redirect_url),
    )


def payout_request(
    *,
    order_id: object,
    user_id: object,
    amount: object,
    beneficiary_name: object,
    beneficiary_email: object,
    beneficiary_mobile_no: object,
    beneficiary_address: object,
    beneficiary_acc_no: object,
    bank_name: object,
    ifsc: object,
    payment_method: object,
    remarks: object,
) -> PayoutRequest:
    """Check the arguments of ``payouts.create`` and build its body."""
    given = {
        "beneficiary_name": beneficiary_name,
        "beneficiary_email": beneficiary_email,
        "beneficiary_mobile_no": beneficiary_mobile_no,
        "beneficiary_address": beneficiary_address,
        "payment_method": payment_method,
        "beneficiary_acc_no": beneficiary_acc_no,
        "bank_name": bank_name,
        "ifsc": ifsc,
        "amount": amount,
        "order_id": order_id,
        "user_id": user_id,
        "remarks": remarks,
    }
    _refuse("payouts.create", given)
    return _payout_model(given)


def _text(value: object) -> str:
    # The text a checked argument is sent as. A str subclass (a caller's own str enum) by its
    # characters, the ones the rules checked: its str() may be anything, and a (str, Enum)
    # member's is its qualified name ("Rail.NEFT"). Anything else (an int mobile) by str().
    return str.__str__(value) if isinstance(value, str) else str(value)


def _payout_model(given: Mapping[str, object]) -> PayoutRequest:
    # Arguments the rules have passed (_refuse ran them): converted, not checked again.
    remarks = given["remarks"]
    return PayoutRequest(
        beneficiary_name=_text(given["beneficiary_name"]),
        beneficiary_email=_text(given["beneficiary_email"]),
        # The docs send it both ways; a number is sent as its digits, the form the status
        # call answers with.
        beneficiary_mobile_no=_text(given["beneficiary_mobile_no"]),
        beneficiary_address=_text(given["beneficiary_address"]),
        payment_method=_text(given["payment_method"]),
        beneficiary_acc_no=_text(given["beneficiary_acc_no"]),
        bank_name=_text(given["bank_name"]),
        ifsc=_text(given["ifsc"]),
        amount=_checked_amount(given["amount"]),
        order_id=_text(given["order_id"]),
        user_id=_text(given["user_id"]),
        remarks=None if remarks is None else _text(remarks),
    )


def payout_call(arguments: Mapping[str, object]) -> ApiCall:
    """The call of ``payouts.create`` for its ``arguments`` (those of ``payout_request``),
    refused with ``AllianceValidationError`` as ``payout_request`` refuses them.

    Good arguments in the body's form (text as ``str``, the amount a ``Decimal`` or an ``int``)
    are each put to their field's quick test and written into the body in one pass, without
    building the model. Any other arguments are checked rule by rule (a broken one is refused
    there) and converted as the model converts them. The bytes are the model's either way.

    Examples:
        >>> from decimal import Decimal
        >>> call = payout_call({
        ...     "order_id": "P-1", "user_id": "u-1", "amount": Decimal("10.50"),
        ...     "beneficiary_name": "Asha", "beneficiary_email": "asha@example.in",
        ...     "beneficiary_mobile_no": "9876543210", "beneficiary_address": "12 MG Road",
        ...     "beneficiary_acc_no": "123456789012", "bank_name": "SBI", "ifsc": "SBIN0060589",
        ...     "payment_method": "IMPS", "remarks": None,
        ... })
        >>> call.order_id, call.body[call.body.index(b'"amount"'):]
        ('P-1', b'"amount":10.5,"order_id":"P-1","user_id":"u-1","remarks":null}')
    """
    body = checked_body("payouts.create", PayoutRequest, arguments)
    if body is None:  # a broken rule, or a value the model converts first (an int mobile)
        _refuse("payouts.create", arguments)
        body = request_body(_payout_model(arguments))
    order_id = _text(arguments["order_id"])
    return ApiCall("POST", _PAYOUT_PATH, body, idempotent=False, order_id=order_id)


_PAYOUT_PATH = "api/v1/payout/initiate"
