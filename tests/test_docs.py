"""The documentation keeps up with the code."""

from __future__ import annotations

from archivekit.formats.rules import RULES
from tests.conftest import ROOT


def test_every_rule_is_documented_in_format_md() -> None:
    text = (ROOT / "docs" / "format.md").read_text(encoding="utf-8")
    missing = [rule.code for rule in RULES if f"`{rule.code}`" not in text]
    assert not missing, f"docs/format.md does not document: {missing}"
