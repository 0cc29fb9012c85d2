"""``alliance-pay sandbox``: serve a local Alliance server, and drive a running one.

``alliance-pay sandbox`` alone serves; its subcommands talk to a running sandbox (the one at
``ALLIANCE_BASE_URL`` or ``--base-url``) through its unsigned control API, ``/_sandbox/``.
"""

from __future__ import annotations

import argparse
import json
import secrets
import signal
import threading
from collections.abc import Callable
from decimal import Decimal, InvalidOperation

from alliance_pay._optional import require_extra
from alliance_pay.cli import _output
from alliance_pay.cli._control_options import add_sandbox_url_option
from alliance_pay.cli._exit import CliError
from alliance_pay.cli._tree import CommandTree, Group

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
    require_extra("sandbox", feature="alliance-pay sandbox")
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
    # SIGTERM (and Ctrl-C) stop it cleanly from before the first line is printed: a script
    # that reads the URL and stops the sandbox at once gets exit 0, not a signal's death.
    restore = _sigterm_as_interrupt()
    try:
        _announce(args, base_url, access_key, secret_key)
        server = build_server(create_app(config), sock)
        server.run(sockets=[sock])
    except KeyboardInterrupt:
        pass
    finally:
        sock.close()
        restore()
    return 0


def _announce(args: argparse.Namespace, base_url: str, access_key: str, secret_key: str) -> None:
    # Printed (and flushed) before serving, so a script reading stdout gets it at once.
    if args.json:
        # One line, so `alliance-pay sandbox --json | head -1 | jq` works while it serves.
        keys = {"base_url": base_url, "access_key": access_key, "secret_key": secret_key}
        print(json.dumps(keys), flush=True)
        return
    print(f"Alliance sandbox listening on {base_url}", flush=True)
    print(
        f"export ALLIANCE_BASE_URL={base_url} "
        f"ALLIANCE_ACCESS_KEY={access_key} ALLIANCE_SECRET_KEY={secret_key}",
        flush=True,
    )
    webhooks = args.webhook_url or "none (pass --webhook-url, or run `webhooks listen`)"
    print(f"Webhooks: {webhooks}; state: {base_url}/_sandbox/state; Ctrl-C stops.", flush=True)


def _sigterm_as_interrupt() -> Callable[[], None]:
    """Make SIGTERM stop the server like Ctrl-C (clean exit 0); returns the undo."""
    if threading.current_thread() is not threading.main_thread():
        return lambda: None
    previous = signal.signal(signal.SIGTERM, signal.default_int_handler)

    def restore() -> None:
        signal.signal(signal.SIGTERM, previous)

    return restore


def _settle(args: argparse.Namespace) -> int:
    from alliance_pay.cli._control import SandboxControl

    spec: dict[str, object] = {"order_id": args.order_id, "outcome": args.outcome}
    if args.kind:
        spec["kind"] = args.kind
    with SandboxControl.from_args(args) as control:
        settled = control.post("orders/settle", spec)
    record = settled["record"]
    _output.show_record(
        args, settled if args.json else record, title=f"{settled['kind']} {args.order_id}"
    )
    return 0


def _fault(args: argparse.Namespace) -> int:
    from alliance_pay.cli._control import SandboxControl

    spec: dict[str, object] = {
        "endpoint": args.endpoint,
        "kind": args.kind,
        "times": None if args.always else args.times,
    }
    options = {
        "status_code": args.status_code,
        "latency": args.latency,
        "mode": args.mode,
        "style": args.style,
        "body": args.body,
    }
    spec.update({key: value for key, value in options.items() if value is not None})
    with SandboxControl.from_args(args) as control:
        rule = control.post("faults", spec)
    times = "every request" if rule["times"] is None else f"the next {rule['times']} request(s)"
    _output.show(args, rule, f"{rule['kind']} fault on {rule['endpoint']} for {times}")
    return 0


