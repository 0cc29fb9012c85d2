"""``alliance-pay payouts``: send money to a bank account, follow it to a final state."""

from __future__ import annotations

import argparse
import json
import sys
from decimal import Decimal
from typing import Any

from alliance_pay.cli import _config, _output
from alliance_pay.cli._exit import USAGE, CliError
from alliance_pay.cli._tree import CommandTree

__all__ = ["PAYOUT_FIELDS", "read_data", "register"]

#: The payout fields, in the order of the create call; each is a ``--flag`` too.
PAYOUT_FIELDS: tuple[tuple[str, str], ...] = (
    ("order_id", "your unique id for this payout (the idempotency key)"),
    ("user_id", "your merchant user id"),
    ("amount", "INR, at most two decimals: 1500.00"),
    ("beneficiary_name", "the account holder's name"),
    ("beneficiary_email", "the beneficiary's email"),
    ("beneficiary_mobile_no", "a 10-digit Indian mobile number"),
    ("beneficiary_address", "the beneficiary's address"),
    ("beneficiary_acc_no", "the bank account number"),
    ("bank_name", "the bank's name"),
    ("ifsc", "the branch's IFSC code: SBIN0060589"),
    ("payment_method", "IMPS (default), NEFT or RTGS"),
    ("remarks", "an optional note"),
)
_REQUIRED = frozenset(name for name, _ in PAYOUT_FIELDS) - {"payment_method", "remarks"}


def read_data(source: str) -> dict[str, Any]:
    """A JSON object from ``--data``: ``@path``, ``-`` (stdin) or the JSON text itself.

    Numbers are read as ``Decimal``, so an amount is never a binary float.

    Raises:
        CliError: unreadable, not JSON, or not an object (exit 2).

    Examples:
        >>> read_data('{"amount": 10.50}')
        {'amount': Decimal('10.50')}
    """
    if source == "-":
        text, origin = sys.stdin.read(), "stdin"
    elif source.startswith("@"):
        origin = source[1:]
        try:
            with open(origin, encoding="utf-8") as file:
                text = file.read()
        except OSError as exc:
            raise CliError(f"cannot read --data {source}: {exc.strerror}", USAGE) from None
    else:
        text, origin = source, "--data"
    try:
        data = json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError as exc:
        raise CliError(f"{origin} is not JSON: {exc}", USAGE) from None
    if not isinstance(data, dict):
        raise CliError(f"{origin} must hold a JSON object of payout fields", USAGE)
    return data


def _fields(args: argparse.Namespace) -> dict[str, Any]:
    fields = read_data(args.data) if args.data else {}
    known = {name for name, _ in PAYOUT_FIELDS}
    unknown = sorted(set(fields) - known)
    if unknown:
        raise CliError(
            f"unknown payout field(s) in --data: {', '.join(unknown)} "
            f"(known: {', '.join(sorted(known))})",
            USAGE,
        )
    for name in known:
        value = getattr(args, name)
        if value is not None:
            fields[name] = value  # a flag wins over the file
    missing = sorted(_REQUIRED - set(fields))
    if missing:
        flags = ", ".join("--" + name.replace("_", "-") for name in missing)
        raise CliError(f"missing payout field(s): {flags} (or put them in --data)", USAGE)
    return fields


def _create(args: argparse.Namespace) -> int:
    fields = _fields(args)
    with _config.client(args) as client:
        payout = client.payouts.create(**fields)
    _output.show_record(args, payout, title=f"payout {payout.order_id}")
    return 0


def _status(args: argparse.Namespace) -> int:
    with _config.client(args) as client:
        payout = client.payouts.retrieve(args.order_id)
    _output.show_record(args, payout, title=f"payout {payout.order_id}")
    return 0


def _wait(args: argparse.Namespace) -> int:
    with _config.client(args) as client:
        if not args.json:
            _output.note(f"waiting up to {args.wait_timeout:g} s for payout {args.order_id}...")
        payout = client.payouts.wait(
            args.order_id, timeout=args.wait_timeout, poll_interval=args.poll_interval
        )
    _output.show_record(args, payout, title=f"payout {payout.order_id}")
    return 0


def register(tree: CommandTree) -> None:
    """Add ``payouts create``, ``payouts status`` and ``payouts wait``."""
    payouts = tree.group("payouts", help="send money to bank accounts")
    create = payouts.command(
        "create",
        _create,
        help="send money to a bank account",
        description="Send money to a bank account (POST api/v1/payout/initiate). Give the "
        "fields as flags, or as a JSON object with --data @file.json, --data - (stdin) or "
        "--data '{...}'; a flag wins over the same field in --data. The payout is made at "
        "most once per order id: re-running the command with the same --order-id is safe. "
        "If the outcome cannot be learned, it says so and exits 5.",
        api=True,
    )
    create.add_argument("--data", metavar="@FILE|-|JSON", help="the payout fields as a JSON object")
    for name, help_text in PAYOUT_FIELDS:
        create.add_argument("--" + name.replace("_", "-"), dest=name, help=help_text)

    status = payouts.command(
        "status",
        _status,
        help="show a payout's status",
        description="Show a payout's current state (GET api/v1/payout/ORDER_ID/status).",
        api=True,
    )
    status.add_argument("order_id", metavar="ORDER_ID")

    wait = payouts.command(
        "wait",
        _wait,
        help="wait until a payout is Approved or Rejected",
        description="Poll a payout until it is Approved or Rejected, then show it. Exits 0 "
        "with either final status (check .status with --json); exits 4 when --timeout runs out.",
        api=True,
    )
    wait.add_argument("order_id", metavar="ORDER_ID")
    wait.add_argument(
        "--timeout",
        dest="wait_timeout",
        type=float,
        default=300.0,
        metavar="SECONDS",
        help="give up after this long (default 300)",
    )
    wait.add_argument(
        "--poll-interval", type=float, default=1.0, metavar="SECONDS", help="first poll interval"
    )
