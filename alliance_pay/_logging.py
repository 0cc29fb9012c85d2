"""Opt-in logging on the ``alliance_pay`` logger, with secrets and account numbers masked.

``ALLIANCE_LOG=info`` logs one line per attempt (method, path, status, time, attempt number);
``ALLIANCE_LOG=debug`` adds the request headers and the bodies. ``Signature`` is never logged,
the access key is cut to its first characters, account and mobile numbers to their last four
digits, an email to its first letter and domain, a name to its initial, and addresses and UPI ids
are redacted. Model reprs show personal data the same way (``mask_field``).
Without the variable the SDK adds no handler: configure the ``alliance_pay`` logger as usual.
"""

from __future__ import annotations

import json
import logging
import os
import re
from collections.abc import Mapping
from typing import Any

import httpx

__all__ = [
    "logger",
    "mask_body",
    "mask_field",
    "mask_headers",
    "mask_key",
    "mask_last_four",
    "mask_personal_data",
    "setup_logging",
]

logger = logging.getLogger("alliance_pay")


def mask_last_four(value: str) -> str:
    """``"99999999999"`` -> ``"*******9999"``: account and mobile numbers."""
    return "*" * max(len(value) - 4, 0) + value[-4:]


_LONG_NUMBER = re.compile(r"\d{6,}")
_EMAIL = re.compile(r"[\w.+-]+@([\w-]+\.[\w.-]+)")


def mask_text(text: str) -> str:
    """Free text a server wrote (a 422's reasons) with the account and mobile numbers and the
    emails it echoed masked: ``"99999999999 is invalid"`` -> ``"*******9999 is invalid"``."""
    text = _LONG_NUMBER.sub(lambda match: mask_last_four(match.group()), text)
    return _EMAIL.sub(lambda match: _email(match.group()), text)


def mask_key(value: str) -> str:
    """Just enough of an access key to tell two apart: ``'twvs…'``."""
    return value[:4] + "…" if len(value) > 8 else "…"


def _email(value: str) -> str:
    local, _, domain = value.partition("@")
    return f"{local[:1]}***@{domain}" if domain else "[redacted]"


def _initial(value: str) -> str:
    # "Asha Verma" -> "A.": enough to tell two records apart, not enough to name anyone.
    text = value.strip()
    return f"{text[0]}." if text else ""


def _redacted(value: str) -> str:
    return "[redacted]"


# Personal data in request and response bodies, and how much of each a log line may show.
_MASKS = {
    "beneficiary_acc_no": mask_last_four,
    "beneficiary_mobile_no": mask_last_four,
    "beneficiary_email": _email,
    "beneficiary_name": _initial,
    "beneficiary_address": _redacted,
    "bank_upi": _redacted,
    "vpa": _redacted,
}
_HIDDEN_HEADERS = frozenset({"signature", "authorization", "cookie", "proxy-authorization"})


def mask_field(name: str, value: str) -> str:
    """A field's value as a log line or a repr may show it: masked if it is personal data.

    Examples:
        >>> mask_field("beneficiary_acc_no", "99999999999")
        '*******9999'
        >>> mask_field("beneficiary_email", "asha@example.in")
        'a***@example.in'
        >>> mask_field("beneficiary_name", "Asha Verma")
        'A.'
        >>> mask_field("order_id", "A-1")
        'A-1'
    """
    mask = _MASKS.get(name)
    return value if mask is None else mask(value)


def setup_logging() -> None:
    """Honour ``ALLIANCE_LOG`` once: attach a stderr handler at that level."""
    level = os.environ.get("ALLIANCE_LOG", "").strip().lower()
    if level not in {"debug", "info"} or getattr(logger, "_alliance_configured", False):
        return
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG if level == "debug" else logging.INFO)
    logger._alliance_configured = True  # type: ignore[attr-defined]


def mask_headers(headers: httpx.Headers) -> dict[str, str]:
    """Headers fit for a log line."""
    shown: dict[str, str] = {}
    for name, value in headers.items():
        lowered = name.lower()
        if lowered in _HIDDEN_HEADERS:
            shown[name] = "[hidden]"
        elif lowered == "access-key":
            shown[name] = mask_key(value)
        else:
            shown[name] = value
    return shown


def _mask(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {
            key: mask_field(key, str(item)) if key in _MASKS and item is not None else _mask(item)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_mask(item) for item in value]
    return value


def mask_personal_data(value: Any) -> Any:
    """A copy of decoded JSON with the personal fields masked, as log lines show them.

    Examples:
        >>> mask_personal_data({"beneficiary_acc_no": "99999999999", "amount": "10.00"})
        {'beneficiary_acc_no': '*******9999', 'amount': '10.00'}
    """
    return _mask(value)


def mask_body(body: bytes | None) -> str:
    """A request or response body fit for a log line."""
    if not body:
        return ""
    try:
        return json.dumps(_mask(json.loads(body)), ensure_ascii=False)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return f"<{len(body)} bytes, not JSON>"
