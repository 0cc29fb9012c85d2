"""``alliance-pay payouts bulk`` as users run it: real processes, killed and resumed."""

from __future__ import annotations

import json
import random
import signal
import time
from pathlib import Path

import pytest

from tests.bulk.cli_support import results_path, served, valid_amounts
from tests.bulk.support import (
    REJECTED_ACCOUNT,
    check_exactly_once,
    read_results,
    rows,
    write_csv,
)


def test_dry_run_lists_every_bad_row_and_sends_nothing(tmp_path: Path) -> None:
    records = rows(6, **{"2": {"amount": "abc"}, "5": {"beneficiary_name": ""}})
    records[3]["order_id"] = records[0]["order_id"]
    source = write_csv(tmp_path / "dry.csv", records)
    with served() as api:
        done = api.run(str(source), "--dry-run", "--json")
        paid = api.paid()

    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)
    assert [r["row"] for r in report["invalid_rows"]] == ["1", "2", "4", "5"]
    assert (report["valid"], report["invalid"]) == (2, 4)
    assert paid == {}
    assert not results_path(source).exists()


def test_strict_refuses_the_file_with_exit_1_and_pays_nothing(tmp_path: Path) -> None:
    source = write_csv(tmp_path / "strict.csv", rows(4, **{"3": {"amount": "1.001"}}))
    with served() as api:
        done = api.run(str(source), "--strict")
        paid = api.paid()

    assert done.returncode == 1
    assert "--strict: nothing was sent" in done.stderr
    assert paid == {}


def test_a_clean_file_exits_0_and_prints_the_summary_as_json(tmp_path: Path) -> None:
    records = rows(5)
    source = write_csv(tmp_path / "clean.csv", records)
    with served() as api:
        done = api.run(str(source), "--json")
        paid, debits = api.paid(), api.debits()

    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert summary["states"]["created"]["count"] == 5
    assert summary["states"]["created"]["amount"] == str(sum(valid_amounts(records).values()))
    check_exactly_once(read_results(results_path(source)), paid, debits, valid_amounts(records))


def test_wait_reports_final_statuses_and_exits_1_for_a_rejected_payout(tmp_path: Path) -> None:
    records = rows(3, **{"2": {"beneficiary_acc_no": REJECTED_ACCOUNT}})
    source = write_csv(tmp_path / "wait.csv", records)
    with served(payout_delay=0.05) as api:
        done = api.run(str(source), "--wait", "--wait-timeout", "30", "--json")

    assert done.returncode == 1, done.stderr
    states = {r["row"]: (r["state"], r["status"]) for r in read_results(results_path(source))}
    assert states == {
        "1": ("approved", "Approved"),
        "2": ("rejected", "Rejected"),
        "3": ("approved", "Approved"),
    }
    assert "ok 2, refused/invalid 1, unknown 0" in done.stderr


@pytest.mark.slow
def test_ctrl_c_exits_5_resumable_and_the_rerun_finishes_exactly_once(tmp_path: Path) -> None:
    records = rows(150)
    source = write_csv(tmp_path / "sigint.csv", records)
    with served() as api:
        # 0.2 s a create, 4 at a time: 150 rows take 7.5 s at the least, however fast the
        # machine; the signal goes once the run is seen paying, however slow it is.
        api.fault("payout.create", "latency", times=None, latency=0.2)
        process = api.start(str(source), "--concurrency", "4")
        waited = time.monotonic() + 120
        while len(api.paid()) < 8:
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < waited, "the run paid nothing in 120 s"
            time.sleep(0.02)
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=60)
        rerun = api.run(str(source))
        paid, debits = api.paid(), api.debits()

    assert process.returncode == 5, stderr
    assert "Run the same command again" in stderr
    assert rerun.returncode == 0, rerun.stderr
    check_exactly_once(read_results(results_path(source)), paid, debits, valid_amounts(records))


@pytest.mark.slow
def test_kill_9_at_random_points_then_resume_pays_every_row_exactly_once(tmp_path: Path) -> None:
    chance = random.Random(20261129)
    records = rows(400, **{"7": {"amount": "-1"}})
    source = write_csv(tmp_path / "kill.csv", records)
    valid = valid_amounts(records)
    valid.pop(records[6]["order_id"])
    with served() as api:
        api.fault("payout.create", "commit_then_drop", mode="drop", times=None, probability=0.05)
        api.fault("payout.create", "commit_then_drop", mode="502", times=None, probability=0.05)
        api.fault("payout.create", "status", status_code=503, times=None, probability=0.05)
        api.fault("payout.status", "status", status_code=500, times=None, probability=0.05)
        api.fault("*", "latency", times=None, latency=0.01)
        kills = 0
        for _ in range(4):
            process = api.start(str(source), "--concurrency", "6")
            time.sleep(chance.uniform(0.8, 3.0))
            if process.poll() is None:
                process.kill()  # SIGKILL: no cleanup at all
                kills += 1
            process.communicate(timeout=60)
        codes = []
        for _ in range(6):
            done = api.run(str(source), "--concurrency", "6")
            codes.append(done.returncode)
            if done.returncode in (0, 1):
                break
        paid, debits = api.paid(), api.debits()

    assert kills >= 2
    assert codes[-1] == 1, codes  # done; row 7 is invalid
    results = read_results(results_path(source))
    assert [r["state"] for r in results if r["row"] == "7"] == ["invalid"]
    check_exactly_once(results, paid, debits, valid)


def test_report_rewrites_the_whole_batch_from_the_journal_anywhere(tmp_path: Path) -> None:
    records = rows(4, **{"3": {"amount": "0"}})
    source = write_csv(tmp_path / "rep.csv", records)
    with served() as api:
        first = api.run(str(source))
        report = api.run(str(source), "--report", "--out", str(tmp_path / "elsewhere.jsonl"))

    assert (first.returncode, report.returncode) == (1, 1)
    lines = read_results(tmp_path / "elsewhere.jsonl")
    assert [(r["row"], r["state"]) for r in lines] == [
        ("1", "created"),
        ("2", "created"),
        ("3", "invalid"),
        ("4", "created"),
    ]
