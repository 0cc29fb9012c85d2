"""What the smoke tests share: which install this is, and running commands as a user would."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
#: plain, sandbox or httpx2 (which has the sandbox extra too): see noxfile.py INSTALLS.
INSTALL = os.environ.get("ALLIANCE_SMOKE_INSTALL", "")
HAS_SANDBOX = INSTALL in ("sandbox", "httpx2")
HAS_HTTPX2 = INSTALL == "httpx2"
#: The checkout the wheel was built from: nothing may be imported from it.
SOURCE = Path(os.environ.get("ALLIANCE_SMOKE_SOURCE", "/nonexistent"))
HINT = "pip install 'alliance-pay[sandbox]'"

if INSTALL not in ("plain", "sandbox", "httpx2"):
    raise RuntimeError("run through `nox -s install_matrix`: ALLIANCE_SMOKE_INSTALL is not set")

needs_sandbox = pytest.mark.skipif(not HAS_SANDBOX, reason=f"the {INSTALL} install has no sandbox")
without_sandbox = pytest.mark.skipif(HAS_SANDBOX, reason=f"the {INSTALL} install has the sandbox")
needs_httpx2 = pytest.mark.skipif(not HAS_HTTPX2, reason=f"the {INSTALL} install has no httpx2")


def run(*args: str, cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Run a command of this venv (``alliance-pay``, ``mypy``, ``python``) in ``cwd``."""
    executable = shutil.which(args[0], path=str(Path(sys.executable).parent)) or args[0]
    return subprocess.run(
        [executable, *args[1:]],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def user_project(tmp_path: Path, files: dict[str, str]) -> Path:
    """A user's project folder holding copies of our ``user_*.py`` files under new names."""
    for target, source in files.items():
        shutil.copy(HERE / source, tmp_path / target)
    return tmp_path
