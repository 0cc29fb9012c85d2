"""The CLI's start-up against ``import httpx`` (see ``cli_startup.py``); ratios in one run."""

from __future__ import annotations

from typing import Any

from benchmarks.cli_startup import measure


def test_cli_startup(benchmark: Any) -> None:
    figures = benchmark.pedantic(measure, kwargs={"rounds": 10}, rounds=1, iterations=1)
    benchmark.extra_info.update({name: round(value, 4) for name, value in figures.items()})
