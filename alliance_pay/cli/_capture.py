"""A captured request from what a user has at hand: flags, a cURL command line, a HAR file."""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Mapping
from typing import Any

from alliance_pay.cli._exit import USAGE, CliError
from alliance_pay.cli._signature_check import CapturedRequest

__all__ = ["from_curl", "from_har", "from_http", "request_from"]

# cURL options that take a value we do not need, so the value is not taken for the URL.
_IGNORED_WITH_VALUE = frozenset(
    {
        "-o", "--output", "-u", "--user", "-A", "--user-agent", "-e", "--referer", "-m",
        "--max-time", "--connect-timeout", "-w", "--write-out", "-b", "--cookie", "-c",
        "--cookie-jar", "--retry", "-x", "--proxy", "--cacert", "--cert", "--key", "-T",
        "--upload-file", "--resolve", "--limit-rate", "-F", "--form",
    }
)  # fmt: skip
_DATA = frozenset({"-d", "--data", "--data-raw", "--data-binary", "--data-ascii", "--json"})


def _header(headers: Mapping[str, str], name: str) -> str | None:
    for key, value in headers.items():
        if key.strip().lower() == name:
            return value.strip()
    return None


def _request(method: str, target: str, body: str, headers: Mapping[str, str]) -> CapturedRequest:
    timestamp = _header(headers, "timestamp") or ""
    signature = _header(headers, "signature") or ""
    missing = [
        name for name, value in (("Timestamp", timestamp), ("Signature", signature)) if not value
    ]
    if missing:
        raise CliError(f"the captured request has no {' or '.join(missing)} header", USAGE)
    return CapturedRequest(
        method.upper(), target, body, timestamp, signature, _header(headers, "access-key")
    )


def _data_value(option: str, value: str) -> str:
    if not value.startswith("@") or option == "--data-raw":
        return value
    try:
        with open(value[1:], encoding="utf-8", newline="") as file:
            text = file.read()
    except OSError as exc:
        raise CliError(f"cannot read {option} {value}: {exc.strerror}", USAGE) from None
    # curl -d @file drops CR and LF; --data-binary sends the file as is.
    return text if option == "--data-binary" else text.replace("\r", "").replace("\n", "")


def from_curl(text: str) -> CapturedRequest:
    """Parse a pasted cURL command (line continuations allowed) into a captured request.

    Examples:
        >>> line = "curl -X POST 'https://x.example/api/v1/payin/transactions' "
        >>> line += "-H 'Timestamp: 1731017656554' -H 'Signature: ab' --data-raw '{\\"a\\":1}'"
        >>> request = from_curl(line)
        >>> request.method, request.target, request.body
        ('POST', 'https://x.example/api/v1/payin/transactions', '{"a":1}')
    """
    text = text.replace("\\\r\n", " ").replace("\\\n", " ")
    try:
        tokens = shlex.split(text)
    except ValueError as exc:
        raise CliError(f"cannot read the cURL command: {exc}", USAGE) from None
    if not tokens or tokens[0].rsplit("/", 1)[-1] != "curl":
        raise CliError("the cURL command must start with `curl`", USAGE)
    method: str | None = None
    url: str | None = None
    headers: dict[str, str] = {}
    data: list[str] = []
    rest = iter(tokens[1:])
    for token in rest:
        option, value = token, None
        if token.startswith("--") and "=" in token:
            option, value = token.split("=", 1)
        elif token[:2] in ("-X", "-H", "-d") and len(token) > 2:
            option, value = token[:2], token[2:]
        takes_value = option in {"-X", "--request", "-H", "--header", "--url"} | _DATA
        if takes_value or option in _IGNORED_WITH_VALUE:
            value = value if value is not None else next(rest, None)
            if value is None:
                raise CliError(f"{option} needs a value in the cURL command", USAGE)
        if option in ("-X", "--request"):
            method = value
        elif option in ("-H", "--header") and value is not None:
            name, _, header_value = value.partition(":")
            headers[name.strip()] = header_value.strip()
        elif option in _DATA and value is not None:
            data.append(_data_value(option, value))
        elif option == "--url" or not token.startswith("-"):
            url = value if option == "--url" else token
    if url is None:
        raise CliError("the cURL command has no URL", USAGE)
    body = "&".join(data)
    return _request(method or ("POST" if data else "GET"), url, body, headers)


def from_har(text: str, entry: int | None = None) -> CapturedRequest:
    """The request of one HAR entry: ``entry`` (0-based), else the last one with a Signature.

    Examples:
        >>> har = {"log": {"entries": [{"request": {"method": "GET",
        ...     "url": "https://x.example/api/v1/balance", "headers": [
        ...     {"name": "Timestamp", "value": "1"}, {"name": "Signature", "value": "ab"}]}}]}}
        >>> from_har(json.dumps(har)).target
        'https://x.example/api/v1/balance'
    """
    try:
        entries: list[Any] = json.loads(text)["log"]["entries"]
        requests = [e["request"] for e in entries]
    except (ValueError, KeyError, TypeError):
        raise CliError("not a HAR file (no log.entries[].request)", USAGE) from None

    def headers_of(request: Mapping[str, Any]) -> dict[str, str]:
        return {h["name"]: h["value"] for h in request.get("headers", [])}

    if entry is None:
        signed = [r for r in requests if _header(headers_of(r), "signature")]
        if not signed:
            raise CliError("no request in the HAR file has a Signature header", USAGE)
        chosen = signed[-1]
    else:
        if not 0 <= entry < len(requests):
            raise CliError(f"the HAR file has {len(requests)} entries; no entry {entry}", USAGE)
        chosen = requests[entry]
    body = (chosen.get("postData") or {}).get("text") or ""
    return _request(chosen["method"], chosen["url"], body, headers_of(chosen))


def from_http(text: str) -> CapturedRequest:
    """Parse a raw HTTP/1.1 request as a log or a proxy shows it: the request line, the
    headers, an empty line, then the body (taken as is, less one final line end).

    Examples:
        >>> raw = "GET /api/v1/balance HTTP/1.1\\nTimestamp: 1\\nSignature: ab\\n\\n"
        >>> from_http(raw).target
        '/api/v1/balance'
    """
    text = text.lstrip("\r\n")
    # Only the head's line ends are normalised: the body stays byte for byte.
    blank = re.search(r"\r?\n\r?\n", text)
    head, body = (text[: blank.start()], text[blank.end() :]) if blank else (text, "")
    lines = head.replace("\r\n", "\n").split("\n")
    parts = lines[0].split()
    if len(parts) < 2:
        raise CliError(f"not an HTTP request line: {lines[0]!r}", USAGE)
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, colon, value = line.partition(":")
        if not colon:
            raise CliError(f"not an HTTP header line: {line!r}", USAGE)
        headers[name.strip()] = value.strip()
    return _request(parts[0], parts[1], body.removesuffix("\n").removesuffix("\r"), headers)


def request_from(
    *,
    method: str | None,
    target: str | None,
    body: str,
    timestamp: str | None,
    signature: str | None,
) -> CapturedRequest:
    """A captured request from the ``--method --path --body --timestamp --signature`` flags."""
    headers = {"Timestamp": timestamp or "", "Signature": signature or ""}
    if not method or not target:
        raise CliError("give the request: --method and --path (or a URL), or --curl/--har", USAGE)
    return _request(method, target, body, headers)
