"""The sync-code generator, ``scripts/unasync.py``, run on temporary trees."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "unasync.py"


def _load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("unasync_script", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    # dataclasses looks the module up in sys.modules while building the class.
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


unasync = _load_script()

ASYNC_CLIENT = '''\
"""The async client.

Example::

    async with AsyncAllianceClient(api_key="key") as client:
        balance = await client.balance.retrieve()
"""

import anyio
import httpx

from alliance_pay._async._payins import AsyncPayinsResource


class AsyncAllianceClient:
    """Talks to the API; call ``aclose()`` when done, or use ``async with``."""

    def __init__(self) -> None:
        self._http = httpx.AsyncClient()
        self.payins = AsyncPayinsResource(self)

    async def send(self, request: httpx.Request) -> httpx.Response:
        async with httpx.AsyncClient() as http:
            response = await http.send(request)
        await anyio.sleep(0.5)
        return response

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> AsyncAllianceClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()
'''

SYNC_CLIENT = '''\
"""The async client.

Example::

    with AllianceClient(api_key="key") as client:
        balance = client.balance.retrieve()
"""

import time
import httpx

from alliance_pay._sync._payins import PayinsResource


class AllianceClient:
    """Talks to the API; call ``close()`` when done, or use ``with``."""

    def __init__(self) -> None:
        self._http = httpx.Client()
        self.payins = PayinsResource(self)

    def send(self, request: httpx.Request) -> httpx.Response:
        with httpx.Client() as http:
            response = http.send(request)
        time.sleep(0.5)
        return response

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> AllianceClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
'''

ASYNC_INIT = "from alliance_pay._async._client import AsyncAllianceClient\n"
ASYNC_TEST = (
    "async def test_close(client: AsyncAllianceClient) -> None:\n    await client.aclose()\n"
)

# Every sync rule with one example of its own: (async text, sync text).
RULE_EXAMPLES = {
    r"\basync def\b": ("async def f():", "def f():"),
    r"\basync with\b": ("async with lock:", "with lock:"),
    r"\basync for\b": ("async for row in rows:", "for row in rows:"),
    r"\bawait ": ("x = await f()", "x = f()"),
    r"\bAsyncAllianceClient\b": ("AsyncAllianceClient()", "AllianceClient()"),
    r"\bAsyncBalanceResource\b": ("AsyncBalanceResource(c)", "BalanceResource(c)"),
    r"\bAsyncPayinsResource\b": ("AsyncPayinsResource(c)", "PayinsResource(c)"),
    r"\bAsyncPayoutsResource\b": ("AsyncPayoutsResource(c)", "PayoutsResource(c)"),
    r"\bAsyncWebhooksResource\b": ("AsyncWebhooksResource(c)", "WebhooksResource(c)"),
    r"\bAsyncBulkRun\b": ("AsyncBulkRun(c, path)", "BulkRun(c, path)"),
    r"\bAsyncPacedHTTPClient\b": ("AsyncPacedHTTPClient(h, p)", "PacedHTTPClient(h, p)"),
    r"\bAsyncWorkerPool\b": ("AsyncWorkerPool(8)", "WorkerPool(8)"),
    r"\bAsyncRowAction\b": ("act: AsyncRowAction[T, R]", "act: RowAction[T, R]"),
    r"\basync_client\b": ("local.async_client()", "local.client()"),
    r"\bAsync(Balance|Payins|Payouts)WithRawResponse\b": (
        "AsyncPayoutsWithRawResponse(self)",
        "PayoutsWithRawResponse(self)",
    ),
    r"\basync_to_raw_response_wrapper\b": (
        "async_to_raw_response_wrapper(f)",
        "to_raw_response_wrapper(f)",
    ),
    r"\bhttpx\.AsyncClient\b": ("httpx.AsyncClient()", "httpx.Client()"),
    r"\bAsyncHttpClient\b": ("http_client: AsyncHttpClient", "http_client: HttpClient"),
    r"\bAsyncIterator\b": ("-> AsyncIterator[Payin]", "-> Iterator[Payin]"),
    r"\bAsyncGenerator\[([^\]]+), None\]": (
        "-> AsyncGenerator[Row, None]:",
        "-> Generator[Row, None, None]:",
    ),
    r"\bAsyncGenerator\b": ("import AsyncGenerator", "import Generator"),
    r"\b__aenter__\b": ("def __aenter__(self)", "def __enter__(self)"),
    r"\b__aexit__\b": ("def __aexit__(self)", "def __exit__(self)"),
    r"\baclose\b": ("client.aclose()", "client.close()"),
    r"\baiter_raw\b": ("response.aiter_raw()", "response.iter_raw()"),
    r"\bAsyncWithOnly\b": ("class C(AsyncWithOnly):", "class C(WithOnly):"),
    r"\bcheck_async_usage\b": ("check_async_usage(state)", "check_sync_usage(state)"),
    r"\battempt_scope_async\b": ("attempt_scope_async(d)", "attempt_scope_sync(d)"),
    r"\bASYNC_POOL_LIMITS\b": ("limits=ASYNC_POOL_LIMITS", "limits=SYNC_POOL_LIMITS"),
    r"\baclosing\b": ("with aclosing(gen) as rows:", "with closing(gen) as rows:"),
    r"\banyio\.sleep\b": ("anyio.sleep(delay)", "time.sleep(delay)"),
    r"\bimport anyio\b": ("import anyio\n", "import time\n"),
    r"\b_callables\.AwaitableOrNone\b": (
        "def __call__(self) -> _callables.AwaitableOrNone:",
        "def __call__(self) -> None:",
    ),
    r"\bcheck_async_api_callable\b": (
        "_callables.check_async_api_callable(handler)",
        "_callables.check_sync_api_callable(handler)",
    ),
    r"\bcall_in_async_api\b": (
        "_callables.call_in_async_api(handler, event)",
        "_callables.call_in_sync_api(handler, event)",
    ),
    r"\bin_worker\b": ("in_worker(store.claim, key)", "inline(store.claim, key)"),
    r"\b_async\b": ("from alliance_pay._async import x", "from alliance_pay._sync import x"),
}

TREE_SOURCES = {
    "alliance_pay/_async/__init__.py": ASYNC_INIT,
    "alliance_pay/_async/_client.py": ASYNC_CLIENT,
    "tests/_async/test_client.py": ASYNC_TEST,
}

# The part of the real table that the tree's sources use: main() demands that each rule it
# is given match something, and a small tree cannot use them all.
TREE_RULES = tuple(
    rule
    for rule in unasync.RULES
    if any(re.search(rule[0], text) for text in TREE_SOURCES.values())
)


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A repository root with async sources in both source dirs and no sync twins yet."""
    for name, text in TREE_SOURCES.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return tmp_path


