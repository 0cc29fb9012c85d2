"""The secret never appears in a log line, an exception, a repr or a traceback (even with
locals); Signature and account numbers are masked in logs; logging is opt-in."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import textwrap
import traceback

import httpx
import pytest

from alliance_pay import AllianceClient, AllianceError
from tests.helpers import (
    ACCESS_KEY,
    PAYOUT_ARGS,
    PAYOUT_CREATED,
    SECRET_KEY,
    envelope,
    instant_sync_waits,
)

ACCOUNT = PAYOUT_ARGS["beneficiary_acc_no"]


@pytest.fixture
def no_wall_time_waits(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    # The in-doubt creates look their order up for the whole default budget, on a fake clock.
    return instant_sync_waits(monkeypatch)


def _everything_a_user_might_see(caplog: pytest.LogCaptureFixture) -> tuple[str, list[str]]:
    """Drive every endpoint through successes and failures; return all text produced."""
    answers = iter(
        [
            httpx.Response(200, json=envelope({"balance": "1.00"})),
            httpx.Response(401, json=envelope(None, "Invalid signature", success=False)),
            httpx.Response(201, json=envelope(PAYOUT_CREATED)),
        ]
    )
    signatures: list[str] = []

    def responder(request: httpx.Request) -> httpx.Response:
        signatures.append(request.headers["Signature"])
        answer = next(answers, None)
        if answer is None:
            raise httpx.ReadTimeout("timed out", request=request)
        return answer

    texts: list[str] = []
    caplog.set_level(logging.DEBUG)
    client = AllianceClient(
        access_key=ACCESS_KEY,
        secret_key=SECRET_KEY,
        base_url="https://alliance.test",
        max_retries=1,
        http_client=httpx.Client(transport=httpx.MockTransport(responder)),
    )
    texts += [repr(client), str(client), repr(vars(client))]
    actions = [
        client.balance.retrieve,
        client.balance.retrieve,
        lambda: client.payouts.create(**PAYOUT_ARGS),
        lambda: client.payouts.create(**{**PAYOUT_ARGS, "order_id": "B-2"}),
        lambda: client.payouts.retrieve("x/../y"),
        lambda: client.payouts.create(**{**PAYOUT_ARGS, "ifsc": "bad"}),
    ]
    for action in actions:
        try:
            texts.append(repr(action()))
        except AllianceError as error:
            texts += [str(error), repr(error), repr(vars(error))]
            texts += traceback.TracebackException.from_exception(
                error, capture_locals=True
            ).format()
    texts += [record.getMessage() for record in caplog.records]
    texts += [str(record.args) for record in caplog.records]
    return "\n".join(texts), signatures


def test_the_secret_appears_nowhere(
    caplog: pytest.LogCaptureFixture, no_wall_time_waits: list[float]
) -> None:
    text, signatures = _everything_a_user_might_see(caplog)
    assert sum(no_wall_time_waits) > 20  # the in-doubt creates looked up for their budget
    assert len(signatures) >= 4  # the scenario really sent requests
    assert "Invalid signature" in text  # and the text really holds the errors
    assert SECRET_KEY not in text


@pytest.mark.usefixtures("no_wall_time_waits")
def test_signatures_and_account_numbers_are_masked_in_debug_logs(
    caplog: pytest.LogCaptureFixture,
) -> None:
    _, signatures = _everything_a_user_might_see(caplog)
    logged = "\n".join(
        record.getMessage() for record in caplog.records if record.name == "alliance_pay"
    )
    assert "POST /api/v1/payout/initiate -> 201" in logged
    assert "(attempt 1)" in logged
    assert "[hidden]" in logged
    for signature in signatures:
        assert signature not in logged
    assert ACCOUNT not in logged
    assert "*******9999" in logged
    # Other personal data is masked too.
    assert PAYOUT_ARGS["beneficiary_email"] not in logged
    assert "t***@gmail.com" in logged
    assert PAYOUT_ARGS["beneficiary_mobile_no"] not in logged
    assert PAYOUT_ARGS["beneficiary_address"] not in logged
    assert "[redacted]" in logged


def test_alliance_log_env_turns_on_logging_to_stderr() -> None:
    script = textwrap.dedent(
        f"""
        import httpx
        from alliance_pay import AllianceClient
        def answer(request):
            return httpx.Response(200, json={{"data": {{"balance": "5"}}, "success": True}})
        client = AllianceClient(
            access_key={ACCESS_KEY!r}, secret_key={SECRET_KEY!r}, base_url="https://a.test",
            http_client=httpx.Client(transport=httpx.MockTransport(answer)),
        )
        client.balance.retrieve()
        """
    )
    env = {**os.environ, "ALLIANCE_LOG": "debug"}
    done = subprocess.run(
        [sys.executable, "-c", script],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert "GET /api/v1/balance -> 200" in done.stderr
    assert "attempt 1" in done.stderr
    assert SECRET_KEY not in done.stderr + done.stdout
    quiet = subprocess.run(
        [sys.executable, "-c", script],
        env={k: v for k, v in os.environ.items() if k != "ALLIANCE_LOG"},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert quiet.stderr == ""
