"""Fixtures the whole suite shares: the throwaway PostgreSQL server of ``tests/postgres.py``."""

pytest_plugins = ["tests.postgres"]
