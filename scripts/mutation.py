"""Mutation testing of the money-critical modules: do the fast tests notice a planted bug?

For each mutant (see ``scripts/mutants.py``) of each module in ``TARGETS``, the module's fast
tests run with ``-x`` and a time limit against the mutated module (and its regenerated sync
twin when the module is in ``_async``), in a forked child that imports the mutant instead of
the file (``scripts/mutant_runner.py``). The mutant is *killed* (a test failed), *survived*
(every test passed) or *timed out* (counted as noticed: a hang is a failure a user sees).
The working tree is never touched.

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
import signal
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from mutant_runner import ROOT, Job, overrides, preload, run_all
from mutants import Mutant, apply, enumerate_mutants

EQUIVALENTS: Final = ROOT / "scripts" / "equivalent_mutants.txt"


@dataclass(frozen=True)
class Target:
    """A module to mutate, the functions of it that hold money rules (all when ``None``),
    and the fast tests that guard it."""

    module: str
    tests: tuple[str, ...]
    functions: frozenset[str] | None = None


# Each module's tests, the ones most likely to notice a change first (pytest stops at the
# first failure): the tests that pin its rules, then the rest that exercise it. The async
# tests only: the sync client is generated from the same source and shares every rule, and
# the generated twin of a mutated ``_async`` module is what the sync tests would run.
_CREATES = ("tests/_async/test_create_outcomes.py",)
# The attempt itself: its log line (numbered within its call) and the stream it must close.
_ATTEMPTS = ("tests/_async/test_attempt_logs.py", "tests/test_response_release.py")
_WAITS = ("tests/_async/test_waits.py",)
_RETRIES = ("tests/_async/test_retries.py",)
# The create's handling of a cancellation and of a client refused mid-create (#15's tests).
_LIFECYCLE = ("tests/reliability/test_lifecycle.py",)
_INPUTS = ("tests/_async/test_input_rules.py",)
# #15's tests of what a create and a read end in: caps, undecodable bodies, the order-id check.
_RELIABILITY = (
    "tests/reliability/test_create_outcomes.py",
    "tests/reliability/test_body_cap.py",
)
# What guards the client core: BaseClient, response reading and the outcome of a create.
_BASE_TESTS = (
    "tests/_async/test_status_mapping.py",
    *_CREATES,
    *_INPUTS,
    "tests/test_unusual_responses.py",
    "tests/test_attempt_deadline.py",
    "tests/_async/test_client.py",
    *_RETRIES,
    *_RELIABILITY,
    *_LIFECYCLE,
)
TARGETS: Final = (
    Target(
        "alliance_pay/_signing.py",
        (
            "tests/test_wire_bytes.py",
            "tests/test_signing.py",
            "tests/test_auth.py",
            "tests/test_body_encoding.py",
        ),
    ),
    Target(
        "alliance_pay/_auth.py",
        (
            "tests/test_auth.py",
            "tests/test_client_signs_requests.py",
            "tests/reliability/test_timestamps.py",
            "tests/test_wire_bytes.py",
        ),
        frozenset(
            {
                "MAX_LEAD_MS",
                "_next_ms",
                "_UniqueMillis.__call__",
                "_require_key",
                "AllianceAuth._sign",
                "AllianceAuth._signed_headers",
            }
        ),
    ),
    Target(
        "alliance_pay/_retries.py",
        (*_CREATES, *_WAITS, "tests/test_resolve_budget.py", *_RETRIES),
    ),
    Target(
        "alliance_pay/_async/_client.py",
        (*_CREATES, *_WAITS, *_RETRIES, *_ATTEMPTS, *_LIFECYCLE, *_RELIABILITY),
        frozenset(
            {
                "AsyncAllianceClient._attempt",
                "AsyncAllianceClient._request",
                "AsyncAllianceClient._create",
                "AsyncAllianceClient._create_once",
                "AsyncAllianceClient._look_up",
            }
        ),
    ),
    Target(
        "alliance_pay/_validation.py",
        (
            *_INPUTS,
            "tests/test_payout_call.py",
            "tests/test_validation_field_names.py",
            "tests/test_validation.py",
        ),
    ),
    Target(
        "alliance_pay/_body.py",
        ("tests/test_payout_call.py", "tests/test_body_encoding.py", "tests/test_wire_bytes.py"),
    ),
    Target(
        "alliance_pay/_rules/_checks.py",
        (
            *_INPUTS,
            "tests/test_validation_fast_path.py",
            "tests/test_rules_contract.py",
            "tests/test_validation.py",
            "tests/test_rules.py",
        ),
        frozenset(
            {
                "_CONTROL",
                "_SEPARATORS",
                "_PAISA_PLACES",
                "AMOUNT_CEILING",
                "_blank",
                "required",
                "string",
                "string_or_integer",
                "string_or_null",
                "no_control",
                "one_path_segment",
                "to_amount",
                "_read_amount",
                "number",
                "positive",
                "below_ceiling",
                "whole_paise",
                "upi",
                "http_url",
                "_TEXT_CHECKS",
                "fast_accept",
            }
        ),
    ),
    Target(
        "alliance_pay/_rules/__init__.py",
        (
            *_INPUTS,
            "tests/test_validation_fast_path.py",
            "tests/test_payout_call.py",
            "tests/test_rules_contract.py",
            "tests/test_validation.py",
            "tests/test_rules.py",
        ),
        frozenset(
            {
                "_rules_for",
                "_required_string",
                "_order_id",
                "_amount",
                "RULES",
                "check_value",
                "check_fields",
                "_first_broken",
                "_index",
                "_planned",
                "quick_test",
                "_proves_nothing",
                "quick_terms_for",
            }
        ),
    ),
    Target(
        "alliance_pay/_rules/_quick.py",
        (
            *_INPUTS,
            "tests/test_validation_fast_path.py",
            "tests/test_payout_call.py",
            "tests/test_validation.py",
        ),
    ),
    Target(
        "alliance_pay/_base.py",
        _BASE_TESTS,
        frozenset(
            {
                "BaseClient._parse",
                "BaseClient._transport_error",
                "BaseClient._body_error",
                "BaseClient._unreadable",
            }
        ),
    ),
    Target(
        "alliance_pay/_reading.py",
        _BASE_TESTS,
        frozenset(
            {
                "read_result",
                "status_error",
                "_decode_json",
                "_server_message",
                "_says_order_id_taken",
                "_STATUS_ERRORS",
                "_TAKEN_WORDS",
            }
        ),
    ),
    Target("alliance_pay/_outcome.py", _BASE_TESTS, frozenset({"accept_record", "_conflict"})),
    Target(
        "alliance_pay/_converter.py",
        (
            "tests/test_response_amounts.py",
            "tests/test_unusual_responses.py",
            "tests/_async/test_status_mapping.py",
            "tests/test_models.py",
        ),
        frozenset(
            {
                "to_decimal",
                "to_money",
                "_MAX_EXPONENT",
                "_MAX_DIGITS",
                "_MAX_TEXT",
                "_PAISA",
                "_MAX_PLAIN_INT",
                "_PLAIN_AMOUNT",
                "structure_problems",
            }
        ),
    ),
    Target(
        "alliance_pay/webhooks/_confirmation.py",
        (
            "tests/_async/test_webhook_pairings.py",
            "tests/test_confirmation_rules.py",
            "tests/_async/test_webhooks_confirm.py",
        ),
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


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--module", action="append", default=[], help="path substring")
    parser.add_argument("--sample", type=int, default=0, help="run N mutants chosen at random")
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--jobs", type=int, default=max(1, min(2, os.cpu_count() or 1)))
    parser.add_argument("--list", action="store_true", help="list the mutants and stop")
    args = parser.parse_args(argv)
    # A SIGTERM unwinds like Ctrl-C, so that the running children are killed too.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

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
    preload()

    # The unmutated tests must pass, and their time sets each module's time limit.
    limits: dict[str, float] = {}

    def baseline(job: Job, verdict: str, seconds: float) -> None:
        assert isinstance(job.tag, Target)
        if verdict != "survived":
            raise SystemExit(f"the tests of {job.tag.module} fail without any mutant: fix them")
        limits[job.tag.module] = max(2 * seconds, seconds + 15)

    modules = {target.module: target for target, _ in chosen}
    run_all([Job({}, t.tests, timeout=900, tag=t) for t in modules.values()], args.jobs, baseline)

    def canary(job: Job, verdict: str, seconds: float) -> None:
        assert isinstance(job.tag, Target)
        if verdict != "killed":
            raise SystemExit(f"a broken {job.tag.module} went unnoticed: mutants do not load")

    # A module that cannot even be imported must be noticed, or the mutants are not loaded.
    broken = [
        Job(overrides(t.module, "raise ImportError('mutation canary')\n"), t.tests, 300, tag=t)
        for t in modules.values()
    ]
    run_all(broken, args.jobs, canary)

    outcomes: list[Outcome] = []

    def finished(job: Job, verdict: str, seconds: float) -> None:
        assert isinstance(job.tag, Mutant)
        mark = {"killed": ".", "timeout": "T"}.get(verdict, "S")
        if verdict == "survived" and job.tag.key in equivalents:
            mark = "e"
        if mark == "S":  # at once: a long run need not end before work on it can start
            print(f"\nsurvived: {job.tag.key}", flush=True)
        else:
            print(mark, end="", flush=True)
        outcomes.append(Outcome(job.tag, verdict, seconds))

    sources = {t.module: (ROOT / t.module).read_text(encoding="utf-8") for t in modules.values()}
    jobs = [
        Job(
            overrides(t.module, apply(sources[t.module], m, t.functions)),
            t.tests,
            limits[t.module],
            tag=m,
        )
        for t, m in chosen
    ]
    run_all(jobs, args.jobs, finished)
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
