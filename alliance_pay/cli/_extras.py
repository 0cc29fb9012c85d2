"""Optional extras a command needs, refused with a one-line install hint when missing."""

from __future__ import annotations

import importlib.util

from alliance_pay.cli._exit import USAGE, CliError

__all__ = ["require_sandbox"]


def require_sandbox(what: str) -> None:
    """Fail with the install line unless Starlette and uvicorn can be imported.

    Raises:
        CliError: one of them is missing (exit 2).
    """
    for module in ("starlette", "uvicorn"):
        if importlib.util.find_spec(module) is None:
            raise CliError(
                f"{what} needs the sandbox extra ({module} is missing): "
                "pip install 'alliance-pay[sandbox]'",
                USAGE,
            )
