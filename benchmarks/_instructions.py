"""Per-call cost in CPU instructions, counted by valgrind: a figure no other process can move.

Timings on a shared machine move with its load; the number of instructions a call executes does
not. Each figure is counted by running the per-call contenders of ``_percall`` under
``valgrind --tool=cachegrind`` twice, once making ``calls`` calls more than the other, and
dividing the difference. Both runs build and warm up every contender of the group the same way,
so only the extra calls differ.

Instructions are not time: a call that misses the CPU's caches more costs more time for the same
count. The ratios here are a floor under the timed ones, and a regression guard that does not
flap. Opt-in (``python -m benchmarks --instructions``): valgrind runs Python about fifty times
slower, and is not on every machine.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass

from . import _percall

CONTENDERS = (_percall.SDK, _percall.FLOOR)
_WARM_UP = 200
_REFS = re.compile(r"I\s+refs:\s+([\d,]+)")


@dataclass(frozen=True)
class Counts:
    """Instructions per call of each contender, by group."""

    per_call: dict[str, dict[str, float]]

    def ratio(self, group: str) -> float:
        counts = self.per_call[group]
        return counts[_percall.SDK] / counts[_percall.FLOOR]


def available() -> bool:
    """Whether valgrind can be run here."""
    return shutil.which("valgrind") is not None


def _child(group: str, contender: str, calls: int) -> None:
    """Build and warm up every contender of ``group``, then make ``calls`` calls of one."""
    with ExitStack() as stack:
        runners = _percall.contenders_of(group, stack)
        runners.pop(_percall.OPENAI, None)
        for run in runners.values():
            run(_WARM_UP)
        if calls:
            runners[contender](calls)


def _count(group: str, contender: str, calls: int) -> int:
    command = [
        "valgrind",
        "--tool=cachegrind",
        "--cache-sim=no",
        "--cachegrind-out-file=/dev/null",
        sys.executable,
        "-m",
        "benchmarks._instructions",
        group,
        contender,
        str(calls),
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    found = _REFS.search(done.stderr)
    if found is None:
        raise RuntimeError(f"valgrind printed no instruction count:\n{done.stderr[-2000:]}")
    return int(found.group(1).replace(",", ""))


def run(*, calls: int) -> Counts:
    """Count each contender's instructions per call, two valgrind runs at a time."""
    # Per group: one run with no extra calls, and one per contender with ``calls`` more.
    jobs = [(group, _percall.SDK, 0) for group in _percall.GROUPS]
    jobs += [(group, contender, calls) for group in _percall.GROUPS for contender in CONTENDERS]
    with ThreadPoolExecutor(max_workers=max(1, min(2, os.cpu_count() or 1))) as pool:
        totals = dict(zip(jobs, pool.map(lambda job: _count(*job), jobs), strict=True))
    per_call: dict[str, dict[str, float]] = {}
    for group in _percall.GROUPS:
        base = totals[(group, _percall.SDK, 0)]
        per_call[group] = {
            contender: (totals[(group, contender, calls)] - base) / calls
            for contender in CONTENDERS
        }
    return Counts(per_call)


if __name__ == "__main__":
    _child(sys.argv[1], sys.argv[2], int(sys.argv[3]))
