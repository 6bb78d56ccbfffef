"""Properties: records survive the text format, and no input makes the parser raise."""

from __future__ import annotations

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from archivekit.record.model import Record
from archivekit.record.parse import parse
from archivekit.record.write import dump_bytes, dumps
from archivekit.rules import RULE_BY_CODE, Severity
from tests.strategies import records

pytestmark = pytest.mark.property


@given(records())
def test_parse_of_dumps_is_the_record(record: Record) -> None:
    text = dumps(record)
    result = parse(text)
    assert result.record == record
    # A body over several lines is the one warning a canonical file can carry.
    assert {d.code for d in result.diagnostics} <= {"body-multiline"}
    assert parse(dump_bytes(record)).record == record


@given(records())
def test_dumps_of_parse_is_the_same_bytes(record: Record) -> None:
    data = dump_bytes(record)
    result = parse(data)
    assert result.record is not None
    assert dump_bytes(result.record) == data


def _check_result(data: bytes | str) -> None:
    result = parse(data, path="x.txt")
    for d in result.diagnostics:
        assert d.code in RULE_BY_CODE
        assert d.severity is RULE_BY_CODE[d.code].severity
        assert d.line >= 1
        assert d.column >= 1
        assert d.end_column > d.column
        assert d.message
    assert (result.record is None) == any(d.severity is Severity.ERROR for d in result.diagnostics)
    if result.record is not None:
        # The parser's checks and the model's validators agree...
        assert Record.model_validate(result.record.model_dump()) == result.record
        # ...and normalising twice changes nothing.
        assert parse(dumps(result.record)).record == result.record


@given(st.binary(max_size=300))
@example(b"\xef\xbb\xbf\r\n\r\n\r\n\r\n\r\n")
@example(b"\xff\xfe" + "a\nb".encode("utf-16-le"))
def test_arbitrary_bytes_give_a_record_or_diagnostics(data: bytes) -> None:
    _check_result(data)


# Lines built from the pieces records are made of, perturbed: far likelier
# than random bytes to reach the parser's deeper branches.
_piece = st.sampled_from(
    [
        "",
        " ",
        "\t",
        ",",
        ",,",
        "http://a.com/x",
        "https://b.org",
        "//c.net",
        "Aug. 25, 2011",
        "SEPT. 15, 2016",
        "2016-09-15",
        "Feb. 30, 2012",
        "8304",
        "007",
        "-5",
        "Calderon  Felipe",
        "Mexico",
        "\r",
        "\x00",
        "\ufeff",
        "é",
        "—",
        "\n",
    ]
)
_line = st.lists(_piece, max_size=5).map("".join)


@given(st.lists(_line, min_size=0, max_size=8).map("\n".join), st.booleans())
def test_perturbed_records_give_a_record_or_diagnostics(text: str, crlf: bool) -> None:
    _check_result(text.replace("\n", "\r\n") if crlf else text)
    _check_result(text.encode("utf-8"))
