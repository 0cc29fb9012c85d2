"""Developer and CI sessions; ``nox`` alone runs tests, lint, typecheck and generate.

Every session runs on the interpreter nox itself runs on (the project supports 3.10+) and
installs from the ``[dependency-groups]`` of pyproject.toml, so any pip will do.

    nox -s generate -- --check   # the CI check that alliance_pay/_sync is fresh
    nox -s tests -- -k payins    # arguments after -- go to the tool
    nox -s install_matrix        # the built wheel, installed as users install it
"""

from __future__ import annotations

import atexit
import json
import shutil
import sys
import tempfile
from pathlib import Path

import nox

nox.needs_version = ">=2025.5.1"  # nox.project.dependency_groups
nox.options.default_venv_backend = "uv|virtualenv"
nox.options.sessions = ["tests", "lint", "typecheck", "generate"]
nox.options.reuse_existing_virtualenvs = True

PYPROJECT = nox.project.load_toml("pyproject.toml")


def groups(*names: str) -> tuple[str, ...]:
    """The requirements of the named dependency groups, ready for ``session.install``."""
    return nox.project.dependency_groups(PYPROJECT, *names)


ROOT = Path(__file__).resolve().parent
DIST = ROOT / "build" / "dist"
#: Where httpx2 is a test dependency (it supports 3.11+), its tests must run, not skip.
REQUIRE_HTTPX2 = {"ALLIANCE_TEST_REQUIRE_HTTPX2": "1"}
#: The interpreters besides nox's own that the suite runs on: the oldest and newest supported.
OTHER_PYTHONS = ["3.10", "3.13"]
#: pytest-xdist: a worker per CPU, at most 4 (each may start its own PostgreSQL and sandboxes),
#: each handed tests as it frees up. After ``--``, ``-n 0`` runs the tests in one process.
PARALLEL = ("-n", "auto", "--maxprocesses", "4", "--dist", "worksteal")


@nox.session
def tests(session: nox.Session) -> None:
    """Run the test suite; arguments after ``--`` go to pytest."""
    session.install("-e", ".[sandbox]", *groups("test"))
    session.run("pytest", *PARALLEL, *session.posargs, env=REQUIRE_HTTPX2)


@nox.session(python=OTHER_PYTHONS)
def tests_python(session: nox.Session) -> None:
    """Run the test suite on the oldest and the newest supported Python.

    Arguments after ``--`` go to pytest. On 3.10 httpx2 is not installed (it needs 3.11), so
    its tests skip there, with the reason shown.
    """
    session.install("-e", ".[sandbox]", *groups("test"))
    env = REQUIRE_HTTPX2 if session.python != "3.10" else {}
    session.run("pytest", *PARALLEL, *session.posargs, env=env)


@nox.session
def tests_httpx2(session: nox.Session) -> None:
    """Run the test suite on httpx2 alone: ``httpx2.alias_httpx()`` first, so the SDK, the
    sandbox, respx and the pytest fixtures all use httpx2 where they import httpx.

    The plugin ``tests/alias_httpx2.py`` makes that call in pytest and in each xdist worker,
    and fails the run where it did not hold. Arguments after ``--`` go to pytest.
    """
    session.install("-e", ".[sandbox,httpx2]", *groups("test"))
    # The alias imports anyio (httpx2 needs it) before anyio's pytest plugin loads, too early
    # for pytest to rewrite its asserts: that warning says nothing about the code under test.
    alias = ("-p", "tests.alias_httpx2", "-W", "ignore::pytest.PytestAssertRewriteWarning")
    session.run("python", "-m", "pytest", *alias, *PARALLEL, *session.posargs, env=REQUIRE_HTTPX2)


@nox.session
def lint(session: nox.Session) -> None:
    """Check the code with ruff, lint rules and formatting both."""
    session.install(*groups("lint"))
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session
def typecheck(session: nox.Session) -> None:
    """Type-check the package, this file, the scripts and the benchmarks (mypy --strict)."""
    session.install("-e", ".[sandbox]", *groups("typing"))
    session.run("mypy", "--strict", "alliance_pay", "noxfile.py", "scripts", "benchmarks")


@nox.session(venv_backend="none")
def generate(session: nox.Session) -> None:
    """Write the sync twins of the async code; ``-- --check`` only checks they are fresh."""
    # The script is pure stdlib: the interpreter running nox is all it needs.
    session.run(sys.executable, "scripts/unasync.py", *session.posargs)


@nox.session
def docs(session: nox.Session) -> None:
    """Build the documentation site into build/site, failing on any warning."""
    session.install("-e", ".", *groups("docs"))
    # The banner about a future MkDocs 2 is advice for site owners, not a build problem.
    session.run(
        "mkdocs",
        "build",
        "--strict",
        "--site-dir",
        "build/site",
        env={"NO_MKDOCS_2_WARNING": "1"},
    )


