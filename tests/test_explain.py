"""``archive explain CODE``: every rule's documentation, with its examples."""

from __future__ import annotations

import pytest

from archivekit.errors import UsageError
from archivekit.rules import RULES, explain
from tests.helpers import run


def test_every_rule_has_details() -> None:
    missing = [rule.code for rule in RULES if not rule.details]
    assert not missing, f"give them details in archivekit/rules.py: {missing}"


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.code)
def test_explain_shows_summary_and_both_examples(rule: object) -> None:
    from archivekit.rules import Rule

    assert isinstance(rule, Rule)
    code, out, _ = run("explain", rule.code)
    assert code == 0
    assert out.startswith(f"{rule.code} (")
    assert rule.summary in out
    bad, good = out.index("\nBad:\n"), out.index("\nGood:\n")
    assert bad < good
    assert (rule.good.split("\n")[0] or "(empty)") in out[good:]
    assert (rule.bad.split("\n")[0] or "(empty)") in out[bad:good]


def test_explain_says_default_levels() -> None:
    assert explain("date-invalid").startswith("date-invalid (error by default)")
    assert explain("bom").startswith("bom (warning by default)")
    assert explain("word-count-mismatch").startswith("word-count-mismatch (off by default")


def test_an_unknown_code_suggests_the_nearest() -> None:
    with pytest.raises(UsageError, match="did you mean date-invalid"):
        explain("date-invalud")
    code, out, err = run("explain", "nonsense-rule")
    assert (code, out) == (2, "")
    assert "unknown rule code 'nonsense-rule'" in err
