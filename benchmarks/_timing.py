"""Measuring contenders against each other on a noisy machine: interleaved rounds, medians.

Each contender is a function ``run(n) -> seconds`` that makes ``n`` calls, timed on this
process's CPU clock (``CLOCK``): the work is all in-process, and on a shared machine the wall
clock also counts the time other processes held the CPU. A round times one
batch of every contender back to back, in an order that rotates each round, so a burst of load
from elsewhere hits all of them alike. A ratio is the median over rounds of the ratio within a
round; the absolute figures are medians too.
"""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

Runner = Callable[[int], float]

#: CPU seconds used by this process, at nanosecond resolution.
CLOCK = time.process_time


@dataclass(frozen=True)
class Timings:
    """Seconds per call of each contender, one entry per round."""

    per_call: Mapping[str, list[float]]

    def median_us(self, name: str) -> float:
        return statistics.median(self.per_call[name]) * 1e6

    def ratio(self, name: str, reference: str) -> float:
        """The median over rounds of ``name``'s time divided by ``reference``'s."""
        pairs = zip(self.per_call[name], self.per_call[reference], strict=True)
        return statistics.median(mine / theirs for mine, theirs in pairs)


def timed(call: Callable[[], object]) -> Runner:
    """A runner that makes ``n`` calls of ``call`` in a plain loop."""

    def run(n: int) -> float:
        started = CLOCK()
        for _ in range(n):
            call()
        return CLOCK() - started

    return run


def calibrate(run: Runner, target: float) -> int:
    """The batch size for which ``run`` takes about ``target`` seconds."""
    n = 1
    while True:
        elapsed = run(n)
        if elapsed >= target / 4 or n >= 1_000_000:
            return max(1, int(n * target / max(elapsed, 1e-9)))
        n *= 2


def interleave(contenders: Mapping[str, Runner], *, rounds: int, batch_seconds: float) -> Timings:
    """Time every contender in ``rounds`` interleaved rounds of equal batch sizes."""
    names = list(contenders)
    for run in contenders.values():  # warm-up: imports, caches, connection pools, first-use hooks
        run(20)
    # What exists now lives on: out of the collector's way, so a collection costs every
    # contender the same little (a full collection per batch would cost more than the batch).
    gc.collect()
    gc.freeze()
    # Each contender's batch lasts about ``batch_seconds``: what a switch from one contender to
    # the next costs (caches warmed by the other's code) then weighs the same on each. One
    # batch size for all would give the fastest a few calls per batch when a slow one (openai)
    # is in the run, and charge it that switch several times over.
    sizes = {name: calibrate(contenders[name], batch_seconds) for name in names}
    per_call: dict[str, list[float]] = {name: [] for name in names}
    for index in range(rounds):
        shift = index % len(names)
        for name in names[shift:] + names[:shift]:
            per_call[name].append(contenders[name](sizes[name]) / sizes[name])
    return Timings(per_call)
