"""Run the benchmarks: ``python -m benchmarks [--check] [--markdown PATH] [--skip PART ...]``.

Without ``--check`` it runs the full set (a few minutes) and prints the results as markdown,
also written to ``--markdown``. With ``--check`` it runs shorter rounds and exits 1 when any
ratio is past 2x its goal: the CI regression guard.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from . import _imports, _instructions, _micro, _percall, _throughput, cli_startup
from ._goals import (
    CLI_HELP_VS_HTTPX,
    IMPORT_VS_HTTPX,
    PER_CALL_VS_FLOOR,
    PER_CALL_VS_OPENAI,
    THROUGHPUT_VS_FLOOR,
    Ratio,
)
from ._report import Results, render

PARTS = ("percall", "imports", "cli", "throughput", "micro")


def _settings(check: bool) -> dict[str, dict[str, float]]:
    if check:
        return {
            "percall": {"rounds": 41, "batch_seconds": 0.005},
            "imports": {"rounds": 15},
            "cli": {"rounds": 7},
            "throughput": {"rounds": 7, "requests": 200},
            "micro": {"rounds": 21, "batch_seconds": 0.003},
        }
    return {
        "percall": {"rounds": 101, "batch_seconds": 0.01},
        "imports": {"rounds": 21},
        "cli": {"rounds": 15},
        "throughput": {"rounds": 15, "requests": 600},
        "micro": {"rounds": 51, "batch_seconds": 0.005},
    }


def _progress(part: str, started: float) -> None:
    print(f"{part}: {time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)


def measure(parts: Sequence[str], check: bool, *, instructions: bool = False) -> Results:
    settings = _settings(check)
    results = Results()
    started = time.perf_counter()
    if "percall" in parts:
        s = settings["percall"]
        results.groups = _percall.run(rounds=int(s["rounds"]), batch_seconds=s["batch_seconds"])
        for group in results.groups:
            results.ratios.append(
                Ratio(
                    f"{group.name}: alliance-pay / floor",
                    group.timings.ratio(_percall.SDK, _percall.FLOOR),
                    PER_CALL_VS_FLOOR,
                )
            )
            if _percall.OPENAI in group.timings.per_call:
                results.ratios.append(
                    Ratio(
                        f"{group.name}: alliance-pay / openai",
                        group.timings.ratio(_percall.SDK, _percall.OPENAI),
                        PER_CALL_VS_OPENAI,
                    )
                )
        _progress("per call", started)
    if "imports" in parts:
        results.imports = _imports.run(rounds=int(settings["imports"]["rounds"]))
        for statement in (_imports.SDK, _imports.FIRST_USE):
            results.ratios.append(
                Ratio(
                    f"{statement} / {_imports.REFERENCE}",
                    results.imports.ratio(statement),
                    IMPORT_VS_HTTPX,
                )
            )
        if not check:
            results.import_top = _imports.top_entries()
        _progress("imports", started)
    if "cli" in parts:
        figures = cli_startup.measure(int(settings["cli"]["rounds"]))
        for name in cli_startup.COMMANDS:
            if name != "import httpx":
                results.ratios.append(
                    Ratio(f"{name} / import httpx", figures[f"ratio {name}"], CLI_HELP_VS_HTTPX)
                )
        _progress("cli", started)
    if "throughput" in parts:
        s = settings["throughput"]
        results.throughput = _throughput.run(rounds=int(s["rounds"]), requests=int(s["requests"]))
        results.ratios.append(
            Ratio(
                f"throughput at concurrency {_throughput.CONCURRENCY}: alliance-pay / floor",
                results.throughput.ratio,
                THROUGHPUT_VS_FLOOR,
                higher_is_better=True,
            )
        )
        _progress("throughput", started)
    if instructions:
        if _instructions.available():
            results.instructions = _instructions.run(calls=300)
            _progress("instructions", started)
        else:
            print("instructions: valgrind is not installed; skipped", file=sys.stderr)
    if "micro" in parts:
        s = settings["micro"]
        results.micro = _micro.run(rounds=int(s["rounds"]), batch_seconds=s["batch_seconds"])
        _progress("pieces", started)
    return results


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--check", action="store_true", help="the CI guard: shorter, exit 1")
    parser.add_argument("--markdown", type=Path, help="also write the results table here")
    parser.add_argument("--skip", action="append", choices=PARTS, default=[])
    parser.add_argument(
        "--instructions",
        action="store_true",
        help="also count each call's CPU instructions under valgrind (slow: minutes)",
    )
    args = parser.parse_args(argv)
    parts = [part for part in PARTS if part not in args.skip]
    started = time.perf_counter()
    results = measure(parts, check=args.check, instructions=args.instructions)
    command = "python -m benchmarks --check" if args.check else "nox -s bench"
    text = render(results, command=command, seconds=time.perf_counter() - started)
    print(text)
    if args.markdown is not None:
        args.markdown.write_text(text, encoding="utf-8")
    if args.check:
        failed = [ratio for ratio in results.ratios if not ratio.within_guard]
        for ratio in failed:
            print(
                f"REGRESSION: {ratio.name} is {ratio.value:.2f}x, past the guard's "
                f"{ratio.guard_limit:.2f}x (goal {ratio.goal_text})",
                file=sys.stderr,
            )
        return 1 if failed else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
