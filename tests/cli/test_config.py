"""``alliance-pay config`` says where each setting comes from, never showing the secret."""

from __future__ import annotations

from pathlib import Path

from tests.cli.support import run_cli

SECRET = "a-secret-never-shown"


def test_config_shows_sources_and_never_the_secret() -> None:
    run = run_cli(
        "config", "--json",
        env={"ALLIANCE_BASE_URL": "http://127.0.0.1:8000", "ALLIANCE_ACCESS_KEY": "dev-access-key",
             "ALLIANCE_SECRET_KEY": SECRET},
    )  # fmt: skip
    assert run.code == 0, run.stderr
    assert run.json() == {
        "base_url": {"value": "http://127.0.0.1:8000", "source": "ALLIANCE_BASE_URL"},
        "access_key": {"value": "dev-…", "source": "ALLIANCE_ACCESS_KEY"},
        "secret_key": {"source": "ALLIANCE_SECRET_KEY", "length": len(SECRET),
                       "surrounding_whitespace": False},
        "get_body": "",
    }  # fmt: skip
    assert SECRET not in run.stdout + run.stderr


def test_a_secret_with_a_newline_is_flagged(tmp_path: Path) -> None:
    env = {"ALLIANCE_SECRET_KEY": SECRET + "\n"}
    run = run_cli("config", "--access-key", "k", "--base-url", "http://x", env=env)
    assert run.code == 0, run.stderr
    assert "WARNING: starts or ends with whitespace" in run.stdout
    assert "warning: ALLIANCE_SECRET_KEY" in run.stderr
    # A file's one trailing newline is not part of the key (echo adds it).
    path = tmp_path / "secret"
    path.write_text(SECRET + "\n")
    from_file = run_cli("config", "--json", "--secret-key-file", str(path))
    assert from_file.json()["secret_key"]["length"] == len(SECRET)
