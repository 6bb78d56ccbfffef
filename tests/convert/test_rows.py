"""Workers render many-record outputs a chunk at a time: the bytes must be the writers' own."""

from __future__ import annotations

import csv
import io
import itertools
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from archivekit.convert import Conversion, ConvertOptions
from archivekit.formats import FORMAT_BY_NAME, FormatOptions
from archivekit.formats.csv import row_text
from archivekit.record.model import Record
from archivekit.sources.reading import POOL_THRESHOLD
from tests.strategies import records
from tests.support import output_bytes, sink_output, write_batch, write_many

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
