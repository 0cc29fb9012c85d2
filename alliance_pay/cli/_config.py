"""Where a command's keys and URL come from, and the SDK client built from them.

Flags win over the environment: ``--base-url`` over ``ALLIANCE_BASE_URL``, ``--access-key``
over ``ALLIANCE_ACCESS_KEY``. The secret key never comes from argv (it would show in ``ps``
and the shell history): ``--secret-key-file``, else ``ALLIANCE_SECRET_KEY``, else a hidden
prompt when stdin is a terminal.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import TYPE_CHECKING

from alliance_pay.cli._exit import USAGE, CliError

if TYPE_CHECKING:
    from alliance_pay import AllianceClient

__all__ = ["access_key", "base_url", "client", "secret_key", "secret_source"]

ENV_ACCESS_KEY = "ALLIANCE_ACCESS_KEY"
ENV_SECRET_KEY = "ALLIANCE_SECRET_KEY"  # noqa: S105 - a variable's name
ENV_BASE_URL = "ALLIANCE_BASE_URL"


def base_url(args: argparse.Namespace) -> str:
    """``--base-url``, else ``ALLIANCE_BASE_URL``.

    Raises:
        CliError: neither is set (exit 2).
    """
    url = getattr(args, "base_url", None) or os.environ.get(ENV_BASE_URL, "").strip()
    if not url:
        raise CliError(
            f"no API URL: set {ENV_BASE_URL} or pass --base-url "
            "(for a local sandbox, `alliance-pay sandbox` prints the export line)",
            USAGE,
        )
    return url


def access_key(args: argparse.Namespace) -> str:
    """``--access-key``, else ``ALLIANCE_ACCESS_KEY``.

    Raises:
        CliError: neither is set (exit 2).
    """
    key = getattr(args, "access_key", None) or os.environ.get(ENV_ACCESS_KEY, "").strip()
    if not key:
        raise CliError(f"no access key: set {ENV_ACCESS_KEY} or pass --access-key", USAGE)
    return key


def _strip_line_end(text: str) -> str:
    # A file written with `echo` ends in a newline that is not part of the key; a newline in
    # the key is the classic cause of every signature being wrong.
    return text.removesuffix("\n").removesuffix("\r")


def secret_key(args: argparse.Namespace) -> str:
    """The secret key: ``--secret-key-file``, else ``ALLIANCE_SECRET_KEY``, else a prompt.

    The file's one trailing line end is dropped (``echo KEY > file`` adds it).

    Raises:
        CliError: none of the three gave a key (exit 2).
    """
    path = getattr(args, "secret_key_file", None)
    if path:
        try:
            with open(path, encoding="utf-8") as file:
                key = _strip_line_end(file.read())
        except OSError as exc:
            raise CliError(f"cannot read --secret-key-file {path}: {exc.strerror}", USAGE) from None
        if not key:
            raise CliError(f"--secret-key-file {path} is empty", USAGE)
        return key
    key = os.environ.get(ENV_SECRET_KEY, "")
    if key:
        if key != key.strip():
            # Signed as is, as the SDK does; but it is almost always a copy-paste accident.
            print(
                f"warning: {ENV_SECRET_KEY} starts or ends with whitespace (a newline?); it is "
                "used as is, and every signature will be wrong if the real key has none",
                file=sys.stderr,
            )
        return key
    if sys.stdin.isatty():
        import getpass

        key = _strip_line_end(getpass.getpass("Alliance secret key (hidden): "))
        if key:
            return key
    raise CliError(
        f"no secret key: set {ENV_SECRET_KEY}, pass --secret-key-file PATH, or run in a "
        "terminal to be prompted (it is never read from the command line)",
        USAGE,
    )


def secret_source(args: argparse.Namespace) -> str:
    """Where ``secret_key`` would read the secret from, without reading it."""
    if getattr(args, "secret_key_file", None):
        return f"--secret-key-file {args.secret_key_file}"
    if os.environ.get(ENV_SECRET_KEY):
        return ENV_SECRET_KEY
    return "a hidden prompt" if sys.stdin.isatty() else "nowhere (not set)"


def client(args: argparse.Namespace) -> AllianceClient:
    """A sync SDK client configured from the flags and the environment; close it after use."""
    url, access = base_url(args), access_key(args)
    secret = secret_key(args)
    from alliance_pay import AllianceClient

    timeout = getattr(args, "request_timeout", None)
    if timeout is None:
        return AllianceClient(access_key=access, secret_key=secret, base_url=url)
    return AllianceClient(access_key=access, secret_key=secret, base_url=url, timeout=timeout)
