"""How fast ``alliance-pay`` starts, against ``python -c "import httpx"``, in one run.

The goal is ``alliance-pay --help`` and ``alliance-pay balance --help`` within 1.5x of importing
httpx: a CLI people call in loops and scripts must not make them wait. The three commands are
run in turn, ``rounds`` times each (interleaved, so a busy machine slows all three alike), and
the medians compared.

Run: ``python benchmarks/cli_startup.py``, or ``nox -s bench``, whose table and CI guard
include it.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

__all__ = ["COMMANDS", "measure"]


def _cli() -> list[str]:
    # The installed console script when there is one (what users run), else the module.
    script = Path(sys.executable).with_name("alliance-pay")
    return [str(script)] if script.exists() else [sys.executable, "-m", "alliance_pay.cli"]


COMMANDS: dict[str, list[str]] = {
    "import httpx": [sys.executable, "-c", "import httpx"],
    "alliance-pay --help": [*_cli(), "--help"],
    "alliance-pay balance --help": [*_cli(), "balance", "--help"],
}


def measure(rounds: int = 15) -> dict[str, float]:
    """Median seconds of each command in ``COMMANDS``, plus ``ratio <name>`` against httpx."""
    times: dict[str, list[float]] = {name: [] for name in COMMANDS}
    # Bytecode on, as for an installed package (see _imports.bytecode_env); the first round
    # compiles an editable checkout, so it is a warm-up and not counted.
    env = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}
    for argv in COMMANDS.values():
        subprocess.run(argv, stdout=subprocess.DEVNULL, check=True, env=env)
    for _ in range(rounds):
        for name, argv in COMMANDS.items():
            started = time.perf_counter()
            subprocess.run(argv, stdout=subprocess.DEVNULL, check=True, env=env)
            times[name].append(time.perf_counter() - started)
    medians = {name: statistics.median(values) for name, values in times.items()}
    base = medians["import httpx"]
    ratios = {
        f"ratio {name}": value / base for name, value in medians.items() if name != "import httpx"
    }
    return {**medians, **ratios}


if __name__ == "__main__":
    for name, value in measure(int(sys.argv[1]) if len(sys.argv) > 1 else 15).items():
        shown = f"{value:.2f}x" if name.startswith("ratio") else f"{value * 1000:.0f} ms"
        print(f"{name:<36} {shown}")
