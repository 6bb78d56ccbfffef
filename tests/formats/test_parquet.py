"""Parquet both ways: the Arrow schema, round trips, partitions, and what DuckDB and polars read."""

from __future__ import annotations

import io
import random
from pathlib import Path

import orjson
import pytest

from archivekit import ARROW_SCHEMA, Record
from archivekit.formats import FORMAT_BY_NAME, FormatOptions
from archivekit.rules import RuleOptions
from tests.support import Cli, batch_record, read_all, write_batch, write_many

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

PARQUET = FORMAT_BY_NAME["parquet"]


def _records(count: int) -> list[Record]:
    rng = random.Random(7)
    return [batch_record(number, rng) for number in range(count)]


def test_the_schema_is_the_documented_one() -> None:
    assert ARROW_SCHEMA.names == ["url", "headline", "keywords", "date", "word_count", "body"]
    assert str(ARROW_SCHEMA.field("keywords").type) == "list<item: string>"
    assert ARROW_SCHEMA.field("date").type == pa.date32()
    assert ARROW_SCHEMA.field("word_count").type == pa.int64()
    assert ARROW_SCHEMA.field("body").type == pa.large_string()
    assert ARROW_SCHEMA.field("date").nullable
    assert ARROW_SCHEMA.field("word_count").nullable
    assert not ARROW_SCHEMA.field("url").nullable


def test_round_trip_through_the_writer_and_the_workers_rows() -> None:
    records = _records(300)
    options = FormatOptions()
    data = write_many(PARQUET, records, options)
    assert read_all(PARQUET, data, options) == records
    # Rows rendered by workers (Arrow IPC), appended after records written one by one.
    out = io.BytesIO()
    sink = PARQUET.sink(out, options) if PARQUET.sink else None
    assert sink is not None
    assert PARQUET.rows is not None
    sink.write(records[0])
    sink.write_rows(PARQUET.rows(records[1:], options))
    sink.close()
    assert read_all(PARQUET, out.getvalue(), options) == records
    metadata = pq.ParquetFile(io.BytesIO(out.getvalue())).metadata
    assert metadata.row_group(0).column(5).compression == "ZSTD"
    assert metadata.num_row_groups == 1  # 300 small records: far under 64 MB


def test_row_groups_are_about_64_mb(monkeypatch: pytest.MonkeyPatch) -> None:
    from archivekit.formats import parquet

    monkeypatch.setattr(parquet, "ROW_GROUP_BYTES", 100_000)
    monkeypatch.setattr(parquet, "PENDING_ROWS", 10)
    records = _records(400)
    data = write_many(PARQUET, records, FormatOptions())
    metadata = pq.ParquetFile(io.BytesIO(data)).metadata
    assert metadata.num_row_groups >= 2
    sizes = [metadata.row_group(i).total_byte_size for i in range(metadata.num_row_groups - 1)]
    assert all(size >= 90_000 for size in sizes)


def test_a_damaged_file_is_a_finding_not_a_crash() -> None:
    results = list(PARQUET.read(io.BytesIO(b"PAR1 not really"), "bad.parquet", FormatOptions()))
    assert [r.diagnostics[0].code for r in results] == ["read-error"]


