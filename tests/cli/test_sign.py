"""``sign`` reproduces the known-answer vectors; ``sign --verify`` names each common mistake."""

from __future__ import annotations

import hashlib
import hmac
import json
from pathlib import Path
from typing import Any

import pytest

from alliance_pay.cli import main
from tests.cli.support import run_cli

VECTORS: list[dict[str, Any]] = json.loads(
    (Path(__file__).parents[1] / "data" / "signature-vectors.json").read_text("utf-8")
)["cases"]
SECRET = "merchant-secret-0123"
TS = "1731017656554"


def _run(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, secret: str, *argv: str
) -> tuple[int, Any]:
    monkeypatch.setenv("ALLIANCE_SECRET_KEY", secret)
    monkeypatch.delenv("ALLIANCE_ACCESS_KEY", raising=False)
    code = main([*argv, "--json"])
    return code, json.loads(capsys.readouterr().out)


@pytest.mark.parametrize("case", VECTORS, ids=[f"{i}-{c['kind']}" for i, c in enumerate(VECTORS)])
def test_sign_reproduces_the_vectors(
    case: dict[str, Any], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    body = ["--body", case["wire_body"]] if case["body"] is not None else []
    code, out = _run(
        capsys, monkeypatch, case["secret"],
        "sign", case["method"], case["path"], *body, "--timestamp", case["timestamp"],
    )  # fmt: skip
    assert code == 0
    assert out["string_to_sign"] == case["message"]
    assert out["signature"] == case["signature"]


def test_sign_as_a_user_runs_it_shows_the_newlines() -> None:
    case = VECTORS[3]  # a GET: the empty BODY line is the point
    run = run_cli(
        "sign", "GET", "/api/v1/balance", "--timestamp", case["timestamp"],
        env={"ALLIANCE_SECRET_KEY": case["secret"]},
    )  # fmt: skip
    assert run.code == 0, run.stderr
    assert f"GET\\n\napi/v1/balance\\n\n\\n\n{case['timestamp']}\\n\n" in run.stdout
    assert run.stdout.rstrip().endswith(f"Signature: {case['signature']}")


def _hmac(secret: str, method: str, path: str, body: str, timestamp: str) -> str:
    # Written out by hand, as a PHP or Node service would: not through the SDK's signer.
    message = f"{method}\n{path}\n{body}\n{timestamp}\n".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


PAYIN_BODY = '{"order_id":"ORD/2026/11"}'
# (mistake code, the request as sent, the signature made the wrong way)
WRONG_WAYS = [
    (
        "body-braces",
        ("GET", "/api/v1/balance", ""),
        _hmac(SECRET, "GET", "api/v1/balance", "{}", TS),
    ),
    (
        "leading-slash",
        ("GET", "/api/v1/balance", ""),
        _hmac(SECRET, "GET", "/api/v1/balance", "", TS),
    ),
    (
        "query-string",
        ("GET", "https://api.example.in/api/v1/balance?lang=en", ""),
        _hmac(SECRET, "GET", "api/v1/balance?lang=en", "", TS),
    ),
    (
        "path-not-encoded",
        ("GET", "/api/v1/payout/ORD%2F2026%2F11/status", ""),
        _hmac(SECRET, "GET", "api/v1/payout/ORD/2026/11/status", "", TS),
    ),
    (
        "body-reserialized",
        ("POST", "/api/v1/payin/transactions", PAYIN_BODY),
        _hmac(SECRET, "POST", "api/v1/payin/transactions", json.dumps(json.loads(PAYIN_BODY)), TS),
    ),
    (
        "timestamp-seconds",
        ("GET", "/api/v1/balance", ""),
        _hmac(SECRET, "GET", "api/v1/balance", "", TS[:-3]),
    ),
    (
        "secret-newline",
        ("POST", "/api/v1/payin/transactions", PAYIN_BODY),
        _hmac(SECRET + "\n", "POST", "api/v1/payin/transactions", PAYIN_BODY, TS),
    ),
]


@pytest.mark.parametrize(("code", "sent", "signature"), WRONG_WAYS, ids=[w[0] for w in WRONG_WAYS])
def test_verify_names_the_mistake_that_reproduces_the_signature(
    code: str,
    sent: tuple[str, str, str],
    signature: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    method, target, body = sent
    exit_code, out = _run(
        capsys, monkeypatch, SECRET, "sign", "--verify", "--method", method, "--path", target,
        "--body", body, "--timestamp", TS, "--signature", signature,
    )  # fmt: skip
    assert exit_code == 1
    assert out["valid"] is False
    assert [m["code"] for m in out["mistakes"]] == [code]


def test_verify_accepts_a_right_signature_and_exits_0(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    signature = _hmac(SECRET, "POST", "api/v1/payin/transactions", PAYIN_BODY, TS)
    exit_code, out = _run(
        capsys, monkeypatch, SECRET, "sign", "--verify", "--method", "POST",
        "--path", "/api/v1/payin/transactions", "--body", PAYIN_BODY, "--timestamp", TS,
        "--signature", signature,
    )  # fmt: skip
    assert (exit_code, out["valid"], out["mistakes"]) == (0, True, [])


def test_verify_finds_two_mistakes_made_together(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    signature = _hmac(SECRET, "GET", "/api/v1/balance?x=1", "", TS)
    _, out = _run(
        capsys, monkeypatch, SECRET, "sign", "--verify", "--method", "GET",
        "--path", "/api/v1/balance?x=1", "--timestamp", TS, "--signature", signature,
    )  # fmt: skip
    assert sorted(m["code"] for m in out["mistakes"]) == ["leading-slash", "query-string"]


def test_verify_with_another_secret_names_no_mistake_and_exits_1(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    signature = _hmac("some-other-secret", "GET", "api/v1/balance", "", TS)
    exit_code, out = _run(
        capsys, monkeypatch, SECRET, "sign", "--verify", "--method", "GET",
        "--path", "/api/v1/balance", "--timestamp", TS, "--signature", signature,
    )  # fmt: skip
    assert (exit_code, out["valid"], out["mistakes"]) == (1, False, [])


def test_verify_refuses_a_right_signature_over_a_timestamp_in_seconds(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    signature = _hmac(SECRET, "GET", "api/v1/balance", "", TS[:-3])
    exit_code, out = _run(
        capsys, monkeypatch, SECRET, "sign", "--verify", "--method", "GET",
        "--path", "/api/v1/balance", "--timestamp", TS[:-3], "--signature", signature,
    )  # fmt: skip
    assert exit_code == 1
    assert out["signature_matches"] is True
    assert [m["code"] for m in out["mistakes"]] == ["timestamp-seconds"]


def test_verify_reads_a_pasted_curl_command_from_stdin() -> None:
    signature = _hmac(SECRET, "POST", "/api/v1/payin/transactions", PAYIN_BODY, TS)
    curl = (
        "curl -sS -X POST 'https://api.example.in/api/v1/payin/transactions' \\\n"
        "  -H 'Content-Type: application/json' -H 'Access-Key: ak-1' \\\n"
        f"  -H 'Timestamp: {TS}' -H 'Signature: {signature}' \\\n"
        f"  --data-raw '{PAYIN_BODY}'\n"
    )
    run = run_cli(
        "sign", "--verify", "--curl", "-", stdin=curl, env={"ALLIANCE_SECRET_KEY": SECRET}
    )
    assert run.code == 1, run.stderr
    assert "Mistake: leading `/` in the PATH line [leading-slash]" in run.stdout
    assert "/api/v1/payin/transactions\\n" in run.stdout  # what was signed instead


def test_verify_reads_a_har_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    signature = _hmac(SECRET, "POST", "api/v1/payin/transactions", PAYIN_BODY, TS)
    request = {
        "method": "POST",
        "url": "https://api.example.in/api/v1/payin/transactions",
        "headers": [{"name": "Timestamp", "value": TS}, {"name": "signature", "value": signature}],
        "postData": {"mimeType": "application/json", "text": PAYIN_BODY},
    }
    har = tmp_path / "capture.har"
    har.write_text(json.dumps({"log": {"entries": [{"request": request}]}}))
    exit_code, out = _run(capsys, monkeypatch, SECRET, "sign", "--verify", "--har", str(har))
    assert (exit_code, out["valid"]) == (0, True)


def test_verify_reads_a_raw_http_request_from_a_log(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    signature = _hmac(
        SECRET, "POST", "api/v1/payin/transactions", json.dumps({"order_id": "A"}), TS
    )
    raw = (
        "POST /api/v1/payin/transactions HTTP/1.1\r\nHost: api.example.in\r\n"
        f"Content-Type: application/json\r\nTimestamp: {TS}\r\nSignature: {signature}\r\n\r\n"
        '{"order_id":"A"}\r\n'
    )
    path = tmp_path / "request.txt"
    path.write_bytes(raw.encode())
    exit_code, out = _run(capsys, monkeypatch, SECRET, "sign", "--verify", "--raw", f"@{path}")
    assert exit_code == 1
    assert [m["code"] for m in out["mistakes"]] == ["body-reserialized"]


def test_the_get_body_line_follows_the_sdks_setting(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The documentation's example signs a GET with `{}`: chosen like the SDK, the CLI agrees.
    braces = _hmac(SECRET, "GET", "api/v1/balance", "{}", TS)
    monkeypatch.setenv("ALLIANCE_GET_BODY", "{}")
    code, out = _run(
        capsys, monkeypatch, SECRET, "sign", "GET", "api/v1/balance", "--timestamp", TS
    )
    assert (code, out["signature"]) == (0, braces)
    verify = (
        "sign", "--verify", "--method", "GET", "--path", "/api/v1/balance", "--timestamp", TS,
        "--signature", braces,
    )  # fmt: skip
    code, out = _run(capsys, monkeypatch, SECRET, *verify)
    assert (code, out["valid"]) == (0, True)
    code, out = _run(capsys, monkeypatch, SECRET, *verify, "--get-body", "")
    assert code == 1
    assert [m["code"] for m in out["mistakes"]] == ["body-braces"]
