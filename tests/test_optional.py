"""Optional extras: a missing one is one line naming the pip command, in the library and the CLI."""

from __future__ import annotations

import importlib
import sys

import pytest

from alliance_pay import AllianceError, MissingExtraError
from alliance_pay._optional import EXTRAS, extra_imports, install_hint, require_extra
from alliance_pay.cli import main

HINT = "pip install 'alliance-pay[sandbox]'"


@pytest.fixture
def without_sandbox_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the extra's modules unimportable, as in a plain ``pip install alliance-pay``."""
    testing = importlib.import_module("alliance_pay.testing")
    users = ("alliance_pay.sandbox", "alliance_pay._demo", "alliance_pay.testing._")
    for name in list(sys.modules):
        if name.partition(".")[0] in EXTRAS["sandbox"] or name.startswith(users):
            monkeypatch.delitem(sys.modules, name)
    for module in EXTRAS["sandbox"]:
        monkeypatch.setitem(sys.modules, module, None)
    for name in testing.__all__:  # names imported already (vars(): no __getattr__ import)
        monkeypatch.delitem(vars(testing), name, raising=False)


def test_the_error_is_one_line_naming_the_feature_the_module_and_the_command() -> None:
    error = MissingExtraError("sandbox", feature="alliance-pay demo", missing="starlette")
    assert str(error) == (
        f"alliance-pay demo needs the 'sandbox' extra (starlette is not installed): {HINT}"
    )
    assert isinstance(error, ImportError)
    assert isinstance(error, AllianceError)
    assert (error.extra, error.missing, error.name, error.hint) == (
        "sandbox",
        "starlette",
        "starlette",
        HINT,
    )


def test_every_extra_has_a_hint_naming_the_distribution() -> None:
    assert {install_hint(extra) for extra in EXTRAS} == {
        "pip install 'alliance-pay[sandbox]'",
        "pip install 'alliance-pay[httpx2]'",
        "pip install 'alliance-pay[postgres]'",
        "pip install 'alliance-pay[cli]'",
    }


@pytest.mark.usefixtures("without_sandbox_extra")
def test_require_extra_names_the_first_missing_module() -> None:
    with pytest.raises(
        MissingExtraError, match=r"^the thing needs the 'sandbox' extra \(starlette"
    ):
        require_extra("sandbox", feature="the thing")


def test_require_extra_passes_when_the_extra_is_installed() -> None:
    require_extra("sandbox", feature="the thing")


@pytest.mark.usefixtures("without_sandbox_extra")
def test_extra_imports_turns_only_the_extras_modules_into_the_hint() -> None:
    with pytest.raises(MissingExtraError) as caught, extra_imports("sandbox", feature="x"):
        import starlette.applications  # noqa: F401
    assert caught.value.__cause__ is None
    assert caught.value.__suppress_context__
    with pytest.raises(ModuleNotFoundError) as other, extra_imports("sandbox", feature="x"):
        import alliance_pay_no_such_module  # type: ignore[import-not-found]  # noqa: F401
    assert not isinstance(other.value, MissingExtraError)


@pytest.mark.usefixtures("without_sandbox_extra")
@pytest.mark.parametrize("command", [["demo"], ["sandbox", "--port", "0"]])
def test_the_commands_without_the_extra_print_one_line_and_exit_2(
    command: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(command) == 2
    out, err = capsys.readouterr()
    assert out == ""
    missing = "needs the 'sandbox' extra (starlette is not installed)"
    assert err == f"alliance-pay {command[0]} {missing}: {HINT}\n"


@pytest.mark.usefixtures("without_sandbox_extra")
def test_the_testing_names_without_the_extra_raise_the_hint() -> None:
    testing = importlib.import_module("alliance_pay.testing")
    with pytest.raises(MissingExtraError, match=r"alliance_pay\.testing\.LocalSandbox needs"):
        testing.LocalSandbox  # noqa: B018 - the attribute access is the import
