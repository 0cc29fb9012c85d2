"""Running ``alliance-pay`` as a user does: a subprocess, its stdout parsed as JSON."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs

REPO = Path(__file__).resolve().parents[2]
ACCESS_KEY = "cli-access-key"
SECRET_KEY = "cli-secret-key-0123456789"


@attrs.frozen
class Run:
    """What one run of the command left behind."""

    code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)


def run_cli(
    *args: str,
    env: Mapping[str, str] | None = None,
    stdin: str | None = None,
    timeout: float = 60,
) -> Run:
    """``alliance-pay ARGS`` in a fresh interpreter, with ``env`` on top of a clean environment."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("ALLIANCE_")}
    done = subprocess.run(
        [sys.executable, "-m", "alliance_pay.cli", *args],
        input=stdin if stdin is not None else "",
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        env={**base, "PYTHONPATH": str(REPO), **(env or {})},
        cwd=REPO,
    )
    return Run(done.returncode, done.stdout, done.stderr)


def sandbox_env(base_url: str) -> dict[str, str]:
    """The ``export`` line ``alliance-pay sandbox`` prints, for a sandbox at ``base_url``."""
    return {
        "ALLIANCE_BASE_URL": base_url,
        "ALLIANCE_ACCESS_KEY": ACCESS_KEY,
        "ALLIANCE_SECRET_KEY": SECRET_KEY,
    }
