"""The benchmark's record generator: valid, canonical, seed-shaped and deterministic."""

from __future__ import annotations

from pathlib import Path

import orjson

from archivekit.record.model import Record
from archivekit.record.parse import parse
from archivekit.validate import validate_paths
from bench.generate import (
    generate,
    make_record,
    record_json,
    relative_path,
)

N = 40


def _tree(root: Path) -> dict[str, bytes]:
    files = sorted(p for p in root.rglob("*") if p.is_file())
    return {str(p.relative_to(root)): p.read_bytes() for p in files}


def test_generated_files_validate_clean_and_parse_back(tmp_path: Path) -> None:
    assert generate(tmp_path / "txt", N) == N
    results = list(validate_paths([str(tmp_path / "txt")], jobs=1))
    assert len(results) == N
    assert [d for r in results for d in r.diagnostics] == []
    for index in range(N):
        data = (tmp_path / "txt" / relative_path(index)).read_bytes()
        result = parse(data)
        assert result.record == make_record(index)
        assert not data.endswith(b"\n")
        assert b"\r" not in data


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path: Path) -> None:
    generate(tmp_path / "a", N)
    generate(tmp_path / "b", N)
    generate(tmp_path / "c", N, seed=1)
    assert _tree(tmp_path / "a") == _tree(tmp_path / "b")
    assert _tree(tmp_path / "a") != _tree(tmp_path / "c")
    # A prefix of a larger run is the smaller run.
    assert make_record(N - 1) == parse((tmp_path / "a" / relative_path(N - 1)).read_bytes()).record


def test_cached_tree_is_kept_and_a_different_one_rebuilt(tmp_path: Path) -> None:
    generate(tmp_path / "t", 5)
    assert generate(tmp_path / "t", 5) == 0
    assert generate(tmp_path / "t", 3) == 3
    assert len(list((tmp_path / "t").rglob("*.txt"))) == 3


def test_records_are_shaped_like_the_seed() -> None:
    records = [make_record(i) for i in range(200)]
    sizes = [len(r.body.encode()) for r in records]
    assert 7_000 < sum(sizes) / len(sizes) < 13_000
    assert min(len(r.body.split()) for r in records) >= 200
    assert max(len(r.body.split()) for r in records) >= 2_000
    assert any("  " in k for r in records for k in r.keywords)  # "Last  First"
    assert any(not r.keywords for r in records)
    assert any("“" in r.body and "’" in r.body for r in records)
    assert any(not r.body.isascii() for r in records)
    assert len({r.date.year // 10 for r in records if r.date}) >= 4
    assert all(r.date and r.word_count is not None for r in records)
    mismatched = sum(r.word_count != len(r.body.split()) for r in records)
    assert mismatched == len(records)
    assert relative_path(12_345) == "0012/0012345.txt"


def test_json_form_reads_back_as_the_record() -> None:
    for index in range(20):
        record = make_record(index)
        data = record_json(record)
        assert Record.model_validate_json(data) == record
        assert record.date is not None
        assert orjson.loads(data)["date"] == record.date.isoformat()
