"""The scraped profile: a missing or unreadable date or word count is null with a warning."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from archivekit import Record, dumps, parse
from archivekit.formats import FORMAT_BY_NAME, FormatOptions
from archivekit.rules import RuleOptions, Severity
from tests.conftest import SHARED
from tests.support import Cli, read_all, write_many

SCRAPED = RuleOptions(profile="scraped")
UNDATED = b"http://example.com/a\nHeadline\nOne,Two\nPublished: June 2013\n\nThe body."


def test_strict_by_default_the_record_is_invalid() -> None:
    result = parse(UNDATED)
    assert result.record is None
    assert {d.code for d in result.errors} == {"date-unrecognized", "word-count-invalid"}


def test_scraped_keeps_the_record_with_nulls_and_warnings() -> None:
    result = parse(UNDATED, options=SCRAPED)
    assert result.record is not None
    assert (result.record.date, result.record.word_count) == (None, None)
    assert all(d.severity is Severity.WARNING for d in result.diagnostics)
    assert "kept as null" in result.diagnostics[0].message
    # An empty line is the null's canonical text: it reads back as the same record.
    text = dumps(result.record)
    assert text.split("\n")[3:5] == ["", ""]
    assert parse(text, options=SCRAPED).record == result.record


def test_scraped_never_excuses_a_bad_url_or_control_character() -> None:
    assert parse(b"nope\nH\n\n\n\nbody", options=SCRAPED).record is None
    result = parse(b"http://e.com/a\nH\n\nJune\x00\n\nbody", options=SCRAPED)
    assert result.record is None
    assert "control-char" in {d.code for d in result.errors}


@pytest.mark.parametrize("name", ["json", "jsonl", "csv", "md", "archive"])
def test_every_format_round_trips_a_null_date_and_word_count(name: str) -> None:
    record = Record(
        url="http://example.com/a",
        headline="Headline",
        keywords=("One",),
        date=None,
        word_count=None,
        body="Body text.",
    )
    fmt = FORMAT_BY_NAME[name]
    options = FormatOptions(rules=SCRAPED)
    data = fmt.dump(record, options) if fmt.dump else write_many(fmt, [record], options)
    assert read_all(fmt, data, options) == [record]
    strict = read_all(fmt, data, FormatOptions())
    assert strict == [None]


def test_json_null_and_absent_fields_under_each_profile() -> None:
    load = FORMAT_BY_NAME["json"].load
    assert load is not None
    doc = orjson.dumps({"url": "http://e.com/a", "headline": "H", "keywords": [], "body": "b"})
    strict = list(load(doc, "a.json", FormatOptions()))
    assert {d.code for d in strict[0].errors} == {"field-missing"}
    scraped = list(load(doc, "a.json", FormatOptions(rules=SCRAPED)))
    assert scraped[0].record is not None
    assert scraped[0].record.date is None


def test_the_json_schema_allows_null() -> None:
    schema = Record.model_json_schema()
    assert {"type": "null"} in schema["properties"]["date"]["anyOf"]
    assert {"type": "null"} in schema["properties"]["word_count"]["anyOf"]


REALWORLD = SHARED / "realworld"


@pytest.mark.skipif(not REALWORLD.is_dir(), reason="../shared/realworld is not there")
def test_realworld_converts_all_but_broken_urls_and_headlines(cli: Cli, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    result = cli(
        "convert", REALWORLD, "--profile", "scraped", "--to", "jsonl", "-o", out, "--skip-invalid"
    )
    assert result.exit_code == 0, result.output
    errors = [line for line in result.stderr.splitlines() if ": error[" in line]
    assert errors
    assert all("[url-invalid]" in e or "[headline-empty]" in e for e in errors)
    rows = [orjson.loads(line) for line in out.read_bytes().splitlines()]
    total = len(list(REALWORLD.glob("*.txt")))
    assert len(rows) == total - len(errors)
    # Readable dates are kept; only the unreadable ones are null.
    assert any(r["date"] for r in rows)
    assert any(r["date"] is None for r in rows)


def test_profile_from_the_configuration(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "archive.toml").write_text('profile = "scraped"\n')
    (tmp_path / "a.txt").write_bytes(UNDATED)
    assert cli("validate", tmp_path / "a.txt").exit_code == 1
    config = ("--config", tmp_path / "archive.toml")
    assert cli("validate", tmp_path / "a.txt", *config).exit_code == 0
    result = cli("convert", tmp_path / "a.txt", "--to", "jsonl", *config)
    assert result.exit_code == 0, result.output
    assert orjson.loads(result.stdout_bytes)["date"] is None
    bad = tmp_path / "bad.toml"
    bad.write_text('profile = "loose"\n')
    result = cli("convert", tmp_path / "a.txt", "--to", "jsonl", "--config", bad)
    assert result.exit_code == 2
    assert "profile" in result.stderr


def test_archive_explain_describes_the_profile(cli: Cli) -> None:
    result = cli("explain", "scraped")
    assert result.exit_code == 0
    assert "kept as null: scraped profile" in result.stdout
    assert "scraped profile" in cli("explain", "date-empty").stdout
