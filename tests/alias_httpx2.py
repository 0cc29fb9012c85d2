"""The pytest plugin of ``nox -s tests_httpx2``: the whole suite on httpx2 alone.

Loaded with ``pytest -p tests.alias_httpx2``. pytest imports ``-p`` plugins before the installed
ones, in its main process and in every pytest-xdist worker alike (each gets the same command
line), so ``httpx2.alias_httpx()`` runs there before anything imports httpx: the SDK, the
sandbox, respx and the fixtures all get httpx2 where they import httpx. The alias refuses to
run once httpx is imported, and ``pytest_configure`` checks it held, so a process that escaped
it fails the run instead of testing httpx unnoticed.
"""

from __future__ import annotations

import sys

import httpx2
import pytest

httpx2.alias_httpx()


def pytest_configure(config: pytest.Config) -> None:
    if sys.modules.get("httpx") is not httpx2:
        raise pytest.UsageError("tests.alias_httpx2: httpx is not httpx2 in this process")


def pytest_report_header(config: pytest.Config) -> str:
    return "httpx is httpx2 (httpx2.alias_httpx(), from -p tests.alias_httpx2)"
