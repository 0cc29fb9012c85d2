"""Import time: ``import alliance_pay`` against ``import httpx``, as whole fresh processes.

What a user waits for is the whole process (interpreter start included), so each sample is the
wall time of ``python -c "import X"``; the two alternate, and the ratio is of the medians.

Both read compiled bytecode, as an installed package does (pip compiles on install): the runs
are made with bytecode writing on, whatever ``PYTHONDONTWRITEBYTECODE`` says, so the warm-up
run compiles an editable checkout once instead of every run timing the compiler.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass

SDK_MODULE, REFERENCE_MODULE = "alliance_pay", "httpx"


@dataclass(frozen=True)
class ImportTimes:
    samples: dict[str, list[float]]

    def median_ms(self, module: str) -> float:
        return statistics.median(self.samples[module]) * 1000

    @property
    def ratio(self) -> float:
        return self.median_ms(SDK_MODULE) / self.median_ms(REFERENCE_MODULE)


def bytecode_env() -> dict[str, str]:
    """The environment with bytecode writing on."""
    return {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}


def _once(module: str) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", f"import {module}"], check=True, env=bytecode_env())
    return time.perf_counter() - started


def run(*, rounds: int) -> ImportTimes:
    """``rounds`` fresh processes per module, interleaved, after one warm-up each (bytecode)."""
    modules = [SDK_MODULE, REFERENCE_MODULE]
    for module in modules:
        _once(module)
    samples: dict[str, list[float]] = {module: [] for module in modules}
    for index in range(rounds):
        for module in modules if index % 2 else modules[::-1]:
            samples[module].append(_once(module))
    return ImportTimes(samples)


def top_entries(module: str = SDK_MODULE, count: int = 15) -> list[tuple[str, int, int]]:
    """The heaviest imports under ``python -X importtime -c "import module"``.

    Returns ``(name, self_us, cumulative_us)`` rows, the largest cumulative time first.
    """
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", f"import {module}"],
        env=bytecode_env(),
        check=True,
        capture_output=True,
        text=True,
    )
    rows: list[tuple[str, int, int]] = []
    for line in result.stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        own, cumulative, name = line.removeprefix("import time:").split("|")
        rows.append((name.rstrip(), int(own), int(cumulative)))
    rows.sort(key=lambda row: row[2], reverse=True)
    return rows[:count]
