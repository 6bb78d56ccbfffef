"""Apache Parquet (``.parquet``): the columns of ``archivekit.ARROW_SCHEMA``, zstd, big row groups.

Needs pyarrow, the ``archivekit[parquet]`` extra: importing this module
without it raises :class:`~archivekit.errors.MissingExtra` naming the extra.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import io
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any, BinaryIO

from archivekit.errors import MissingExtra

try:
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq
except ImportError as error:  # pragma: no cover - exercised without the extra installed
    raise MissingExtra.for_module("pyarrow", "parquet") from error

from archivekit.diagnostics import ParseResult, failed, finding
from archivekit.files.atomic import Block, drop_block
from archivekit.files.read import as_file
from archivekit.formats import FormatOptions
from archivekit.formats.base import record_from_values, stopped_message
from archivekit.record.arrow import ARROW_SCHEMA, Entry, record_batches
from archivekit.record.fields import FIELDS
from archivekit.record.model import Record
from archivekit.text import quote

if TYPE_CHECKING:
    from archivekit.files.atomic import Staging

#: Uncompressed bytes of one row group: about 64 MB, as Spark and DuckDB write them.
#: (pyarrow's own default, a million rows, would be ~10 GB of 10 KB articles.)
ROW_GROUP_BYTES = 64 * 2**20
#: Records given one by one (not as workers' rows) are made into columns this many at a time.
PENDING_ROWS = 512
COMPRESSION = "zstd"
#: Uncompressed bytes of a data page (pyarrow's default is 1 MB): zstd compresses a
#: column of 10 KB bodies better in bigger pages, at no cost in time (measured).
PAGE_BYTES = 8 * 2**20
#: Rows decoded at a time when reading, and the read buffer: measured on 20,000
#: generated records (64 MB row groups), peak memory 131 MB against 253 MB with
#: pyarrow's defaults (1024 rows, whole column chunks, threads), no slower.
READ_ROWS = 256
READ_BUFFER = 2**20
COMPRESSION_LEVEL = 3
#: Pending rows of all years of a ``--partition-by year`` dataset together: past
#: this, the biggest years' are written out. Measured on 20,000 generated records
#: over 40 years: peak memory 396 MB with 64 MB for all years, flushed all at once.
PARTITION_BYTES = 32 * 2**20
#: The folder name of records without a date in a ``--partition-by year`` dataset:
#: Hive's name for a null partition, which DuckDB, polars and pyarrow read as null.
NULL_PARTITION = "__HIVE_DEFAULT_PARTITION__"
#: The partition keys ``--partition-by`` takes.
PARTITIONS = ("year",)


def read(stream: BinaryIO, path: str, options: FormatOptions) -> Iterator[ParseResult]:
    """Each row is one record, checked like any other format's; ``line`` is the row number.

    Columns outside the six fields (a partition key, an index) are ignored with
    one ``field-unknown`` warning on the first record. A stream that cannot be
    sought (standard input) is copied to a temporary file first.
    """
    with as_file(stream, path) as source:
        try:
            # Read a page at a time (buffer_size), not a whole row group's column chunks
            # at once (pre_buffer): a 64 MB row group of 10 KB bodies would otherwise sit
            # in memory, and decoding threads each keep an allocator arena of their own.
            parquet = pq.ParquetFile(source, pre_buffer=False, buffer_size=READ_BUFFER)
        except (pa.ArrowException, OSError) as exc:
            yield failed(path, "read-error", f"not a Parquet file: {exc}")
            return
        names = parquet.schema_arrow.names
        columns = [name for name in FIELDS if name in names]
        unknown = [name for name in names if name not in FIELDS]
        index = 0
        try:
            for batch in parquet.iter_batches(
                batch_size=READ_ROWS, columns=columns, use_threads=False
            ):
                for row in batch.to_pylist():
                    index += 1
                    result = _result(row, path, index, options)
                    if index == 1 and unknown:
                        shown = ", ".join(quote(name) for name in unknown)
                        warning = finding(
                            "field-unknown", f"unknown column(s) {shown}: not carried over", path
                        )
                        result = ParseResult(
                            path, result.record, (warning, *result.diagnostics), 1, 1
                        )
                    yield result
        except (pa.ArrowException, OSError) as exc:
            yield failed(
                path, "read-error", stopped_message("Parquet file", index, exc), index=index + 1
            )


def _result(row: dict[str, Any], path: str, index: int, options: FormatOptions) -> ParseResult:
    return record_from_values(
        row,
        path=path,
        where=lambda _name: (index, 1),
        index=index,
        line=index,
        keep=options.keep_records,
        options=options.rules,
    )


def rows(records: Iterable[Entry], options: FormatOptions) -> bytes:
    """``records`` as one Arrow IPC stream (what :meth:`Writer.write_rows` takes).

    The workers build the columns; the parent only appends them to the row group.
    Records and the checked fields of canonical record files (record/fast.py)
    may come mixed, in order: the fields go into the columns as bytes.
    """
    sink = io.BytesIO()
    rows_into(sink, records, options)
    return sink.getvalue()


def rows_into(stream: BinaryIO, records: Iterable[Entry], options: FormatOptions) -> None:
    """Write what :func:`rows` returns into ``stream`` (a worker's scratch file)."""
    with pa.ipc.new_stream(stream, ARROW_SCHEMA) as writer:
        for batch in record_batches(list(records)):
            writer.write_batch(batch)


def _batches(data: bytes) -> Iterator[pa.RecordBatch]:
    with pa.ipc.open_stream(data) as reader:
        yield from reader


def _block_batches(block: Block) -> list[pa.RecordBatch]:
    """The batches of a block of rows (an IPC stream a worker wrote), then the block removed.

    The file is mapped, not read: the batches' columns are its pages, no copy
    made; they stay valid once the file is removed, until the batches are freed.
    """
    try:
        try:
            source: pa.NativeFile | pa.Buffer = pa.memory_map(block.path)
        except OSError:  # a file system that cannot map files: read it instead
            with open(block.path, "rb") as handle:
                source = pa.py_buffer(handle.read())
        with pa.ipc.open_stream(source) as reader:
            batches = list(reader)
    finally:
        drop_block(block)
    return batches


class _Buffer:
    """Record batches waiting to become one row group: about ROW_GROUP_BYTES uncompressed."""

    def __init__(self) -> None:
        self.batches: list[pa.RecordBatch] = []
        self.size = 0

    def add(self, batch: pa.RecordBatch, size: int | None = None) -> None:
        if batch.num_rows:
            self.batches.append(batch)
            self.size += batch.nbytes if size is None else size

    def take(self) -> pa.Table | None:
        if not self.batches:
            return None
        table = pa.Table.from_batches(self.batches, schema=ARROW_SCHEMA)
        self.batches, self.size = [], 0
        return table


def _row_sizes(batch: pa.RecordBatch) -> list[int]:
    """Each row's bytes of text (URL, headline, keywords, body), plus its two numbers.

    What a row group's size is counted in: a function of the rows alone, so that row
    groups end at the same rows however the records came in batches.
    """
    total = [16] * batch.num_rows
    for name in ("url", "headline", "body"):
        lengths = pc.binary_length(batch.column(name)).to_pylist()
        total = [t + (n or 0) for t, n in zip(total, lengths, strict=True)]
    keywords = batch.column("keywords")
    counted = pc.binary_length(pc.list_flatten(keywords)).to_pylist()
    rows = pc.list_parent_indices(keywords).to_pylist()
    for row, n in zip(rows, counted, strict=True):
        total[row] += n or 0
    return total


def _writer(out: BinaryIO) -> pq.ParquetWriter:
    # Statistics only where a reader can skip row groups by them (date, word count):
    # min/max of 10 KB texts skip nothing and cost time. Dictionary encoding stays on
    # everywhere, pyarrow's default: on bodies it overflows at once and falls back to
    # plain at no measurable cost, whereas turning it off makes every open writer keep
    # a buffer the size of its last row group (measured: 6 MB a writer for 3 MB row
    # groups; ~128 MB for one 64 MB group; a --partition-by writer per year).
    return pq.ParquetWriter(
        out,
        ARROW_SCHEMA,
        compression=COMPRESSION,
        compression_level=COMPRESSION_LEVEL,
        write_statistics=["date", "word_count"],
        # A page ends at the first row that fills it, wherever the batches of a row
        # group start and end: pyarrow looks at the page size every write_batch_size
        # rows (1024) and at each batch's end, so workers' 256-row batches and one
        # process's 512-row ones made other pages, other bytes (and 2.7 MB pages
        # compress worse: 4.73 MB against 4.05 MB for 3,000 records with these).
        write_batch_size=1,
        data_page_size=PAGE_BYTES,
    )


class _Background:
    """Row groups encoded and compressed in a thread, one at a time, in order.

    pyarrow lets go of the GIL while it compresses: the main thread meanwhile
    takes the next records from the workers. At most one group is in the
    thread and one filling, so memory stays at about two row groups.
    """

    def __init__(self, parquet: pq.ParquetWriter) -> None:
        self._parquet = parquet
        self._thread = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="parquet")
        self._running: concurrent.futures.Future[None] | None = None

    def write(self, table: pa.Table) -> None:
        self.wait()
        self._running = self._thread.submit(
            self._parquet.write_table, table, row_group_size=table.num_rows
        )

    def wait(self) -> None:
        """Wait for the group in the thread; raises what writing it raised."""
        running, self._running = self._running, None
        if running is not None:
            running.result()

    def close(self) -> None:
        """Write what is left, close the file and stop the thread."""
        try:
            self.wait()
            self._parquet.close()
        finally:
            self._thread.shutdown(wait=True)

    def discard(self) -> None:
        """Let go of an unfinished file (the run failed), quietly; nothing after :meth:`close`."""
        with contextlib.suppress(Exception):
            self.wait()
        _abandon(self._parquet)
        self._thread.shutdown(wait=True)


