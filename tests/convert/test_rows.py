"""Workers render many-record outputs a chunk at a time: the bytes must be the writers' own."""

from __future__ import annotations

import csv
import io
import itertools
from pathlib import Path
from typing import BinaryIO

import pytest
from hypothesis import given
from hypothesis import strategies as st

from archivekit.convert import Conversion, ConvertOptions
from archivekit.files.atomic import TEMP_PREFIX, Block
from archivekit.formats import FORMAT_BY_NAME, FormatOptions
from archivekit.formats.csv import row_text
from archivekit.record.model import Record
from archivekit.sources.reading import POOL_THRESHOLD
from tests.strategies import records
from tests.support import output_bytes, sink_output, temporaries, write_batch, write_many

_MANY = [name for name, fmt in FORMAT_BY_NAME.items() if fmt.many]
_OPTIONS = st.builds(
    FormatOptions, csv_keywords=st.sampled_from(["comma", "json"]), excel=st.booleans()
)


@pytest.mark.property
@given(st.lists(st.text(), min_size=2, max_size=8))
def test_row_text_is_what_csv_writer_writes(cells: list[str]) -> None:
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\r\n").writerow(cells)
    assert row_text(cells) == out.getvalue()


@pytest.mark.parametrize("name", _MANY)
@pytest.mark.property
@given(
    items=st.lists(records(), max_size=8),
    cuts=st.lists(st.integers(0, 8), max_size=4),
    options=_OPTIONS,
)
def test_rendered_chunks_make_the_writers_bytes(
    name: str, items: list[Record], cuts: list[int], options: FormatOptions
) -> None:
    fmt = FORMAT_BY_NAME[name]
    assert fmt.sink is not None
    assert fmt.rows is not None
    with sink_output(fmt) as out:
        sink = fmt.sink(out, options)
        bounds = [0, *sorted(min(c, len(items)) for c in cuts), len(items)]
        for start, end in itertools.pairwise(bounds):
            chunk = items[start:end]
            if chunk or name != "json":  # an empty chunk is never sent (json would add a comma)
                sink.write_rows(fmt.rows(chunk, options))
        sink.close()
        assert output_bytes(out) == write_many(fmt, items, options)


def _convert(
    inputs: list[str], out: Path, rejects: Path, fmt: str, jobs: int
) -> tuple[list[object], int, int, int]:
    options = ConvertOptions(
        to=fmt, output=str(out), jobs=jobs, skip_invalid=True, rejects=str(rejects)
    )
    run = Conversion(inputs, options)
    outcomes: list[object] = [(o.source, o.ok, o.diagnostics, o.written) for o in run]
    assert run.summary.committed
    return outcomes, run.summary.records, run.summary.invalid, run.summary.warnings


@pytest.mark.parametrize("fmt", _MANY)
def test_workers_write_what_one_process_writes(tmp_path: Path, fmt: str) -> None:
    paths = write_batch(tmp_path / "in", POOL_THRESHOLD + 100)
    paths[5].write_bytes(b"not a record")  # invalid, skipped, in the first chunk
    paths[-1].write_bytes(paths[-1].read_bytes().replace(b"\n", b"\r\n"))  # a warning, last
    for path in paths[70:140]:  # a chunk or more with nothing valid at all
        path.write_bytes(b"")
    inputs = [str(tmp_path / "in")]
    serial = _convert(inputs, tmp_path / f"one.{fmt}", tmp_path / "one.rejects", fmt, 1)
    pooled = _convert(inputs, tmp_path / f"two.{fmt}", tmp_path / "two.rejects", fmt, 2)
    assert pooled == serial
    assert serial[2] == 71
    assert serial[3] >= 1
    assert (tmp_path / f"two.{fmt}").read_bytes() == (tmp_path / f"one.{fmt}").read_bytes()
    assert (tmp_path / "two.rejects").read_bytes() == (tmp_path / "one.rejects").read_bytes()


