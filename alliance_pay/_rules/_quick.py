"""The quick pass: one generated test per endpoint that a whole body passes every rule.

Most bodies are valid, and for those the field-by-field walk of ``check_fields`` only confirms
it. The quick pass confirms it in one expression, generated from the endpoint's plan: a text
field is "a ``str`` that is not blank" (and, where its rules say so, without control
characters or a dot), an amount is "a positive ``int`` or finite ``Decimal`` below the ceiling
with at most two places", an optional text is "``None`` or a ``str``". ``True`` means every rule
passes; ``False`` proves nothing, and the checks then run one by one to say which rule failed.
A field whose checks it does not know makes the whole test ``None``: those bodies are always
checked field by field.

Standard library only, like the table itself.

Examples:
    >>> from decimal import Decimal
    >>> from alliance_pay._rules._checks import required, string, string_or_null
    >>> quick = quick_pass([("order_id", (required, string)), ("remarks", (string_or_null,))])
    >>> quick({"order_id": "P-1", "remarks": None}), quick({"order_id": " ", "remarks": None})
    (True, False)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from typing import Any

from ._checks import (
    _CONTROL,
    _TEXT_CHECKS,
    AMOUNT_CEILING,
    MISSING,
    Check,
    below_ceiling,
    no_control,
    number,
    one_path_segment,
    positive,
    required,
    string_or_null,
    whole_paise,
)

__all__ = ["NAMES", "quick_pass", "quick_terms"]

QuickPass = Callable[[Mapping[str, object]], bool]

_AMOUNT = frozenset({required, number, positive, whole_paise, below_ceiling})

#: The names the terms use, besides ``g`` (the body's ``get``): a namespace to run them in.
NAMES: Mapping[str, Any] = {
    "M": MISSING,
    "search": _CONTROL.search,
    "Decimal": Decimal,
    "CEILING": AMOUNT_CEILING,
    "INT_CEILING": int(AMOUNT_CEILING),
}


def quick_terms(plan: Iterable[tuple[str, tuple[Check, ...]]]) -> dict[str, str] | None:
    """Each field's quick test, as the source of one expression: it reads the field's value
    with ``g`` (the body's ``get``), binds it to ``v`` and is true when the value passes every
    check. ``None`` when a field's checks are not ones it knows how to confirm at once.

    A generator may put a term before code that uses ``v``: ``write(v) if term else ...``.

    Examples:
        >>> from alliance_pay._rules._checks import string_or_null
        >>> quick_terms([("remarks", (string_or_null,))])
        {'remarks': "((v := g('remarks', M)) is None or v.__class__ is str or v is M)"}
    """
    terms = {}
    for name, checks in plan:
        term = _term(repr(name), frozenset(checks))
        if term is None:
            return None
        terms[name] = term
    return terms


def quick_pass(plan: Iterable[tuple[str, tuple[Check, ...]]]) -> QuickPass | None:
    """The quick test for bodies checked by ``plan`` (field, checks), or ``None`` when a
    field's checks are not ones it knows how to confirm at once."""
    terms = quick_terms(plan)
    if terms is None:
        return None
    namespace = dict(NAMES)
    source = "def quick(b):\n    g = b.get\n    return (\n        " + "\n        and ".join(
        terms.values() or ["True"]
    )
    source += "\n    )\n"
    exec(compile(source, "<alliance_pay quick pass>", "exec"), namespace)  # noqa: S102
    function: QuickPass = namespace["quick"]
    return function


def _term(key: str, checks: frozenset[Check]) -> str | None:
    if required in checks and checks <= _TEXT_CHECKS:
        # A non-blank str passes required, string and string_or_integer; a str enum member
        # (PaymentMethod.IMPS, the default rail) is a str too.
        term = f"(((v := g({key}, M)).__class__ is str or isinstance(v, str)) and v.strip() != ''"
        if no_control in checks:
            term += " and not search(v)"
        if one_path_segment in checks:
            term += " and '.' not in v"
        return term + ")"
    if checks == _AMOUNT:
        # An exponent of -2 or more is at most two places; "1.500" is left to the checks.
        return (
            f"((v := g({key}, M)).__class__ is int and 0 < v < INT_CEILING"
            " or v.__class__ is Decimal and v.is_finite() and 0 < v < CEILING"
            " and v.as_tuple().exponent >= -2)"
        )
    if checks == {string_or_null}:
        return f"((v := g({key}, M)) is None or v.__class__ is str or v is M)"
    return None