def _abandon(parquet: pq.ParquetWriter) -> None:
    """Close a writer whose file is being thrown away, while its stream is still open.

    Left to the garbage collector, pyarrow's writer closes itself after the
    stream is gone and prints a traceback ("write to closed file"). Closing
    writes a footer into the temporary file about to be removed; whatever
    goes wrong then (a full disk) no longer matters.
    """
    with contextlib.suppress(Exception):
        parquet.close()


class _Sink:
    """What both writers take: records one by one, or workers' rows, as record batches.

    Each subclass says what becomes of a batch (:meth:`_add`).
    """

    def __init__(self) -> None:
        self._pending: list[Record] = []

    def write(self, record: Record) -> None:
        """Append one record."""
        self._pending.append(record)
        if len(self._pending) >= PENDING_ROWS:
            self._flush_pending()

    def write_rows(self, data: bytes) -> None:
        """Append records already rendered by :func:`rows` (after those given to :meth:`write`)."""
        self._flush_pending()
        for batch in _batches(data):
            self._add(batch)

    def write_block(self, block: Block) -> None:
        """Append the rows a worker wrote to a scratch file (as :meth:`write_rows`); removes it."""
        self._flush_pending()
        for batch in _block_batches(block):
            self._add(batch)

    def _flush_pending(self) -> None:
        if self._pending:
            for batch in record_batches(self._pending):
                self._add(batch)
            self._pending = []

    def _add(self, batch: pa.RecordBatch) -> None:
        raise NotImplementedError


