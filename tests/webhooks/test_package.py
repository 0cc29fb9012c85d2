"""The ``alliance_pay.webhooks`` package: its facade, and no import circle with the client."""

from __future__ import annotations

import subprocess
import sys

import pytest

import alliance_pay.webhooks


def test_all_is_sorted_unique_and_every_name_exists() -> None:
    names = alliance_pay.webhooks.__all__
    assert names == sorted(set(names))
    for name in names:
        assert hasattr(alliance_pay.webhooks, name), name


def test_every_public_name_of_the_package_is_in_all() -> None:
    public = {
        name
        for name, value in vars(alliance_pay.webhooks).items()
        if not name.startswith("_")
        and getattr(value, "__module__", "").startswith("alliance_pay.webhooks")
    }
    assert public <= set(alliance_pay.webhooks.__all__)


@pytest.mark.parametrize(
    "first",
    [
        "alliance_pay.webhooks",
        "alliance_pay.webhooks._sqlite",
        "alliance_pay._async._webhooks",
        "alliance_pay._sync._webhooks",
        "alliance_pay.cli._webhook_store",
    ],
)
def test_any_module_can_be_imported_first(first: str) -> None:
    # An import circle shows as an ImportError only when the circle is entered at one point.
    subprocess.run([sys.executable, "-c", f"import {first}"], check=True, timeout=60)
