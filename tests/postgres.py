"""A real, throwaway PostgreSQL server for the tests that need one (bulk journals, event stores).

One cluster per test session, made with Debian's ``initdb`` under a temporary directory and
served by ``postgres`` on a free loopback port, with durability off (``fsync=off``): the tests
prove behaviour, not crash safety of the disk. As root (CI, these machines) the server runs as
the ``postgres`` user, since ``initdb`` and ``postgres`` refuse to run as root.

Fixtures:

- ``postgres_server`` (session): the running server; ``.dsn`` connects to its ``postgres``
  database as the superuser, ``.make_database()`` creates a fresh empty database and returns
  its DSN.
- ``postgres_dsn`` (function): the DSN of a fresh empty database for one test, dropped after it.

When the server cannot be had (no binaries, no ``postgres`` user, psycopg missing) the tests
that ask for it are skipped with the reason, which ``pytest -ra`` prints. CI sets
``ALLIANCE_TEST_REQUIRE_POSTGRES=1``, which turns that skip into a failure: there, a missing
server is a broken install step, not a reason to test less.
"""

from __future__ import annotations

import contextlib
import glob
import itertools
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

__all__ = ["PostgresServer", "postgres_dsn", "postgres_server"]

REQUIRE_ENV = "ALLIANCE_TEST_REQUIRE_POSTGRES"
_START_TIMEOUT = 60.0


class PostgresUnavailable(Exception):
    """Why no server could be started."""


def _bindir() -> Path:
    """Where ``initdb`` and ``postgres`` live: Debian keeps them off PATH, per major version."""
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name)
    )
    for directory in reversed(candidates):
        if (Path(directory) / "initdb").exists() and (Path(directory) / "postgres").exists():
            return Path(directory)
    initdb = shutil.which("initdb")
    if initdb and shutil.which("postgres"):
        return Path(initdb).resolve().parent
    raise PostgresUnavailable(
        "PostgreSQL server binaries not found (install Debian's 'postgresql' package; .ci/run does)"
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class PostgresServer:
    """A PostgreSQL cluster under a temporary directory, listening on 127.0.0.1."""

    def __init__(self) -> None:
        self._bindir = _bindir()
        self._root = Path(tempfile.mkdtemp(prefix="alliance-pg-"))
        self._data = self._root / "data"
        self._sockets = self._root / "sockets"
        self._log = self._root / "server.log"
        self._run_as: list[str] = []
        self._owner: tuple[int, int] | None = None
        self._process: subprocess.Popen[bytes] | None = None
        self._names = itertools.count(1)
        self.port = _free_port()
        self.dsn = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _prepare_user(self) -> None:
        if os.geteuid() != 0:
            return
        try:
            import pwd

            entry = pwd.getpwnam("postgres")
        except KeyError:
            raise PostgresUnavailable(
                "running as root and there is no 'postgres' user to run the server as"
            ) from None
        self._owner = (entry.pw_uid, entry.pw_gid)
        self._root.chmod(0o755)
        self._sockets.mkdir()
        for path in (self._root, self._sockets):
            os.chown(path, *self._owner)
        self._run_as = ["runuser", "-u", "postgres", "--"]

    def start(self) -> None:
        """Create the cluster and start the server; raise ``PostgresUnavailable`` if it fails."""
        self._prepare_user()
        self._sockets.mkdir(exist_ok=True)
        initdb = subprocess.run(
            [
                *self._run_as,
                str(self._bindir / "initdb"),
                "-D",
                str(self._data),
                "-U",
                "postgres",
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--no-sync",
            ],
            capture_output=True,
            check=False,
        )
        if initdb.returncode != 0:
            raise PostgresUnavailable(f"initdb failed: {initdb.stderr.decode(errors='replace')}")
        log = self._log.open("wb")
        self._process = subprocess.Popen(
            [
                *self._run_as,
                str(self._bindir / "postgres"),
                "-D",
                str(self._data),
                "-p",
                str(self.port),
                "-k",
                str(self._sockets),
                "-c",
                "listen_addresses=127.0.0.1",
                "-c",
                "fsync=off",
                "-c",
                "synchronous_commit=off",
                "-c",
                "full_page_writes=off",
                "-c",
                "max_connections=200",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        self._wait_ready()

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + _START_TIMEOUT
        while time.monotonic() < deadline:
            assert self._process is not None
            if self._process.poll() is not None:
                raise PostgresUnavailable(f"postgres exited: {self._log.read_text()[-2000:]}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    pass
                with self.connect():
                    return
            except Exception:  # not up yet; the deadline decides
                time.sleep(0.1)
        raise PostgresUnavailable(f"postgres did not start in {_START_TIMEOUT:.0f} s")

    def connect(self, dsn: str | None = None) -> object:
        """An autocommit psycopg connection (to the ``postgres`` database by default)."""
        import psycopg

        return psycopg.connect(dsn or self.dsn, autocommit=True, connect_timeout=5)

    def make_database(self) -> str:
        """Create a fresh empty database and return its DSN."""
        name = f"t{os.getpid()}_{next(self._names)}"
        with self.connect() as conn:  # type: ignore[attr-defined]
            conn.execute(f'CREATE DATABASE "{name}"')
        return f"postgresql://postgres@127.0.0.1:{self.port}/{name}"

    def drop_database(self, dsn: str) -> None:
        """Drop a database made by ``make_database``, ending its leftover sessions first."""
        name = dsn.rsplit("/", 1)[1]
        with self.connect() as conn:  # type: ignore[attr-defined]
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def stop(self) -> None:
        """Stop the server and remove the cluster."""
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()  # SIGTERM: "smart" shutdown would wait for clients
            try:
                self._process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        shutil.rmtree(self._root, ignore_errors=True)


def _unavailable(reason: str) -> None:
    message = f"no PostgreSQL server for this test: {reason}"
    if os.environ.get(REQUIRE_ENV) == "1":
        pytest.fail(f"{message} ({REQUIRE_ENV}=1 requires one)", pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A running throwaway PostgreSQL server, shared by the whole session."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        _unavailable("psycopg is not installed (pip install 'alliance-pay[postgres]')")
    try:
        server = PostgresServer()
    except PostgresUnavailable as exc:
        _unavailable(str(exc))
    try:
        server.start()
    except (PostgresUnavailable, OSError) as exc:
        server.stop()
        _unavailable(str(exc))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def postgres_dsn(postgres_server: PostgresServer) -> Iterator[str]:
    """The DSN of a fresh, empty database on the session's server, dropped after the test."""
    dsn = postgres_server.make_database()
    try:
        yield dsn
    finally:
        with contextlib.suppress(Exception):
            postgres_server.drop_database(dsn)
