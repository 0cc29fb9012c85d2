"""What the whole suite shares: the throwaway PostgreSQL server of ``tests/postgres.py``, and
the order pytest-xdist hands tests out in."""

from __future__ import annotations

import os

import pytest

pytest_plugins = ["tests.postgres"]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Under pytest-xdist, the modules that hold slow tests go first.

    A worker runs its share in order and the others steal from its end, so a long test left
    to the end of the run keeps one worker busy while the rest wait. Modules stay whole (their
    module-scoped servers start once) and keep their order; every worker sorts alike, so all
    collect the same list.
    """
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        return
    slow_modules = {item.path for item in items if item.get_closest_marker("slow")}
    items.sort(key=lambda item: item.path not in slow_modules)  # stable: order kept within
