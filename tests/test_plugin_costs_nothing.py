"""The pytest plugin, as a user meets it: registered in every pytest run of a project where
``alliance-pay`` is installed, with or without the ``sandbox`` extra.

Each test runs pytest in a child process, in a fresh project folder outside this repository,
with the extra's modules made unimportable (``sys.modules[name] = None``, as Python treats a
module that is not installed) unless the test says otherwise.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

HINT = "pip install 'alliance-pay[sandbox]'"

# Runs pytest.main in the child; prints, as its last line, what got imported.
RUNNER = """
import json, sys
if {block}:
    for name in ("starlette", "uvicorn"):
        sys.modules[name] = None
import pytest
code = pytest.main(sys.argv[1:])
heavy = sorted(
    name for name in sys.modules
    if name.startswith(("alliance_pay.sandbox", "alliance_pay.testing._local", "starlette"))
    and sys.modules[name] is not None
)
print(json.dumps({{"code": int(code), "heavy": heavy}}))
"""

UNRELATED = """
import warnings

def test_arithmetic():
    assert 1 + 1 == 2

def test_warnings_are_what_the_project_says():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warnings.warn("mine", UserWarning)
    assert [str(w.message) for w in caught] == ["mine"]
"""

USES_FIXTURE = """
def test_balance(alliance_client):
    assert alliance_client.balance.retrieve().balance > 0
"""

# pytest-asyncio, installed here for this repository's own tests, warns in a project that has
# no asyncio settings; it is not what is under test, so the user's project turns it off.
STRICT_CONFIG = """
[pytest]
addopts = --strict-markers --strict-config -p no:cacheprovider -p no:asyncio
filterwarnings = error
"""


def run_pytest(
    project: Path, files: dict[str, str], *args: str, block: bool = True
) -> tuple[int, list[str], str]:
    for name, text in {"pytest.ini": STRICT_CONFIG, **files}.items():
        (project / name).write_text(textwrap.dedent(text), encoding="utf-8")
    script = RUNNER.format(block=block)
    result = subprocess.run(
        [sys.executable, "-c", script, *args],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    *lines, last = result.stdout.rstrip("\n").split("\n")
    report = json.loads(last)
    return report["code"], report["heavy"], "\n".join(lines) + result.stderr


def test_an_unrelated_test_run_passes_without_the_extra_and_imports_no_sandbox(
    tmp_path: Path,
) -> None:
    code, heavy, output = run_pytest(tmp_path, {"test_unrelated.py": UNRELATED})
    assert code == 0, output
    assert "2 passed" in output
    assert "warning" not in output.lower()
    assert heavy == []


def test_a_fixture_without_the_extra_fails_with_the_one_line_hint(tmp_path: Path) -> None:
    code, _, output = run_pytest(tmp_path, {"test_balance.py": USES_FIXTURE})
    assert code == 1, output
    assert "1 error" in output
    assert (
        "the alliance_sandbox fixture needs the 'sandbox' extra (starlette is not installed): "
        f"{HINT}"
    ) in output
    assert "Traceback" not in output
    assert "ModuleNotFoundError" not in output


def test_with_the_extra_the_fixture_works_and_the_sandbox_loads_only_then(
    tmp_path: Path,
) -> None:
    code, heavy, output = run_pytest(
        tmp_path, {"test_balance.py": USES_FIXTURE}, "-k", "balance", block=False
    )
    assert code == 0, output
    assert "alliance_pay.sandbox" in heavy
    code, heavy, output = run_pytest(
        tmp_path, {"test_unrelated.py": UNRELATED}, "test_unrelated.py", block=False
    )
    assert code == 0, output
    assert heavy == []


def test_the_plugin_adds_no_option_and_only_its_marker(tmp_path: Path) -> None:
    _, _, with_plugin = run_pytest(tmp_path, {}, "--help")
    _, _, without = run_pytest(tmp_path, {}, "--help", "-p", "no:alliance_pay")
    assert with_plugin == without
    _, _, markers = run_pytest(tmp_path, {}, "--markers")
    _, _, markers_without = run_pytest(tmp_path, {}, "--markers", "-p", "no:alliance_pay")
    added = set(markers.splitlines()) - set(markers_without.splitlines())
    assert [line.split(":")[0] for line in added] == ["@pytest.mark.alliance_sandbox(**settings)"]
