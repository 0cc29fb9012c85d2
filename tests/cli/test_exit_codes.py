"""Each outcome class has its own exit code, and a message on stderr that says what to do."""

from __future__ import annotations

import json
import os
import select
import socket
import subprocess
import sys

import httpx
import pytest

from tests.cli.support import REPO, run_cli
from tests.cli.test_resources import PAYOUT_FLAGS

pytestmark = pytest.mark.slow


def test_a_401_exits_3_with_a_hint(env: dict[str, str]) -> None:
    run = run_cli("balance", env={**env, "ALLIANCE_SECRET_KEY": "not-the-key"})
    assert run.code == 3
    assert "401" in run.stderr
    assert "sign --verify" in run.stderr
    assert run.stdout == ""


def test_a_404_exits_1(env: dict[str, str]) -> None:
    run = run_cli("payouts", "status", "NO-SUCH-ORDER", env=env)
    assert run.code == 1
    assert "404" in run.stderr


def test_a_reused_order_id_exits_1_and_says_to_look_it_up(env: dict[str, str]) -> None:
    first = run_cli("payouts", "create", "--order-id", "PO-TWICE", *PAYOUT_FLAGS, env=env)
    assert first.code == 0, first.stderr
    again = run_cli("payouts", "create", "--order-id", "PO-TWICE", *PAYOUT_FLAGS, env=env)
    assert again.code == 1
    assert "alliance-pay payouts status" in again.stderr


def test_bad_input_exits_2_before_anything_is_sent(env: dict[str, str], served: str) -> None:
    run = run_cli(
        "payouts", "create", "--order-id", "PO-BAD", *PAYOUT_FLAGS, "--amount", "12.345", env=env
    )
    assert run.code == 2
    assert "amount" in run.stderr
    assert httpx.get(f"{served}/_sandbox/state").json()["payouts"] == []


def test_missing_fields_and_configuration_exit_2(env: dict[str, str]) -> None:
    missing = run_cli("payouts", "create", "--order-id", "PO-X", env=env)
    assert missing.code == 2
    assert "--beneficiary-acc-no" in missing.stderr
    no_url = run_cli("balance", env={k: v for k, v in env.items() if k != "ALLIANCE_BASE_URL"})
    assert no_url.code == 2
    assert "ALLIANCE_BASE_URL" in no_url.stderr


def test_no_server_exits_4() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # free, and nothing listens once closed
    run = run_cli(
        "balance", "--base-url", f"http://127.0.0.1:{port}", "--access-key", "a",
        env={"ALLIANCE_SECRET_KEY": "s"},
    )  # fmt: skip
    assert run.code == 4
    assert "error:" in run.stderr
    assert "Traceback" not in run.stderr


def test_an_unknown_outcome_exits_5_and_says_how_to_resolve_it(
    env: dict[str, str], served: str
) -> None:
    # The payout is made but its answer is lost, and every look-up fails too: the server asks
    # for an hour's wait, past the look-ups' budget, so they stop without using it up.
    unavailable = {"kind": "status", "status_code": 503, "headers": {"Retry-After": "3600"}}
    faults = [
        {"endpoint": "payout.create", "kind": "commit_then_drop", "mode": "502"},
        {"endpoint": "payout.status", **unavailable, "times": None},
    ]
    for fault in faults:
        httpx.post(f"{served}/_sandbox/faults", json=fault).raise_for_status()
    run = run_cli("payouts", "create", "--order-id", "PO-LOST", *PAYOUT_FLAGS, env=env)
    assert run.code == 5, run.stderr
    assert "unknown" in run.stderr
    assert "alliance-pay payouts status PO-LOST" in run.stderr
    assert run.stdout == ""


def test_the_secret_is_never_taken_from_argv(env: dict[str, str]) -> None:
    for flag in (["--secret-key", "abc"], ["--secret-key=abc"]):
        run = run_cli("balance", *flag, env=env)
        assert run.code == 2
        assert "shell history" in run.stderr
        assert "ALLIANCE_SECRET_KEY" in run.stderr


def test_the_secret_from_a_file_drops_the_trailing_newline(
    env: dict[str, str], tmp_path: object
) -> None:
    path = tmp_path / "secret"  # type: ignore[operator]
    path.write_text(env["ALLIANCE_SECRET_KEY"] + "\n")
    without = {k: v for k, v in env.items() if k != "ALLIANCE_SECRET_KEY"}
    run = run_cli("balance", "--json", "--secret-key-file", str(path), env=without)
    assert run.code == 0, run.stderr
    no_secret = run_cli("balance", env=without)
    assert no_secret.code == 2
    assert "--secret-key-file" in no_secret.stderr


def test_version_names_the_sdk_python_and_httpx() -> None:
    run = run_cli("--version")
    assert run.code == 0
    assert [line.split()[0] for line in run.stdout.splitlines()] == [
        "alliance-pay",
        "Python",
        "httpx",
    ]


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pseudo-terminal")
def test_on_a_terminal_the_secret_is_asked_for_without_echo(env: dict[str, str]) -> None:
    primary, secondary = os.openpty()
    base = {k: v for k, v in os.environ.items() if not k.startswith("ALLIANCE_")}
    without = {k: v for k, v in env.items() if k != "ALLIANCE_SECRET_KEY"}
    process = subprocess.Popen(
        [sys.executable, "-m", "alliance_pay.cli", "balance", "--json"],
        stdin=secondary, stdout=subprocess.PIPE, stderr=secondary,
        env={**base, **without, "PYTHONPATH": str(REPO)}, cwd=REPO, start_new_session=True,
    )  # fmt: skip
    os.close(secondary)
    try:
        prompt = b""
        # Without a controlling terminal getpass prompts on stderr: the terminal here.
        while b"secret key" not in prompt:
            ready, _, _ = select.select([primary], [], [], 30)
            assert ready, "no prompt"
            prompt += os.read(primary, 1024)
        os.write(primary, env["ALLIANCE_SECRET_KEY"].encode() + b"\n")
        out, _ = process.communicate(timeout=60)
        ready, _, _ = select.select([primary], [], [], 0)
        shown = prompt + (os.read(primary, 4096) if ready else b"")
    finally:
        os.close(primary)
    assert process.returncode == 0, shown
    assert json.loads(out) == {"balance": "100000.00"}
    assert env["ALLIANCE_SECRET_KEY"].encode() not in shown + out  # never echoed
