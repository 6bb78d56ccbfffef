"""The record as Apache Arrow: the one schema every columnar output (Parquet, Dask) shares.

Importing this module needs pyarrow, the ``archivekit[parquet]`` extra; without
it the import raises :class:`~archivekit.errors.MissingExtra` naming the extra.
``archivekit.ARROW_SCHEMA`` loads it on first use, so the base install never
imports pyarrow.
"""

from __future__ import annotations

from archivekit.errors import MissingExtra

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
