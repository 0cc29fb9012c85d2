"""``alliance-pay completion bash`` completes commands, subcommands, choices and options."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from tests.cli.support import run_cli


def _complete(script: str, *words: str) -> list[str]:
    line = " ".join(f"'{w}'" for w in words)
    program = (
        f"{script}\nCOMP_WORDS=(alliance-pay {line}); COMP_CWORD={len(words)}; "
        '_alliance_pay; printf "%s\\n" "${COMPREPLY[@]}"'
    )
    bash = shutil.which("bash")
    assert bash is not None
    done = subprocess.run(
        [bash, "-c", program], capture_output=True, text=True, check=True, timeout=30
    )
    assert done.stderr == ""
    return done.stdout.split()


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_the_bash_script_completes_every_level() -> None:
    run = run_cli("completion", "bash")
    assert run.code == 0, run.stderr
    script = run.stdout
    assert _complete(script, "pay") == ["payins", "payouts"]
    assert _complete(script, "payouts", "w") == ["wait"]
    assert "--beneficiary-acc-no" in _complete(
        script, "payouts", "create", "--order-id", "X", "--b"
    )
    assert "payout.failed" in _complete(script, "webhooks", "trigger", "")
    assert _complete(script, "balance", "--secret") == ["--secret-key-file"]  # never --secret-key


def test_the_zsh_script_registers_itself() -> None:
    run = run_cli("completion", "zsh")
    assert run.code == 0
    assert run.stdout.startswith("#compdef alliance-pay")
    assert "'alliance-pay payouts create'" in run.stdout
