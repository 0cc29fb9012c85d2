"""Optional extras: a missing one is a one-line error naming the ``pip install`` that fixes it.

Each extra of the distribution is listed in ``EXTRAS`` with the top-level modules it brings.
Code that needs one either checks up front with
[`require_extra`][alliance_pay._optional.require_extra] (before binding a port, before any
output), or wraps its imports in
[`extra_imports`][alliance_pay._optional.extra_imports], which turns a ``ModuleNotFoundError``
for one of the extra's modules into a
[`MissingExtraError`][alliance_pay.MissingExtraError], and lets any other import error through.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Final

from ._exceptions import AllianceError

__all__ = ["EXTRAS", "MissingExtraError", "extra_imports", "install_hint", "require_extra"]

DISTRIBUTION: Final = "alliance-pay"

EXTRAS: Final[Mapping[str, tuple[str, ...]]] = {
    "sandbox": ("starlette", "uvicorn"),
    "httpx2": ("httpx2",),
    "postgres": ("psycopg",),
    # Tables drawn with rich on a terminal; without it the CLI prints aligned plain text.
    "cli": ("rich",),
}
"""Each optional extra and the top-level modules it installs."""


def install_hint(extra: str) -> str:
    """The command that installs ``extra``, quoted for any shell.

    Examples:
        >>> install_hint("sandbox")
        "pip install 'alliance-pay[sandbox]'"
    """
    return f"pip install '{DISTRIBUTION}[{extra}]'"


class MissingExtraError(AllianceError, ImportError):
    """A feature needs an optional extra that is not installed.

    Its message is one line that names the feature, what is missing and the command that
    installs it; the command line prints just that line. It is an ``ImportError`` too, so
    ``except ImportError`` around an optional feature keeps working.

    Attributes:
        extra: the extra's name (``"sandbox"``).
        feature: what needed it (``"alliance-pay demo"``).
        missing: the module that could not be imported.
        hint: the command that installs the extra.

    Examples:
        >>> from alliance_pay import MissingExtraError
        >>> print(MissingExtraError("sandbox", feature="alliance-pay demo", missing="starlette"))
        alliance-pay demo needs the 'sandbox' extra (starlette is not installed): pip install 'alliance-pay[sandbox]'
    """  # noqa: E501 - a doctest shows the line as printed

    def __init__(self, extra: str, *, feature: str, missing: str) -> None:
        self.extra: str = extra
        self.feature: str = feature
        self.missing: str = missing
        self.hint: str = install_hint(extra)
        super().__init__(
            f"{feature} needs the {extra!r} extra ({missing} is not installed): {self.hint}",
            name=missing,
        )


def _missing_module(extra: str) -> str | None:
    for module in EXTRAS[extra]:
        try:
            found = importlib.util.find_spec(module)
        except ValueError:  # imported already, without a spec: it is there
            continue
        if found is None:
            return module
    return None


def require_extra(extra: str, *, feature: str) -> None:
    """Raise [`MissingExtraError`][alliance_pay.MissingExtraError] unless ``extra`` is installed.

    It imports nothing: it only looks for the extra's modules.

    Args:
        extra: a key of ``EXTRAS``.
        feature: what needs it, as the user would name it (``"alliance-pay sandbox"``).

    Examples:
        >>> require_extra("postgres", feature="the PostgreSQL store")  # doctest: +SKIP
        Traceback (most recent call last):
        alliance_pay.MissingExtraError: the PostgreSQL store needs the 'postgres' extra ...
    """
    missing = _missing_module(extra)
    if missing is not None:
        raise MissingExtraError(extra, feature=feature, missing=missing)


@contextmanager
def extra_imports(extra: str, *, feature: str) -> Iterator[None]:
    """Turn a missing module of ``extra``, imported inside the block, into a one-line error.

    Only a ``ModuleNotFoundError`` for one of the extra's own modules becomes a
    [`MissingExtraError`][alliance_pay.MissingExtraError] (raised ``from None``: the import
    machinery's traceback says nothing the message does not); any other error goes through.

    Examples:
        >>> with extra_imports("sandbox", feature="the sandbox"):  # doctest: +SKIP
        ...     from alliance_pay.sandbox import create_app
    """
    modules = EXTRAS[extra]
    try:
        yield
    except ModuleNotFoundError as exc:
        top = (exc.name or "").partition(".")[0]
        if top not in modules:
            raise
        raise MissingExtraError(extra, feature=feature, missing=top) from None
