"""Every Python example in the documentation runs, for real, and so does every doctest.

Pages are ``docs/*.md`` and ``README.md``. Each fenced ```` ```python ```` (or ```` ```py ````)
block of a page runs, in page order, in one namespace shared by the page's blocks, so a later
block may use the names an earlier one made. The page runs against a sandbox served over a real
socket, with ``ALLIANCE_BASE_URL``, ``ALLIANCE_ACCESS_KEY`` and ``ALLIANCE_SECRET_KEY`` set, so an
example reads like production code: ``AsyncAllianceClient()`` with no arguments. Order ids must be
unique (the sandbox refuses duplicates): build them with ``uuid``. The sandbox is reset before
each page.

A block with top-level ``await`` (or ``async with``/``async for``) is compiled with
``ast.PyCF_ALLOW_TOP_LEVEL_AWAIT`` and run with ``asyncio.run``, one fresh event loop per block:
open and close an async client inside one block. Blocks run as ``__main__``, so a script's
``if __name__ == "__main__":`` part runs too. A ``--8<-- "path"`` snippet line inside a block is
expanded from the repository root, as ``pymdownx.snippets`` renders it.

To keep a block from running, put this on the line right before its fence, reason required::

    <!-- docs-test: skip (talks to production) -->

The doctests (``>>>``) in the docstrings of every ``alliance_pay`` module run too, one test per
module; the generated ``alliance_pay._sync`` holds no doctests of its own and is left out.
"""

from __future__ import annotations

import ast
import asyncio
import doctest
import importlib
import inspect
import json
import linecache
import logging
import pkgutil
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

import alliance_pay
from alliance_pay.sandbox import SandboxConfig, create_app, serve_in_thread

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"

ACCESS_KEY = "docs-access-key"
SECRET_KEY = "docs-secret-key"
# Short, so ``payouts.wait`` in the examples sees a final status at its first or second poll.
PAYOUT_DELAY = 0.2

# Pages that teach code: each must keep at least one runnable block. The pages other people write
# are held to it once they exist.
PAGES_WITH_EXAMPLES = (
    "docs/index.md",
    "docs/quickstart.md",
    "docs/configuration.md",
    "docs/auth.md",
    "docs/errors.md",
    "docs/logging.md",
    "docs/bulk.md",
)
PAGES_WITH_EXAMPLES_ONCE_WRITTEN = ("docs/sandbox.md", "docs/testing.md", "docs/webhooks.md")

