"""Mutation testing of the money-critical modules: do the fast tests notice a planted bug?

For each mutant (see ``scripts/mutants.py``) of each module in ``TARGETS``, the module is
changed in a private copy of the repository (the sync twin regenerated when the source is in
``_async``), the module's fast tests run with ``-x`` and a timeout, and the mutant is
*killed* (a test failed), *survived* (every test passed) or *timed out* (counted as killed: a
hang is noticed). The working tree is never touched.

A survivor is a gap in the tests, unless it is an *equivalent mutant*: a change no test can
observe because the behaviour is the same (a jitter factor nobody can measure, a check made
twice). Those are listed with their reason in ``scripts/equivalent_mutants.txt``; the run
fails on any survivor not listed there.

    python scripts/mutation.py                      # every module, every mutant
    python scripts/mutation.py --module _retries    # one module (a substring of its path)
    python scripts/mutation.py --sample 40 --seed 1 # a fixed random sample, as CI runs it
    python scripts/mutation.py --list               # the mutants, without running anything
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import unasync
from mutants import Mutant, apply, enumerate_mutants

ROOT: Final = Path(__file__).resolve().parent.parent
EQUIVALENTS: Final = ROOT / "scripts" / "equivalent_mutants.txt"


@dataclass(frozen=True)
class Target:
    """A module to mutate, the functions of it that hold money rules (all when ``None``),
    and the fast tests that guard it."""

    module: str
    tests: tuple[str, ...]
    functions: frozenset[str] | None = None


# Each module's tests, the ones most likely to notice a change first (pytest stops at the
# first failure): the tests that pin its rules, then the rest that exercise it.
_CREATES = (
    "tests/_async/test_create_outcomes.py",
    "tests/_sync/test_create_outcomes.py",
)
_WAITS = ("tests/_async/test_waits.py", "tests/_sync/test_waits.py")
_RETRIES = ("tests/_async/test_retries.py", "tests/_sync/test_retries.py")
_INPUTS = ("tests/_async/test_input_rules.py",)
TARGETS: Final = (
    Target("alliance_pay/_signing.py", ("tests/test_signing.py", "tests/test_auth.py")),
    Target("alliance_pay/_retries.py", (*_CREATES, *_WAITS, *_RETRIES)),
    Target(
        "alliance_pay/_async/_client.py",
        (*_CREATES, *_WAITS, *_RETRIES),
        frozenset(
            {
                "AsyncAllianceClient._request",
                "AsyncAllianceClient._create",
                "AsyncAllianceClient._look_up",
                "AsyncAllianceClient._accept",
            }
        ),
    ),
    Target("alliance_pay/_validation.py", (*_INPUTS, "tests/test_validation.py")),
    Target(
        "alliance_pay/_base.py",
        (
            *_CREATES,
            *_INPUTS,
            "tests/test_unusual_responses.py",
            "tests/_async/test_client.py",
            *_RETRIES,
        ),
        frozenset(
            {
                "BaseClient._parse",
                "BaseClient._transport_error",
                "status_error",
                "_decode_json",
                "_server_message",
                "_says_order_id_taken",
                "_STATUS_ERRORS",
                "_TAKEN_WORDS",
            }
        ),
    ),
    Target(
        "alliance_pay/_webhook_confirmation.py",
        ("tests/_async/test_webhook_pairings.py", "tests/_async/test_webhooks_confirm.py"),
    ),
)


@dataclass(frozen=True)
class Outcome:
    mutant: Mutant
    verdict: str  # "killed", "survived" or "timeout"
    seconds: float


def load_equivalents(path: Path = EQUIVALENTS) -> dict[str, str]:
    """The listed equivalent mutants: ``key || reason`` a line, ``#`` comments."""
    listed: dict[str, str] = {}
    if not path.is_file():
        return listed
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, reason = line.rpartition(" || ")
        if not sep or not reason.strip():
            raise SystemExit(f"{path.name}:{number}: expected 'KEY || reason', got {line!r}")
        listed[key.strip()] = reason.strip()
    return listed


def collect(targets: Sequence[Target]) -> list[tuple[Target, Mutant]]:
    found: list[tuple[Target, Mutant]] = []
    for target in targets:
        source = (ROOT / target.module).read_text(encoding="utf-8")
        found.extend(
            (target, m) for m in enumerate_mutants(source, target.module, target.functions)
        )
    return found


def _ignore(_: str, names: list[str]) -> set[str]:
    skip = {".git", ".venv", ".nox", ".ci-venv", "build", "site", "__pycache__", ".mypy_cache"}
    return {n for n in names if n in skip or n.endswith(".pyc")}


