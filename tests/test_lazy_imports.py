"""``import alliance_pay`` loads what a first call needs; the rest loads when it is first named.

Each probe runs in a fresh interpreter, so what an earlier test imported cannot hide a regression.
"""

from __future__ import annotations

import json
import subprocess
import sys

import alliance_pay

#: Modules a bare ``import alliance_pay`` must not load.
LOADED_ON_FIRST_USE = (
    "alliance_pay._sync._client",
    "alliance_pay.webhooks",
    "alliance_pay._async._webhooks",
    "alliance_pay.sandbox",
    "alliance_pay.testing",
    "alliance_pay.cli",
    "starlette",
    "uvicorn",
)


def _modules_after(code: str) -> set[str]:
    probe = f"import json, sys\n{code}\nprint(json.dumps(sorted(sys.modules)))"
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    return set(json.loads(result.stdout.splitlines()[-1]))


def test_import_loads_neither_the_sync_client_nor_webhooks_sandbox_testing_or_cli() -> None:
    loaded = _modules_after("import alliance_pay")
    assert "alliance_pay._async._client" in loaded
    assert not loaded & set(LOADED_ON_FIRST_USE)


def test_a_first_async_call_path_does_not_load_the_webhooks_modules() -> None:
    loaded = _modules_after(
        "import alliance_pay\n"
        "client = alliance_pay.AsyncAllianceClient(access_key='a', secret_key='b',"
        " base_url='https://alliance.example')\n"
        "client.payouts, client.payins, client.balance"
    )
    assert "alliance_pay._async._webhooks" not in loaded


def test_lazy_names_load_on_first_use_and_claim_the_public_module() -> None:
    loaded = _modules_after(
        "import alliance_pay\n"
        "assert alliance_pay.AllianceClient.__module__ == 'alliance_pay'\n"
        "assert alliance_pay.PayoutEvent.__module__ == 'alliance_pay'\n"
        "assert callable(alliance_pay.webhooks.parse_event)"
    )
    assert {"alliance_pay._sync._client", "alliance_pay.webhooks"} <= loaded


def test_dir_lists_every_exported_name_loaded_or_not() -> None:
    assert set(alliance_pay.__all__) <= set(dir(alliance_pay))


def test_the_webhooks_resource_is_made_once_per_client_and_anew_for_a_copy() -> None:
    client = alliance_pay.AllianceClient(
        access_key="a", secret_key="b", base_url="https://alliance.example"
    )
    with client:
        assert client.webhooks is client.webhooks
        assert client.with_options(max_retries=0).webhooks is not client.webhooks
