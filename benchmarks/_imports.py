"""Import time: ``import alliance_pay`` against ``import httpx``, as whole fresh processes.

What a user waits for is the whole process (interpreter start included), so each sample is the
CPU time of a fresh ``python -c "import X"`` (user and system, read from the child's resource
usage: on a shared machine its wall time also counts other processes' turns); the two
alternate, and the ratio is of the medians.

Both read compiled bytecode, as an installed package does (pip compiles on install): the runs
are made with bytecode writing on, whatever ``PYTHONDONTWRITEBYTECODE`` says, so the warm-up
run compiles an editable checkout once instead of every run timing the compiler.
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
from dataclasses import dataclass

#: The package alone, what a program using the client imports, and the reference.
SDK = "import alliance_pay"
FIRST_USE = "from alliance_pay import AsyncAllianceClient"
REFERENCE = "import httpx"
STATEMENTS = (SDK, FIRST_USE, REFERENCE)


@dataclass(frozen=True)
class ImportTimes:
    samples: dict[str, list[float]]

    def median_ms(self, statement: str) -> float:
        return statistics.median(self.samples[statement]) * 1000

    def ratio(self, statement: str) -> float:
        return self.median_ms(statement) / self.median_ms(REFERENCE)


def bytecode_env() -> dict[str, str]:
    """The environment with bytecode writing on."""
    return {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _once(statement: str) -> float:
    started = _children_cpu()
    subprocess.run([sys.executable, "-c", statement], check=True, env=bytecode_env())
    return _children_cpu() - started


def run(*, rounds: int) -> ImportTimes:
    """``rounds`` fresh processes per statement, interleaved, after one warm-up each."""
    order = list(STATEMENTS)
    for statement in order:
        _once(statement)
    samples: dict[str, list[float]] = {statement: [] for statement in order}
    for index in range(rounds):
        for statement in order[index % 3 :] + order[: index % 3]:
            samples[statement].append(_once(statement))
    return ImportTimes(samples)


def top_entries(statement: str = FIRST_USE, count: int = 15) -> list[tuple[str, int, int]]:
    """The heaviest imports under ``python -X importtime -c statement``.

    Returns ``(name, self_us, cumulative_us)`` rows, the largest cumulative time first.
    """
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", statement],
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
