"""What the documentation's own samples send is accepted: the payin-status request as a JSON,
urlencoded or multipart body (the docs' cURL sends ``--form``), each signed over its exact bytes,
and a GET signed with an empty body line or with ``{}``, the sandbox saying which it saw."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from alliance_pay import AllianceClient, AsyncAllianceClient
from alliance_pay._signing import compute_signature, dumps_body, now_ms
from alliance_pay.sandbox import create_app, serve_in_thread
from alliance_pay.sandbox._api import GET_BODY_HEADER
from tests.sandbox.support import ACCESS_KEY, SECRET_KEY, Signer, link_body, make_config

# The documentation's cURL sample for Payin Status, word for word.
DOCS_CURL = """curl --location '{{API_URL}}/api/v1/payin/transactions' \\
--header 'Access-Key: YOUR_ACCESS_KEY' \\
--header 'Signature: YOUR_SIGNATURE' \\
--header 'Timestamp: YOUR_TIMESTAMP' \\
--form 'order_id="a12qw-32sa-32sd33s"'"""
DOCS_ORDER_ID = "a12qw-32sa-32sd33s"


async def _signed_post(api: Signer, body: bytes, content_type: str) -> httpx.Response:
    headers = api.headers("POST", "api/v1/payin/transactions", body)
    headers["Content-Type"] = content_type
    return await api.client.post("/api/v1/payin/transactions", content=body, headers=headers)


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("application/json", b'{"order_id":"a12qw-32sa-32sd33s"}'),
        ("application/x-www-form-urlencoded", b"order_id=a12qw-32sa-32sd33s"),
        (
            "multipart/form-data; boundary=XyZ",
            b'--XyZ\r\nContent-Disposition: form-data; name="order_id"\r\n\r\n'
            b"a12qw-32sa-32sd33s\r\n--XyZ--\r\n",
        ),
    ],
    ids=["json", "urlencoded", "multipart"],
)
async def test_payin_status_reads_json_urlencoded_and_multipart_bodies(
    api: Signer, content_type: str, body: bytes
) -> None:
    assert (await api.create_link(link_body(DOCS_ORDER_ID))).status_code == 201
    response = await _signed_post(api, body, content_type)
    assert response.status_code == 200, response.text
    assert response.json()["data"]["order_id"] == DOCS_ORDER_ID


async def test_a_form_body_is_validated_by_the_same_rules(api: Signer) -> None:
    response = await _signed_post(api, b"order_id=", "application/x-www-form-urlencoded")
    assert response.status_code == 422
    assert response.json()["errors"] == {"order_id": ["The order id field is required."]}


async def test_a_form_signed_over_other_bytes_is_refused(api: Signer) -> None:
    headers = api.headers("POST", "api/v1/payin/transactions", b'{"order_id":"PI-1"}')
    headers["Content-Type"] = "application/x-www-form-urlencoded"
    response = await api.client.post(
        "/api/v1/payin/transactions", content=b"order_id=PI-1", headers=headers
    )
    assert response.status_code == 401


class _FillInSignature:
    """Stands where a merchant computes the docs' YOUR_TIMESTAMP and YOUR_SIGNATURE: it signs
    the exact bytes curl sent (curl picks a random multipart boundary, so nobody can sign them
    in advance) and hands the request on, bytes untouched, to the sandbox."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        chunks = []
        while True:
            message = await receive()
            chunks.append(message.get("body", b""))
            if not message.get("more_body"):
                break
        body = b"".join(chunks)
        timestamp = str(now_ms()).encode()
        path = scope["raw_path"].decode().lstrip("/")
        signature = compute_signature(SECRET_KEY, scope["method"], path, body, timestamp.decode())
        values = {
            b"access-key": ACCESS_KEY.encode(),
            b"timestamp": timestamp,
            b"signature": signature.encode(),
        }
        placeholders = {b"YOUR_ACCESS_KEY", b"YOUR_TIMESTAMP", b"YOUR_SIGNATURE"}
        headers = [
            (name, values[name] if value in placeholders else value)
            for name, value in scope["headers"]
        ]
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if sent:
                return {"type": "http.disconnect"}
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app({**scope, "headers": headers}, replay, send)


