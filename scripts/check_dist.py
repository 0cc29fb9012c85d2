"""Check the built distributions: what users install is the package, typed, and nothing else.

Usage::

    python scripts/check_dist.py build/dist   # the folder holding one wheel and one sdist

The wheel must hold ``alliance_pay/`` (with ``py.typed``) and its ``.dist-info`` only: no tests,
benchmarks, scripts or docs. The sdist must hold ``py.typed`` too, and may carry tests and docs
for packagers. Neither may hold a cache or compiled file. Exits 1 listing every problem.

Pure stdlib; runs on Python 3.10+.
"""

from __future__ import annotations

import sys
import tarfile
import zipfile
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

PACKAGE = "alliance_pay"
# Parts of a path that never belong in a distribution.
JUNK_PARTS = frozenset(
    {
        "__pycache__",
        ".pytest_cache",
        ".mypy_cache",
        ".ruff_cache",
        ".hypothesis",
        ".benchmarks",
        ".nox",
        ".venv",
        ".ci-venv",
        ".git",
    }
)
JUNK_SUFFIXES = (".pyc", ".pyo", ".so~", ".orig", ".rej")


def junk(names: Iterable[str]) -> list[str]:
    """The names that are caches or compiled leftovers."""
    found = []
    for name in names:
        path = PurePosixPath(name)
        if JUNK_PARTS.intersection(path.parts) or name.endswith(JUNK_SUFFIXES):
            found.append(name)
    return found


def check_wheel(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as wheel:
        names = wheel.namelist()
    problems = [f"{path.name}: a cache or compiled file: {name}" for name in junk(names)]
    if f"{PACKAGE}/py.typed" not in names:
        problems.append(f"{path.name}: no {PACKAGE}/py.typed: type checkers would ignore the types")
    for name in names:
        top = PurePosixPath(name).parts[0]
        if top != PACKAGE and not top.endswith(".dist-info"):
            problems.append(f"{path.name}: not part of the package: {name}")
    return problems


def check_sdist(path: Path) -> list[str]:
    with tarfile.open(path) as sdist:
        names = sdist.getnames()
    problems = [f"{path.name}: a cache or compiled file: {name}" for name in junk(names)]
    # Every member sits under the "<name>-<version>/" folder.
    inside = {"/".join(PurePosixPath(name).parts[1:]) for name in names}
    if f"{PACKAGE}/py.typed" not in inside:
        problems.append(f"{path.name}: no {PACKAGE}/py.typed")
    return problems


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    folder = Path(argv[0])
    wheels = sorted(folder.glob("*.whl"))
    sdists = sorted(folder.glob("*.tar.gz"))
    if len(wheels) != 1 or len(sdists) != 1:
        print(f"expected one wheel and one sdist in {folder}, found {wheels + sdists}")
        return 1
    problems = check_wheel(wheels[0]) + check_sdist(sdists[0])
    for problem in problems:
        print(problem)
    if problems:
        return 1
    print(f"{wheels[0].name} and {sdists[0].name}: the package, typed, and no caches")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
