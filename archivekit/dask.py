"""Dask: an archive as a Dask DataFrame of its records or of its findings, a batch of files each.

Needs the ``archivekit[dask]`` extra (dask[dataframe], distributed, pyarrow)::

    from archivekit.dask import read_archive, validate_archive

    records = read_archive("s3://bucket/archive/", storage_options={"anon": True})
    records.to_parquet("s3://bucket/archive.parquet")
    findings = validate_archive("s3://bucket/archive/").compute()

The files are listed here (the one walker), split into partitions of
``files_per_partition`` files, and each partition is read on a worker by
:func:`archivekit.sources.batch.tables`, the same code as ``archive
validate`` and :func:`archivekit.parse_batch`. Columns are Arrow-backed
(``pd.ArrowDtype``): dates stay dates, keywords stay lists of strings.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

from archivekit.errors import MissingExtra

try:
    import dask.dataframe as dd
    import pandas as pd
    import pyarrow as pa
except ImportError as error:  # pragma: no cover - exercised without the extra installed
    raise MissingExtra.for_module(error.name or "dask", "dask") from error

from archivekit.files.remote import StorageOptions
from archivekit.files.select import select_files
from archivekit.files.walk import Found, check_paths
from archivekit.sources.batch import FINDINGS_SCHEMA, RECORDS_SCHEMA, rules_of, tables
from archivekit.sources.inputs import DEFAULT_FOLDER_FORMAT, expand, picker
from archivekit.sources.reading import absolute

if TYPE_CHECKING:
    from archivekit.rules import RuleOptions

__all__ = ["FILES_PER_PARTITION", "read_archive", "validate_archive"]

#: Files per partition: a few seconds of work for a worker, and a few MB of
#: records (10 KB articles): large enough that Dask's per-task cost (a
#: millisecond) and a store's per-batch latency are small beside it.
FILES_PER_PARTITION = 2000


def read_archive(
    urlpath: str | Sequence[str],
    *,
    glob: str | None = None,
    files_per_partition: int = FILES_PER_PARTITION,
    storage_options: StorageOptions | None = None,
    profile: str | None = None,
    options: RuleOptions | None = None,
) -> dd.DataFrame:
    """The valid records under ``urlpath`` as a Dask DataFrame, one partition per batch of files.

    ``urlpath``: folders, files, glob patterns or URLs (``s3://``, ``gs://``
    ... with ``storage_options``), walked as ``archive validate`` walks them
    (``glob``, else ``*.txt``). Columns: :data:`archivekit.ARROW_SCHEMA` and
    ``source`` (the file), Arrow-backed. Invalid records are left out: see
    :func:`validate_archive` for why. Raises :class:`~archivekit.errors.InputError`
    for a path that does not exist.
    """
    return _frame("records", urlpath, glob, files_per_partition, storage_options, profile, options)


def validate_archive(
    urlpath: str | Sequence[str],
    *,
    glob: str | None = None,
    files_per_partition: int = FILES_PER_PARTITION,
    storage_options: StorageOptions | None = None,
    profile: str | None = None,
    options: RuleOptions | None = None,
) -> dd.DataFrame:
    """Every finding under ``urlpath`` as a Dask DataFrame: source, line, column, severity,
    code, message, in the order ``archive validate`` reports them.

    The same findings as the command without a configuration file, but for
    ``duplicate-url``, which compares the records of one partition only (the
    command compares the whole run: use ``archive validate --scheduler`` for that).
    """
    return _frame("findings", urlpath, glob, files_per_partition, storage_options, profile, options)


def _frame(
    what: str,
    urlpath: str | Sequence[str],
    glob: str | None,
    files_per_partition: int,
    storage: StorageOptions | None,
    profile: str | None,
    options: RuleOptions | None,
) -> dd.DataFrame:
    if files_per_partition < 1:
        raise ValueError("files_per_partition must be at least 1")
    paths = [urlpath] if isinstance(urlpath, str) else list(urlpath)
    storage = dict(storage or {})
    rules_of(profile, options)  # a bad profile or option fails here, not on a worker
    check_paths(paths, storage=storage)
    found = list(select_files(paths, match=picker(None, glob), storage=storage))
    reader = _Partition(what, os.getcwd(), storage, profile, options)
    meta = reader.empty()
    dataframe: Any = dd  # dask's functions are not typed
    if not found:
        return cast("dd.DataFrame", dataframe.from_pandas(meta, npartitions=1))
    batches = [
        found[i : i + files_per_partition] for i in range(0, len(found), files_per_partition)
    ]
    frame = dataframe.from_map(
        reader, batches, meta=meta, enforce_metadata=False, label=f"archive-{what}"
    )
    return cast("dd.DataFrame", frame)


@dataclass(frozen=True)
class _Partition:
    """Reads one partition's files on a worker: picklable, no state but its settings."""

    what: str
    cwd: str
    storage: dict[str, Any] = field(default_factory=dict)
    profile: str | None = None
    options: RuleOptions | None = None

    def __call__(self, found: list[Found]) -> pd.DataFrame:
        policy, rules = rules_of(self.profile, self.options)
        sources = expand(
            found,
            default_format=DEFAULT_FOLDER_FORMAT,
            max_bytes=rules.max_bytes,
            storage=self.storage,
        )
        # Local paths as the client named them (the labels), read from its folder.
        here = (absolute(source, self.cwd) for source in sources)
        records, findings = tables(here, rules=rules, policy=policy, storage=self.storage)
        return _pandas(records if self.what == "records" else findings)

    def empty(self) -> pd.DataFrame:
        """The partitions' columns and dtypes, with no rows (Dask's ``meta``)."""
        schema = RECORDS_SCHEMA if self.what == "records" else FINDINGS_SCHEMA
        return _pandas(schema.empty_table())


def _pandas(table: pa.Table) -> pd.DataFrame:
    # ArrowDtype for every column: pandas' defaults would turn dates into
    # datetimes, lists into objects, and strings into whatever Dask coerces them to.
    return table.to_pandas(types_mapper=lambda arrow_type: pd.ArrowDtype(arrow_type))