def run(root: Path, *argv: str, rules: tuple[tuple[str, str], ...] = TREE_RULES) -> int:
    result: int = unasync.main(list(argv), root=root, rules=rules)
    return result


def test_rules_turn_an_async_client_into_its_sync_twin() -> None:
    assert unasync.unasync_text(ASYNC_CLIENT) == SYNC_CLIENT


def test_every_rule_has_an_example() -> None:
    assert [pattern for pattern, _ in unasync.RULES] == list(RULE_EXAMPLES)


@pytest.mark.parametrize(("pattern", "replacement"), unasync.RULES)
def test_each_rule_rewrites_its_example(pattern: str, replacement: str) -> None:
    async_text, sync_text = RULE_EXAMPLES[pattern]
    assert unasync.unasync_text(async_text, [(pattern, replacement)]) == sync_text


def test_rules_leave_longer_names_alone() -> None:
    text = "MyAsyncIterator is_async_ready aclosed areader awaited asynccontextmanagers\n"
    assert unasync.unasync_text(text) == text


def test_generated_file_is_the_do_not_edit_header_then_the_rewritten_source(tree: Path) -> None:
    assert run(tree) == 0

    generated = (tree / "alliance_pay/_sync/_client.py").read_text(encoding="utf-8")
    assert generated == (
        "# This file is generated by scripts/unasync.py from alliance_pay/_async/_client.py.\n"
        "# Do not edit it by hand: edit the source and run `python scripts/unasync.py`.\n"
        + SYNC_CLIENT
    )


