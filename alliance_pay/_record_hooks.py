"""Straight-line structure functions for the hot path's converter, one per model class.

cattrs's generated function calls the converter's hook for every field, and an optional field's
hook is one more call around the inner one. Here each model gets one function, generated once at
first use, that reads each field with the very hook cattrs would use, ``None`` handled inline and
text already a ``str`` taken as it is. Only the converter without detailed validation uses it:
a record it fails on (a missing key, a bad value) is read again by the detailed converter, which
names every bad field, so its errors are cattrs's own.

Examples:
    >>> from alliance_pay._converter import make_converter
    >>> from alliance_pay import Balance
    >>> structure_balance = record_hook(Balance, make_converter(detailed_validation=False))
    >>> structure_balance({"balance": "1111.11", "extra": 1}, Balance)
    Balance(balance=Decimal('1111.11'))
"""

from __future__ import annotations

import typing
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    import cattrs

__all__ = ["is_model", "record_hook"]


def is_model(cl: object) -> bool:
    """Whether ``cl`` is one of the SDK's record classes (a frozen attrs ``Model``)."""
    from ._model_base import Model

    return isinstance(cl, type) and issubclass(cl, Model)


def record_hook(
    cl: type,
    conv: cattrs.Converter,
    overrides: Mapping[str, Callable[[Any, Any], Any]] | None = None,
    *,
    text_hook: Callable[[Any, Any], Any] | None = None,
) -> Callable[[Any, Any], Any]:
    """The structure function of ``cl``: ``cl(**fields)`` read from a mapping in one call.

    ``overrides`` maps a field name to its own hook; ``text_hook`` is the hook of ``str``, which
    a value already of type ``str`` skips.
    """
    import attrs

    attrs.resolve_types(cl)
    namespace: dict[str, Any] = {"cl": cl, "NOTHING": attrs.NOTHING}
    arguments = []
    for index, field in enumerate(attrs.fields(cl)):
        kind = field.type
        inner = _optional_inner(kind)
        hook = (overrides or {}).get(field.name) or conv.get_structure_hook(
            kind if inner is None else inner
        )
        namespace[f"h{index}"] = hook
        namespace[f"t{index}"] = kind if inner is None else inner
        key = repr(field.name)
        read = f"h{index}(v, t{index})"
        if text_hook is not None and hook is text_hook:
            read = f"(v if v.__class__ is str else {read})"
        if field.default is attrs.NOTHING:  # required: a missing key fails, as in cattrs
            value = f"h{index}(o[{key}], t{index})"
            if text_hook is not None and hook is text_hook:
                value = f"(v if (v := o[{key}]).__class__ is str else h{index}(v, t{index}))"
        elif inner is not None and field.default is None and field.name not in (overrides or {}):
            value = f"(None if (v := g({key})) is None else {read})"
        else:  # a default other than None, or an override that reads null itself
            namespace[f"d{index}"] = field.default
            value = f"(h{index}(o[{key}], t{index}) if {key} in o else d{index})"
        arguments.append(f"        {field.alias or field.name}={value},")
    header = [f"def structure_{cl.__name__}(o, _=None):", "    g = o.get", "    return cl("]
    source = "\n".join([*header, *arguments, "    )"])
    exec(compile(source, f"<alliance_pay structure {cl.__name__}>", "exec"), namespace)  # noqa: S102
    function: Callable[[Any, Any], Any] = namespace[f"structure_{cl.__name__}"]
    return function


def _optional_inner(kind: object) -> object | None:
    """``X`` for ``X | None``, else ``None``."""
    args = typing.get_args(kind)
    if len(args) == 2 and type(None) in args:
        inner: object = next(arg for arg in args if arg is not type(None))
        return inner
    return None
