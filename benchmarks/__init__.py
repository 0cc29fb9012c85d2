"""The benchmark harness: what the SDK costs over the hand-written floor, as ratios in one run.

``nox -s bench`` (or ``python -m benchmarks``) runs every benchmark and writes
``benchmarks/results.md``, which ``docs/performance.md`` includes. ``python -m benchmarks --check``
is the regression guard CI runs: shorter, and failing when a ratio is past 2x its goal.
"""
