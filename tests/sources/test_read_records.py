"""The reading API: archivekit.read_records over every format, and archivekit.to_arrow."""

from __future__ import annotations

from pathlib import Path

import pytest

import archivekit
from tests.support import Cli, write_batch


def test_read_records_streams_every_format_in_order(cli: Cli, tmp_path: Path) -> None:
    write_batch(tmp_path / "in", 40)
    jsonl = tmp_path / "a.jsonl"
    assert cli("convert", tmp_path / "in", "--to", "jsonl", "-o", jsonl).exit_code == 0
    from_text = [r.record for r in archivekit.read_records(str(tmp_path / "in"))]
    from_jsonl = [r.record for r in archivekit.read_records([str(jsonl)])]
    assert len(from_text) == 40
    assert from_text == from_jsonl
    results = list(archivekit.read_records(str(jsonl), format="jsonl"))
    assert all(r.ok and r.path == str(jsonl) for r in results)
    assert [r.index for r in results] == list(range(1, 41))


def test_profile_and_errors(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_bytes(b"http://e.com/a\nH\n\nsoon\n\nbody")
    (strict,) = archivekit.read_records(str(path))
    assert strict.record is None
    (scraped,) = archivekit.read_records(str(path), profile="scraped")
    assert scraped.record is not None
    assert scraped.record.date is None
    with pytest.raises(archivekit.UsageError):
        list(archivekit.read_records(str(path), profile="lenient"))
    with pytest.raises(archivekit.InputError):
        archivekit.read_records(str(tmp_path / "missing"))


def test_to_arrow_has_the_schema(tmp_path: Path) -> None:
    pytest.importorskip("pyarrow")
    write_batch(tmp_path, 10)
    table = archivekit.to_arrow(
        r.record for r in archivekit.read_records(str(tmp_path)) if r.record
    )
    assert table.schema.equals(archivekit.ARROW_SCHEMA)
    assert table.num_rows == 10
