"""The rules table: shared without importing the SDK, published in sync, and honest about its
sources (a rule marked "docs" quotes words the provider's documentation really contains)."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

import alliance_pay._rules as rules_module
from alliance_pay._rules import ENDPOINTS, RULES, check_fields, rules_markdown

ROOT = Path(__file__).resolve().parent.parent
PROVIDER_DOCS = sorted((ROOT / "tests" / "data" / "provider-docs").glob("*.txt"))


def _squeezed(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def test_the_rules_package_uses_the_standard_library_only() -> None:
    package = Path(rules_module.__file__).parent
    inside = {path.stem for path in package.glob("*.py")}
    imported = set()
    for module in package.glob("*.py"):
        for node in ast.walk(ast.parse(module.read_text())):
            if isinstance(node, ast.ImportFrom) and node.level:
                # Only a sibling inside the package: `..` would reach the SDK.
                assert node.level == 1, f"{module.name} reaches outside the package"
                assert (node.module or "") in inside, f"{module.name}: {node.module}"
            elif isinstance(node, ast.ImportFrom):
                imported.add((node.module or "").split(".")[0])
            elif isinstance(node, ast.Import):
                imported.update(alias.name.split(".")[0] for alias in node.names)
    assert imported <= set(sys.stdlib_module_names), imported - set(sys.stdlib_module_names)


def test_the_sandbox_runs_the_same_table() -> None:
    source = (ROOT / "alliance_pay" / "sandbox" / "_validation.py").read_text()
    assert "from alliance_pay._rules import" in source


def test_the_published_table_is_generated_from_the_rules() -> None:
    page = (ROOT / "docs" / "validation.md").read_text()
    assert rules_markdown() in page
    result = subprocess.run(
        [sys.executable, "scripts/validation_table.py", "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_every_rule_says_where_it_comes_from() -> None:
    assert {rule.source for rule in RULES} == {"docs", "our reading"}
    assert {rule.endpoint for rule in RULES} == set(ENDPOINTS)
    for rule in RULES:
        assert rule.basis.strip(), rule


@pytest.mark.parametrize(
    "rule",
    [rule for rule in RULES if rule.source == "docs"],
    ids=lambda r: f"{r.endpoint}.{r.field}",
)
def test_a_rule_marked_docs_quotes_the_documentation_word_for_word(rule: rules_module.Rule) -> None:
    docs = " ".join(_squeezed(path.read_text()) for path in PROVIDER_DOCS)
    quotes = re.findall(r'"([^"]+)"', rule.basis)
    assert quotes, f"{rule} is marked docs but quotes nothing"
    for quote in quotes:
        assert _squeezed(quote) in docs, f"not in the documentation: {quote!r}"


def test_the_documented_samples_pass_every_rule() -> None:
    # The request bodies of the documentation itself must never be refused.
    payout = {
        "beneficiary_name": "Test Name",
        "beneficiary_email": "test.test@gmail.com",
        "beneficiary_mobile_no": 7878787878,
        "beneficiary_address": "NOIDA",
        "payment_method": "IMPS",
        "beneficiary_acc_no": "99999999999",
        "bank_name": "SBI",
        "ifsc": "SBIN0060589",
        "amount": 5,
        "remarks": None,
        "order_id": "P0HF3PO87R65OI",
        "user_id": "hasd-feh32-sdfs-345",
    }
    assert check_fields("payouts.create", payout) == {}
    assert check_fields("payouts.create", {**payout, "beneficiary_mobile_no": "7878787878"}) == {}
    link = {
        "user_id": "a42332-2fs-q341-d36d34",
        "order_id": "adsd-ewerz-23sdsd-ad234",
        "amount": 100,
        "method": "UPI",
        "redirect_url": "http://test.com",
    }
    assert check_fields("payins.create_link", link) == {}
    assert check_fields("payins.retrieve", {"order_id": "a12qw-32sa-32sd33s"}) == {}
