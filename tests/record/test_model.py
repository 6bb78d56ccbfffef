"""The record model: immutable, strict, and refusing what the text format cannot hold."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pydantic
import pytest

from archivekit.record.model import Record

FIELDS: dict[str, Any] = {
    "url": "http://www.nytimes.com/2011/08/26/world/americas/26drugs.html",
    "headline": "U.S. Widens Role - The New York Times",
    "keywords": ["Mexico", "Calderon  Felipe"],
    "date": dt.date(2011, 8, 25),
    "word_count": 8304,
    "body": "WASHINGTON — The Obama administration.Mexican commandos.",
}


def test_a_record_is_immutable_and_hashable() -> None:
    record = Record(**FIELDS)
    assert record.keywords == ("Mexico", "Calderon  Felipe")
    with pytest.raises(pydantic.ValidationError):
        record.headline = "x"  # type: ignore[misc]
    assert hash(record) == hash(Record(**FIELDS))


def test_the_url_is_kept_exactly_as_written() -> None:
    url = "HTTP://WWW.Example.COM:80/a/../b?q=%7e#frag"
    assert Record(**{**FIELDS, "url": url}).url == url


def test_json_round_trip() -> None:
    record = Record(**FIELDS)
    assert Record.model_validate_json(record.model_dump_json()) == record
    assert record.model_dump(mode="json")["date"] == "2011-08-25"


@pytest.mark.parametrize(
    ("field", "value", "says"),
    [
        ("url", "www.nytimes.com", "url-invalid"),
        ("url", " http://a.com", "whitespace"),
        ("headline", "", "headline-empty"),
        ("headline", "two\nlines", "line break"),
        ("keywords", ["Obama, Barack"], "keyword-invalid"),
        ("keywords", ["a", "a"], "keyword-duplicate"),
        ("keywords", [""], "keyword-empty"),
        ("keywords", [" a"], "whitespace"),
        ("body", " ", "body-empty"),
        ("body", "a\x00", "control-char"),
        ("word_count", -1, "greater than or equal"),
        ("word_count", True, "valid integer"),
        ("word_count", "5", "valid integer"),
        ("date", 1314230400, "valid date"),
        ("extra", "x", "Extra inputs"),
    ],
)
def test_refuses(field: str, value: object, says: str) -> None:
    with pytest.raises(pydantic.ValidationError, match=says):
        Record(**{**FIELDS, field: value})


def test_a_multiline_body_is_allowed() -> None:
    assert Record(**{**FIELDS, "body": "one\ntwo"}).body == "one\ntwo"