class Workspace:
    """A private copy of the repository in which one mutant at a time is planted."""

    def __init__(self, base: Path) -> None:
        self.root = base
        shutil.copytree(ROOT, base, ignore=_ignore, dirs_exist_ok=True)
        self.env = {
            **os.environ,
            "PYTHONPATH": str(base),
            "PYTHONDONTWRITEBYTECODE": "1",  # a stale .pyc must never stand in for a mutant
            "PYTHONHASHSEED": "0",
        }
        where = subprocess.run(
            [sys.executable, "-c", "import alliance_pay; print(alliance_pay.__file__)"],
            cwd=base,
            env=self.env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        if not where.startswith(str(base)):
            raise SystemExit(f"the copy imports alliance_pay from {where}, not from {base}")

    def _write(self, module: str, text: str) -> None:
        (self.root / module).write_text(text, encoding="utf-8")
        if "/_async/" in module:
            twin = module.replace("/_async/", "/_sync/")
            generated = unasync.HEADER.format(source=module) + unasync.unasync_text(text)
            (self.root / twin).write_text(generated, encoding="utf-8")

    def run_tests(self, tests: Sequence[str], timeout: float) -> tuple[str, float]:
        command = [sys.executable, "-m", "pytest", "-x", "-q", "-m", "not slow"]
        command += ["-p", "no:cacheprovider", "--no-header", "-W", "error", *tests]
        started = time.monotonic()
        try:
            done = subprocess.run(  # noqa: S603 (our own interpreter and pytest)
                command,
                cwd=self.root,
                env=self.env,
                capture_output=True,
                timeout=timeout,
                check=False,
            )
        except subprocess.TimeoutExpired:
            return "timeout", time.monotonic() - started
        seconds = time.monotonic() - started
        if done.returncode in (0, 1):
            return ("survived" if done.returncode == 0 else "killed"), seconds
        # 2-5: collection errors, usage errors: the mutant broke an import, which tests notice.
        return "killed", seconds

    def trial(self, target: Target, mutant: Mutant, timeout: float) -> Outcome:
        original = (ROOT / target.module).read_text(encoding="utf-8")
        self._write(target.module, apply(original, mutant, target.functions))
        try:
            verdict, seconds = self.run_tests(target.tests, timeout)
        finally:
            self._write(target.module, original)
        return Outcome(mutant, verdict, seconds)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--module", action="append", default=[], help="path substring")
    parser.add_argument("--sample", type=int, default=0, help="run N mutants chosen at random")
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--jobs", type=int, default=max(1, min(2, os.cpu_count() or 1)))
    parser.add_argument("--list", action="store_true", help="list the mutants and stop")
    args = parser.parse_args(argv)

    targets = [t for t in TARGETS if not args.module or any(m in t.module for m in args.module)]
    if not targets:
        parser.error(f"no module matches {args.module}")
    chosen = collect(targets)
    if args.list:
        for _, mutant in chosen:
            print(f"{mutant.module}:{mutant.line}: {mutant.key}")
        print(f"{len(chosen)} mutants")
        return 0
    equivalents = load_equivalents()
    total = len(chosen)
    if args.sample:
        draw = random.Random(args.seed)  # noqa: S311 (a sample, not a secret)
        chosen = draw.sample(chosen, min(args.sample, len(chosen)))
    print(f"mutation: {len(chosen)} of {total} mutants over {len(targets)} module(s)", flush=True)

    with tempfile.TemporaryDirectory(prefix="alliance-mutation-") as tmp:
        workspaces = [Workspace(Path(tmp) / f"w{i}") for i in range(args.jobs)]
        # The unmutated tests must pass, and their time sets each module's timeout.
        timeouts: dict[str, float] = {}
        for target in {t.module: t for t, _ in chosen}.values():
            verdict, seconds = workspaces[0].run_tests(target.tests, timeout=600)
            if verdict != "survived":
                print(f"the tests of {target.module} fail without any mutant: fix them first")
                return 2
            timeouts[target.module] = max(2.5 * seconds, seconds + 20)
        free = list(workspaces)
        lock = threading.Lock()
        outcomes: list[Outcome] = []

        def run(item: tuple[Target, Mutant]) -> Outcome:
            with lock:
                workspace = free.pop()
            try:
                outcome = workspace.trial(item[0], item[1], timeouts[item[0].module])
            finally:
                with lock:
                    free.append(workspace)
            mark = {"killed": ".", "timeout": "T"}.get(outcome.verdict, "S")
            if outcome.verdict == "survived" and outcome.mutant.key in equivalents:
                mark = "e"
            with lock:
                outcomes.append(outcome)
                print(mark, end="", flush=True)
            return outcome

        with ThreadPoolExecutor(max_workers=args.jobs) as pool:
            list(pool.map(run, chosen))
    print()
    return report(targets, outcomes, equivalents, full=not args.sample and not args.module)


def report(
    targets: Sequence[Target], outcomes: list[Outcome], equivalents: dict[str, str], *, full: bool
) -> int:
    print(
        f"\n{'module':45} {'mutants':>7} {'killed':>7} {'timeout':>7} {'equiv':>6} {'survived':>8}"
    )
    unexplained: list[Mutant] = []
    for target in targets:
        mine = [o for o in outcomes if o.mutant.module == target.module]
        counts = {v: sum(o.verdict == v for o in mine) for v in ("killed", "timeout", "survived")}
        equivalent = [o for o in mine if o.verdict == "survived" and o.mutant.key in equivalents]
        unexplained += [
            o.mutant for o in mine if o.verdict == "survived" and o.mutant.key not in equivalents
        ]
        survived = counts["survived"] - len(equivalent)
        row = (len(mine), counts["killed"], counts["timeout"], len(equivalent), survived)
        print(f"{target.module:45}" + "".join(f" {n:>8}" for n in row))
    if full:
        killed_but_listed = [
            o.mutant.key
            for o in outcomes
            if o.verdict != "survived" and o.mutant.key in equivalents
        ]
        generated = {o.mutant.key for o in outcomes}
        for key in killed_but_listed:
            print(f"note: listed as equivalent but killed now, remove it: {key}")
        for key in sorted(set(equivalents) - generated):
            print(f"note: listed as equivalent but no longer generated, remove it: {key}")
    if unexplained:
        print(f"\n{len(unexplained)} mutant(s) survived that are not listed as equivalent:")
        for mutant in sorted(unexplained, key=lambda m: (m.module, m.line)):
            print(f"  {mutant.module}:{mutant.line}: {mutant.key}")
        print(f"Kill each with a test, or list it with its reason in {EQUIVALENTS.name}.")
        return 1
    print("\nno unexplained survivors")
    return 0


if __name__ == "__main__":
    sys.exit(main())
