"""What every model shares: ``to_dict`` and ``to_json`` (openai-python's names), and masked reprs.

The models stay frozen attrs classes; this base only turns one into plain data. JSON mode writes
money as an exact decimal string (``"1500.00"``, never a float), datetimes as ISO-8601 and enum
members as their wire value, so the output can be stored, logged by your own code, or returned
from your own API, and read back with the SDK's converter.
"""

from __future__ import annotations

import datetime as dt
import enum
import json
from decimal import Decimal
from typing import Any, Literal

import attrs

from ._logging import mask_field

__all__ = ["Model", "masked"]


def _json_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        # "f" keeps the exact digits and never an exponent: Decimal("1E+2") -> "100".
        return format(value, "f")
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    return value


def _python_value(value: Any) -> Any:
    return value


class Model:
    """The base of every model the SDK returns: frozen attrs classes with two exports."""

    __slots__ = ()

    def to_dict(
        self, *, mode: Literal["python", "json"] = "python", exclude_none: bool = False
    ) -> dict[str, Any]:
        """The model as a ``dict``, keyed by the API's field names, every value in full.

        Args:
            mode: ``"python"`` keeps ``Decimal``, ``datetime`` and enum members; ``"json"`` gives
                only JSON types: money as an exact decimal string, datetimes as ISO-8601, enums
                as their string value.
            exclude_none: leave out fields whose value is ``None``.

        Unlike ``repr``, the result is not masked: it holds the full account number, mobile
        and email, so treat it as the personal data it is.

        Examples:
            >>> from decimal import Decimal
            >>> from alliance_pay import Balance
            >>> Balance(balance=Decimal("1111.10")).to_dict(mode="json")
            {'balance': '1111.10'}
        """
        if mode not in ("python", "json"):
            raise ValueError(f"mode must be 'python' or 'json', not {mode!r}")
        convert = _json_value if mode == "json" else _python_value
        return attrs.asdict(
            self,  # type: ignore[arg-type]
            recurse=True,
            filter=(lambda _, value: value is not None) if exclude_none else None,
            value_serializer=lambda _, __, value: convert(value),
        )

    def to_json(self, *, indent: int | None = 2, exclude_none: bool = False) -> str:
        """The model as a JSON string: ``to_dict(mode="json")``, serialised.

        Examples:
            >>> import json
            >>> from decimal import Decimal
            >>> from alliance_pay import Balance
            >>> text = Balance(balance=Decimal("0.10")).to_json(indent=None)
            >>> text
            '{"balance": "0.10"}'
            >>> Decimal(json.loads(text)["balance"])
            Decimal('0.10')
        """
        return json.dumps(
            self.to_dict(mode="json", exclude_none=exclude_none),
            indent=indent,
            ensure_ascii=False,
        )


def masked(name: str) -> Any:
    """An attrs ``repr=`` for a personal-data field: shown as the log lines show it."""

    def show(value: object) -> str:
        return "None" if value is None else repr(mask_field(name, str(value)))

    return show
