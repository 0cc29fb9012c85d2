"""Small shared types: the "use the client default" sentinel and the timeout type."""

from __future__ import annotations

import enum
from typing import Final, Literal, TypeVar, Union

import httpx

__all__ = ["NOT_GIVEN", "NotGiven", "NotGivenOr", "TimeoutTypes"]

_T = TypeVar("_T")


class NotGiven(enum.Enum):
    """The type of [`NOT_GIVEN`][alliance_pay.NOT_GIVEN]: "keep the client's default".

    A sentinel of its own, because ``None`` cannot say that.

    Examples:
        >>> from alliance_pay import NOT_GIVEN
        >>> bool(NOT_GIVEN)
        False
    """

    NOT_GIVEN = "NOT_GIVEN"

    def __bool__(self) -> Literal[False]:
        return False

    def __repr__(self) -> str:
        return "NOT_GIVEN"


NOT_GIVEN: Final = NotGiven.NOT_GIVEN

NotGivenOr = Union[_T, NotGiven]  # noqa: UP007 (a runtime alias must work on 3.10)

#: A timeout in seconds, or an ``httpx.Timeout`` for per-phase limits.
TimeoutTypes = Union[float, httpx.Timeout]  # noqa: UP007
