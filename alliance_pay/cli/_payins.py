"""``alliance-pay payins``: payin links and their status."""

from __future__ import annotations

import argparse

from alliance_pay.cli import _config, _output
from alliance_pay.cli._tree import CommandTree

__all__ = ["register"]


def _create_link(args: argparse.Namespace) -> int:
    with _config.client(args) as client:
        link = client.payins.create_link(
            order_id=args.order_id,
            user_id=args.user_id,
            amount=args.amount,
            redirect_url=args.redirect_url,
        )
    _output.show(args, link, link.pay_url)
    return 0


def _status(args: argparse.Namespace) -> int:
    with _config.client(args) as client:
        payin = client.payins.retrieve(args.order_id)
    _output.show_record(args, payin, title=f"payin {payin.order_id}")
    return 0


def register(tree: CommandTree) -> None:
    """Add ``payins create-link`` and ``payins status``."""
    payins = tree.group("payins", help="collect money from customers through UPI links")
    create = payins.command(
        "create-link",
        _create_link,
        help="create a payment link and print its pay_url",
        description="Create a UPI payment link (POST api/v1/payin/generate/link) and print the "
        "pay_url to send the customer to. Re-running with the same --order-id never creates "
        "a second payin.",
        api=True,
    )
    create.add_argument("--order-id", required=True, help="your unique id for this payin")
    create.add_argument("--user-id", required=True, help="your id for the paying customer")
    create.add_argument("--amount", required=True, help="INR, at most two decimals: 499.00")
    create.add_argument("--redirect-url", required=True, help="where the customer returns")
    status = payins.command(
        "status",
        _status,
        help="show a payin's status",
        description="Show a payin's current state (POST api/v1/payin/transactions).",
        api=True,
    )
    status.add_argument("order_id", metavar="ORDER_ID")
