"""``alliance-pay balance``: the wallet."""

from __future__ import annotations

import argparse

from alliance_pay.cli import _config, _output
from alliance_pay.cli._tree import CommandTree

__all__ = ["register"]


def _balance(args: argparse.Namespace) -> int:
    with _config.client(args) as client:
        balance = client.balance.retrieve()
    _output.show(args, balance, f"₹{balance.balance:,.2f}")
    return 0


def register(tree: CommandTree) -> None:
    """Add ``balance``."""
    tree.command(
        "balance",
        _balance,
        help="show the wallet's balance",
        description="Show the wallet's available balance (GET api/v1/balance).",
        api=True,
    )
