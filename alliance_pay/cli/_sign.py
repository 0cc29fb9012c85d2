"""``alliance-pay sign``: the exact string to sign and its signature, and ``--verify``, which
names the mistake behind a wrong signature."""

from __future__ import annotations

import argparse
import os
import sys
from typing import TYPE_CHECKING

from alliance_pay.cli import _config, _output
from alliance_pay.cli._exit import REFUSED, USAGE, CliError
from alliance_pay.cli._tree import CommandTree

if TYPE_CHECKING:
    from alliance_pay.cli._signature_check import CapturedRequest, Diagnosis

__all__ = ["register", "visible"]


def visible(message: bytes) -> str:
    """The signed bytes, one line each, every newline shown as ``\\n``.

    Examples:
        >>> print(visible(b"GET\\napi/v1/balance\\n\\n1731017656554\\n"))
        GET\\n
        api/v1/balance\\n
        \\n
        1731017656554\\n
    """
    text = message.decode("utf-8", errors="backslashreplace")
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    text = "\n".join(line.replace("\r", "\\r") + "\\n" for line in lines)
    return text if message.endswith(b"\n") else text.removesuffix("\\n")


def _read_text(value: str, what: str) -> str:
    if value == "-":
        return sys.stdin.read()
    if value.startswith("@"):
        try:
            with open(value[1:], encoding="utf-8", newline="") as file:
                return file.read()
        except OSError as exc:
            raise CliError(f"cannot read {what} {value}: {exc.strerror}", USAGE) from None
    return value


def _get_body(args: argparse.Namespace) -> str:
    """The GET body line: ``--get-body``, else ``ALLIANCE_GET_BODY`` as the SDK reads it."""
    if args.get_body is not None:
        return str(args.get_body)
    from alliance_pay import AllianceAuth

    return AllianceAuth("-", "-").get_body


def _sign(args: argparse.Namespace) -> int:
    from alliance_pay._signing import canonical_message, compute_signature, now_ms
    from alliance_pay.cli._signature_check import CapturedRequest, parts_of

    method = args.method_arg or args.method
    target = args.path_arg or args.path
    if not method or not target:
        raise CliError("give METHOD and PATH: alliance-pay sign GET api/v1/balance", USAGE)
    method = method.upper()
    body = _read_text(args.body, "--body") if args.body is not None else None
    if method == "GET" and body:
        raise CliError("a GET request sends no body: its BODY line is empty; drop --body", USAGE)
    if body is None:
        body = _get_body(args) if method == "GET" else "{}"
    timestamp = args.timestamp or str(now_ms())
    if not timestamp.isdigit():
        raise CliError(
            f"--timestamp must be milliseconds since the epoch, not {timestamp!r}", USAGE
        )
    secret = _config.secret_key(args)
    parts = parts_of(CapturedRequest(method, target, body, timestamp, ""), secret, get_body=body)
    message = canonical_message(parts.method, parts.path, parts.body, parts.timestamp)
    signature = compute_signature(secret, parts.method, parts.path, parts.body, parts.timestamp)
    data = {
        "method": parts.method,
        "path": parts.path,
        "body": parts.body,
        "timestamp": timestamp,
        "string_to_sign": message.decode("utf-8"),
        "signature": signature,
    }
    _output.show(
        args,
        data,
        f"String to sign (each line ends in a newline, shown as \\n):\n{visible(message)}\n\n"
        f"Timestamp: {timestamp}\nSignature: {signature}",
    )
    return 0


def _captured(args: argparse.Namespace) -> CapturedRequest:
    from alliance_pay.cli import _capture

    if args.curl is not None:
        return _capture.from_curl(_read_text(args.curl, "--curl"))
    if args.raw is not None:
        return _capture.from_http(_read_text(args.raw, "--raw"))
    if args.har is not None:
        return _capture.from_har(_read_text("@" + args.har, "--har"), args.entry)
    body = _read_text(args.body, "--body") if args.body is not None else ""
    return _capture.request_from(
        method=args.method or args.method_arg,
        target=args.path or args.path_arg,
        body=body,
        timestamp=args.timestamp,
        signature=args.signature,
    )


