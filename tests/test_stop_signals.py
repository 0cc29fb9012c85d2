"""Ctrl-C and SIGTERM reach the commands the tests stop, however pytest was started, and no test
leaves the test process handling them otherwise than it found them (tests/conftest.py)."""

from __future__ import annotations

import os
import shlex
import signal
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.terminal import start_as_a_terminal

REPO = Path(__file__).resolve().parent.parent
SHOW_SIGINT = "import signal; print(signal.getsignal(signal.SIGINT) == signal.SIG_IGN)"
# Says it is ready, then waits for the signal a test sends.
WAITER = "import time; print('ready', flush=True); time.sleep(120)"


@pytest.fixture
def tests_ignoring_stop_signals() -> Iterator[None]:
    """The test process ignoring SIGINT, as a shell script's background job runs it, and SIGTERM."""
    previous = {sig: signal.signal(sig, signal.SIG_IGN) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def test_a_background_job_of_a_script_ignores_ctrl_c_and_so_does_what_it_starts() -> None:
    # What left the bulk CLI ignoring the test's Ctrl-C: the suite started with ``&`` by a shell
    # without job control ignores SIGINT, and every process it starts inherits that.
    script = f"{shlex.quote(sys.executable)} -c {shlex.quote(SHOW_SIGINT)} & wait"
    shown = subprocess.run(
        ["/bin/sh", "-c", script], capture_output=True, text=True, check=True, timeout=60
    )
    assert shown.stdout.strip() == "True"


@pytest.mark.usefixtures("tests_ignoring_stop_signals")
@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_a_command_started_as_a_terminal_does_stops_though_the_tests_ignore_the_signal(
    stop: signal.Signals,
) -> None:
    with subprocess.Popen(
        [sys.executable, "-c", WAITER],
        stdout=subprocess.PIPE,
        text=True,
        preexec_fn=start_as_a_terminal,
    ) as command:
        try:
            assert command.stdout is not None
            assert command.stdout.readline() == "ready\n"
            command.send_signal(stop)
            code = command.wait(timeout=60)  # a hang guard: ignored, it would sleep 120 s
        finally:
            command.kill()
    assert code == -stop  # Python re-raises an uncaught KeyboardInterrupt as the signal


LEAKS = """
import signal

import pytest

@pytest.fixture(scope="module")
def sigterm_ignored_for_good():
    signal.signal(signal.SIGTERM, signal.SIG_IGN)

def test_leaves_ctrl_c_ignored():
    signal.signal(signal.SIGINT, signal.SIG_IGN)

def test_after_the_leak():
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler

def test_with_a_fixture_that_leaks(sigterm_ignored_for_good):
    pass

def test_after_the_fixture_leak():
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL
"""


@pytest.mark.slow
def test_the_suite_fails_the_test_or_fixture_that_leaves_a_signal_changed_and_only_that_one(
    tmp_path: Path,
) -> None:
    (tmp_path / "test_leak.py").write_text(textwrap.dedent(LEAKS))
    ini = "[pytest]\nasyncio_default_fixture_loop_scope = function\n"
    (tmp_path / "pytest.ini").write_text(ini)
    ran = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "tests.conftest", "-p", "no:cacheprovider",
         "-rA", "test_leak.py"],
        capture_output=True, text=True, cwd=tmp_path, timeout=300, check=False,
        env={**os.environ, "PYTHONPATH": str(REPO)}, preexec_fn=start_as_a_terminal,
    )  # fmt: skip
    assert ran.returncode == 1, ran.stdout + ran.stderr
    assert "ERROR test_leak.py::test_leaves_ctrl_c_ignored" in ran.stdout
    assert "test_leak.py::test_leaves_ctrl_c_ignored left signal handling changed" in ran.stdout
    assert "SIGINT: <built-in function default_int_handler> -> <Handlers.SIG_IGN: 1>" in ran.stdout
    assert "PASSED test_leak.py::test_after_the_leak" in ran.stdout  # put back for the next
    # A fixture is caught before the test that asked for it, the tests around it named.
    assert "ERROR test_leak.py::test_with_a_fixture_that_leaks" in ran.stdout
    assert (
        "signal handling changed between test_leak.py::test_after_the_leak and "
        "test_leak.py::test_with_a_fixture_that_leaks (a fixture's set-up or tear-down): "
        "SIGTERM: <Handlers.SIG_DFL: 0> -> <Handlers.SIG_IGN: 1>"
    ) in ran.stdout
    assert "PASSED test_leak.py::test_after_the_fixture_leak" in ran.stdout
