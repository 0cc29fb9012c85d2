"""``import alliance_pay`` loads what a first call needs; the rest loads when it is first named.

Each probe runs in a fresh interpreter, so what an earlier test imported cannot hide a regression.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

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


def test_import_alone_loads_no_sdk_module_and_not_httpx() -> None:
    # So the sandbox, the CLI and the pytest plugin, subpackages, never pay for the SDK.
    loaded = _modules_after("import alliance_pay")
    assert {m for m in loaded if m.startswith("alliance_pay")} == {
        "alliance_pay",
        "alliance_pay._version",
    }
    assert "httpx" not in loaded


def test_the_first_name_used_loads_what_a_first_call_needs_and_nothing_more() -> None:
    loaded = _modules_after("from alliance_pay import AsyncAllianceClient")
    assert {"alliance_pay._async._client", "alliance_pay._models", "httpx"} <= loaded
    assert not loaded & set(LOADED_ON_FIRST_USE)
    assert "cattrs" not in loaded  # the converter is built at the first record read


def test_the_sync_client_does_not_load_asyncio() -> None:
    # asyncio costs tens of milliseconds to import; a sync program has no use for it.
    loaded = _modules_after("from alliance_pay import AllianceClient")
    assert "alliance_pay._sync._client" in loaded
    assert "asyncio" not in loaded


def test_every_public_class_claims_the_public_module_once_any_name_is_used() -> None:
    _modules_after(
        "import alliance_pay\n"
        "from alliance_pay._models import Payout\n"
        "from alliance_pay._exceptions import NotFoundError\n"
        "alliance_pay.NOT_GIVEN\n"
        "assert Payout.__module__ == 'alliance_pay', Payout.__module__\n"
        "assert NotFoundError.__module__ == 'alliance_pay', NotFoundError.__module__"
    )


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


def test_httpx2_is_never_imported_and_is_recognised_once_its_user_imports_it() -> None:
    pytest.importorskip("httpx2")
    loaded = _modules_after(
        "import alliance_pay\n"
        "assert 'httpx2' not in sys.modules\n"
        "early = alliance_pay.AllianceAuth('access-key-1', 'secret-key-1')\n"
        "import httpx2\n"
        "late = alliance_pay.AllianceAuth('access-key-1', 'secret-key-1')\n"
        "assert isinstance(late, httpx2.Auth) and isinstance(late, alliance_pay.AllianceAuth)\n"
        "for auth in (early, late):\n"
        "    seen = []\n"
        "    def answer(request):\n"
        "        seen.append(request)\n"
        "        return httpx2.Response(200)\n"
        "    with httpx2.Client(transport=httpx2.MockTransport(answer), auth=auth) as client:\n"
        "        client.post('https://alliance.test/api/v1/payin/transactions', json={'a': 1})\n"
        "    assert len(seen[0].headers['Signature']) == 64, seen[0].headers\n"
    )
    assert "httpx2" in loaded
