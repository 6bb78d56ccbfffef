"""parse_batch: the pure function engines map; the same findings as archive validate."""

from __future__ import annotations

import gzip
import io
import pickle
import zipfile
from pathlib import Path

import pytest

pytest.importorskip("pyarrow", reason="pyarrow (archivekit[parquet]) is not installed")

import pyarrow as pa

import archivekit
from archivekit.config import Config
from archivekit.rules import RuleOptions
from archivekit.sources.batch import FINDINGS_SCHEMA, RECORDS_SCHEMA
from archivekit.validate import Validation
from tests.conftest import SEED, SEEDS, SHARED


def cli_findings(paths: list[str], **settings: object) -> list[tuple[object, ...]]:
    """What ``archive validate`` finds in ``paths`` with no configuration file."""
    validation = Validation(paths, config=Config(root="."), **settings)  # type: ignore[arg-type]
    return [
        (d.path, d.line, d.column, d.severity.value, d.code, d.message)
        for result in validation
        for d in result.diagnostics
    ]


def as_rows(table: pa.Table) -> list[tuple[object, ...]]:
    return [tuple(row.values()) for row in table.to_pylist()]


def test_parse_batch_finds_what_validate_finds() -> None:
    paths = sorted(str(p) for p in SEEDS.rglob("*.txt"))
    realworld = SHARED / "realworld"
    if realworld.is_dir():  # real-derived records, duplicates among them
        paths += sorted(str(p) for p in realworld.glob("*.txt"))
    items = [(path, Path(path).read_bytes()) for path in paths]
    records, findings = archivekit.parse_batch(items)
    assert findings.schema == FINDINGS_SCHEMA
    assert records.schema == RECORDS_SCHEMA
    assert as_rows(findings) == cli_findings(paths)
    valid = [r.path for r in Validation(paths, config=Config(root=".")) if r.ok]
    assert records.column("source").to_pylist() == valid
    # Opt-in rules, as --enable turns them on.
    rules = RuleOptions(enable=frozenset({"word-count-mismatch"}), word_count_tolerance=0.5)
    _, findings = archivekit.parse_batch(items[:40], options=rules)
    want = cli_findings(paths[:40], enable=["word-count-mismatch"], word_count_tolerance=0.5)
    assert as_rows(findings) == want
    assert "word-count-mismatch" in findings.column("code").to_pylist()


def test_parse_batch_reads_every_input_format_validate_reads(tmp_path: Path) -> None:
    seed = SEED.read_bytes()
    jsonl = b'{"url": "http://x.com/a"}\n' + b"not json\n"
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w") as archive:
        archive.writestr("in/a.txt", seed)
        archive.writestr("../evil.txt", seed)
    files = {
        "a.txt.gz": gzip.compress(seed),
        "b.jsonl": jsonl,
        "c.zip": packed.getvalue(),
        "d.gz": b"not gzip",
        "e": seed,  # no extension: the archive format
    }
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    paths = [str(tmp_path / name) for name in files]
    records, findings = archivekit.parse_batch([(p, Path(p).read_bytes()) for p in paths])
    assert as_rows(findings) == cli_findings(paths)
    assert {"read-error", "field-missing"} <= set(findings.column("code").to_pylist())
    assert records.num_rows == 3


def test_parse_batch_takes_the_profile_and_limits() -> None:
    text = SEED.read_bytes().split(b"\n")
    text[3] = b""  # no date
    items = [("a.txt", b"\n".join(text)), ("big.txt", b"x" * 9000)]
    records, findings = archivekit.parse_batch(items, options=RuleOptions(max_bytes=8500))
    assert records.num_rows == 0
    assert findings.column("code").to_pylist() == ["date-empty", "file-too-large"]
    records, findings = archivekit.parse_batch(items[:1], profile="scraped")
    assert records.column("date").to_pylist() == [None]
    assert findings.column("severity").to_pylist() == ["warning"]
    with pytest.raises(archivekit.UsageError, match="unknown profile"):
        archivekit.parse_batch(items, profile="lenient")


def test_parse_batch_is_picklable_and_pure() -> None:
    again = pickle.loads(pickle.dumps(archivekit.parse_batch))
    items = [("a.txt", SEED.read_bytes())]
    first = archivekit.parse_batch(items)
    assert again(items)[0].equals(first[0])
    assert archivekit.parse_batch(items)[0].equals(first[0])  # no state carried over
    empty = archivekit.parse_batch([])
    assert (empty[0].num_rows, empty[1].num_rows) == (0, 0)
