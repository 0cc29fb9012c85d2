"""Run pytest against one mutant at a time, each in a forked child, never touching the tree.

The parent imports pytest and the test dependencies once (never ``alliance_pay`` or
``tests``), then forks a child per mutant. The child puts an import hook first on
``sys.meta_path`` that serves the mutated text for the mutated module (and for its generated
sync twin, when the module is in ``_async``), then runs ``pytest.main``: the rest of the
package is imported from the working tree, the files on disk are never written, and no
``.pyc`` can stand in for a mutant. Forking saves the interpreter start and the imports, most
of a run's cost for a test selection of a few seconds.

POSIX only (``os.fork``), like the CI machines.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.abc
import importlib.util
import os
import signal
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Final

import unasync

ROOT: Final = Path(__file__).resolve().parent.parent
#: Imported once in the parent so that each child starts with them loaded. Some are pytest
#: plugins, which pytest then cannot rewrite: the children ignore that one warning.
PRELOAD: Final = (
    "pytest",
    "_pytest.python",
    "_pytest.fixtures",
    "pytest_asyncio",
    "httpx",
    "httpcore",
    "respx",
    "anyio",
    "attrs",
    "cattrs",
    "hypothesis",
    "trio",
    "starlette.applications",
    "asyncio",
    "ssl",
    "json",
    "decimal",
)


#: A child's exit status when it would test another tree than this one.
WRONG_TREE: Final = 99


def preload() -> None:
    # This tree's package, not an installed one (the editable install may point elsewhere).
    sys.path.insert(0, str(ROOT))
    for name in PRELOAD:
        try:
            importlib.import_module(name)
        except ImportError:
            continue
    leaked = [name for name in sys.modules if name == "alliance_pay" or name == "tests"]
    if leaked:
        raise SystemExit(f"the runner imported {leaked} before forking: mutants would not load")


class _Override(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Serves given source text for given module names; every other import goes on as usual."""

    def __init__(self, sources: Mapping[str, tuple[Path, str]]) -> None:
        self.sources = sources

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname not in self.sources:
            return None
        origin, _ = self.sources[fullname]
        package = [str(origin.parent)] if origin.name == "__init__.py" else None
        return importlib.util.spec_from_file_location(
            fullname, origin, loader=self, submodule_search_locations=package
        )

    def exec_module(self, module: ModuleType) -> None:
        origin, text = self.sources[module.__name__]
        code = compile(text, str(origin), "exec", dont_inherit=True)
        exec(code, module.__dict__)  # noqa: S102 (the mutant under test)


def module_name(path: str) -> str:
    return path.removesuffix(".py").removesuffix("/__init__").replace("/", ".")


def overrides(module: str, text: str) -> dict[str, tuple[Path, str]]:
    """The modules to replace for a mutant of ``module`` (a path) whose new text is ``text``."""
    found = {module_name(module): (ROOT / module, text)}
    if "/_async/" in module:
        twin = module.replace("/_async/", "/_sync/")
        generated = unasync.HEADER.format(source=module) + unasync.unasync_text(text)
        found[module_name(twin)] = (ROOT / twin, generated)
    return found


def _child(sources: Mapping[str, tuple[Path, str]], tests: Sequence[str]) -> int:
    import pytest

    os.setpgid(0, 0)  # so that a timeout can kill whatever the tests started too
    sys.dont_write_bytecode = True
    sys.meta_path.insert(0, _Override(sources))
    os.chdir(ROOT)
    spec = importlib.util.find_spec("alliance_pay")
    if spec is None or not str(spec.origin).startswith(str(ROOT)):
        return WRONG_TREE
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    # Plain asserts: pytest's rewriting import hook would otherwise load alliance_pay (a
    # distribution with a pytest plugin) from disk before this hook could serve the mutant.
    args = ["-x", "-q", "-m", "not slow", "-p", "no:cacheprovider", "--no-header"]
    args += ["--assert=plain", "-W", "ignore::pytest.PytestAssertRewriteWarning", *tests]
    return int(pytest.main(args))


@dataclass
class Job:
    """One pytest run: the modules replaced, the tests, and a time limit."""

    sources: Mapping[str, tuple[Path, str]]
    tests: Sequence[str]
    timeout: float
    tag: object = None


def _verdict(status: int) -> str:
    if os.WIFEXITED(status):
        code = os.WEXITSTATUS(status)
        if code == 0:
            return "survived"
        if code == WRONG_TREE:
            raise SystemExit(f"the tests would import alliance_pay from outside {ROOT}")
        # 1: a test failed. 2-5: an interrupted run, collection or usage errors: the mutant
        # broke an import or the suite's setup, which the tests notice too.
        return "killed"
    return "killed"  # a crash (a signal) is noticed


def run_all(jobs: Sequence[Job], parallel: int, done: Callable[[Job, str, float], None]) -> None:
    """Run ``jobs``, at most ``parallel`` at a time; call ``done(job, verdict, seconds)``."""
    pending = list(reversed(jobs))
    running: dict[int, tuple[Job, float]] = {}
    try:
        _run(pending, running, parallel, done)
    finally:
        for child in running:  # interrupted: leave no test run behind
            with contextlib.suppress(ProcessLookupError):
                os.killpg(child, signal.SIGKILL)


def _run(
    pending: list[Job],
    running: dict[int, tuple[Job, float]],
    parallel: int,
    done: Callable[[Job, str, float], None],
) -> None:
    while pending or running:
        while pending and len(running) < parallel:
            job = pending.pop()
            sys.stdout.flush()
            pid = os.fork()
            if pid == 0:  # pragma: no cover (the child)
                code = 3
                try:
                    code = _child(job.sources, job.tests)
                finally:
                    os._exit(code)
            with contextlib.suppress(PermissionError, ProcessLookupError):
                os.setpgid(pid, pid)  # as the child does: whichever runs first
            running[pid] = (job, time.monotonic())
        pid, status = os.waitpid(-1, os.WNOHANG)
        now = time.monotonic()
        if pid and pid in running:
            job, started = running.pop(pid)
            done(job, _verdict(status), now - started)
            continue
        for child, (job, started) in list(running.items()):
            if now - started > job.timeout:
                try:
                    os.killpg(child, signal.SIGKILL)
                except ProcessLookupError:
                    os.kill(child, signal.SIGKILL)
                os.waitpid(child, 0)
                del running[child]
                done(job, "timeout", now - started)
        time.sleep(0.02)
