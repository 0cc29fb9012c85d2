"""How commands are declared: a tree of argparse parsers that modules add to.

Each module in [`MODULES`][alliance_pay.cli._tree.MODULES] has a ``register(tree)`` function.
A handler is ``handler(args) -> int``; it is stored on the parsed namespace as ``handler``.
See the package docstring for a worked example.
"""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Callable
from typing import Protocol

from alliance_pay._callables import check_sync_api_callable

__all__ = ["MODULES", "CommandTree", "Group", "Handler", "build_parser"]

Handler = Callable[[argparse.Namespace], int]

# An async def handler would return a coroutine that never runs, and the command would "succeed".
_HANDLER_FIX = "Make it a plain def that runs its coroutine itself, with anyio.run(...)."


def _check_handler(handler: object, command: str) -> None:
    check_sync_api_callable(
        handler, what=f"the handler of {command!r}", api="the CLI", fix=_HANDLER_FIX
    )


#: The modules that add commands, in the order ``--help`` lists them.
MODULES: tuple[str, ...] = (
    "alliance_pay.cli._balance",
    "alliance_pay.cli._payins",
    "alliance_pay.cli._payouts",
    "alliance_pay.cli._bulk",
    "alliance_pay.cli._sign",
    "alliance_pay.cli._show_config",
    "alliance_pay.cli._sandbox",
    "alliance_pay.cli._webhooks",
    "alliance_pay.cli._webhook_store",
    "alliance_pay.cli._demo",
    "alliance_pay.cli._completion",
)


class _Registers(Protocol):
    def register(self, tree: CommandTree) -> None: ...


class _RefuseSecretKey(argparse.Action):
    """``--secret-key`` on an API command: refused, saying why and what to do instead."""

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: object,
        option_string: str | None = None,
    ) -> None:
        parser.error(
            "--secret-key is not accepted: a secret on the command line shows in `ps` and in "
            "your shell history. Set ALLIANCE_SECRET_KEY, pass --secret-key-file PATH, or run "
            "in a terminal to be prompted for it."
        )


def _add_common(parser: argparse.ArgumentParser, *, api: bool) -> None:
    parser.add_argument(
        "--json",
        action="store_true",
        help="print the result as JSON on stdout (stable, for scripts and jq)",
    )
    if not api:
        return
    connection = parser.add_argument_group("connection (defaults from ALLIANCE_* variables)")
    connection.add_argument("--base-url", help="the API URL (ALLIANCE_BASE_URL)")
    connection.add_argument("--access-key", help="the access key (ALLIANCE_ACCESS_KEY)")
    connection.add_argument(
        "--secret-key-file",
        metavar="PATH",
        help="read the secret key from this file (else ALLIANCE_SECRET_KEY, else a prompt)",
    )
    connection.add_argument(
        "--request-timeout",
        type=float,
        metavar="SECONDS",
        help="seconds per HTTP request (default 30)",
    )
    connection.add_argument(
        "--secret-key", nargs="?", action=_RefuseSecretKey, help=argparse.SUPPRESS
    )


def _described(help: str, description: str | None) -> str:
    return description or help[:1].upper() + help[1:] + "."


def _add_leaf(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    name: str,
    handler: Handler,
    *,
    help: str,
    description: str | None,
    api: bool,
) -> argparse.ArgumentParser:
    parser = commands.add_parser(name, help=help, description=_described(help, description))
    _add_common(parser, api=api)
    parser.set_defaults(handler=handler)
    return parser


class Group:
    """A command group (``payouts``): its own parser and subcommands.

    Attributes:
        parser: the group's parser, for options of the group itself.
    """

    def __init__(self, name: str, parser: argparse.ArgumentParser) -> None:
        self.name = name
        self.parser = parser
        self._commands = parser.add_subparsers(
            dest=f"{name}_command", metavar="SUBCOMMAND", title="subcommands"
        )
        self._names: set[str] = set()

    def command(
        self,
        name: str,
        handler: Handler,
        *,
        help: str,
        description: str | None = None,
        api: bool = False,
    ) -> argparse.ArgumentParser:
        """Add ``alliance-pay GROUP NAME``; returns its parser for its arguments.

        Raises:
            ValueError: a subcommand of that name exists already.
        """
        if name in self._names:
            raise ValueError(f"{self.name} {name} is declared twice")
        _check_handler(handler, f"{self.name} {name}")
        self._names.add(name)
        return _add_leaf(self._commands, name, handler, help=help, description=description, api=api)


class CommandTree:
    """The top of the tree: top-level commands and groups, from any module.

    Examples:
        >>> parser = build_parser()
        >>> parser.parse_args(["payouts", "status", "ORD-1"]).order_id
        'ORD-1'
    """

    def __init__(self, parser: argparse.ArgumentParser) -> None:
        self.parser = parser
        self._commands = parser.add_subparsers(dest="command", metavar="COMMAND")
        self._groups: dict[str, Group] = {}
        self._leaves: set[str] = set()

    def group(
        self,
        name: str,
        *,
        help: str,
        description: str | None = None,
        handler: Handler | None = None,
        api: bool = False,
    ) -> Group:
        """The group called ``name``, created on first use.

        ``handler`` (and ``api``) make the group a command of its own when no subcommand is
        given (``alliance-pay sandbox`` serves); without one it prints its help and exits 2.
        """
        existing = self._groups.get(name)
        if existing is not None:
            return existing
        if name in self._leaves:
            raise ValueError(f"{name} is a command, not a group")
        if handler is not None:
            _check_handler(handler, name)
        parser = self._commands.add_parser(
            name, help=help, description=_described(help, description)
        )
        if handler is not None:
            _add_common(parser, api=api)
        parser.set_defaults(handler=handler, group_parser=parser)
        group = self._groups[name] = Group(name, parser)
        return group

    def command(
        self,
        name: str,
        handler: Handler,
        *,
        help: str,
        description: str | None = None,
        api: bool = False,
    ) -> argparse.ArgumentParser:
        """Add a top-level command without subcommands (``alliance-pay balance``)."""
        if name in self._leaves or name in self._groups:
            raise ValueError(f"{name} is declared twice")
        _check_handler(handler, name)
        self._leaves.add(name)
        return _add_leaf(self._commands, name, handler, help=help, description=description, api=api)


def build_parser(modules: tuple[str, ...] = MODULES) -> argparse.ArgumentParser:
    """The whole ``alliance-pay`` parser, with every module's commands."""
    parser = argparse.ArgumentParser(
        prog="alliance-pay",
        description="The Alliance Payin & Payout API from your shell: resources, a signature "
        "debugger, a local sandbox and webhooks on localhost. Keys come from ALLIANCE_ACCESS_KEY, "
        "ALLIANCE_SECRET_KEY and ALLIANCE_BASE_URL.",
        epilog="Exit codes: 0 ok, 1 the API refused (4xx), 2 usage, 3 authentication, "
        "4 network or timeout, 5 outcome unknown. Docs: docs/cli.md.",
    )
    parser.add_argument(
        "--version", action="store_true", help="print the SDK, Python and httpx versions"
    )
    tree = CommandTree(parser)
    for name in modules:
        module: _Registers = importlib.import_module(name)
        module.register(tree)
    return parser
