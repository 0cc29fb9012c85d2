"""``main()``: parse, run one handler, turn what went wrong into a message and an exit code."""

from __future__ import annotations

import argparse
import sys

from alliance_pay._optional import MissingExtraError
from alliance_pay.cli._exit import USAGE, CliError, classify
from alliance_pay.cli._tree import Handler, build_parser

__all__ = ["main", "versions"]


def versions() -> str:
    """The SDK, Python and httpx versions, as ``--version`` prints them.

    Read from the installed metadata, so printing them imports nothing heavy.

    Examples:
        >>> versions().startswith("alliance-pay ")
        True
    """
    from importlib.metadata import PackageNotFoundError, version

    from alliance_pay._version import __version__

    try:
        httpx_version = version("httpx")
    except PackageNotFoundError:  # pragma: no cover - httpx is a dependency
        httpx_version = "not installed"
    python = sys.version.split()[0]
    return f"alliance-pay {__version__}\nPython {python}\nhttpx {httpx_version}"


def main(argv: list[str] | None = None) -> int:
    """Run the ``alliance-pay`` command line; returns the exit code.

    Examples:
        >>> main(["--version"])  # doctest: +ELLIPSIS
        alliance-pay ...
        0
    """
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse: --help (0) or a usage error (2)
        return exc.code if isinstance(exc.code, int) else USAGE
    if args.version:
        print(versions())
        return 0
    handler: Handler | None = getattr(args, "handler", None)
    if handler is None:
        shown: argparse.ArgumentParser = getattr(args, "group_parser", None) or parser
        shown.print_help(sys.stderr)
        return USAGE
    try:
        return handler(args)
    except CliError as error:
        print(f"error: {error.message}", file=sys.stderr)
        return error.code
    except MissingExtraError as error:
        print(error, file=sys.stderr)  # one line with the fix: a traceback would bury it
        return USAGE
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as error:
        known = classify(error)
        if known is None:
            raise
        code, text = known
        print(text, file=sys.stderr)
        return code
    finally:
        sys.stdout.flush()
