"""Start-up stays light: building the parser and printing help import nothing heavy.

Timing is measured by ``benchmarks/cli_startup.py`` (ratios in one run, never timed here);
this pins the cause: which modules ``--help`` adds to what ``import alliance_pay`` loads.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.cli.support import REPO

API_MODULES = (
    "alliance_pay._async",
    "alliance_pay._sync",
    "alliance_pay._base",
    "alliance_pay._api_call",
    "alliance_pay._outcome",
    "alliance_pay._reading",
    "alliance_pay._settings",
    "alliance_pay._models",
    "alliance_pay._converter",
    "alliance_pay._validation",
    "alliance_pay.webhooks",
    "alliance_pay.bulk",
)
HEAVY = ("rich", "starlette", "uvicorn", "alliance_pay.sandbox", "alliance_pay._demo", "getpass")

# The heavy modules are made unimportable first: importing one (even where httpx, with its
# optional CLI extras installed, would have loaded it anyway) then fails the probe.
PROBE = """
import json, sys
for name in {heavy!r}:
    sys.modules[name] = None
import alliance_pay
before = set(sys.modules)
from alliance_pay.cli import main
try:
    main({argv!r})
except SystemExit:
    pass
print(json.dumps(sorted(set(sys.modules) - before)), file=sys.stderr)
"""


@pytest.mark.parametrize(
    "argv", [["--help"], ["balance", "--help"], ["payouts", "create", "--help"]]
)
def test_help_imports_nothing_heavy(argv: list[str]) -> None:
    done = subprocess.run(
        [sys.executable, "-c", PROBE.format(argv=argv, heavy=HEAVY)],
        capture_output=True, text=True, check=True, cwd=REPO, timeout=60,
    )  # fmt: skip
    added = json.loads(done.stderr.strip().splitlines()[-1])
    assert "usage: alliance-pay" in done.stdout
    # The CLI's own modules, argparse and a few small shared ones (errors, install hints):
    # nothing of the API. (import alliance_pay alone loads none of the SDK, so it is no baseline.)
    assert not [m for m in added if m.startswith(API_MODULES)]