class Writer(_Sink):
    """Writes the records as one Parquet file, a row group of ~64 MB at a time.

    Memory holds about two row groups' columns at most, however many records pass.
    """

    def __init__(self, out: BinaryIO, options: FormatOptions) -> None:
        super().__init__()
        self._parquet = _Background(_writer(out))
        self._buffer = _Buffer()

    def _add(self, batch: pa.RecordBatch) -> None:
        # A row group ends at the row that brings it to ROW_GROUP_BYTES, wherever that
        # row is in its batch: the same rows give the same file, whatever --jobs is.
        start, size = 0, self._buffer.size
        for row, bytes_ in enumerate(_row_sizes(batch)):
            size += bytes_
            if size >= ROW_GROUP_BYTES:
                self._buffer.add(batch.slice(start, row + 1 - start), size - self._buffer.size)
                self._write_group()
                start, size = row + 1, 0
        if start < batch.num_rows:
            self._buffer.add(batch.slice(start), size - self._buffer.size)

    def _write_group(self) -> None:
        table = self._buffer.take()
        if table is not None:
            self._parquet.write(table)

    def close(self) -> None:
        """Write the last row group and the footer; the stream stays open."""
        self._flush_pending()
        self._write_group()
        self._parquet.close()

    def discard(self) -> None:
        """Give up the file (the run failed), before its stream is closed; no-op after close."""
        self._pending = []
        self._buffer = _Buffer()
        self._parquet.discard()


