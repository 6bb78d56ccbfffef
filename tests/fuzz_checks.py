"""The invariants every fuzzed parse must keep (shared by tests and bench/fuzz.py)."""

from __future__ import annotations

from archivekit.diagnostics import ParseResult
from archivekit.record.parse import parse
from archivekit.record.write import dump_bytes
from archivekit.rules import RULE_BY_CODE, Severity


def check_parse(data: bytes | str) -> ParseResult:
    """Parse ``data`` and assert the contract: diagnostics, never an exception."""
    result = parse(data, path="fuzz.txt")
    assert isinstance(result, ParseResult)
    for d in result.diagnostics:
        assert d.code in RULE_BY_CODE, d
        assert d.severity is RULE_BY_CODE[d.code].severity, d
        assert d.line >= 1, d
        assert d.column >= 1, d
        assert d.end_column > d.column, d
        assert d.path == "fuzz.txt"
        assert "\n" not in d.message, d
    has_error = any(d.severity is Severity.ERROR for d in result.diagnostics)
    assert result.ok is not has_error
    assert (result.record is None) is has_error
    if result.record is not None:
        # A record that was accepted can be written, and reads back the same.
        again = parse(dump_bytes(result.record))
        assert again.record == result.record, again.diagnostics
        # Only a multi-line body warns in canonical text (the record keeps its lines).
        assert {d.code for d in again.diagnostics} <= {"body-multiline"}, again.diagnostics
    return result
