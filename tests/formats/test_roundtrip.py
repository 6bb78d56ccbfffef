"""Every format is lossless: archive -> F -> archive gives the same bytes, F -> archive -> F too."""

from __future__ import annotations

import io

import jsonschema
import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from archivekit.formats import FORMAT_BY_NAME, FORMATS, Format, FormatOptions
from archivekit.formats.base import record_values
from archivekit.record.model import Record
from archivekit.record.parse import parse
from archivekit.record.schema import record_schema
from archivekit.record.write import dump_bytes
from tests.conftest import ROOT, SEED
from tests.strategies import format_options, records
from tests.support import read_all, write_many

ONE = [f for f in FORMATS if f.one]
MANY = [f for f in FORMATS if f.many]


@pytest.mark.parametrize("fmt", ONE, ids=lambda f: f.name)
@pytest.mark.property
@given(record=records(), options=format_options)
def test_one_record_formats_round_trip(fmt: Format, record: Record, options: FormatOptions) -> None:
    assert fmt.dump is not None
    data = fmt.dump(record, options)
    results = list(fmt.read(io.BytesIO(data), "x", options))
    assert len(results) == 1
    result = results[0]
    assert result.record == record, [str(d) for d in result.diagnostics]
    # archive -> F -> archive: the same bytes.
    assert dump_bytes(result.record) == dump_bytes(record)
    # F -> archive -> F: the same bytes again.
    back = parse(dump_bytes(result.record)).record
    assert back is not None
    assert fmt.dump(back, options) == data


@pytest.mark.parametrize("fmt", MANY, ids=lambda f: f.name)
@pytest.mark.property
@given(batch=st.lists(records(), max_size=5), options=format_options)
def test_many_record_formats_round_trip(
    fmt: Format, batch: list[Record], options: FormatOptions
) -> None:
    data = write_many(fmt, batch, options)
    assert read_all(fmt, data, options) == batch
    again = [parse(dump_bytes(r)).record for r in batch]
    assert write_many(fmt, [r for r in again if r is not None], options) == data


@pytest.mark.property
@given(record=records())
def test_json_values_match_the_committed_schema(record: Record) -> None:
    jsonschema.validate(record_values(record), record_schema())
    committed = ROOT / "schemas" / "record.schema.json"
    if committed.exists():
        jsonschema.validate(record_values(record), orjson.loads(committed.read_bytes()))


def test_seed_goes_through_every_format_unchanged() -> None:
    data = SEED.read_bytes()
    record = parse(data).record
    assert record is not None
    options = FormatOptions()
    for fmt in FORMATS:
        out = fmt.dump(record, options) if fmt.dump else write_many(fmt, [record], options)
        (back,) = read_all(fmt, out, options)
        assert back is not None
        assert dump_bytes(back) == data, fmt.name


def test_json_shape_is_the_documented_one() -> None:
    record = parse(SEED.read_bytes()).record
    assert record is not None
    value = orjson.loads(FORMAT_BY_NAME["json"].dump(record, FormatOptions()))  # type: ignore[misc]
    assert list(value) == ["url", "headline", "keywords", "date", "word_count", "body"]
    assert value["date"] == "2011-08-25"
    assert value["word_count"] == 8304
    assert value["keywords"][-2:] == ["Calderon  Felipe", "Obama  Barack"]
