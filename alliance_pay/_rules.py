"""The one table of what the API accepts: field, rule, and where the rule comes from.

Both the SDK's checks before sending (``alliance_pay._validation``) and the sandbox's server-side
checks (``alliance_pay.sandbox._validation``) run these rules, so the two cannot disagree. The
module uses the standard library only: the sandbox may import it (as it imports ``_signing``)
without importing the SDK. ``docs/validation.md`` publishes the table, generated from ``RULES``
by ``rules_markdown()`` and tested to be in sync.

Each rule names its source: ``docs`` quotes the provider's documentation; ``our reading`` is a
decision of this project where the documentation is silent, kept to what a payment cannot do
without (a positive amount in whole paise, an order id that stays in its URL path segment).
Where the documentation is silent and no such need exists, nothing is checked: the SDK is
permissive, and the sandbox mirrors it.

A value reaches a check as JSON would carry it: ``str``, ``int``, ``Decimal`` (the sandbox reads
JSON numbers with a fraction as ``Decimal``), ``float`` (from SDK callers only), ``bool``,
``None``, lists and dicts. A missing field is ``MISSING``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Final, Literal
from urllib.parse import urlsplit

__all__ = [
    "ENDPOINTS",
    "AMOUNT_CEILING",
    "MISSING",
    "RULES",
    "Rule",
    "check_fields",
    "check_value",
    "rules_markdown",
    "to_amount",
]


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


#: A field that is absent from the body.
MISSING: Final = _Missing()

#: The endpoints and the paths their rules apply to.
ENDPOINTS: Final = {
    "payins.create_link": "POST api/v1/payin/generate/link",
    "payins.retrieve": "POST api/v1/payin/transactions",
    "payouts.create": "POST api/v1/payout/initiate",
    "payouts.retrieve": "GET api/v1/payout/{order_id}/status",
}

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_SEPARATORS = re.compile(r"[/\\]")
_PAISA_PLACES = 2
#: Amounts must stay below this (one hundred billion rupees).
AMOUNT_CEILING: Final = Decimal("1e11")


def _blank(value: object) -> bool:
    # Laravel trims strings and turns "" into null before "required" looks at them.
    return value is MISSING or value is None or (isinstance(value, str) and not value.strip())


def _required(value: object) -> str | None:
    return "is required" if _blank(value) else None


def _string(value: object) -> str | None:
    return None if isinstance(value, str) else f"must be a string, not {_kind(value)}"


def _string_or_integer(value: object) -> str | None:
    if isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool)):
        return None
    return f"must be a string or an integer, not {_kind(value)}"


def _string_or_null(value: object) -> str | None:
    return None if value is None or value is MISSING else _string(value)


def _no_control(value: object) -> str | None:
    if isinstance(value, str) and _CONTROL.search(value):
        return "must not contain control characters (newline, tab, NUL...)"
    return None


def _one_path_segment(value: object) -> str | None:
    # Without a dot there is no dot segment: the common case costs one scan.
    if (
        isinstance(value, str)
        and "." in value
        and any(part.strip() in {".", ".."} for part in _SEPARATORS.split(value))
    ):
        return "must not be or contain a '.' or '..' path segment"
    return None


def to_amount(value: object) -> Decimal | None:
    """A JSON-ish value as an exact ``Decimal``, or ``None`` if it is not a finite number.

    A ``float`` (an SDK caller's) is read through its shortest repr, so ``0.1`` is ``0.1``.

    Examples:
        >>> to_amount("100.50"), to_amount(5), to_amount(0.1), to_amount(True)
        (Decimal('100.50'), Decimal('5'), Decimal('0.1'), None)
    """
    # Each amount rule reads the amount: the last value read is kept (by identity, and held so
    # its id cannot be reused), so the rules of one field convert it once, not once each.
    global _last_amount
    last = _last_amount
    if last[0] is value:
        return last[1]
    amount = _read_amount(value)
    _last_amount = (value, amount)
    return amount


_last_amount: tuple[object, Decimal | None] = (MISSING, None)


def _read_amount(value: object) -> Decimal | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, Decimal)):
        amount = Decimal(value)
    elif isinstance(value, float):
        amount = Decimal(repr(value))
    elif isinstance(value, str):
        try:
            amount = Decimal(value.strip())
        except InvalidOperation:
            return None
    else:
        return None
    return amount if amount.is_finite() else None


def _number(value: object) -> str | None:
    if to_amount(value) is None:
        return f"must be a number (an int, a Decimal or a decimal string), not {_shown(value)}"
    return None


def _positive(value: object) -> str | None:
    amount = to_amount(value)
    return f"must be greater than 0, not {amount}" if amount is not None and amount <= 0 else None


def _below_ceiling(value: object) -> str | None:
    amount = to_amount(value)
    if amount is not None and amount >= AMOUNT_CEILING:
        return f"must be less than {AMOUNT_CEILING:f} (at most 99999999999.99)"
    return None


def _whole_paise(value: object) -> str | None:
    amount = to_amount(value)
    if amount is None:
        return None
    # Exact, whatever the size: strip trailing zeros from the digits, then count the places.
    _, digits, exponent = amount.as_tuple()
    assert isinstance(exponent, int)
    places = -exponent
    for digit in reversed(digits):
        if places <= 0 or digit != 0:
            break
        places -= 1
    if places > _PAISA_PLACES:
        return f"must have at most two decimal places (whole paise), not {_shown(value)}"
    return None


def _upi(value: object) -> str | None:
    return None if value == "UPI" else f"must be 'UPI', not {_shown(value)}"


def _http_url(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    try:
        parts = urlsplit(value)
    except ValueError:
        parts = None
    if (
        parts is None
        or parts.scheme not in ("http", "https")
        or not parts.hostname
        or _CONTROL.search(value)
        or any(ch.isspace() for ch in value)
    ):
        return "must be an absolute http:// or https:// URL"
    return None


def _kind(value: object) -> str:
    return "null" if value is None else type(value).__name__


def _shown(value: object) -> str:
    text = format(value, "f") if isinstance(value, Decimal) else repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


Source = Literal["docs", "our reading"]


@dataclass(frozen=True)
class Rule:
    """One row of the table.

    Attributes:
        endpoint: the SDK method whose input it checks (``"payouts.create"``).
        field: the body field (or, for ``payouts.retrieve``, the path parameter).
        rule: the rule in words, as the docs' table shows it.
        source: ``"docs"`` or ``"our reading"``.
        basis: the docs' words, quoted, or the reason for our reading.
        check: returns why a value breaks the rule, or ``None``.
    """

    endpoint: str
    field: str
    rule: str
    source: Source
    basis: str
    check: Callable[[object], str | None]


def _rules_for(
    endpoint: str, field: str, *rows: tuple[str, Source, str, Callable[[object], str | None]]
) -> list[Rule]:
    return [
        Rule(endpoint, field, rule, source, basis, check) for rule, source, basis, check in rows
    ]


_STRING_READING = "every example in the docs shows it as a JSON string"


def _required_string(endpoint: str, field: str, quote: str) -> list[Rule]:
    return _rules_for(
        endpoint,
        field,
        ("required", "docs", quote, _required),
        ("a string", "our reading", _STRING_READING, _string),
    )


def _order_id(endpoint: str, quote: str, *, in_path: bool) -> list[Rule]:
    rules = _required_string(endpoint, "order_id", quote)
    rules += _rules_for(
        endpoint,
        "order_id",
        (
            "no control characters",
            "our reading",
            "an order id names one order in every call, log line and URL path; a newline or NUL "
            "in it is a mistake, never an order",
            _no_control,
        ),
    )
    if in_path:
        rules += _rules_for(
            endpoint,
            "order_id",
            (
                "not '.' or '..', and no such path segment",
                "our reading",
                "the order id travels in the status URL's path (percent-encoded); a dot segment "
                "would make servers and proxies that decode %2F call another endpoint",
                _one_path_segment,
            ),
        )
    return rules


def _amount(endpoint: str, quote: str) -> list[Rule]:
    return _rules_for(
        endpoint,
        "amount",
        ("required", "docs", quote, _required),
        (
            "a number",
            "our reading",
            "the docs' examples send a JSON number (100); a decimal string is taken too, as "
            "Laravel's numeric rule does",
            _number,
        ),
        ("greater than 0", "our reading", "a transfer of zero or less moves no money", _positive),
        (
            "at most two decimal places",
            "our reading",
            'the docs say "Amount ... in INR"; the smallest unit of the rupee is the paisa',
            _whole_paise,
        ),
        (
            "less than 100000000000",
            "our reading",
            "a ceiling far above any real transfer, so a typo of many digits is never sent",
            _below_ceiling,
        ),
    )


RULES: Final[tuple[Rule, ...]] = (
    # payins.create_link: the body's fields in the documented order.
    *_required_string("payins.create_link", "user_id", '"Required Your users id whatever it is."'),
    *_order_id(
        "payins.create_link",
        '"Required Unique order id for payment collection."',
        in_path=False,
    ),
    *_amount("payins.create_link", '"Required Amount for the payment collection."'),
    *_rules_for(
        "payins.create_link",
        "method",
        (
            "required",
            "docs",
            '"Required Methood for the payment collection always should be UPI."',
            _required,
        ),
        (
            "exactly 'UPI'",
            "docs",
            '"Methood for the payment collection always should be UPI."',
            _upi,
        ),
    ),
    *_required_string(
        "payins.create_link",
        "redirect_url",
        '"Required URI for the after payment collection on which page you '
        'want to redirect the user."',
    ),
    *_rules_for(
        "payins.create_link",
        "redirect_url",
        (
            "an absolute http(s) URL",
            "our reading",
            "the customer's browser is sent there after paying; the docs' example is "
            '"http://test.com"',
            _http_url,
        ),
    ),
    # payins.retrieve
    *_order_id(
        "payins.retrieve",
        '"Required Get Specific payment status using your unique order_id."',
        in_path=False,
    ),
    # payouts.create: the body's fields in the documented order.
    *_required_string(
        "payouts.create",
        "beneficiary_name",
        '"Required Name of the beneficiary to whom the payout will be made."',
    ),
    *_required_string(
        "payouts.create",
        "beneficiary_email",
        '"Required Email of the beneficiary."',
    ),
    *_rules_for(
        "payouts.create",
        "beneficiary_mobile_no",
        (
            "required",
            "docs",
            '"Required Mobile number of the beneficiary."',
            _required,
        ),
        (
            "a string or an integer",
            "our reading",
            'the docs\' samples send it both as 7878787878 and as "7878787878"',
            _string_or_integer,
        ),
    ),
    *_required_string(
        "payouts.create",
        "beneficiary_address",
        '"Required Address of the beneficiary."',
    ),
    *_required_string(
        "payouts.create",
        "payment_method",
        '"Required Method of payment (e.g., IMPS)." (no list of allowed '
        "methods, so none is refused)",
    ),
    *_required_string(
        "payouts.create",
        "beneficiary_acc_no",
        '"Required Bank account number of the beneficiary."',
    ),
    *_required_string(
        "payouts.create",
        "bank_name",
        '"Required Name of the bank of the beneficiary account."',
    ),
    *_required_string(
        "payouts.create",
        "ifsc",
        '"Required IFSC code of the beneficiary bank branch." (no format given, so '
        "none is enforced)",
    ),
    *_amount("payouts.create", '"Required Amount to be transferred in INR."'),
    *_order_id(
        "payouts.create",
        '"Required Unique identifier for the payout request."',
        in_path=True,
    ),
    *_required_string(
        "payouts.create",
        "user_id",
        '"Required merchant\'s user id for the payout request."',
    ),
    *_rules_for(
        "payouts.create",
        "remarks",
        (
            "optional: a string or null",
            "docs",
            '"Optional Any additional notes or remarks for the payout." (the examples send null)',
            _string_or_null,
        ),
    ),
    # payouts.retrieve: the order id in the path.
    *_order_id(
        "payouts.retrieve",
        '"Path api/v1/payout/{{YOUR_ORDER_ID}}/status"',
        in_path=True,
    ),
)


def check_value(endpoint: str, field: str, value: object) -> str | None:
    """Why ``value`` breaks a rule of ``field`` at ``endpoint`` (the first such rule), or ``None``.

    Examples:
        >>> check_value("payouts.create", "amount", "-5")
        'must be greater than 0, not -5'
        >>> check_value("payouts.create", "payment_method", "UPI") is None
        True
    """
    for rule in _BY_FIELD.get((endpoint, field), ()):
        reason = rule.check(value)
        if reason is not None:
            return reason
    return None


def check_fields(endpoint: str, body: Mapping[str, object]) -> dict[str, str]:
    """Every field of ``body`` that breaks a rule, with the reason: ``{}`` when all pass.

    Fields are checked in the documented order; within a field the first broken rule is the one
    reported (a missing amount is "required", not also "not a number").

    Examples:
        >>> check_fields("payins.retrieve", {"order_id": "  "})
        {'order_id': 'is required'}
        >>> check_fields("payins.retrieve", {"order_id": "PI-1"})
        {}
    """
    if endpoint not in ENDPOINTS:
        raise KeyError(f"no rules for {endpoint!r}; known: {', '.join(ENDPOINTS)}")
    errors: dict[str, str] = {}
    for name, checks in _PLAN[endpoint]:
        value = body.get(name, MISSING)
        for check in checks:
            reason = check(value)
            if reason is not None:
                errors[name] = reason
                break
    return errors


def _index(rules: Iterable[Rule]) -> tuple[dict[tuple[str, str], list[Rule]], dict[str, list[str]]]:
    by_field: dict[tuple[str, str], list[Rule]] = {}
    fields: dict[str, list[str]] = {endpoint: [] for endpoint in ENDPOINTS}
    for rule in rules:
        if (rule.endpoint, rule.field) not in by_field:
            fields[rule.endpoint].append(rule.field)
        by_field.setdefault((rule.endpoint, rule.field), []).append(rule)
    return by_field, fields


_BY_FIELD, _FIELDS = _index(RULES)
#: Per endpoint, each field with its checks in table order: what check_fields runs, looked up once.
_PLAN: Final = {
    endpoint: tuple(
        (name, tuple(rule.check for rule in _BY_FIELD[(endpoint, name)])) for name in names
    )
    for endpoint, names in _FIELDS.items()
}


def rules_markdown() -> str:
    """The table as Markdown, one section per endpoint: what ``docs/validation.md`` embeds."""
    lines: list[str] = []
    for endpoint, path in ENDPOINTS.items():
        lines += [f"### `{endpoint}` ({path})", "", "| field | rule | source | basis |"]
        lines.append("| --- | --- | --- | --- |")
        for rule in RULES:
            if rule.endpoint == endpoint:
                basis = rule.basis.replace("|", "\\|")
                lines.append(f"| `{rule.field}` | {rule.rule} | {rule.source} | {basis} |")
        lines.append("")
    return "\n".join(lines)