def test_a_file_damaged_part_way_fails_convert_even_with_skip_invalid(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Row groups after a damaged one are lost: that is not one bad record to skip."""
    from archivekit.formats import parquet

    monkeypatch.setattr(parquet, "ROW_GROUP_BYTES", 100_000)
    monkeypatch.setattr(parquet, "PENDING_ROWS", 10)
    data = bytearray(write_many(PARQUET, _records(800), FormatOptions()))
    metadata = pq.ParquetFile(io.BytesIO(bytes(data))).metadata
    assert metadata.num_row_groups >= 4
    # The body column of the last row group: overwritten, the groups before it intact
    # (batches of 256 rows are read: a batch ends before it).
    last = metadata.num_row_groups - 1
    before = sum(metadata.row_group(i).num_rows for i in range(last))
    body = metadata.row_group(last).column(5)
    start = body.dictionary_page_offset if body.has_dictionary_page else body.data_page_offset
    data[start : start + body.total_compressed_size] = b"Z" * body.total_compressed_size
    damaged = tmp_path / "damaged.parquet"
    damaged.write_bytes(bytes(data))
    out = tmp_path / "out.jsonl"
    result = cli("convert", damaged, "--to", "jsonl", "-o", out, "--skip-invalid")
    assert result.exit_code == 1, result.output
    assert "error[read-error] the Parquet file is damaged: reading stopped at row " in (
        result.stderr
    )
    assert "the rest of the file was not read" in result.stderr
    assert "(skipped; 1 file not read to the end)" in result.stderr
    # What was read before the damage is written, in order: the first row group at least.
    read = [orjson.loads(line)["url"] for line in out.read_bytes().splitlines()]
    assert before - 256 < len(read) <= before
    assert read == [r.url for r in _records(800)][: len(read)]


def test_foreign_columns_are_checked_and_extra_ones_warned() -> None:
    table = pa.table(
        {
            "index": [0],
            "url": ["http://example.com/a"],
            "headline": ["H"],
            "keywords": [["a", "b"]],
            "date": ["2011-08-25"],
            "word_count": [None],
            "body": ["text"],
        }
    )
    out = io.BytesIO()
    pq.write_table(table, out)
    strict = list(PARQUET.read(io.BytesIO(out.getvalue()), "f.parquet", FormatOptions()))
    assert strict[0].record is None
    assert {d.code for d in strict[0].diagnostics} >= {"field-unknown", "word-count-invalid"}
    scraped = FormatOptions(rules=RuleOptions(profile="scraped"))
    result = next(iter(PARQUET.read(io.BytesIO(out.getvalue()), "f.parquet", scraped)))
    assert result.record is not None
    assert result.record.word_count is None
    assert str(result.record.date) == "2011-08-25"


def test_cli_round_trip_duckdb_polars_and_partitions(cli: Cli, tmp_path: Path) -> None:
    duckdb = pytest.importorskip("duckdb")
    polars = pytest.importorskip("polars")
    write_batch(tmp_path / "in", 120)
    jsonl = tmp_path / "a.jsonl"
    assert cli("convert", tmp_path / "in", "--to", "jsonl", "-o", jsonl).exit_code == 0
    parquet = tmp_path / "a.parquet"
    result = cli("convert", jsonl, "--to", "parquet", "-o", parquet)
    assert result.exit_code == 0, result.output
    back = tmp_path / "back.jsonl"
    assert cli("convert", parquet, "--to", "jsonl", "-o", back).exit_code == 0
    assert back.read_bytes() == jsonl.read_bytes()
    types = dict(
        duckdb.sql(f"DESCRIBE SELECT * FROM '{parquet}'").fetchall()[i][:2] for i in range(6)
    )
    assert types["date"] == "DATE"
    assert types["word_count"] == "BIGINT"
    assert types["keywords"] == "VARCHAR[]"
    assert polars.read_parquet(parquet).schema["date"] == polars.Date
    # A Hive-style dataset: one folder per year, read back as one table.
    dataset = tmp_path / "dataset"
    result = cli("convert", jsonl, "--to", "parquet", "--partition-by", "year", "-o", dataset)
    assert result.exit_code == 0, result.output
    years = {p.name for p in dataset.iterdir()}
    assert all(name.startswith("year=") for name in years)
    query = f"SELECT count(*) FROM read_parquet('{dataset}/**/*.parquet', hive_partitioning=true)"
    assert duckdb.sql(query).fetchall() == [(120,)]
    assert polars.scan_parquet(dataset, hive_partitioning=True).collect().height == 120
    assert pq.read_table(dataset).num_rows == 120
    again = tmp_path / "again.jsonl"
    assert cli("convert", dataset, "--from", "parquet", "--to", "jsonl", "-o", again).exit_code == 0
    assert sorted(again.read_bytes().splitlines()) == sorted(jsonl.read_bytes().splitlines())


def test_parquet_from_standard_input(cli: Cli) -> None:
    records = _records(5)
    data = write_many(PARQUET, records, FormatOptions())
    result = cli("convert", "-", "--from", "parquet", "--to", "jsonl", input=data)
    assert result.exit_code == 0, result.output
    assert [orjson.loads(line)["url"] for line in result.stdout_bytes.splitlines()] == [
        r.url for r in records
    ]


def test_usage_errors(cli: Cli, tmp_path: Path) -> None:
    src = tmp_path / "a.jsonl"
    src.write_bytes(b"")
    result = cli("convert", src, "--to", "parquet", "-o", tmp_path / "x.parquet.gz")
    assert result.exit_code == 2
    assert "compressed already" in result.stderr
    result = cli("convert", src, "--to", "jsonl", "--partition-by", "year", "-o", tmp_path / "d")
    assert result.exit_code == 2
    result = cli("convert", src, "--to", "parquet", "--partition-by", "year")
    assert result.exit_code == 2
    assert "-o DIR" in result.stderr


def test_missing_extra_names_it(cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    from archivekit.formats import _implementation

    _implementation.cache_clear()
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    monkeypatch.delitem(sys.modules, "archivekit.formats.parquet", raising=False)
    monkeypatch.delitem(sys.modules, "archivekit.record.arrow", raising=False)
    src = tmp_path / "a.jsonl"
    src.write_bytes(b"")
    result = cli("convert", src, "--to", "parquet", "-o", tmp_path / "x.parquet")
    _implementation.cache_clear()
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        "archive: error: pyarrow is not installed: pip install 'archivekit[parquet]'"
    ]


def test_partitions_spill_the_biggest_years_under_a_memory_budget(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from archivekit.formats import parquet

    spilled: list[int] = []
    spill = parquet.PartitionedWriter._spill

    def spy(self: parquet.PartitionedWriter) -> None:
        spill(self)
        spilled.append(self._size)

    monkeypatch.setattr(parquet, "PARTITION_BYTES", 40_000)
    monkeypatch.setattr(parquet, "PENDING_ROWS", 10)
    monkeypatch.setattr(parquet.PartitionedWriter, "_spill", spy)
    write_batch(tmp_path / "in", 150)
    jsonl = tmp_path / "a.jsonl"
    assert cli("convert", tmp_path / "in", "--to", "jsonl", "-o", jsonl).exit_code == 0
    dataset = tmp_path / "dataset"
    result = cli("convert", jsonl, "--to", "parquet", "--partition-by", "year", "-o", dataset)
    assert result.exit_code == 0, result.output
    assert spilled
    assert all(size < 20_000 for size in spilled)
    rows = [orjson.loads(line) for line in jsonl.read_bytes().splitlines()]
    for folder in dataset.iterdir():
        table = pq.read_table(folder / "part-0.parquet")
        year = folder.name.removeprefix("year=")
        expected = [row["url"] for row in rows if (row["date"] or "")[:4] == year]
        assert table.column("url").to_pylist() == expected  # each year's rows, in input order
    assert pq.read_table(dataset).num_rows == 150


@pytest.mark.parametrize("partition", [None, "year"])
def test_a_failed_run_lets_go_of_its_writer_quietly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, partition: str | None
) -> None:
    """pyarrow's writer, left to the garbage collector after its stream was closed,
    printed "Exception ignored ... write to closed file" and a traceback."""
    import gc
    import sys

    from archivekit.convert import Conversion, ConvertOptions

    ignored: list[object] = []
    monkeypatch.setattr(sys, "unraisablehook", ignored.append)
    paths = write_batch(tmp_path / "in", 40)
    paths[20].write_bytes(b"not a record")
    out = tmp_path / ("ds" if partition else "out.parquet")
    run = Conversion(
        [str(tmp_path / "in")],
        ConvertOptions(to="parquet", output=str(out), partition_by=partition, jobs=1),
    )
    assert len(list(run)) == 40
    assert not run.summary.committed
    del run
    gc.collect()
    assert ignored == []
    assert not out.exists()
