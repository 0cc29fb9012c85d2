"""A client for a running sandbox's control API (``/_sandbox/...``), for the CLI's commands.

The control API is unsigned and not part of the Alliance API, so this talks to it with plain
httpx, always sending JSON bodies with ``Content-Type: application/json``. Failures become a
[`CliError`][alliance_pay.cli._exit.CliError] saying what to do.
"""

from __future__ import annotations

import argparse
from typing import Any

import httpx

from alliance_pay.cli import _config
from alliance_pay.cli._exit import NETWORK, REFUSED, USAGE, CliError

__all__ = ["SandboxControl", "add_sandbox_url_option"]


def add_sandbox_url_option(parser: argparse.ArgumentParser) -> None:
    """``--base-url``, the running sandbox's URL (default ``ALLIANCE_BASE_URL``)."""
    parser.add_argument("--base-url", help="the running sandbox's URL (default: ALLIANCE_BASE_URL)")


class SandboxControl:
    """The control API of the sandbox at ``base_url``; use it in ``with``.

    Examples:
        >>> with SandboxControl("http://127.0.0.1:9") as control:
        ...     control.base_url
        'http://127.0.0.1:9'
    """

    def __init__(self, base_url: str, *, timeout: float = 10.0) -> None:
        self.base_url = base_url.rstrip("/")
        self._http = httpx.Client(base_url=self.base_url, timeout=timeout)

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> SandboxControl:
        """The sandbox at ``--base-url`` or ``ALLIANCE_BASE_URL``."""
        return cls(_config.base_url(args))

    def __enter__(self) -> SandboxControl:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._http.close()

    def get(self, path: str, **params: Any) -> Any:
        """``GET /_sandbox/{path}``; the decoded JSON."""
        return self._call("GET", path, params=params or None)

    def post(self, path: str, body: Any) -> Any:
        """``POST /_sandbox/{path}`` with a JSON body; the decoded JSON."""
        return self._call("POST", path, json=body)

    def delete(self, path: str) -> Any:
        """``DELETE /_sandbox/{path}``; the decoded JSON."""
        return self._call("DELETE", path, json={})  # JSON, like every control call that writes

    def _call(self, method: str, path: str, **options: Any) -> Any:
        url = f"/_sandbox/{path}"
        try:
            response = self._http.request(method, url, **options)
        except httpx.TimeoutException:
            raise CliError(
                f"the sandbox at {self.base_url} did not answer in time", NETWORK
            ) from None
        except httpx.HTTPError as exc:
            raise CliError(
                f"cannot reach a sandbox at {self.base_url} ({type(exc).__name__}): start one "
                "with `alliance-pay sandbox` and export the ALLIANCE_BASE_URL it prints",
                NETWORK,
            ) from None
        try:
            data = response.json()
        except ValueError:
            data = None
        if response.status_code == 404 and not (isinstance(data, dict) and "error" in data):
            raise CliError(
                f"{self.base_url} has no sandbox control API ({method} {url} is 404): is "
                "ALLIANCE_BASE_URL a sandbox started by `alliance-pay sandbox`?",
                USAGE,
            )
        if response.is_error:
            reason = data.get("error") if isinstance(data, dict) else None
            raise CliError(
                f"the sandbox refused {method} {url}: {reason or response.reason_phrase}", REFUSED
            )
        if data is None:
            raise CliError(f"the sandbox answered {method} {url} with something not JSON", NETWORK)
        return data
