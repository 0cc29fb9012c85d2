"""``alliance-pay webhooks``: a running sandbox's webhooks, forwarded to your receiver.

``listen --forward-to URL`` points the sandbox's webhooks at ``URL`` and prints each delivery
attempt as it ends; ``trigger EVENT`` makes the sandbox fire one event through the path a
real one takes (a signed API call creates the order, the control API settles it).
"""

from __future__ import annotations

import argparse
import signal
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from alliance_pay.cli import _config, _output
from alliance_pay.cli._control_options import add_sandbox_url_option
from alliance_pay.cli._exit import NETWORK, USAGE, CliError
from alliance_pay.cli._tree import CommandTree

if TYPE_CHECKING:
    from alliance_pay.cli._control import SandboxControl

__all__ = ["EVENTS", "register"]

#: What ``trigger`` can fire: event -> (kind of order, how the control API settles it).
EVENTS: Mapping[str, tuple[str, str]] = {
    "payin.initiated": ("payin", "initiate"),
    "payin.succeeded": ("payin", "approve"),
    "payin.failed": ("payin", "reject"),
    "payout.succeeded": ("payout", "approve"),
    "payout.failed": ("payout", "reject"),
}
_POLL = 0.25


def _line(attempt: Mapping[str, Any]) -> str:
    answer = (
        f"HTTP {attempt['status_code']}"
        if attempt["status_code"] is not None
        else f"no answer ({attempt['error']})"
    )
    retry = "" if attempt["delivered"] or attempt["final"] else "  (will retry)"
    given_up = "  (gave up)" if attempt["final"] and not attempt["delivered"] else ""
    return (
        f"{time.strftime('%H:%M:%S')}  {attempt['event']:<17} {attempt['order_id']:<24} "
        f"{_output.human(attempt['status']):<10} -> {answer:<8} {attempt['latency_ms']:>7.1f} ms"
        f"  attempt {attempt['attempt']}{retry}{given_up}"
    )


def _print_attempt(args: argparse.Namespace, attempt: Mapping[str, Any]) -> None:
    if args.json:
        import json

        print(json.dumps(attempt), flush=True)  # one JSON object per line
    else:
        print(_line(attempt), flush=True)


@contextmanager
def _stop_requested() -> Iterator[threading.Event]:
    """Ctrl-C (or SIGTERM) sets the event instead of raising inside an HTTP call.

    Interrupted mid-request, an httpx pool can be left waiting for a connection that will never
    come back, and the sandbox's webhook URL would then not be restored. The loop checks the
    event between polls; a second Ctrl-C raises ``KeyboardInterrupt`` at once.
    """
    stop = threading.Event()
    if threading.current_thread() is not threading.main_thread():
        yield stop
        return

    def request_stop(signum: int, frame: object) -> None:
        if stop.is_set():
            raise KeyboardInterrupt
        stop.set()

    previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield stop
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _follow(
    control: SandboxControl,
    after: int,
    show: Callable[[Mapping[str, Any]], None],
    stop: threading.Event,
) -> None:
    failures = 0
    while not stop.wait(_POLL):
        try:
            feed = control.get("webhooks", after=after)
        except CliError:
            failures += 1
            if failures >= 20:  # five seconds without an answer: it stopped
                message = f"the sandbox at {control.base_url} stopped answering"
                raise CliError(message, NETWORK) from None
            continue
        failures = 0
        for attempt in feed["attempts"]:
            after = max(after, int(attempt["seq"]))
            show(attempt)


def _listen(args: argparse.Namespace) -> int:
    from urllib.parse import urlsplit

    from alliance_pay.cli._control import SandboxControl

    if urlsplit(args.forward_to).scheme not in ("http", "https"):
        raise CliError(f"--forward-to must be an http:// or https:// URL: {args.forward_to}", USAGE)
    with SandboxControl.from_args(args) as control, _stop_requested() as stop:
        feed = control.get("webhooks")
        after = max((int(a["seq"]) for a in feed["attempts"]), default=0)
        previous = control.post("webhooks", {"url": args.forward_to})["previous"]
        _output.note(
            f"Forwarding the webhooks of the sandbox at {control.base_url} to "
            f"{args.forward_to}. Ctrl-C stops (and restores "
            f"{previous or feed['url'] or 'no webhook URL'})."
        )
        try:
            _follow(control, after, lambda attempt: _print_attempt(args, attempt), stop)
        except KeyboardInterrupt:
            pass
        finally:
            if not args.keep:
                control.post("webhooks", {"url": previous})
    _output.note("Stopped listening.")
    return 0