@pytest.fixture
def curl_base_url() -> Iterator[str]:
    app = create_app(make_config())
    with serve_in_thread(_FillInSignature(app)) as base_url:
        yield base_url


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_the_docs_curl_form_request_for_payin_status_is_accepted(curl_base_url: str) -> None:
    body = dumps_body(link_body(DOCS_ORDER_ID))
    timestamp = str(now_ms())
    path = "api/v1/payin/generate/link"
    headers = {
        "Access-Key": ACCESS_KEY,
        "Timestamp": timestamp,
        "Signature": compute_signature(SECRET_KEY, "POST", path, body, timestamp),
        "Content-Type": "application/json",
    }
    created = httpx.post(f"{curl_base_url}/{path}", content=body, headers=headers)
    assert created.status_code == 201, created.text
    command = shlex.split(DOCS_CURL.replace("\\\n", " ").replace("{{API_URL}}", curl_base_url))
    command[1:1] = ["--silent", "--show-error", "--write-out", "\n%{http_code}"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=30, check=False)
    assert result.returncode == 0, result.stderr
    answer, status = result.stdout.rsplit("\n", 1)
    assert status == "200", answer
    assert f'"order_id":"{DOCS_ORDER_ID}"' in answer
    assert '"status":"Pending"' in answer


def _get(api: Signer, signed_line: bytes) -> dict[str, str]:
    return api.headers("GET", "api/v1/balance", signed_line)


async def test_a_get_signed_with_braces_is_accepted_and_reported(api: Signer) -> None:
    headers = _get(api, b"{}")
    response = await api.client.get("/api/v1/balance", headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers[GET_BODY_HEADER] == "{}"


async def test_a_get_signed_with_an_empty_line_is_accepted_and_reported(api: Signer) -> None:
    response = await api.client.get("/api/v1/balance", headers=_get(api, b""))
    assert response.status_code == 200
    assert response.headers[GET_BODY_HEADER] == "empty"


async def test_a_get_signed_with_anything_else_is_refused_saying_both_were_tried(
    api: Signer,
) -> None:
    response = await api.client.get("/api/v1/balance", headers=_get(api, b"null"))
    assert response.status_code == 401
    assert "tried both an empty body line and {}" in response.json()["message"]
    assert GET_BODY_HEADER not in response.headers


def _sdk(**options: Any) -> tuple[AllianceClient, httpx.Client, list[httpx.Request]]:
    from alliance_pay.testing import SandboxTransport

    seen: list[httpx.Request] = []
    transport = SandboxTransport(create_app(make_config()))

    def record(request: httpx.Request) -> None:
        seen.append(request)

    # The http client is ours to close: it owns the transport's worker thread.
    http = httpx.Client(transport=transport, event_hooks={"request": [record]})
    client = AllianceClient(
        access_key=ACCESS_KEY,
        secret_key=SECRET_KEY,
        base_url="http://sandbox.test",
        http_client=http,
        **options,
    )
    return client, http, seen


def _signature_over(request: httpx.Request, line: str) -> str:
    path = request.url.raw_path.decode().lstrip("/")
    timestamp = request.headers["Timestamp"]
    return compute_signature(SECRET_KEY, request.method, path, line, timestamp)


@pytest.mark.parametrize(("options", "line"), [({}, ""), ({"get_body": "{}"}, "{}")])
def test_get_body_chooses_the_line_the_sdk_signs_and_the_sandbox_sees(
    options: dict[str, Any], line: str
) -> None:
    client, http, seen = _sdk(**options)
    with http, client:
        client.balance.retrieve()
    (request,) = seen
    assert request.content == b""  # the GET still sends no body
    assert request.headers["Signature"] == _signature_over(request, line)


def test_alliance_get_body_env_sets_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALLIANCE_GET_BODY", "{}")
    client, http, seen = _sdk()
    with http, client:
        client.balance.retrieve()
    assert seen[0].headers["Signature"] == _signature_over(seen[0], "{}")


async def test_the_sandbox_reports_the_line_an_sdk_get_was_signed_with() -> None:
    app = create_app(make_config())
    for choice, reported in (("", "empty"), ("{}", "{}")):
        transport = httpx.ASGITransport(app)
        async with (
            httpx.AsyncClient(transport=transport) as http,
            AsyncAllianceClient(
                access_key=ACCESS_KEY,
                secret_key=SECRET_KEY,
                base_url="http://sandbox.test",
                http_client=http,
                get_body=choice,  # type: ignore[arg-type]
            ) as client,
        ):
            raw = await client.balance.with_raw_response.retrieve()
            assert raw.headers[GET_BODY_HEADER] == reported


def test_a_skewed_sandbox_clock_shows_in_its_date_header_and_in_the_401() -> None:
    # The sandbox dates its answers by its own clock, so a simulated skew is what a client sees.
    from alliance_pay import AuthenticationError

    config = make_config(clock=lambda: time.time() + 600)
    with (
        serve_in_thread(create_app(config)) as base_url,
        AllianceClient(
            access_key=ACCESS_KEY, secret_key=SECRET_KEY, base_url=base_url, max_retries=0
        ) as client,
    ):
        with pytest.raises(AuthenticationError) as info:
            client.balance.retrieve()
        assert len(info.value.response.headers.get_list("date")) == 1
    text = str(info.value)
    assert "Stale timestamp" in text
    assert re.search(r"your clock is (599|600|601) s behind the server's", text), text