def test_generation_writes_a_twin_for_every_source_including_init_files(tree: Path) -> None:
    assert run(tree) == 0

    sync_files = sorted(
        path.relative_to(tree).as_posix()
        for directory in ("alliance_pay/_sync", "tests/_sync")
        for path in (tree / directory).rglob("*.py")
    )
    assert sync_files == [
        "alliance_pay/_sync/__init__.py",
        "alliance_pay/_sync/_client.py",
        "tests/_sync/test_client.py",
    ]
    sync_test = (tree / "tests/_sync/test_client.py").read_text(encoding="utf-8")
    assert sync_test.endswith(
        "def test_close(client: AllianceClient) -> None:\n    client.close()\n"
    )


def test_regeneration_rewrites_only_the_files_that_changed(
    tree: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(tree) == 0
    assert capsys.readouterr().out == "unasync: wrote 3 file(s), 0 unchanged, deleted 0 orphan(s)\n"
    (tree / "tests/_sync/test_client.py").write_text("# stale\n", encoding="utf-8")

    assert run(tree) == 0
    assert capsys.readouterr().out == "unasync: wrote 1 file(s), 2 unchanged, deleted 0 orphan(s)\n"


def test_check_passes_right_after_generation(
    tree: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(tree) == 0
    capsys.readouterr()

    assert run(tree, "--check") == 0
    assert capsys.readouterr().out == "unasync: 3 generated file(s) up to date\n"


def test_check_fails_on_a_hand_edit_and_prints_the_diff(
    tree: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(tree) == 0
    twin = tree / "alliance_pay/_sync/_client.py"
    twin.write_text(twin.read_text(encoding="utf-8") + "# tweak\n", encoding="utf-8")
    capsys.readouterr()

    assert run(tree, "--check") == 1
    err = capsys.readouterr().err
    assert "alliance_pay/_sync/_client.py differs from a fresh generation" in err
    assert "\n-# tweak\n" in err


def test_check_fails_on_an_orphan_and_leaves_it_in_place(
    tree: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(tree) == 0
    orphan = tree / "tests/_sync/test_removed.py"
    orphan.write_text("def test_removed() -> None: ...\n", encoding="utf-8")
    capsys.readouterr()

    assert run(tree, "--check") == 1
    assert "tests/_sync/test_removed.py is an orphan" in capsys.readouterr().err
    assert orphan.exists()


def test_generation_deletes_orphans(tree: Path) -> None:
    assert run(tree) == 0
    orphan = tree / "alliance_pay/_sync/_removed.py"
    orphan.write_text("", encoding="utf-8")

    assert run(tree) == 0
    assert not orphan.exists()
    assert run(tree, "--check") == 0


def test_check_fails_on_a_missing_file(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(tree) == 0
    (tree / "alliance_pay/_sync/__init__.py").unlink()
    capsys.readouterr()

    assert run(tree, "--check") == 1
    assert "alliance_pay/_sync/__init__.py is missing" in capsys.readouterr().err


def test_check_writes_nothing(tree: Path) -> None:
    assert run(tree, "--check") == 1

    assert not (tree / "alliance_pay/_sync").exists()
    assert not (tree / "tests/_sync").exists()


@pytest.mark.parametrize("argv", [[], ["--check"]], ids=["write", "check"])
def test_a_rule_that_matched_nothing_fails_and_is_named(
    tree: Path, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    stale = (r"\bAsyncLedgerResource\b", "LedgerResource")

    assert run(tree, *argv, rules=(*TREE_RULES, stale)) == 1
    assert r"\bAsyncLedgerResource\b  ->  'LedgerResource'" in capsys.readouterr().err
    assert not (tree / "alliance_pay/_sync").exists()


def test_the_whole_table_is_required_unless_a_subset_is_asked_for(tree: Path) -> None:
    with pytest.raises(unasync.UnasyncError, match="AsyncWebhooksResource"):
        unasync.generate(tree)

    generation = unasync.generate(tree, require_every_rule=False)
    assert len(generation.files) == 3


def test_a_missing_source_directory_is_an_error(
    tree: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for path in (tree / "tests/_async").iterdir():
        path.unlink()
    (tree / "tests/_async").rmdir()

    assert run(tree) == 1
    assert "source directory tests/_async does not exist" in capsys.readouterr().err