def _payout_fields(order_id: str, amount: Decimal) -> dict[str, Any]:
    # A sandbox beneficiary: the sandbox never sends money anywhere.
    return {
        "order_id": order_id,
        "user_id": "alliance-pay-cli",
        "amount": amount,
        "beneficiary_name": "Sandbox Beneficiary",
        "beneficiary_email": "beneficiary@example.in",
        "beneficiary_mobile_no": "9876543210",
        "beneficiary_address": "Sandbox",
        "beneficiary_acc_no": "123456789012",
        "bank_name": "SANDBOX BANK",
        "ifsc": "SBIN0060589",
    }


def _await_deliveries(
    args: argparse.Namespace, control: SandboxControl, order_id: str, after: int
) -> bool:
    """Print the order's delivery attempts until its events are finished; True if delivered."""
    deadline = time.monotonic() + args.wait
    finished: dict[str, bool] = {}
    while time.monotonic() < deadline:
        for attempt in control.get("webhooks", after=after)["attempts"]:
            after = max(after, int(attempt["seq"]))
            if attempt["order_id"] == order_id:
                if not args.json:
                    _output.note(_line(attempt))
                if attempt["final"]:
                    finished[attempt["event"]] = bool(attempt["delivered"])
        if args.event in finished:
            return finished[args.event]
        time.sleep(_POLL)
    _output.note(f"no delivery of {args.event} finished within {args.wait:g} s")
    return False


def _trigger(args: argparse.Namespace) -> int:
    from alliance_pay.cli._control import SandboxControl

    kind, outcome = EVENTS[args.event]
    order_id = args.order_id or f"TRIGGER-{uuid.uuid4().hex[:12].upper()}"
    with SandboxControl.from_args(args) as control:
        feed = control.get("webhooks")
        after = max((int(a["seq"]) for a in feed["attempts"]), default=0)
        if feed["url"] is None:
            _output.note(
                "warning: the sandbox has no webhook URL, so the event will not be sent: run "
                "`alliance-pay webhooks listen --forward-to URL` in another shell first."
            )
        with _config.client(args) as client:
            if kind == "payin":
                client.payins.create_link(
                    order_id=order_id,
                    user_id="alliance-pay-cli",
                    amount=args.amount,
                    redirect_url="https://merchant.example.in/thanks",
                )
            else:
                client.payouts.create(**_payout_fields(order_id, args.amount))
        settled = control.post(
            "orders/settle", {"order_id": order_id, "outcome": outcome, "kind": kind}
        )
        if not args.json:
            _output.note(f"{args.event} fired for {kind} {order_id}")
        delivered = None
        if feed["url"] is not None and args.wait > 0:
            delivered = _await_deliveries(args, control, order_id, after)
    _output.show(
        args,
        {
            "event": args.event,
            "order_id": order_id,
            "kind": kind,
            "status": settled["record"]["status"],
            "delivered": delivered,
        },
        order_id,
    )
    return 0 if delivered is not False else NETWORK


def register(tree: CommandTree) -> None:
    """Add ``webhooks listen`` and ``webhooks trigger``."""
    webhooks = tree.group(
        "webhooks", help="webhooks: a running sandbox's deliveries, and your event store"
    )
    listen = webhooks.command(
        "listen",
        _listen,
        help="forward the sandbox's webhooks to a URL and print each delivery",
        description="Point the running sandbox's webhooks (the one at ALLIANCE_BASE_URL) at "
        "--forward-to and print each delivery attempt as it ends: the event, the order id, its "
        "status, your receiver's HTTP answer and the latency. With --json, one JSON object per "
        "line. Ctrl-C stops and puts back the sandbox's previous webhook URL.",
    )
    listen.add_argument(
        "--forward-to", required=True, metavar="URL", help="your webhook receiver's URL"
    )
    listen.add_argument(
        "--keep", action="store_true", help="leave the sandbox pointed at URL after stopping"
    )
    add_sandbox_url_option(listen)

    trigger = webhooks.command(
        "trigger",
        _trigger,
        help="fire a webhook event through the sandbox, as a real order would",
        description="Create the order the event needs through the signed API (a payin link or "
        "a payout), then settle it through the sandbox's control API, so the event is sent "
        "by the same path as a real one, and your receiver's confirmation call finds the "
        "order. Waits for the delivery (--wait) and exits 4 if the receiver never took it.",
        api=True,
    )
    trigger.add_argument("event", choices=tuple(EVENTS), metavar="EVENT", help=", ".join(EVENTS))
    trigger.add_argument("--order-id", help="the order id to use (default: a fresh TRIGGER-...)")
    trigger.add_argument(
        "--amount", default=Decimal("1.00"), type=Decimal, help="INR (default 1.00)"
    )
    trigger.add_argument(
        "--wait",
        type=float,
        default=15.0,
        metavar="SECONDS",
        help="how long to wait for the delivery (0: do not wait; default 15)",
    )
