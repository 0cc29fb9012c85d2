"""Captured requests from what users paste: cURL lines of every common shape, HAR files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from alliance_pay.cli._capture import from_curl, from_har
from alliance_pay.cli._exit import CliError

HEADERS = "-H 'Timestamp: 1731017656554' -H 'Signature: ab'"


@pytest.mark.parametrize(
    ("line", "method", "target", "body"),
    [
        (f"curl https://x.in/api/v1/balance {HEADERS}", "GET", "https://x.in/api/v1/balance", ""),
        (f"curl -XPOST --url https://x.in/a {HEADERS} -d '{{}}'", "POST", "https://x.in/a", "{}"),
        (f"curl -sS -k --compressed -m 10 https://x.in/a {HEADERS} --data-raw=x", "POST",
         "https://x.in/a", "x"),
        (f"/usr/bin/curl -X 'GET' 'https://x.in/a?b=1' {HEADERS}", "GET", "https://x.in/a?b=1", ""),
        (f"curl https://x.in/a \\\n  {HEADERS} \\\n  -d a=1 -d b=2", "POST", "https://x.in/a",
         "a=1&b=2"),
    ],
)  # fmt: skip
def test_curl_lines_of_every_shape(line: str, method: str, target: str, body: str) -> None:
    request = from_curl(line)
    assert (request.method, request.target, request.body) == (method, target, body)
    assert (request.timestamp, request.signature) == ("1731017656554", "ab")


def test_curl_data_from_a_file(tmp_path: Path) -> None:
    path = tmp_path / "body.json"
    path.write_text('{"a":\n1}\n')
    as_is = from_curl(f"curl https://x.in/a {HEADERS} --data-binary @{path}")
    assert as_is.body == '{"a":\n1}\n'  # --data-binary sends the file as is
    stripped = from_curl(f"curl https://x.in/a {HEADERS} -d @{path}")
    assert stripped.body == '{"a":1}'  # -d drops the line ends, as curl does


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("wget https://x.in/a", "must start with `curl`"),
        ("curl https://x.in/a -H 'Timestamp: 1'", "no Signature header"),
        (f"curl {HEADERS}", "no URL"),
        ("curl 'https://x.in/a", "cannot read"),
    ],
)
def test_unusable_curl_lines_say_why(line: str, reason: str) -> None:
    with pytest.raises(CliError, match=reason):
        from_curl(line)


def test_a_har_entry_is_chosen_by_index_or_the_last_signed(tmp_path: Path) -> None:
    def entry(url: str, signed: bool) -> dict[str, object]:
        headers = [{"name": "Timestamp", "value": "1"}]
        if signed:
            headers.append({"name": "Signature", "value": url[-1]})
        return {"request": {"method": "GET", "url": url, "headers": headers}}

    har = json.dumps(
        {"log": {"entries": [entry("https://x.in/1", True), entry("https://x.in/2", True),
                             entry("https://x.in/3", False)]}}
    )  # fmt: skip
    assert from_har(har).target == "https://x.in/2"
    assert from_har(har, 0).target == "https://x.in/1"
    with pytest.raises(CliError, match="no entry 9"):
        from_har(har, 9)
    with pytest.raises(CliError, match="not a HAR file"):
        from_har("{}")
