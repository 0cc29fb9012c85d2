"""The results as markdown: the machine, the command, the ratios against their goals."""

from __future__ import annotations

import datetime as dt
import os
import platform
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

from . import _imports, _instructions, _percall
from ._goals import GUARD_MARGIN, Ratio
from ._imports import ImportTimes
from ._micro import Piece
from ._throughput import FLOOR, SDK, Throughput

_PACKAGES = ("alliance-pay", "httpx", "attrs", "cattrs", "anyio", "uvicorn", "openai", "pydantic")


@dataclass
class Results:
    ratios: list[Ratio] = field(default_factory=list)
    groups: list[_percall.Group] = field(default_factory=list)
    imports: ImportTimes | None = None
    import_top: list[tuple[str, int, int]] = field(default_factory=list)
    throughput: Throughput | None = None
    micro: list[Piece] = field(default_factory=list)
    instructions: _instructions.Counts | None = None


def _cpu() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine() -> str:
    """One line describing where the figures were measured."""
    versions = []
    for name in _PACKAGES:
        try:
            versions.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            continue
    load = ""
    if hasattr(os, "getloadavg"):
        load = ", load average {:.1f} {:.1f} {:.1f}".format(*os.getloadavg())
    return (
        f"{platform.system()} {platform.machine()}, {_cpu()}, {os.cpu_count()} logical CPUs"
        f"{load}; {platform.python_implementation()} {platform.python_version()}; "
        + ", ".join(versions)
    )


def render(results: Results, *, command: str, seconds: float) -> str:
    now = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        f"<!-- Written by `{command}`; do not edit by hand. -->",
        "",
        f"Measured {now} in {seconds:.0f} s with `{command}` on: {machine()}.",
        "",
    ]
    if results.ratios:
        lines += [
            "| ratio | measured | goal | CI guard fails past | |",
            "|---|---:|---:|---:|---|",
        ]
        for ratio in results.ratios:
            mark = "meets the goal" if ratio.meets_goal else "misses the goal"
            lines.append(
                f"| {ratio.name} | {ratio.value:.2f}x | {ratio.goal_text} "
                f"| {ratio.guard_limit:.2f}x | {mark} |"
            )
        limit = f"The guard's limit is {GUARD_MARGIN}x each goal (or the goal / {GUARD_MARGIN})."
        lines += ["", limit, ""]
    if results.groups:
        lines += [
            "Per call, on a mock transport (median CPU microseconds per call):",
            "",
            "| call | alliance-pay | floor | openai-python |",
            "|---|---:|---:|---:|",
        ]
        for group in results.groups:
            t = group.timings
            other = (
                f"{t.median_us(_percall.OPENAI):.1f}"
                if _percall.OPENAI in t.per_call
                else "not installed"
            )
            lines.append(
                f"| {group.name} | {t.median_us(_percall.SDK):.1f} "
                f"| {t.median_us(_percall.FLOOR):.1f} | {other} |"
            )
        lines.append("")
    if results.instructions is not None:
        counts = results.instructions
        lines += [
            "Per call in CPU instructions, counted by valgrind (no load can move these; a floor "
            "under the timed ratios, see docs/performance.md):",
            "",
            "| call | alliance-pay | floor | ratio |",
            "|---|---:|---:|---:|",
        ]
        for name in _percall.GROUPS:
            per_call = counts.per_call[name]
            lines.append(
                f"| {name} | {per_call[_percall.SDK]:,.0f} | {per_call[_percall.FLOOR]:,.0f} "
                f"| {counts.ratio(name):.3f}x |"
            )
        lines.append("")
    if results.imports is not None:
        i = results.imports
        figures = ", ".join(f"`{what}` {i.median_ms(what):.0f} ms" for what in _imports.STATEMENTS)
        lines += [
            "Import, whole fresh processes (median CPU milliseconds, "
            f"{len(i.samples[_imports.SDK])} interleaved runs each): {figures}.",
            "",
        ]
    if results.throughput is not None:
        rates = results.throughput
        lines += [
            "Throughput over loopback sockets (uvicorn in its own process, "
            f"median requests per second): alliance-pay {rates.median(SDK):.0f}, "
            f"floor {rates.median(FLOOR):.0f}.",
            "",
        ]
    if results.micro:
        lines += [
            "The pieces of a call (median CPU microseconds):",
            "",
            "| piece | alliance-pay | | hand-written | | ratio |",
            "|---|---|---:|---|---:|---:|",
        ]
        for piece in results.micro:
            t = piece.timings
            lines.append(
                f"| {piece.name} | {piece.sdk} | {t.median_us('sdk'):.2f} | {piece.floor} "
                f"| {t.median_us('floor'):.2f} | {t.ratio('sdk', 'floor'):.2f}x |"
            )
        lines.append("")
    if results.import_top:
        lines += [
            f'The heaviest imports under `python -X importtime -c "{_imports.FIRST_USE}"` '
            "(one run, microseconds):",
            "",
            "| module | self | cumulative |",
            "|---|---:|---:|",
        ]
        for name, own, cumulative in results.import_top:
            lines.append(f"| `{name.strip()}` | {own} | {cumulative} |")
        lines.append("")
    return "\n".join(lines)
