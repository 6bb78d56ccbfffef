"""The record as Apache Arrow: the one schema every columnar output (Parquet, Dask) shares.

Importing this module needs pyarrow, the ``archivekit[parquet]`` extra; without
it the import raises :class:`~archivekit.errors.MissingExtra` naming the extra.
``archivekit.ARROW_SCHEMA`` loads it on first use, so the base install never
imports pyarrow.
"""

from __future__ import annotations

import array
import datetime
import itertools
from collections.abc import Iterable, Sequence

from archivekit.errors import MissingExtra
from archivekit.record.fast import Fields
from archivekit.record.model import Record

try:
    import pyarrow as pa
except ImportError as error:  # pragma: no cover - exercised without the extra installed
    raise MissingExtra.for_module("pyarrow", "parquet") from error

#: One row per record, in field order. ``date`` and ``word_count`` are null in a
#: record of a scraped archive (``--profile scraped``); every other column is
#: never null. ``body`` is a large_string: one row group of bodies can pass the
#: 2 GiB offset limit of a plain string column.
ARROW_SCHEMA: pa.Schema = pa.schema(
    [
        pa.field("url", pa.string(), nullable=False),
        pa.field("headline", pa.string(), nullable=False),
        pa.field("keywords", pa.list_(pa.string()), nullable=False),
        pa.field("date", pa.date32(), nullable=True),
        pa.field("word_count", pa.int64(), nullable=True),
        pa.field("body", pa.large_string(), nullable=False),
    ],
    metadata={b"archivekit": b"record"},
)


#: A record to put in a batch: a record, or the checked fields of a canonical
#: record file (record/fast.py: bytes, no record built).
Entry = Record | Fields
#: Most bytes the values of a ``string`` column (32-bit offsets) may hold in one batch.
_STRING_BYTES = 2**31 - 1
_EPOCH = datetime.date(1970, 1, 1).toordinal()
#: Days since 1970 of each ISO date seen (a batch's dates repeat across chunks).
_days: dict[bytes, int] = {}


def record_batch(records: Iterable[Entry]) -> pa.RecordBatch:
    """``records`` as one Arrow record batch of :data:`ARROW_SCHEMA`.

    Each entry is a :class:`Record` or a canonical record's checked fields
    (``record.fast.check``), mixed in any order: the fields are put into the
    columns as the bytes they are, no record nor Python string made. Raises
    ``pyarrow.ArrowCapacityError`` past 2 GiB of URLs, headlines or keywords
    (see :func:`record_batches`).
    """
    batches = record_batches(list(records))
    if len(batches) != 1:
        raise pa.ArrowCapacityError("more than 2 GiB of URLs, headlines or keywords in one batch")
    return batches[0]


def record_batches(entries: Sequence[Entry]) -> list[pa.RecordBatch]:
    """``entries`` (as :func:`record_batch` takes) as Arrow batches, in order: one, unless
    their URLs, headlines or keywords pass the 2 GiB a ``string`` column holds."""
    rows = [_row(entry) for entry in entries]
    return _batches(rows)


#: One row's values: URL, headline, keywords, days since 1970, word count, body.
_Row = tuple[bytes, bytes, list[bytes], int | None, int | None, bytes]


def _row(entry: Entry) -> _Row:
    if isinstance(entry, Record):
        day = entry.date
        return (
            entry.url.encode(),
            entry.headline.encode(),
            [keyword.encode() for keyword in entry.keywords],
            None if day is None else day.toordinal() - _EPOCH,
            entry.word_count,
            entry.body.encode(),
        )
    url, headline, keywords, iso, count, body = entry
    days = _days.get(iso)
    if days is None:
        if len(_days) >= 1 << 16:
            _days.clear()
        days = _days[iso] = datetime.date.fromisoformat(iso.decode("ascii")).toordinal() - _EPOCH
    # A checked keywords line has no empty keyword (and no keyword at all when empty).
    return url, headline, keywords.split(b",") if keywords else [], days, int(count), body


def _batches(rows: list[_Row]) -> list[pa.RecordBatch]:
    urls = [row[0] for row in rows]
    headlines = [row[1] for row in rows]
    keywords = [keyword for row in rows for keyword in row[2]]
    if len(rows) > 1 and max(map(_size, (urls, headlines, keywords))) > _STRING_BYTES:
        half = len(rows) // 2
        return _batches(rows[:half]) + _batches(rows[half:])
    lists = _offsets([len(row[2]) for row in rows], "i")
    columns = [
        _strings(urls, pa.string()),
        _strings(headlines, pa.string()),
        pa.ListArray.from_buffers(
            pa.list_(pa.string()),
            len(rows),
            [None, lists],
            children=[_strings(keywords, pa.string())],
        ),
        _numbers([row[3] for row in rows], pa.date32(), "i"),
        _numbers([row[4] for row in rows], pa.int64(), "q"),
        _strings([row[5] for row in rows], pa.large_string()),
    ]
    return [pa.RecordBatch.from_arrays(columns, schema=ARROW_SCHEMA)]


def _size(values: list[bytes]) -> int:
    return sum(map(len, values))


def _offsets(lengths: list[int], code: str) -> pa.Buffer:
    """Arrow offsets (``code``: ``i`` 32-bit, ``q`` 64-bit) of values of these lengths."""
    offsets = array.array(code, [0])
    offsets.extend(itertools.accumulate(lengths))
    return pa.py_buffer(offsets)


def _numbers(values: list[int | None], kind: pa.DataType, code: str) -> pa.Array:
    """A column of numbers (``None``: null) from its buffers.

    Not ``pa.array``: given a Python list, it imports pandas to look for pandas
    values (a quarter of a second in every worker process).
    """
    data = pa.py_buffer(array.array(code, [0 if value is None else value for value in values]))
    if None not in values:
        return pa.Array.from_buffers(kind, len(values), [None, data], null_count=0)
    valid = bytearray((len(values) + 7) // 8)
    for number, value in enumerate(values):
        if value is not None:
            valid[number >> 3] |= 1 << (number & 7)
    nulls = values.count(None)
    return pa.Array.from_buffers(kind, len(values), [pa.py_buffer(valid), data], null_count=nulls)


def _strings(values: list[bytes], kind: pa.DataType) -> pa.Array:
    """A string column straight from UTF-8 bytes: one join, no Python string per value.

    Every value is valid UTF-8 already (a record's text, or bytes record/fast.py checked).
    """
    code = "q" if kind == pa.large_string() else "i"
    data = pa.py_buffer(b"".join(values))
    return pa.Array.from_buffers(
        kind, len(values), [None, _offsets(list(map(len, values)), code), data]
    )


#: Records turned into one Arrow batch at a time by :func:`to_arrow`.
BATCH_ROWS = 4096


def to_arrow(records: Iterable[Record]) -> pa.Table:
    """A pyarrow Table of :data:`ARROW_SCHEMA` holding ``records`` (any iterable, read once).

    Built a batch of records at a time: the Python objects of at most one
    batch are alive at once besides the table itself.
    """
    iterator = iter(records)
    batches = []
    while chunk := list(itertools.islice(iterator, BATCH_ROWS)):
        batches.append(record_batch(chunk))
    return pa.Table.from_batches(batches, schema=ARROW_SCHEMA)
