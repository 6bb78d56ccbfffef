"""What to convert to, and where: the options of one conversion."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from archivekit.formats import FormatOptions
from archivekit.selection import Selection


@dataclass(frozen=True, slots=True)
class ConvertOptions:
    """What to convert to, and where.

    Many-record output goes to ``output`` (a file, or ``-``/``None`` for
    standard output); one-record output goes into ``output_dir``. JSON can be
    either: an array to ``output``, or one file per record in ``output_dir``.
    ``selection``: which valid records to write (``--since``, ``--keyword``,
    ``--dedupe``, ``--sample`` ...); the others are neither written nor reported.
    ``partition_by`` (``year``, Parquet only) makes ``output`` a folder of a
    Hive-style dataset (``year=2011/part-0.parquet``).
    ``storage_options``: fsspec options for inputs given as URLs (``s3://`` ...).
    ``scheduler``: a Dask scheduler's address, whose workers read the records.
    """

    to: str
    from_: str | None = None
    output: str | None = None
    output_dir: str | None = None
    force: bool = False
    skip_invalid: bool = False
    rejects: str | None = None
    jobs: int | None = None
    glob: str | None = None
    partition_by: str | None = None
    format_options: FormatOptions = field(default_factory=FormatOptions)
    selection: Selection = field(default_factory=Selection)
    storage_options: Mapping[str, Any] | None = field(default=None, hash=False, repr=False)
    scheduler: str | None = None
