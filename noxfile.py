"""Developer and CI sessions; ``nox`` alone runs tests, lint, typecheck and generate.

Every session runs on the interpreter nox itself runs on (the project supports 3.10+) and
installs from the ``[dependency-groups]`` of pyproject.toml, so any pip will do.

    nox -s generate -- --check   # the CI check that alliance_pay/_sync is fresh
    nox -s tests -- -k payins    # arguments after -- go to the tool
"""

from __future__ import annotations

import sys

import nox

nox.needs_version = ">=2025.5.1"  # nox.project.dependency_groups
nox.options.default_venv_backend = "uv|virtualenv"
nox.options.sessions = ["tests", "lint", "typecheck", "generate"]
nox.options.reuse_existing_virtualenvs = True

PYPROJECT = nox.project.load_toml("pyproject.toml")


def groups(*names: str) -> tuple[str, ...]:
    """The requirements of the named dependency groups, ready for ``session.install``."""
    return nox.project.dependency_groups(PYPROJECT, *names)


@nox.session
def tests(session: nox.Session) -> None:
    """Run the test suite; arguments after ``--`` go to pytest."""
    session.install("-e", ".[sandbox]", *groups("test"))
    session.run("pytest", *session.posargs)


@nox.session
def lint(session: nox.Session) -> None:
    """Check the code with ruff, lint rules and formatting both."""
    session.install(*groups("lint"))
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session
def typecheck(session: nox.Session) -> None:
    """Type-check the package, this file and the scripts with mypy in strict mode."""
    session.install("-e", ".[sandbox]", *groups("typing"))
    session.run("mypy", "--strict", "alliance_pay", "noxfile.py", "scripts")


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
def bench(session: nox.Session) -> None:
    """Run the benchmarks and write benchmarks/results.md (docs/performance.md includes it).

    ``nox -s bench -- --check`` is the CI regression guard: shorter runs, failing when a ratio
    is past 1.5x its goal. Other arguments after ``--`` go to ``python -m benchmarks``.
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
