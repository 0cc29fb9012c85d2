"""The shared PostgreSQL fixture gives each test a real, empty, isolated database."""

from __future__ import annotations

import pytest

from tests.postgres import PostgresServer

psycopg = pytest.importorskip("psycopg")


def test_each_test_gets_a_fresh_empty_database_on_a_real_server(
    postgres_dsn: str, postgres_server: PostgresServer
) -> None:
    with psycopg.connect(postgres_dsn, autocommit=True) as conn:
        version = conn.execute("SHOW server_version").fetchone()
        tables = conn.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"
        ).fetchone()
        conn.execute("CREATE TABLE marker (id int PRIMARY KEY)")
        conn.execute("INSERT INTO marker VALUES (1)")
    assert version is not None
    assert int(version[0].split(".")[0]) >= 13
    assert tables == (0,)
    assert postgres_dsn != postgres_server.dsn


def test_databases_are_not_shared_between_tests(postgres_dsn: str) -> None:
    with psycopg.connect(postgres_dsn, autocommit=True) as conn:
        exists = conn.execute("SELECT to_regclass('public.marker')").fetchone()
    assert exists == (None,)


def test_skip_locked_claims_hand_different_rows_to_concurrent_sessions(postgres_dsn: str) -> None:
    # SKIP LOCKED is what the bulk journal's workers rely on: one session's locked row is
    # invisible to another session's claim.
    with (
        psycopg.connect(postgres_dsn) as first,
        psycopg.connect(postgres_dsn) as second,
    ):
        with first.transaction():
            first.execute("CREATE TABLE jobs (id int PRIMARY KEY)")
            first.execute("INSERT INTO jobs VALUES (1), (2)")
        with first.transaction():
            mine = first.execute(
                "SELECT id FROM jobs ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED"
            ).fetchall()
            with second.transaction():
                theirs = second.execute(
                    "SELECT id FROM jobs ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED"
                ).fetchall()
    assert mine == [(1,)]
    assert theirs == [(2,)]
