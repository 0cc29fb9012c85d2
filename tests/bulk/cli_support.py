"""Running ``alliance-pay payouts bulk`` as a real process against a sandbox on a socket."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from alliance_pay.sandbox import Sandbox, SandboxConfig, create_app, serve_in_thread
from tests.terminal import start_as_a_terminal

ACCESS_KEY = "bulk-access-key"
SECRET_KEY = "bulk-secret-key"


@dataclass
class Served:
    url: str
    sandbox: Sandbox

    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "ALLIANCE_BASE_URL": self.url,
            "ALLIANCE_ACCESS_KEY": ACCESS_KEY,
            "ALLIANCE_SECRET_KEY": SECRET_KEY,
        }

    def command(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "alliance_pay.cli", "payouts", "bulk", *args]

    def start(self, *args: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            self.command(*args),
            env=self.env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            # Ctrl-C reaches the run as it does from a terminal, even when pytest was started
            # as a background job, ignoring SIGINT (tests/terminal.py).
            preexec_fn=start_as_a_terminal,
        )

    def run(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            self.command(*args),
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def paid(self) -> dict[str, Decimal]:
        return {oid: p.amount for oid, p in self.sandbox.ledger.payouts.items()}

    def debits(self) -> list[str]:
        return [e.order_id for e in self.sandbox.ledger.entries if e.kind == "payout"]

    def fault(self, endpoint: str, kind: str, **options: object) -> None:
        self.sandbox.faults.add(endpoint, kind, **options)  # type: ignore[arg-type]


@contextmanager
def served(**settings: object) -> Iterator[Served]:
    values: dict[str, object] = {
        "access_key": ACCESS_KEY,
        "secret_key": SECRET_KEY,
        "balance": Decimal("1000000000.00"),
        "payout_delay": 3600,
        "seed": 20261129,
        **settings,
    }
    config = SandboxConfig(**values)  # type: ignore[arg-type]
    app = create_app(config)
    with serve_in_thread(app) as url:
        yield Served(url, app.state.sandbox)


def valid_amounts(records: Sequence[dict[str, str]]) -> dict[str, Decimal]:
    return {r["order_id"]: Decimal(r["amount"]) for r in records}


def results_path(source: Path) -> Path:
    return source.with_name(f"{source.stem}.results{source.suffix}")