PYTHON_LANGUAGES = frozenset({"python", "py", "python3"})
_FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})\s*\{?\.?(?P<lang>[\w+-]*)")
_SKIP = re.compile(r"^<!--\s*docs-test:\s*skip\s*\((?P<reason>.*\S.*)\)\s*-->$")
_SNIPPET_LINE = re.compile(r"""^\s*-+8<-+\s+(?P<quote>["'])(?P<spec>[^"']+)(?P=quote)\s*$""")
_SNIPPET_FENCE = re.compile(r"^\s*-+8<-+\s*$")
_SNIPPET_SECTION = re.compile(r"-+8<-+\s*\[(?P<edge>start|end):(?P<name>[\w-]+)\]")


@dataclass(frozen=True)
class Block:
    """One fenced Python block: where it starts (1-based line of the fence) and its code."""

    page: str
    line: int
    code: str
    expanded: bool  # snippets were inlined, so line numbers no longer match the page


@dataclass(frozen=True)
class Page:
    name: str
    blocks: tuple[Block, ...]
    problems: tuple[str, ...]  # malformed skip markers and the like


def _read_snippet(spec: str) -> str:
    """The text ``pymdownx.snippets`` would include for ``spec``, from the repository root."""
    path_text, _, selector = spec.partition(":")
    path = ROOT / path_text
    if not path.is_file():
        raise ValueError(f"snippet {spec!r}: no file {path_text}")
    lines = path.read_text(encoding="utf-8").splitlines()
    if selector and re.fullmatch(r"\d*(:\d*)?", selector):
        start_text, _, end_text = selector.partition(":")
        start = int(start_text) if start_text else 1
        end = int(end_text) if end_text else len(lines)
        lines = lines[start - 1 : end]
    elif selector:
        inside, chosen = False, []
        for line in lines:
            marker = _SNIPPET_SECTION.search(line)
            if marker and marker["name"] == selector:
                inside = marker["edge"] == "start"
            elif inside:
                chosen.append(line)
        if not chosen:
            raise ValueError(f"snippet {spec!r}: no section {selector!r}")
        lines = chosen
    return "\n".join(line for line in lines if not _SNIPPET_SECTION.search(line))


def _expand_snippets(code: str) -> tuple[str, bool]:
    out: list[str] = []
    expanded = False
    in_block_form = False
    for line in code.splitlines():
        if _SNIPPET_FENCE.match(line):
            in_block_form = not in_block_form
            expanded = True
            continue
        if in_block_form:
            if line.strip():
                out.append(_read_snippet(line.strip()))
            continue
        match = _SNIPPET_LINE.match(line)
        if match:
            out.append(_read_snippet(match["spec"]))
            expanded = True
        else:
            out.append(line)
    return "\n".join(out) + "\n", expanded


def parse_page(name: str, text: str) -> Page:
    """Find the Python blocks of a Markdown page, and any skip marker that is not well formed."""
    lines = text.splitlines()
    blocks: list[Block] = []
    problems: list[str] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        opening = _FENCE.match(line)
        # A comment that mentions docs-test but does not parse would silently run its block.
        if (
            line.lstrip().startswith("<!--")
            and "docs-test" in line
            and not _SKIP.match(line.strip())
        ):
            problems.append(f"{name}:{index + 1}: not a skip marker: {line.strip()!r}")
        if _SKIP.match(line.strip()):
            following = _FENCE.match(lines[index + 1]) if index + 1 < len(lines) else None
            if following is None or following["lang"].lower() not in PYTHON_LANGUAGES:
                problems.append(f"{name}:{index + 1}: a skip marker not right before ```python")
        if opening is None:
            index += 1
            continue
        indent, fence = opening["indent"], opening["fence"]
        closing = re.compile(rf"^[ \t]*{re.escape(fence[0])}{{{len(fence)},}}\s*$")
        body: list[str] = []
        end = index + 1
        while end < len(lines) and not closing.match(lines[end]):
            raw = lines[end]
            body.append(raw[len(indent) :] if raw.startswith(indent) else raw.lstrip())
            end += 1
        language = opening["lang"].lower()
        skipped = index > 0 and _SKIP.match(lines[index - 1].strip()) is not None
        if language in PYTHON_LANGUAGES and not skipped:
            try:
                code, expanded = _expand_snippets("\n".join(body))
            except ValueError as exc:
                problems.append(f"{name}:{index + 1}: {exc}")
            else:
                blocks.append(Block(name, index + 1, code, expanded))
        index = end + 1
    return Page(name, tuple(blocks), tuple(problems))


def _pages() -> list[Page]:
    paths = sorted(DOCS.glob("*.md")) if DOCS.is_dir() else []
    if (ROOT / "README.md").is_file():
        paths.append(ROOT / "README.md")
    return [
        parse_page(path.relative_to(ROOT).as_posix(), path.read_text(encoding="utf-8"))
        for path in paths
    ]


PAGES = _pages()


class DocsExampleError(AssertionError):
    """An example failed; the message names the page and the line that raised."""


def _block_filename(block: Block) -> str:
    return f"<{block.page}, block at line {block.line}>"


def run_block(block: Block, namespace: dict[str, object]) -> None:
    """Run one block in ``namespace``; a block with top-level ``await`` runs on a fresh loop."""
    filename = _block_filename(block)
    # Registered so that tracebacks show the block's lines.
    lines = block.code.splitlines(keepends=True)
    linecache.cache[filename] = (len(block.code), None, lines, filename)
    code = compile(
        block.code, filename, "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT, dont_inherit=True
    )
    if code.co_flags & inspect.CO_COROUTINE:
        # Compiled with top-level await, eval gives the coroutine that runs the block.
        asyncio.run(eval(code, namespace))  # noqa: S307 (running our own documentation)
    else:
        exec(code, namespace)  # noqa: S102 (running our own documentation)


def where_it_failed(block: Block, exc: BaseException) -> str:
    """``docs/page.md:42`` for the line of the block that raised (the deepest frame in it)."""
    line = None
    if isinstance(exc, SyntaxError) and exc.filename == _block_filename(block):
        line = exc.lineno
    traceback = exc.__traceback__
    while traceback is not None:
        if traceback.tb_frame.f_code.co_filename == _block_filename(block):
            line = traceback.tb_lineno
        traceback = traceback.tb_next
    if line is None:
        return f"{block.page}:{block.line}"
    if block.expanded:  # snippets were inlined: only the block's own numbering holds
        return f"{block.page}:{block.line} (line {line} of the block with its snippets)"
    return f"{block.page}:{block.line + line}"


@pytest.fixture(scope="session")
def sandbox_url() -> Iterator[str]:
    """One sandbox on a real socket for the whole run, shut down (thread joined) at the end."""
    config = SandboxConfig(access_key=ACCESS_KEY, secret_key=SECRET_KEY, payout_delay=PAYOUT_DELAY)
    before = set(threading.enumerate())
    with serve_in_thread(create_app(config)) as base_url:
        server_threads = set(threading.enumerate()) - before
        yield base_url
    assert server_threads
    assert not [thread for thread in server_threads if thread.is_alive()]


@pytest.fixture
def docs_environment(
    sandbox_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Iterator[str]:
    """What a reader's shell would have: the ALLIANCE_* variables, a scratch directory."""
    httpx.post(f"{sandbox_url}/_sandbox/reset", json={}).raise_for_status()
    monkeypatch.setenv("ALLIANCE_BASE_URL", sandbox_url)
    monkeypatch.setenv("ALLIANCE_ACCESS_KEY", ACCESS_KEY)
    monkeypatch.setenv("ALLIANCE_SECRET_KEY", SECRET_KEY)
    monkeypatch.delenv("ALLIANCE_LOG", raising=False)
    monkeypatch.chdir(tmp_path)
    # An example may configure logging; leave the loggers as they were found.
    saved = {
        name: (logger.handlers[:], logger.level, logger.propagate)
        for name in ("", "alliance_pay")
        for logger in [logging.getLogger(name)]
    }
    try:
        yield sandbox_url
    finally:
        for name, (handlers, level, propagate) in saved.items():
            logger = logging.getLogger(name)
            for handler in logger.handlers:
                if handler not in handlers:
                    handler.close()
            logger.handlers[:] = handlers
            logger.setLevel(level)
            logger.propagate = propagate


@pytest.mark.parametrize("page", [page for page in PAGES if page.blocks], ids=lambda p: p.name)
def test_the_examples_of_a_page_run(page: Page, docs_environment: str) -> None:
    namespace: dict[str, object] = {"__name__": "__main__"}
    try:
        for block in page.blocks:
            before = stores(namespace)
            try:
                run_block(block, namespace)
            except Exception as exc:
                where = where_it_failed(block, exc)
                raise DocsExampleError(f"{where}: {type(exc).__name__}: {exc}") from exc
            finally:
                shut_down(before - stores(namespace))  # an example app replaced by the next
    finally:
        shut_down(stores(namespace))


def stores(namespace: dict[str, object]) -> set[Any]:
    """The durable event stores bound in a page's namespace."""
    from alliance_pay.webhooks._sql import SQLEventStore

    return {value for value in namespace.values() if isinstance(value, SQLEventStore)}


def shut_down(apps_stores: set[Any]) -> None:
    """Close the stores example apps made at module level, as their shutdown (a lifespan that
    never runs here) would; anything else a page leaves open is the page's own leak."""
    for store in apps_stores:
        store.close()


def test_the_readme_example_runs_twice_in_a_row(docs_environment: str) -> None:
    # A newcomer runs it, then runs it again: nothing in it may only work once.
    (readme,) = [page for page in PAGES if page.name == "README.md"]
    assert readme.blocks
    for _ in range(2):
        namespace: dict[str, object] = {"__name__": "__main__"}
        for block in readme.blocks:
            run_block(block, namespace)


def test_async_examples_paste_into_python_m_asyncio() -> None:
    # `python -m asyncio` runs a loop already: asyncio.run() there raises RuntimeError. Async
    # examples use top-level await instead (the docs tests run them so).
    offenders = [
        f"{page.name}:{block.line}"
        for page in PAGES
        for block in page.blocks
        if re.search(r"^[^#\n]*\basyncio\.run\(", block.code, re.MULTILINE)
    ]
    assert offenders == []


def test_pages_that_teach_code_have_runnable_examples() -> None:
    runnable = {page.name for page in PAGES if page.blocks}
    expected = set(PAGES_WITH_EXAMPLES)
    expected |= {name for name in PAGES_WITH_EXAMPLES_ONCE_WRITTEN if (ROOT / name).is_file()}
    assert sorted(expected - runnable) == []


def test_skip_markers_and_snippets_are_well_formed() -> None:
    assert [problem for page in PAGES for problem in page.problems] == []


def test_the_block_parser_finds_what_mkdocs_renders() -> None:
    page = parse_page(
        "docs/example.md",
        "Mark a block with `<!-- docs-test: skip (why) -->` to skip it.\n"
        "```python\nx = 1\n```\n"
        "<!-- docs-test: skip (needs production keys) -->\n"
        "```python\nraise SystemExit\n```\n"
        '!!! note\n    ```python title="in an admonition"\n    y = x + 1\n    ```\n'
        "```bash\nalliance-pay sandbox\n```\n"
        "````markdown\n```python\nnot = 'run'\n```\n````\n"
        "<!-- docs-test: skip -->\n",
    )
    assert [(block.line, block.code) for block in page.blocks] == [
        (2, "x = 1\n"),
        (10, "y = x + 1\n"),
    ]
    assert len(page.problems) == 1
    assert "not a skip marker" in page.problems[0]


def test_snippets_are_inlined_from_the_repository_root() -> None:
    version_file = (ROOT / "alliance_pay/_version.py").read_text(encoding="utf-8").splitlines()
    page = parse_page(
        "docs/example.md",
        '```python\n--8<-- "alliance_pay/_version.py"\nprint(__version__)\n```\n'
        '```python\n--8<-- "alliance_pay/_version.py:1:1"\n```\n'
        '```python\n--8<-- "docs/no-such-file.py"\n```\n',
    )
    whole, first_line = page.blocks
    assert whole.expanded
    assert whole.code == "\n".join([*version_file, "print(__version__)"]) + "\n"
    assert first_line.code == version_file[0] + "\n"
    assert len(page.problems) == 1
    assert "no-such-file.py" in page.problems[0]


# Doctests -----------------------------------------------------------------------------------

_FINDER = doctest.DocTestFinder(exclude_empty=True)


def _runnable_doctests(module_name: str) -> list[doctest.DocTest]:
    module = importlib.import_module(module_name)
    return [
        test
        for test in _FINDER.find(module, module_name)
        if any(not example.options.get(doctest.SKIP) for example in test.examples)
    ]


def _modules_with_doctests() -> list[str]:
    # alliance_pay loads some names on first use, and a loaded class claims the public module,
    # which moves its doctests there. Load them all first, so no module's doctests move mid-run.
    for name in alliance_pay.__all__:
        getattr(alliance_pay, name)
    names = ["alliance_pay"]
    for info in pkgutil.walk_packages(alliance_pay.__path__, "alliance_pay."):
        if not info.name.startswith("alliance_pay._sync"):
            names.append(info.name)
    return [name for name in names if _runnable_doctests(name)]


DOCTEST_MODULES = _modules_with_doctests()


@pytest.mark.parametrize("module_name", DOCTEST_MODULES)
def test_the_doctests_of_a_module_pass(module_name: str) -> None:
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    report: list[str] = []
    for test in _runnable_doctests(module_name):
        runner.run(test, out=report.append)
    failed, attempted = runner.summarize(verbose=False)
    assert attempted > 0
    assert failed == 0, "".join(report)


_DOCTESTS_BEFORE_AND_AFTER_THE_CLAIMS = """
import doctest, importlib, json, pkgutil, alliance_pay
finder = doctest.DocTestFinder(exclude_empty=True)
names = [i.name for i in pkgutil.walk_packages(alliance_pay.__path__, "alliance_pay.")
         if not i.name.startswith("alliance_pay._sync")]
def found():
    return {name: sorted(t.docstring for t in finder.find(importlib.import_module(name)) if
                         t.examples) for name in names}
before = found()
for name in alliance_pay.__all__:  # the first use of each public name claims its class
    getattr(alliance_pay, name)
after = found()
print(json.dumps(sorted(name for name in names if before[name] != after[name])))
"""


def test_a_module_finds_the_same_doctests_before_and_after_the_package_claims_its_classes() -> None:
    # A test module that touches alliance_pay.InMemoryEventStore first used to empty
    # alliance_pay/webhooks/_memory.py of doctests for a later --doctest-modules collection.
    ran = subprocess.run(
        [sys.executable, "-c", _DOCTESTS_BEFORE_AND_AFTER_THE_CLAIMS],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert json.loads(ran.stdout) == []


def test_doctests_are_collected_where_the_public_names_live() -> None:
    # The package's __init__ makes public classes claim ``alliance_pay`` as their module, so
    # doctest finds their docstrings there and not in their private module: both must be run.
    found = {test.name for name in DOCTEST_MODULES for test in _runnable_doctests(name)}
    assert {"alliance_pay.AllianceAuth", "alliance_pay._signing.compute_signature"} <= found
