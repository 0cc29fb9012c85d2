"""The example session of docs/cli.md is what the commands print today.

``scripts/cli_session.py`` recorded it; this runs it again and compares, ignoring what changes
from run to run (digits: times, ids, latencies, and the column widths they set; the generated
order ids; the clock line of a 401's advice).
"""

from __future__ import annotations

import difflib
import importlib.util
import re

import pytest

from tests.cli.support import REPO

pytestmark = pytest.mark.slow


def _normalised(text: str) -> str:
    text = re.sub(r"TRIGGER-[0-9A-F]{12}", "TRIGGER-X", text)
    text = "\n".join(line for line in text.splitlines() if "the clock:" not in line)
    text = re.sub(r"\d+(\.\d+)?", "0", text)
    return re.sub(r" +", " ", text)  # column widths follow the numbers


def test_the_documented_session_is_what_the_commands_print() -> None:
    spec = importlib.util.spec_from_file_location(
        "cli_session", REPO / "scripts" / "cli_session.py"
    )
    assert spec is not None
    assert spec.loader is not None
    session = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(session)
    page = (REPO / "docs" / "cli.md").read_text("utf-8")
    documented = page.split(session.START, 1)[1].split(session.END, 1)[0].strip("\n")
    recorded, expected = _normalised(session.record()), _normalised(documented)
    diff = difflib.unified_diff(expected.splitlines(), recorded.splitlines(), lineterm="")
    assert recorded == expected, "\n".join(diff)
