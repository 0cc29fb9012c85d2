"""The package's public face: exports, config checks, and no secret in a repr."""

from __future__ import annotations

import ast
from decimal import Decimal
from pathlib import Path

import pytest

import alliance_pay.sandbox as sandbox_package
from alliance_pay.sandbox import Sandbox, SandboxConfig


def test_all_is_sorted_and_complete() -> None:
    # "@py_builtins" and the like appear when pytest rewrites the package's asserts (the SDK's
    # pytest plugin marks alliance_pay for rewriting); they are not exports.
    public = {name for name in vars(sandbox_package) if not name.startswith(("_", "@"))}
    assert sandbox_package.__all__ == sorted(sandbox_package.__all__)
    assert set(sandbox_package.__all__) == public


def test_the_secret_never_shows_in_a_repr() -> None:
    config = SandboxConfig(secret_key="hunter2-very-secret")
    assert "hunter2-very-secret" not in repr(config)
    assert "'***'" in repr(config)
    assert "hunter2-very-secret" not in repr(Sandbox(config))


def test_money_settings_become_two_place_decimals() -> None:
    config = SandboxConfig(balance="1111.1", payout_charge=2)
    assert config.balance == Decimal("1111.10")
    assert str(config.payout_charge) == "2.00"


def test_a_float_amount_is_refused() -> None:
    with pytest.raises(TypeError, match="money must be"):
        SandboxConfig(balance=5.9)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "options",
    [{"payout_delay": -1}, {"webhook_max_attempts": 0}, {"timestamp_tolerance": 0}],
)
def test_impossible_settings_are_refused(options: dict[str, float]) -> None:
    with pytest.raises(ValueError, match=next(iter(options))):
        SandboxConfig(**options)  # type: ignore[arg-type]


def test_the_sandbox_imports_nothing_of_the_client() -> None:
    # The package __init__ imports the client anyway; what matters is that the sandbox's own
    # modules never do, so a bug in the client cannot hide in the server it is tested against.
    # _signing and _rules are standard-library-only modules the SDK and the sandbox share.
    allowed = ("alliance_pay._signing", "alliance_pay._rules", "alliance_pay.sandbox")
    package = Path(sandbox_package.__file__).parent
    for module in package.glob("*.py"):
        for node in ast.walk(ast.parse(module.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            for name in names:
                if name.startswith("alliance_pay"):
                    assert name.startswith(allowed), f"{module.name} imports {name}"