def _report(diagnosis: Diagnosis) -> str:
    lines: list[str] = []
    if diagnosis.right:
        lines.append("Signature: RIGHT for the configured secret.")
    elif diagnosis.valid:
        lines.append("Signature: matches, but the request will still be refused.")
    else:
        lines.append("Signature: WRONG for the configured secret.")
        lines.append(f"Expected:  {diagnosis.expected}")
    for mistake in diagnosis.mistakes:
        lines.append(f"Mistake: {mistake.title} [{mistake.code}]")
        lines.append(f"  fix: {mistake.fix}")
    if not diagnosis.valid and not diagnosis.mistakes:
        lines.append(
            "No common mistake reproduces it: the secret is probably not the one configured "
            "(check ALLIANCE_SECRET_KEY), or the body signed is not the body sent."
        )
    lines.append("")
    lines.append("The string to sign (each line ends in a newline, shown as \\n):")
    lines.append(visible(diagnosis.message))
    if diagnosis.wrong_message is not None:
        lines.append("")
        lines.append("What was signed instead:")
        lines.append(visible(diagnosis.wrong_message))
    for warning in diagnosis.warnings:
        lines.append(f"warning: {warning}")
    return "\n".join(lines)


def _verify(args: argparse.Namespace) -> int:
    from alliance_pay.cli._signature_check import diagnose

    request = _captured(args)
    secret = _config.secret_key(args)
    access_key = args.access_key or os.environ.get(_config.ENV_ACCESS_KEY)
    diagnosis = diagnose(request, secret, access_key=access_key, get_body=_get_body(args))
    data = {
        "valid": diagnosis.right,
        "signature_matches": diagnosis.valid,
        "expected_signature": diagnosis.expected,
        "string_to_sign": diagnosis.message.decode("utf-8"),
        "mistakes": [{"code": m.code, "title": m.title, "fix": m.fix} for m in diagnosis.mistakes],
        "signed_instead": (
            diagnosis.wrong_message.decode("utf-8") if diagnosis.wrong_message is not None else None
        ),
        "warnings": list(diagnosis.warnings),
    }
    _output.show(args, data, _report(diagnosis))
    return 0 if diagnosis.right else REFUSED


def _run(args: argparse.Namespace) -> int:
    return _verify(args) if args.verify else _sign(args)


def register(tree: CommandTree) -> None:
    """Add ``sign`` (and ``sign --verify``)."""
    sign = tree.command(
        "sign",
        _run,
        help="print the string to sign and the signature; --verify checks a captured request",
        description="Without --verify: print the exact string the API signs for METHOD PATH "
        "(newlines shown as \\n) and its Signature, under the configured secret. With "
        "--verify: check a captured request's Signature (from flags, a cURL line, a raw "
        "HTTP request or a HAR file); when it is wrong, name the common mistake that "
        "reproduces it. --verify exits 0 when the signature is right, 1 when it is not.",
        api=True,
    )
    sign.add_argument("method_arg", nargs="?", metavar="METHOD", help="GET or POST")
    sign.add_argument("path_arg", nargs="?", metavar="PATH", help="the path or full URL as sent")
    sign.add_argument("--verify", action="store_true", help="check a captured request")
    sign.add_argument("--method", help="the captured request's method")
    sign.add_argument("--path", help="the captured request's path or URL, as sent")
    sign.add_argument(
        "--body", metavar="JSON|@FILE|-", help="the body exactly as sent (default: {} or empty)"
    )
    sign.add_argument("--timestamp", metavar="MS", help="the Timestamp (default: now)")
    sign.add_argument(
        "--get-body",
        choices=("", "{}"),
        help="a GET's body line: '' (default) or '{}' (default: ALLIANCE_GET_BODY, as the SDK)",
    )
    sign.add_argument("--signature", help="the captured Signature header (with --verify)")
    sign.add_argument(
        "--curl", metavar="-|COMMAND", help="a pasted cURL command; - reads it from stdin"
    )
    sign.add_argument(
        "--raw",
        metavar="-|@FILE",
        help="a raw HTTP request as logged (request line, headers, body)",
    )
    sign.add_argument("--har", metavar="FILE", help="a HAR file exported by a browser or proxy")
    sign.add_argument(
        "--entry", type=int, metavar="N", help="the HAR entry (default: the last signed one)"
    )
