"""``alliance-pay demo``: the whole product against a local sandbox, narrated."""

from __future__ import annotations

import argparse
import importlib

from alliance_pay._optional import require_extra
from alliance_pay.cli import _output
from alliance_pay.cli._exit import USAGE, CliError
from alliance_pay.cli._tree import CommandTree

__all__ = ["register"]


def _demo(args: argparse.Namespace) -> int:
    require_extra("sandbox", feature="alliance-pay demo")
    try:
        # By name: the demo (and the sandbox it serves) load only when it runs.
        demo = importlib.import_module("alliance_pay._demo")
    except ModuleNotFoundError as exc:
        if exc.name != "alliance_pay._demo":
            raise
        raise CliError("the demo is not available in this install of alliance-pay", USAGE) from None
    if not args.json:
        return int(demo.run_demo())
    lines: list[str] = []
    code = int(demo.run_demo(lines.append))
    _output.print_json({"ok": code == 0, "narration": [line.strip() for line in lines if line]})
    return code


def register(tree: CommandTree) -> None:
    """Add ``demo``."""
    tree.command(
        "demo",
        _demo,
        help="run the end-to-end demo against a local sandbox",
        description="Serve a sandbox and a webhook receiver on free loopback ports, then walk "
        "a merchant's day: the balance, a payin paid, a payout that succeeds and one that "
        "bounces, and their webhooks. Exits 0 only if every step ends as documented.",
    )
