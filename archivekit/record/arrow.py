"""The record as Apache Arrow: the one schema every columnar output (Parquet, Dask) shares.

Importing this module needs pyarrow, the ``archivekit[parquet]`` extra; without
it the import raises :class:`~archivekit.errors.MissingExtra` naming the extra.
``archivekit.ARROW_SCHEMA`` loads it on first use, so the base install never
imports pyarrow.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable

from archivekit.errors import MissingExtra
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


def record_batch(records: Iterable[Record]) -> pa.RecordBatch:
    """``records`` as one Arrow record batch of :data:`ARROW_SCHEMA`."""
    columns: list[list[object]] = [[], [], [], [], [], []]
    url, headline, keywords, date, word_count, body = columns
    for record in records:
        url.append(record.url)
        headline.append(record.headline)
        keywords.append(record.keywords)
        date.append(record.date)
        word_count.append(record.word_count)
        body.append(record.body)
    return pa.RecordBatch.from_arrays(
        [pa.array(column, type=f.type) for column, f in zip(columns, ARROW_SCHEMA, strict=True)],
        schema=ARROW_SCHEMA,
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
