"""The committed JSON Schema is current, and agrees with the model."""

from __future__ import annotations

import jsonschema
import orjson
import pytest
from hypothesis import given

from archivekit.record.model import Record
from archivekit.record.schema import record_schema, record_schema_json
from tests.conftest import ROOT
from tests.strategies import records

SCHEMA_FILE = ROOT / "schemas" / "record.schema.json"
VALIDATOR = jsonschema.Draft202012Validator(record_schema())


def test_committed_schema_is_current() -> None:
    assert SCHEMA_FILE.read_text(encoding="utf-8") == record_schema_json(), (
        "schemas/record.schema.json is stale: run `archive schema > schemas/record.schema.json`"
    )


def test_schema_is_a_valid_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(record_schema())


@pytest.mark.property
@given(records())
def test_every_record_is_valid_against_the_schema(record: Record) -> None:
    VALIDATOR.validate(orjson.loads(record.model_dump_json()))


def test_schema_refuses_bad_records() -> None:
    good = {
        "url": "http://a.com/x",
        "headline": "H",
        "keywords": ["a"],
        "date": "2011-08-25",
        "word_count": 1,
        "body": "B",
    }
    assert VALIDATOR.is_valid(good)
    changes: list[dict[str, object]] = [
        {"url": "//a.com"},
        {"headline": ""},
        {"keywords": ["a,b"]},
        {"keywords": ["a", "a"]},
        {"word_count": -1},
        {"body": ""},
        {"x": 1},
    ]
    for change in changes:
        assert not VALIDATOR.is_valid({**good, **change}), change