@nox.session
def dist(session: nox.Session) -> None:
    """Build the sdist, and the wheel from it, into build/dist; check what they hold."""
    shutil.rmtree(DIST, ignore_errors=True)
    session.install(*groups("dist"))
    session.run("python", "-m", "build", "--outdir", str(DIST), str(ROOT))
    session.run("python", str(ROOT / "scripts" / "check_dist.py"), str(DIST))


def built_wheel() -> Path:
    """The wheel ``nox -s dist`` built."""
    wheels = sorted(DIST.glob("*.whl"))
    if len(wheels) != 1:
        raise RuntimeError(f"expected one wheel in {DIST}, found {wheels}: run nox -s dist")
    return wheels[0]


def outside_checkout(session: nox.Session) -> Path:
    """A fresh folder outside the repository: nothing there can import the source tree."""
    folder = Path(tempfile.mkdtemp(prefix=f"alliance-pay-{session.name}-"))
    # Removed when nox exits: every run used to leave one of these behind per session.
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    session.chdir(folder)
    return folder


VERIFYTYPES_MIN_SCORE = 0.98


@nox.session(requires=["dist"])
def verifytypes(session: nox.Session) -> None:
    """Score the typing of the installed wheel's public API with pyright's --verifytypes.

    basedpyright is pyright with its own node, so no download is needed. Fails under 98%.
    """
    wheel = str(built_wheel())
    session.install(wheel, *groups("verifytypes"))
    # The version does not change between builds: make pip replace a reused venv's copy.
    session.install("--force-reinstall", "--no-deps", wheel)
    python = str(Path(session.virtualenv.location) / "bin" / "python")
    outside_checkout(session)
    # --verifytypes exits 1 while any symbol is incomplete: the score is what is checked.
    output = session.run(
        "basedpyright",
        "--pythonpath",
        python,
        "--verifytypes",
        "alliance_pay",
        "--ignoreexternal",
        "--outputjson",
        silent=True,
        success_codes=[0, 1],
    )
    completeness = json.loads(str(output))["typeCompleteness"]
    for symbol in completeness["symbols"]:
        if not symbol["isTypeKnown"] or symbol["isTypeAmbiguous"]:
            session.log(f"incomplete: {symbol['name']}")
    score = completeness["completenessScore"]
    session.log(f"type completeness of alliance_pay: {score:.1%}")
    if score < VERIFYTYPES_MIN_SCORE:
        session.error(f"type completeness {score:.1%} is under {VERIFYTYPES_MIN_SCORE:.0%}")


# The install matrix: each entry is a fresh environment a user could have.
INSTALLS = {
    "plain": "",
    "sandbox": "[sandbox]",
    "httpx2": "[httpx2,sandbox]",
}


@nox.session(requires=["dist"], reuse_venv=False)
@nox.parametrize("install", list(INSTALLS))
def install_matrix(session: nox.Session, install: str) -> None:
    """Install the built wheel into a fresh venv and run tests/install there, outside the
    checkout: ``plain`` (no extras), ``sandbox``, ``httpx2`` (with the sandbox, to have a
    server to talk to). Arguments after ``--`` go to pytest."""
    session.install(f"{built_wheel()}{INSTALLS[install]}", *groups("smoke"))
    folder = outside_checkout(session)
    shutil.copytree(ROOT / "tests" / "install", folder, dirs_exist_ok=True)
    shutil.copy(ROOT / "tests" / "data" / "signature-vectors.json", folder)
    session.run(
        "pytest",
        *session.posargs,
        env={"ALLIANCE_SMOKE_INSTALL": install, "ALLIANCE_SMOKE_SOURCE": str(ROOT)},
    )


@nox.session
def mutation(session: nox.Session) -> None:
    """Plant bugs in the money-critical modules and check the fast tests catch each one.

    Fails on any surviving mutant not listed in scripts/equivalent_mutants.txt. Arguments after
    ``--`` go to scripts/mutation.py: ``--module _retries``, ``--sample 30``, ``--list``.
    """
    session.install("-e", ".[sandbox]", *groups("test"))
    session.run("python", "scripts/mutation.py", *session.posargs)


@nox.session
def bench(session: nox.Session) -> None:
    """Run the benchmarks and write benchmarks/results.md (docs/performance.md includes it).

    ``nox -s bench -- --check`` is the CI regression guard: shorter runs, failing when a ratio
    is past 2x its goal. Other arguments after ``--`` go to ``python -m benchmarks``.
    """
    session.install("-e", ".[sandbox]", *groups("bench"))
    output = [] if "--check" in session.posargs else ["--markdown", "benchmarks/results.md"]
    session.run("python", "-m", "benchmarks", *output, *session.posargs)


@nox.session
def bulk_bench(session: nox.Session) -> None:
    """Bulk payout figures (rows/s against a plain loop, RSS 100k/10k), then the 20k-row,
    four-worker PostgreSQL run with one worker killed."""
    session.install("-e", ".[sandbox,postgres]", *groups("test"))
    session.run("python", "-m", "benchmarks.bulk_bench")
    session.run(
        "pytest",
        "tests/bulk/test_postgres_workers.py",
        *session.posargs,
        env={"ALLIANCE_BULK_PG_ROWS": "20000"},
    )
