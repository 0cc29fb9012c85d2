"""The public facade: everything public is exported, sorted, and nothing stale is."""

from __future__ import annotations

import alliance_pay


def test_all_is_sorted_and_unique() -> None:
    assert alliance_pay.__all__ == sorted(set(alliance_pay.__all__))


def test_every_name_in_all_exists() -> None:
    for name in alliance_pay.__all__:
        assert hasattr(alliance_pay, name), name


def test_every_public_name_is_in_all() -> None:
    public = {
        name
        for name, value in vars(alliance_pay).items()
        if not name.startswith("_") and getattr(value, "__module__", "").startswith("alliance_pay")
    }
    assert public <= set(alliance_pay.__all__)


def test_exported_objects_claim_the_public_module() -> None:
    # Reprs, tracebacks and docs then say alliance_pay.X rather than alliance_pay._private.X.
    for name in alliance_pay.__all__:
        value = getattr(alliance_pay, name)
        if isinstance(value, type):
            assert value.__module__ == "alliance_pay", name