def test_parquet_pages_do_not_depend_on_how_rows_came(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Workers' 256-row batches and one process's 512-row ones: the same file, byte for byte.

    pyarrow ended a page at each batch's end; with pages smaller than a batch here,
    the files differed (and bigger batches compressed better).
    """
    pytest.importorskip("pyarrow")
    from archivekit.formats import parquet
    from bench.generate import generate

    monkeypatch.setattr(parquet, "PAGE_BYTES", 2 * 2**20)
    generate(tmp_path / "in", POOL_THRESHOLD + 700)  # articles of ~10 KB: batches of MBs
    next((tmp_path / "in").rglob("*0300.txt")).write_bytes(b"")  # a chunk one row short
    inputs = [str(tmp_path / "in")]
    serial = _convert(inputs, tmp_path / "one.parquet", tmp_path / "one.rejects", "parquet", 1)
    pooled = _convert(inputs, tmp_path / "two.parquet", tmp_path / "two.rejects", "parquet", 2)
    assert pooled == serial
    assert (tmp_path / "two.parquet").read_bytes() == (tmp_path / "one.parquet").read_bytes()


@pytest.mark.parametrize("fmt", ["csv", "json"])  # a header; separators between blocks
def test_workers_write_blocks_the_parent_splices_in_order(
    tmp_path: Path, fmt: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The rows cross as scratch files, spliced in order, each removed once written."""
    import archivekit.formats.csv
    import archivekit.formats.json
    import archivekit.formats.jsonl

    module = {"jsonl": archivekit.formats.jsonl, "csv": archivekit.formats.csv}.get(
        fmt, archivekit.formats.json
    )
    spliced: list[int] = []
    real = module.splice

    def spy(block: Block, stream: BinaryIO) -> None:
        assert Path(block.path).name.startswith(TEMP_PREFIX)
        spliced.append(block.size)
        real(block, stream)
        assert not Path(block.path).exists()

    monkeypatch.setattr(module, "splice", spy)
    paths = write_batch(tmp_path / "in", 2 * POOL_THRESHOLD)
    paths[300].write_bytes(b"not a record")
    inputs = [str(tmp_path / "in")]
    serial = _convert(inputs, tmp_path / f"one.{fmt}", tmp_path / "one.rejects", fmt, 1)
    assert spliced == []  # one process renders nothing ahead: no blocks
    pooled = _convert(inputs, tmp_path / f"two.{fmt}", tmp_path / "two.rejects", fmt, 2)
    assert pooled == serial
    assert len(spliced) == 2  # a block per chunk
    out = (tmp_path / f"two.{fmt}").read_bytes()
    assert out == (tmp_path / f"one.{fmt}").read_bytes()
    assert sum(spliced) <= len(out)
    assert temporaries(tmp_path) == []


def test_blocks_of_a_failing_run_are_removed_as_they_come(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An invalid record fails the run: the later blocks are dropped, not kept on disk."""
    from archivekit.files.atomic import drop_block as real

    dropped: list[Block] = []

    def spy(block: Block) -> None:
        dropped.append(block)
        real(block)

    monkeypatch.setattr("archivekit.convert.outputs.drop_block", spy)
    paths = write_batch(tmp_path / "in", 3 * POOL_THRESHOLD)
    min(paths).write_bytes(b"not a record")  # the first file read
    run = Conversion(
        [str(tmp_path / "in")], ConvertOptions(to="jsonl", output=str(tmp_path / "o.jsonl"), jobs=2)
    )
    outcomes = list(run)
    assert len(outcomes) == 3 * POOL_THRESHOLD
    assert not run.summary.committed
    assert len(dropped) == 3
    assert not any(Path(block.path).exists() for block in dropped)
    assert not (tmp_path / "o.jsonl").exists()
    assert temporaries(tmp_path) == []


def test_a_run_stopped_part_way_leaves_no_block(tmp_path: Path) -> None:
    write_batch(tmp_path / "in", 4 * POOL_THRESHOLD)
    run = Conversion(
        [str(tmp_path / "in")], ConvertOptions(to="csv", output=str(tmp_path / "o.csv"), jobs=2)
    )
    outcomes = iter(run)
    for _ in range(POOL_THRESHOLD + 5):  # a block written and more in flight
        next(outcomes)
    outcomes.close()  # type: ignore[attr-defined]
    assert temporaries(tmp_path) == []
    assert not (tmp_path / "o.csv").exists()


def test_parquet_rows_cross_as_blocks_the_parent_maps_in_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Parquet's workers write each chunk's Arrow IPC to a scratch file: mapped, removed."""
    pq = pytest.importorskip("pyarrow.parquet")
    from archivekit.files.atomic import drop_block as real

    mapped: list[Block] = []

    def spy(block: Block) -> None:
        assert Path(block.path).name.startswith(TEMP_PREFIX)
        mapped.append(block)
        real(block)

    monkeypatch.setattr("archivekit.formats.parquet.drop_block", spy)
    paths = write_batch(tmp_path / "in", 2 * POOL_THRESHOLD)
    paths[300].write_bytes(b"not a record")
    inputs = [str(tmp_path / "in")]
    serial = _convert(inputs, tmp_path / "one.parquet", tmp_path / "one.rejects", "parquet", 1)
    assert mapped == []
    pooled = _convert(inputs, tmp_path / "two.parquet", tmp_path / "two.rejects", "parquet", 2)
    assert pooled == serial
    assert len(mapped) == 2  # a block per chunk
    assert not any(Path(block.path).exists() for block in mapped)
    assert (tmp_path / "two.parquet").read_bytes() == (tmp_path / "one.parquet").read_bytes()
    assert pq.read_table(tmp_path / "two.parquet").num_rows == 2 * POOL_THRESHOLD - 1
    assert temporaries(tmp_path) == []
