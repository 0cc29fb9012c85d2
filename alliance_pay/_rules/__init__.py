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

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final, Literal

from ._checks import (
    AMOUNT_CEILING,
    MISSING,
    Check,
    below_ceiling,
    fast_accept,
    http_url,
    no_control,
    number,
    one_path_segment,
    positive,
    required,
    string,
    string_or_integer,
    string_or_null,
    to_amount,
    upi,
    whole_paise,
)
from ._quick import NAMES as QUICK_NAMES
from ._quick import quick_pass, quick_terms

__all__ = [
    "ENDPOINTS",
    "AMOUNT_CEILING",
    "MISSING",
    "RULES",
    "Rule",
    "check_fields",
    "check_value",
    "QUICK_NAMES",
    "quick_terms_for",
    "quick_test",
    "rules_markdown",
    "to_amount",
]


#: The endpoints and the paths their rules apply to.
ENDPOINTS: Final = {
    "payins.create_link": "POST api/v1/payin/generate/link",
    "payins.retrieve": "POST api/v1/payin/transactions",
    "payouts.create": "POST api/v1/payout/initiate",
    "payouts.retrieve": "GET api/v1/payout/{order_id}/status",
}

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
        ("required", "docs", quote, required),
        ("a string", "our reading", _STRING_READING, string),
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
            no_control,
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
                one_path_segment,
            ),
        )
    return rules


def _amount(endpoint: str, quote: str) -> list[Rule]:
    return _rules_for(
        endpoint,
        "amount",
        ("required", "docs", quote, required),
        (
            "a number",
            "our reading",
            "the docs' examples send a JSON number (100); a decimal string is taken too, as "
            "Laravel's numeric rule does",
            number,
        ),
        ("greater than 0", "our reading", "a transfer of zero or less moves no money", positive),
        (
            "at most two decimal places",
            "our reading",
            'the docs say "Amount ... in INR"; the smallest unit of the rupee is the paisa',
            whole_paise,
        ),
        (
            "less than 100000000000",
            "our reading",
            "a ceiling far above any real transfer, so a typo of many digits is never sent",
            below_ceiling,
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
            required,
        ),
        (
            "exactly 'UPI'",
            "docs",
            '"Methood for the payment collection always should be UPI."',
            upi,
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
            http_url,
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
            required,
        ),
        (
            "a string or an integer",
            "our reading",
            'the docs\' samples send it both as 7878787878 and as "7878787878"',
            string_or_integer,
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
            string_or_null,
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
    planned = _BY_NAME.get((endpoint, field))
    return None if planned is None else _first_broken(planned, value)


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
    quick = _QUICK.get(endpoint)
    if quick is not None and quick(body):
        return {}
    if endpoint not in ENDPOINTS:
        raise KeyError(f"no rules for {endpoint!r}; known: {', '.join(ENDPOINTS)}")
    errors: dict[str, str] = {}
    for planned in _PLAN[endpoint]:
        reason = _first_broken(planned, body.get(planned[0], MISSING))
        if reason is not None:
            errors[planned[0]] = reason
    return errors


def quick_test(endpoint: str, field: str) -> Callable[[object], bool]:
    """The field's quick test: ``True`` proves ``value`` passes every rule of ``field`` at
    ``endpoint``; ``False`` proves nothing (``check_value`` then says which rule it breaks).

    Examples:
        >>> passes = quick_test("payouts.retrieve", "order_id")
        >>> passes("P-1"), passes("..")
        (True, False)
    """
    accept = _BY_NAME[(endpoint, field)][1]
    return accept if accept is not None else _proves_nothing


def _proves_nothing(value: object) -> bool:
    return False


def quick_terms_for(endpoint: str) -> dict[str, str] | None:
    """The endpoint's quick test field by field, each the source of one expression that binds
    the field's value to ``v`` (see ``_quick.quick_terms``; it runs among ``QUICK_NAMES``), or
    ``None`` when a field has none. A generated writer puts them before what it writes.

    Examples:
        >>> quick_terms_for("payins.retrieve")["order_id"].startswith("(((v := g('order_id', M))")
        True
    """
    return quick_terms((name, checks) for name, _, checks in _PLAN[endpoint])


def _first_broken(planned: tuple[str, Any, tuple[Check, ...]], value: object) -> str | None:
    """Why ``value`` breaks the first of a planned field's checks it breaks, or ``None``."""
    _, accept, checks = planned
    if accept is not None and accept(value):
        return None
    for check in checks:
        reason = check(value)
        if reason is not None:
            return reason
    return None


def _index(rules: Iterable[Rule]) -> tuple[dict[tuple[str, str], list[Rule]], dict[str, list[str]]]:
    by_field: dict[tuple[str, str], list[Rule]] = {}
    fields: dict[str, list[str]] = {endpoint: [] for endpoint in ENDPOINTS}
    for rule in rules:
        if (rule.endpoint, rule.field) not in by_field:
            fields[rule.endpoint].append(rule.field)
        by_field.setdefault((rule.endpoint, rule.field), []).append(rule)
    return by_field, fields


_BY_FIELD, _FIELDS = _index(RULES)


def _planned(endpoint: str, name: str) -> tuple[str, Any, tuple[Check, ...]]:
    checks = tuple(rule.check for rule in _BY_FIELD[(endpoint, name)])
    return name, fast_accept(checks), checks


# Each endpoint's checks, planned once, in the documented order: (field, a quick test that a
# value passes them all or None, its checks in order).
_PLAN: Final = {
    endpoint: tuple(_planned(endpoint, name) for name in names)
    for endpoint, names in _FIELDS.items()
}


#: The same plan by (endpoint, field), for checking one value.
_BY_NAME: Final = {
    (endpoint, planned[0]): planned for endpoint, plan in _PLAN.items() for planned in plan
}

#: Each endpoint's quick pass (see ``_quick``): every rule confirmed at once for a valid body.
_QUICK: Final = {
    endpoint: quick_pass((name, checks) for name, _, checks in plan)
    for endpoint, plan in _PLAN.items()
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
