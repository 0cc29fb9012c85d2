"""``python -m benchmarks._opcodes``: bytecodes executed per call, by function, counted exactly."""

from __future__ import annotations

from collections.abc import Callable

from benchmarks._opcodes import count, report


def once() -> int:
    return 1


def ten_times() -> int:
    total = 0
    for step in range(10):
        total += step
    return total


def _runner(*functions: Callable[[], object]) -> Callable[[int], float]:
    def run(calls: int) -> float:
        for _ in range(calls):
            for function in functions:
                function()
        return 0.0

    return run


def test_counts_are_per_call_by_function_and_the_same_however_many_calls() -> None:
    few = count(_runner(once, ten_times), calls=2)
    many = count(_runner(once, ten_times), calls=6)
    (one,) = [where for where in few if where.endswith(" once")]
    (ten,) = [where for where in few if where.endswith(" ten_times")]
    assert few[one] == many[one] > 0
    assert few[ten] == many[ten] > 5 * few[one]  # a loop of ten runs its body ten times


def test_the_report_lists_the_largest_differences_first() -> None:
    shown = report({"a": 100.0, "b": 12.0}, {"a": 90.0, "c": 50.0}, top=2).splitlines()
    assert shown[0] == "bytecodes per call: alliance-pay 112, floor 140"
    assert shown[2].split() == ["-50", "0", "50", "c"]
    assert shown[3].split() == ["+12", "12", "0", "b"]
