"""Where a call's Python work goes: bytecodes executed per call, function by function.

The timed ratios say how much slower the SDK is than the floor; valgrind's instruction counts
(``_instructions``) say it without noise. Neither says where. Most of the gap is Python code
run, and the interpreter can count it exactly: with ``f_trace_opcodes`` each bytecode executed
is a trace event. This module counts them per function for the SDK and the floor, over a few
calls after a warm-up, and prints the functions whose counts differ most. The counts are the
same on every run and every machine, so a change's effect shows at once, function by function.

Tracing is slow (a hundred times or so), so it is a tool, not a benchmark: run it by hand.

    python -m benchmarks._opcodes "payouts.create, async"
    python -m benchmarks._opcodes "payouts.retrieve, sync" --top 20
"""

from __future__ import annotations

import argparse
import collections
import os
import sys
import sysconfig
from collections.abc import Callable
from contextlib import ExitStack
from types import FrameType
from typing import Any

_WARM_UP = 50
_CALLS = 5
#: Shown without these: the installed packages, the standard library, this checkout.
_ROOTS = tuple(
    os.path.join(root, "")
    for root in (sysconfig.get_paths()["purelib"], sysconfig.get_paths()["stdlib"], os.getcwd())
)


def _where(frame: FrameType) -> str:
    code = frame.f_code
    path = code.co_filename
    for root in _ROOTS:
        if path.startswith(root):
            path = path[len(root) :]
            break
    return f"{path}:{code.co_firstlineno} {code.co_name}"


def count(run: Callable[[int], float], calls: int = _CALLS) -> dict[str, float]:
    """Bytecodes executed per call by each function, over ``calls`` calls of ``run``."""
    run(_WARM_UP)
    counts: collections.Counter[str] = collections.Counter()

    def trace(frame: FrameType, event: str, arg: Any) -> Any:
        frame.f_trace_opcodes = True
        if event == "opcode":
            counts[_where(frame)] += 1
        return trace

    previous = sys.gettrace()  # a debugger's or coverage's, put back after
    sys.settrace(trace)
    try:
        run(calls)
    finally:
        sys.settrace(previous)
    return {where: total / calls for where, total in counts.items()}


def compare(group: str) -> tuple[dict[str, float], dict[str, float]]:
    """The per-function counts of the SDK and of the floor for one group of ``_percall.GROUPS``."""
    from . import _percall

    with ExitStack() as stack:
        runners = _percall.contenders_of(group, stack)
        return count(runners[_percall.SDK]), count(runners[_percall.FLOOR])


def report(sdk: dict[str, float], floor: dict[str, float], top: int) -> str:
    """The totals, then the ``top`` functions whose counts differ most, either way."""
    lines = [
        f"bytecodes per call: alliance-pay {sum(sdk.values()):.0f}, floor {sum(floor.values()):.0f}"
    ]
    names = sorted(
        set(sdk) | set(floor), key=lambda where: -abs(sdk.get(where, 0) - floor.get(where, 0))
    )
    lines.append(f"{'difference':>10}  {'sdk':>6}  {'floor':>6}  function")
    for where in names[:top]:
        mine, theirs = sdk.get(where, 0.0), floor.get(where, 0.0)
        lines.append(f"{mine - theirs:+10.0f}  {mine:6.0f}  {theirs:6.0f}  {where}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    from ._percall import GROUPS  # the groups the benchmarks time, named alike

    parser = argparse.ArgumentParser(prog="python -m benchmarks._opcodes", description=__doc__)
    parser.add_argument("group", choices=GROUPS)
    parser.add_argument("--top", type=int, default=40, help="functions to list (default 40)")
    args = parser.parse_args(argv)
    print(report(*compare(args.group), top=args.top))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