def _faults(args: argparse.Namespace) -> int:
    from alliance_pay.cli._control import SandboxControl

    with SandboxControl.from_args(args) as control:
        if args.clear:
            cleared = control.delete("faults")
            _output.show(args, cleared, f"cleared {cleared['cleared']} fault rule(s)")
            return 0
        rules = control.get("faults")["faults"]
    columns = ("endpoint", "kind", "times", "fired", "status_code", "latency", "mode")
    _output.show_rows(args, rules, columns, title="fault rules")
    return 0


def _ledger(args: argparse.Namespace) -> int:
    from alliance_pay.cli._control import SandboxControl

    with SandboxControl.from_args(args) as control:
        ledger = control.get("ledger")
    columns = ("at", "kind", "order_id", "amount", "balance_after")
    _output.show_rows(
        args, ledger["entries"], columns, title=f"balance ₹{ledger['balance']}", data=ledger
    )
    return 0


def _reset(args: argparse.Namespace) -> int:
    from alliance_pay.cli._control import SandboxControl

    with SandboxControl.from_args(args) as control:
        state = control.post("reset", {})
    _output.show(args, state, f"reset: balance ₹{state['balance']}, no orders, no faults")
    return 0


def _register_control(sandbox: Group) -> None:
    settle = sandbox.command(
        "settle",
        _settle,
        help="settle a payin or payout now: approve or reject it",
        description="Settle one pending order of the running sandbox now, whatever its "
        "delay: a payout is Approved, or Rejected and refunded; a payin is paid or failed "
        "(--initiate only starts it). Its webhooks fire as for a real one.",
    )
    settle.add_argument("order_id", metavar="ORDER_ID")
    outcome = settle.add_mutually_exclusive_group(required=True)
    outcome.add_argument("--approve", dest="outcome", action="store_const", const="approve")
    outcome.add_argument("--reject", dest="outcome", action="store_const", const="reject")
    outcome.add_argument(
        "--initiate",
        dest="outcome",
        action="store_const",
        const="initiate",
        help="payins: move to Initiated only (fires payin.initiated)",
    )
    kind = settle.add_mutually_exclusive_group()
    kind.add_argument("--payin", dest="kind", action="store_const", const="payin")
    kind.add_argument("--payout", dest="kind", action="store_const", const="payout")
    add_sandbox_url_option(settle)

    fault = sandbox.command(
        "fault",
        _fault,
        help="make an endpoint fail for the next N requests",
        description="Add a fault rule to the running sandbox. ENDPOINT is balance, "
        "payin.create_link, payin.status, payout.create, payout.status or * (all). Kinds: "
        "status (answer --status-code at once), latency (wait --latency seconds), malformed "
        "(an unreadable 200), commit_then_drop (do it, then lose the answer: --mode 502 or "
        "drop).",
    )
    fault.add_argument("endpoint", metavar="ENDPOINT")
    fault.add_argument(
        "--kind",
        default="status",
        choices=("status", "latency", "malformed", "commit_then_drop"),
        help="what goes wrong (default: status)",
    )
    times = fault.add_mutually_exclusive_group()
    times.add_argument(
        "--times", type=int, default=1, metavar="N", help="the next N requests (default 1)"
    )
    times.add_argument("--always", action="store_true", help="every request until cleared")
    fault.add_argument("--status-code", type=int, help="the status answered (default 502)")
    fault.add_argument("--latency", type=float, metavar="SECONDS", help="for --kind latency")
    fault.add_argument("--mode", choices=("502", "drop"), help="for --kind commit_then_drop")
    fault.add_argument(
        "--style", choices=("truncated", "html", "empty"), help="for --kind malformed"
    )
    fault.add_argument("--body", choices=("json", "html", "empty"), help="the error body")
    add_sandbox_url_option(fault)

    faults = sandbox.command(
        "faults", _faults, help="list the fault rules (--clear removes them all)"
    )
    faults.add_argument("--clear", action="store_true", help="remove every fault rule")
    add_sandbox_url_option(faults)

    ledger = sandbox.command("ledger", _ledger, help="show the wallet's balance and every movement")
    add_sandbox_url_option(ledger)

    reset = sandbox.command(
        "reset", _reset, help="back to a fresh sandbox: no orders, faults or deliveries"
    )
    add_sandbox_url_option(reset)


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
    _register_control(sandbox)
