"""The ``alliance-pay`` command: ``alliance-pay sandbox`` serves a local Alliance server.

Examples:
    $ alliance-pay sandbox --port 8000 --payout-delay 5
    $ alliance-pay demo
"""

from __future__ import annotations

import argparse
import importlib
import secrets
import signal
import sys
import threading
from collections.abc import Callable
from decimal import Decimal, InvalidOperation

__all__ = ["main"]

_EXTRA_HINT = "The sandbox needs its extra: pip install 'alliance-pay[sandbox]'"


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


def _run_sandbox(args: argparse.Namespace) -> int:
    try:
        import uvicorn  # noqa: F401 - fail here, before binding, when the extra is missing

        from alliance_pay.sandbox import SandboxConfig, create_app
        from alliance_pay.sandbox._server import bind_socket, build_server, url_for_socket
    except ModuleNotFoundError as exc:
        if exc.name not in ("starlette", "uvicorn"):
            raise
        print(_EXTRA_HINT, file=sys.stderr)
        return 2

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
        print(f"cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 1
    base_url = url_for_socket(sock)
    # Printed (and flushed) before serving, so a script reading stdout gets it at once.
    print(f"Alliance sandbox listening on {base_url}", flush=True)
    print(
        f"export ALLIANCE_BASE_URL={base_url} "
        f"ALLIANCE_ACCESS_KEY={access_key} ALLIANCE_SECRET_KEY={secret_key}",
        flush=True,
    )
    webhooks = args.webhook_url or "none (pass --webhook-url)"
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


def _run_demo(args: argparse.Namespace) -> int:
    try:
        # By name, so this module does not depend on the demo at import or type-check time.
        demo = importlib.import_module("alliance_pay._demo")
    except ModuleNotFoundError as exc:
        if exc.name != "alliance_pay._demo":
            raise
        print("The demo is not available in this install of alliance-pay.", file=sys.stderr)
        return 2
    return int(demo.run_demo())


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="alliance-pay", description="Tools for the Alliance Payin & Payout API."
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    sandbox = commands.add_parser(
        "sandbox",
        help="serve a local Alliance server with fake money",
        description="Serve a local Alliance server: the five API endpoints, a hosted payment "
        "page, webhooks and fault injection. Prints the base URL and the credentials to use.",
    )
    sandbox.add_argument("--host", default="127.0.0.1", help="address to listen on")
    sandbox.add_argument("--port", type=int, default=8000, help="port; 0 picks a free one")
    sandbox.add_argument("--access-key", help="Access-Key to accept (default: random)")
    sandbox.add_argument("--secret-key", help="secret key to sign with (default: random)")
    sandbox.add_argument("--webhook-url", help="where to POST webhook events")
    sandbox.add_argument(
        "--payout-delay",
        type=_seconds,
        default=2.0,
        metavar="SECONDS",
        help="how long a payout stays Pending (default: 2)",
    )
    sandbox.add_argument(
        "--balance", type=_amount, metavar="AMOUNT", help="starting balance (default: 100000.00)"
    )
    sandbox.add_argument(
        "--charge", type=_amount, metavar="AMOUNT", help="flat charge per payout (default: 5.90)"
    )
    sandbox.set_defaults(handler=_run_sandbox)

    demo = commands.add_parser("demo", help="run the end-to-end demo against a sandbox")
    demo.set_defaults(handler=_run_demo)

    # `payouts bulk` lives in alliance_pay.bulk._command; only its flags are added here.
    from alliance_pay.bulk._command import add_bulk_arguments, run_bulk

    payouts = commands.add_parser("payouts", help="payout commands")
    payout_commands = payouts.add_subparsers(dest="payouts_command", metavar="COMMAND")
    bulk = payout_commands.add_parser(
        "bulk",
        help="pay a CSV or JSON Lines file of payouts, exactly once, resumably",
        description="Validate every row, then pay each valid row exactly once. Rerun the same "
        "command to resume after any interruption. See docs/bulk.md.",
    )
    add_bulk_arguments(bulk)
    bulk.set_defaults(handler=run_bulk)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the ``alliance-pay`` command line; returns the exit code.

    Examples:
        >>> main(["sandbox", "--help"])  # doctest: +SKIP
    """
    parser = _parser()
    args = parser.parse_args(argv)
    handler: Callable[[argparse.Namespace], int] | None = getattr(args, "handler", None)
    if handler is None:
        parser.print_help(sys.stderr)
        return 2
    return handler(args)


if __name__ == "__main__":
    raise SystemExit(main())
