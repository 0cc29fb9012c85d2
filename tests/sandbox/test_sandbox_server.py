"""Over real sockets: uvicorn serves every endpoint, and the CLI starts a usable sandbox."""

from __future__ import annotations

import os
import queue
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from alliance_pay._signing import compute_signature, now_ms
from alliance_pay.cli import main
from tests.sandbox.support import Signer, link_body, payout_body

REPO = Path(__file__).resolve().parents[2]


async def test_every_endpoint_answers_over_a_socket(socket_api: Signer) -> None:
    api, http = socket_api, socket_api.client
    assert (await api.balance()).json()["data"] == {"balance": "100000.00"}
    created = await api.create_link(link_body("PI/NET"))
    assert created.status_code == 201
    pay_url = created.json()["data"]["pay_url"]
    assert pay_url == str(http.base_url).rstrip("/") + "/pay/PI%2FNET"
    assert "Confirm Payment" in (await http.get(pay_url)).text
    assert (await http.post(pay_url, data={"action": "confirm"})).status_code == 200
    assert (await api.payin_status("PI/NET")).json()["data"]["status"] == "Approved"
    assert (await api.create_payout(payout_body("PO/NET"))).status_code == 201
    # uvicorn hands the app the raw path, so ORD%2F... stays one segment.
    status = await api.payout_status("PO/NET")
    assert status.status_code == 200
    assert status.json()["data"]["order_id"] == "PO/NET"


async def test_a_bad_signature_is_refused_over_a_socket(socket_api: Signer) -> None:
    socket_api.secret_key = "wrong"
    response = await socket_api.balance()
    assert response.status_code == 401
    assert response.json()["message"].startswith("Invalid signature")


@pytest.fixture
def cli_sandbox() -> Iterator[tuple[subprocess.Popen[str], list[str]]]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    process = subprocess.Popen(
        [sys.executable, "-m", "alliance_pay.cli", "sandbox", "--port", "0", "--balance", "500"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=REPO,
    )
    lines: queue.Queue[str] = queue.Queue()
    assert process.stdout is not None

    # A reader thread, so that a sandbox that never prints fails the test instead of hanging it.
    def read_lines() -> None:
        for line in process.stdout or ():
            lines.put(line)

    reader = threading.Thread(target=read_lines)
    reader.start()
    try:
        yield process, [lines.get(timeout=10) for _ in range(3)]
    finally:
        process.terminate()
        process.wait(timeout=10)
        reader.join(10)
        process.stdout.close()
        if process.stderr is not None:
            process.stderr.close()


def test_the_cli_prints_the_url_and_credentials_and_serves(
    cli_sandbox: tuple[subprocess.Popen[str], list[str]],
) -> None:
    process, lines = cli_sandbox
    assert re.fullmatch(r"Alliance sandbox listening on http://127\.0\.0\.1:\d+\n", lines[0])
    exported = dict(re.findall(r"(ALLIANCE_\w+)=(\S+)", lines[1]))
    assert lines[1].startswith("export ")
    assert set(exported) == {"ALLIANCE_BASE_URL", "ALLIANCE_ACCESS_KEY", "ALLIANCE_SECRET_KEY"}
    assert not exported["ALLIANCE_BASE_URL"].endswith(":0")
    # Fresh random credentials, since none were given.
    assert re.fullmatch(r"[0-9a-f]{24}", exported["ALLIANCE_ACCESS_KEY"])
    assert re.fullmatch(r"[0-9a-f]{64}", exported["ALLIANCE_SECRET_KEY"])
    timestamp = now_ms()
    signature = compute_signature(
        exported["ALLIANCE_SECRET_KEY"], "GET", "api/v1/balance", b"", timestamp
    )
    headers = {
        "Access-Key": exported["ALLIANCE_ACCESS_KEY"],
        "Timestamp": str(timestamp),
        "Signature": signature,
    }
    with httpx.Client(base_url=exported["ALLIANCE_BASE_URL"]) as client:
        response = client.get("/api/v1/balance", headers=headers)
    assert response.json()["data"] == {"balance": "500.00"}
    # SIGTERM stops it like Ctrl-C: a clean exit.
    process.terminate()
    assert process.wait(timeout=10) == 0


def test_the_cli_without_a_command_prints_help_and_returns_2(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main([]) == 2
    assert "sandbox" in capsys.readouterr().err


def test_the_demo_command_explains_when_the_demo_is_missing(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "alliance_pay._demo", None)
    assert main(["demo"]) == 2
    assert "demo is not available" in capsys.readouterr().err


def test_the_demo_command_returns_the_demos_exit_code(monkeypatch: pytest.MonkeyPatch) -> None:
    import types

    demo = types.ModuleType("alliance_pay._demo")
    demo.run_demo = lambda: 7  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "alliance_pay._demo", demo)
    assert main(["demo"]) == 7


def test_the_sandbox_command_explains_a_missing_extra(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "uvicorn", None)
    assert main(["sandbox", "--port", "0"]) == 2
    assert "pip install 'alliance-pay[sandbox]'" in capsys.readouterr().err


@pytest.mark.parametrize("output", ["text", "json"])
def test_the_cli_stopped_as_soon_as_it_prints_its_url_exits_cleanly(output: str) -> None:
    # A script that starts the sandbox, reads its URL and stops it at once (a test fixture
    # tearing down) must get the clean exit of Ctrl-C, whatever the server was still setting up.
    command = [sys.executable, "-m", "alliance_pay.cli", "sandbox", "--port", "0"]
    if output == "json":
        command.append("--json")
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        cwd=REPO,
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        assert "127.0.0.1" in first
        process.terminate()
        _, errors = process.communicate(timeout=10)
    finally:
        process.kill()
    assert process.returncode == 0, errors
    assert "Traceback" not in errors
