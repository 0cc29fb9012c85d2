"""The installed wheel as a user meets it, in every install of the matrix."""

from __future__ import annotations

import importlib.metadata
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from smoke_support import (
    HINT,
    SOURCE,
    needs_sandbox,
    run,
    user_project,
    without_sandbox,
)


def test_the_package_imports_from_the_installed_wheel_with_its_types() -> None:
    import alliance_pay

    package = Path(alliance_pay.__file__).parent
    assert package != SOURCE / "alliance_pay", "imported from the checkout"
    assert Path(sys.prefix) in package.parents  # installed into this venv
    assert "site-packages" in package.parts
    assert (package / "py.typed").is_file()
    assert alliance_pay.__version__ == importlib.metadata.version("alliance-pay")
    assert not list(package.parent.glob("tests")), "the wheel installed a tests package"


def test_import_alliance_pay_never_imports_httpx2_even_when_it_is_installed() -> None:
    # httpx2 objects exist only once their user imports httpx2; the SDK recognises them then.
    code = "import sys, alliance_pay; print('httpx2' in sys.modules)"
    result = run("python", "-c", code, cwd=Path.cwd())
    assert result.stdout.strip() == "False", result.stderr


def test_mypy_strict_sees_the_real_types_in_a_user_file(tmp_path: Path) -> None:
    project = user_project(tmp_path, {"payouts.py": "user_typed.py"})
    result = run("mypy", "--strict", "--no-incremental", "payouts.py", cwd=project)
    assert result.returncode == 0, result.stdout + result.stderr
    revealed = [
        line.split("Revealed type is ")[1]
        for line in result.stdout.splitlines()
        if "Revealed" in line
    ]
    assert revealed == [
        '"alliance_pay._models.Payout"',
        '"alliance_pay._models.PayoutStatus"',
        '"alliance_pay._models.Balance"',
        '"alliance_pay._models.Payout"',
    ]


def test_mypy_strict_catches_a_typo_and_an_async_handler_on_the_sync_client(
    tmp_path: Path,
) -> None:
    project = user_project(tmp_path, {"mistakes.py": "user_mistakes.py"})
    result = run("mypy", "--strict", "--no-incremental", "mistakes.py", cwd=project)
    assert result.returncode == 1
    assert '"Payout" has no attribute "amout"' in result.stdout
    assert 'Argument 2 to "handle" of "WebhooksResource" has incompatible type' in result.stdout
    assert result.stdout.count("error:") == 2, result.stdout


def test_an_unrelated_test_file_passes_under_pytest_with_the_plugin(tmp_path: Path) -> None:
    project = user_project(tmp_path, {"test_unrelated.py": "user_unrelated.py"})
    (project / "pytest.ini").write_text(
        "[pytest]\naddopts = --strict-markers --strict-config -p no:cacheprovider\n"
        "filterwarnings = error\n"
    )
    result = run("python", "-m", "pytest", cwd=project)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "alliance-pay" in result.stdout  # the plugin is registered...
    assert "2 passed" in result.stdout  # ...and costs the user's run nothing
    assert "warning" not in result.stdout.lower()


@without_sandbox
@pytest.mark.parametrize("command", ["demo", "sandbox"])
def test_the_commands_without_the_extra_print_one_line_naming_the_install(
    command: str, tmp_path: Path
) -> None:
    result = run("alliance-pay", command, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.endswith(f": {HINT}\n")
    assert f"alliance-pay {command} needs the 'sandbox' extra" in result.stderr
    assert "Traceback" not in result.stderr


@without_sandbox
def test_a_fixture_without_the_extra_fails_with_the_install_hint(tmp_path: Path) -> None:
    project = user_project(tmp_path, {"test_fixtures.py": "user_fixtures.py"})
    # -rN: no short summary, which repeats each message in full when CI is set.
    result = run("python", "-m", "pytest", "-p", "no:cacheprovider", "-rN", cwd=project)
    assert result.returncode == 1
    assert "3 errors" in result.stdout
    assert result.stdout.count(f"(starlette is not installed): {HINT}") == 3
    assert "Traceback" not in result.stdout
    assert "ModuleNotFoundError" not in result.stdout


@needs_sandbox
def test_the_demo_runs(tmp_path: Path) -> None:
    result = run("alliance-pay", "demo", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


@needs_sandbox
def test_the_fixtures_work(tmp_path: Path) -> None:
    project = user_project(tmp_path, {"test_fixtures.py": "user_fixtures.py"})
    result = run("python", "-m", "pytest", "-p", "no:cacheprovider", cwd=project)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 passed" in result.stdout


@needs_sandbox
def test_the_sandbox_command_serves_the_sdk_and_stops_on_sigterm(tmp_path: Path) -> None:
    from alliance_pay import AllianceClient

    with subprocess.Popen(
        [str(Path(sys.executable).parent / "alliance-pay"), "sandbox", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        cwd=tmp_path,
    ) as server:
        try:
            assert server.stdout is not None
            base_url = server.stdout.readline().split()[-1]
            keys = dict(item.split("=", 1) for item in server.stdout.readline().split()[1:])
            with AllianceClient(
                base_url=base_url,
                access_key=keys["ALLIANCE_ACCESS_KEY"],
                secret_key=keys["ALLIANCE_SECRET_KEY"],
            ) as client:
                assert client.balance.retrieve().balance > 0
        finally:
            server.send_signal(signal.SIGTERM)
            code = server.wait(timeout=30)
    assert code == 0


def test_pytest_was_not_given_the_checkout() -> None:
    assert not any(str(SOURCE) == entry for entry in sys.path)
    assert SOURCE not in Path(os.getcwd()).parents
