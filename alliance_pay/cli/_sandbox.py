"""``alliance-pay sandbox``: serve a local Alliance server, and drive a running one.

``alliance-pay sandbox`` alone serves; its subcommands talk to a running sandbox (the one at
``ALLIANCE_BASE_URL`` or ``--base-url``) through its unsigned control API, ``/_sandbox/``.
"""

from __future__ import annotations

import argparse
import secrets
import signal
import threading
from collections.abc import Callable
from decimal import Decimal, InvalidOperation

from alliance_pay.cli import _output
from alliance_pay.cli._exit import CliError
from alliance_pay.cli._extras import require_sandbox
from alliance_pay.cli._tree import CommandTree

__all__ = ["register"]


def _amount(text: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise argparse.ArgumentTypeError(f"not an amount: {text!r}") from None
    if not value.is_finite() or value < 0:
        raise argparse.ArgumentTypeError(f"an amount must be 0 or more: {text!r}")
    return value


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not value >= 0:  # also refuses nan
        raise argparse.ArgumentTypeError(f"seconds must be 0 or more: {text!r}")
    return value


def _serve(args: argparse.Namespace) -> int:
    require_sandbox("the sandbox")
    from alliance_pay.sandbox import SandboxConfig, create_app
    from alliance_pay.sandbox._server import bind_socket, build_server, url_for_socket

    access_key = args.access_key or secrets.token_hex(12)
    secret_key = args.secret_key or secrets.token_hex(32)
    defaults = SandboxConfig()
    config = SandboxConfig(
        access_key=access_key,
        secret_key=secret_key,
        webhook_url=args.webhook_url,
        payout_delay=args.payout_delay,
        balance=defaults.balance if args.balance is None else args.balance,
        payout_charge=defaults.payout_charge if args.charge is None else args.charge,
    )
    try:
        sock = bind_socket(args.host, args.port)
    except OSError as exc:
        raise CliError(f"cannot listen on {args.host}:{args.port}: {exc}", 1) from None
    base_url = url_for_socket(sock)
    # Printed (and flushed) before serving, so a script reading stdout gets it at once.
    if args.json:
        _output.print_json(
            {"base_url": base_url, "access_key": access_key, "secret_key": secret_key}
        )
    else:
        print(f"Alliance sandbox listening on {base_url}", flush=True)
        print(
            f"export ALLIANCE_BASE_URL={base_url} "
            f"ALLIANCE_ACCESS_KEY={access_key} ALLIANCE_SECRET_KEY={secret_key}",
            flush=True,
        )
        webhooks = args.webhook_url or "none (pass --webhook-url, or run `webhooks listen`)"
        print(f"Webhooks: {webhooks}; state: {base_url}/_sandbox/state; Ctrl-C stops.", flush=True)
    server = build_server(create_app(config), sock)
    restore = _sigterm_as_interrupt()
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:
        pass
    finally:
        sock.close()
        restore()
    return 0


def _sigterm_as_interrupt() -> Callable[[], None]:
    """Make SIGTERM stop the server like Ctrl-C (clean exit 0); returns the undo."""
    if threading.current_thread() is not threading.main_thread():
        return lambda: None
    previous = signal.signal(signal.SIGTERM, signal.default_int_handler)

    def restore() -> None:
        signal.signal(signal.SIGTERM, previous)

    return restore


def register(tree: CommandTree) -> None:
    """Add ``sandbox`` (serve) and its control subcommands."""
    sandbox = tree.group(
        "sandbox",
        help="serve a local Alliance server with fake money, or drive a running one",
        description="Without a subcommand: serve a local Alliance server (the five API "
        "endpoints, a hosted payment page, webhooks and fault injection) and print its URL, "
        "keys and an export line. The subcommands drive a running sandbox, the one at "
        "ALLIANCE_BASE_URL or --base-url.",
        handler=_serve,
    )
    serve = sandbox.parser
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on")
    serve.add_argument("--port", type=int, default=8000, help="port; 0 picks a free one")
    serve.add_argument("--access-key", help="Access-Key to accept (default: random)")
    # A throw-away test key for a local sandbox, so it may come from argv.
    serve.add_argument("--secret-key", help="secret key to sign with (default: random)")
    serve.add_argument("--webhook-url", help="where to POST webhook events")
    serve.add_argument(
        "--payout-delay",
        type=_seconds,
        default=2.0,
        metavar="SECONDS",
        help="how long a payout stays Pending (default: 2)",
    )
    serve.add_argument(
        "--balance", type=_amount, metavar="AMOUNT", help="starting balance (default: 100000.00)"
    )
    serve.add_argument(
        "--charge", type=_amount, metavar="AMOUNT", help="flat charge per payout (default: 5.90)"
    )