def partition_name(year: int | None) -> str:
    """The Hive-style folder of a year: ``year=2011``, or the null partition."""
    return f"year={NULL_PARTITION if year is None else year}"


class PartitionedWriter(_Sink):
    """Writes a Hive-style dataset: ``year=2011/part-0.parquet`` ... into a staging folder.

    One Parquet file per year, each written as it streams; every year's
    pending rows together stay under PARTITION_BYTES (then the biggest years'
    are written out as row groups), so memory does not grow with the batch
    nor with the number of years.
    """

    def __init__(self, staging: Staging, options: FormatOptions) -> None:
        super().__init__()
        self._staging = staging
        self._files: dict[int | None, tuple[BinaryIO, pq.ParquetWriter, _Buffer]] = {}
        self._size = 0

    def _add(self, batch: pa.RecordBatch) -> None:
        years = pc.year(batch.column("date"))
        for year in pc.unique(years).to_pylist():
            mask = pc.is_null(years) if year is None else pc.equal(years, year)
            part = batch.filter(mask)
            self._file(year)[2].add(part)
            self._size += part.nbytes
        if self._size >= PARTITION_BYTES:
            self._spill()

    def _spill(self) -> None:
        """Write the biggest years' pending rows until half of PARTITION_BYTES is free.

        The biggest first: a year of many records gets big row groups, a
        sparse year is not cut into slivers at every spill.
        """
        by_size = sorted(self._files.values(), key=lambda found: found[2].size, reverse=True)
        for _stream, parquet, buffer in by_size:
            if self._size < PARTITION_BYTES // 2:
                break
            self._size -= buffer.size
            table = buffer.take()
            if table is not None:
                parquet.write_table(table, row_group_size=table.num_rows)

    def _file(self, year: int | None) -> tuple[BinaryIO, pq.ParquetWriter, _Buffer]:
        found = self._files.get(year)
        if found is None:
            stream = self._staging.open(f"{partition_name(year)}/part-0.parquet")
            found = self._files[year] = (stream, _writer(stream), _Buffer())
        return found

    def _write_groups(self) -> None:
        for _stream, parquet, buffer in self._files.values():
            table = buffer.take()
            if table is not None:
                parquet.write_table(table, row_group_size=table.num_rows)
        self._size = 0

    def discard(self) -> None:
        """Give up every year's file (the run failed), before the staging folder goes."""
        self._pending = []
        for stream, parquet, _buffer in self._files.values():
            _abandon(parquet)
            stream.close()
        self._files = {}

    def close(self) -> None:
        """Write every year's last row group and footer, and close the files."""
        self._flush_pending()
        self._write_groups()
        for stream, parquet, _buffer in self._files.values():
            parquet.close()
            stream.close()
