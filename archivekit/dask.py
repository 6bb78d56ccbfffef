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
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, cast

from archivekit.errors import MissingExtra

try:
    import dask.dataframe as dd
    import pandas as pd
    import pyarrow as pa
except ImportError as error:  # pragma: no cover - exercised without the extra installed
    raise MissingExtra.for_module(error.name or "dask", "dask") from error

from archivekit.diagnostics import ParseResult
from archivekit.files.remote import StorageOptions
from archivekit.files.select import select_files
from archivekit.files.walk import Found, check_paths
from archivekit.sources.batch import (
    FINDINGS_SCHEMA,
    RECORDS_SCHEMA,
    checked,
    results_tables,
    rules_of,
)
from archivekit.sources.inputs import DEFAULT_FOLDER_FORMAT, expand, picker
from archivekit.sources.reading import absolute

if TYPE_CHECKING:
    from archivekit.rules import RuleOptions

__all__ = [
    "FILES_PER_PARTITION",
    "Checked",
    "check_archive",
    "read_archive",
    "validate_archive",
    "write_parquet",
]

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


@dataclass(frozen=True)
class Checked:
    """What the check of one partition found: the results with findings, and counts."""

    results: list[ParseResult]
    records: int
    invalid: int
    warnings: int


def check_archive(
    urlpath: str | Sequence[str],
    *,
    glob: str | None = None,
    files_per_partition: int = FILES_PER_PARTITION,
    storage_options: StorageOptions | None = None,
    profile: str | None = None,
    options: RuleOptions | None = None,
) -> list[Checked]:
    """Check every record under ``urlpath`` on the current Dask scheduler: one
    :class:`Checked` per partition, in order (what ``archive convert`` reports)."""
    reader, batches = _plan(
        "records", urlpath, glob, files_per_partition, storage_options, profile, options
    )
    engine: Any = _dask()
    tasks = [engine.delayed(reader.check, pure=False)(batch) for batch in batches]
    return list(engine.compute(*tasks)) if tasks else []


def write_parquet(
    urlpath: str | Sequence[str],
    output: str,
    *,
    partition_by: str | None = None,
    overwrite: bool = False,
    glob: str | None = None,
    files_per_partition: int = FILES_PER_PARTITION,
    storage_options: StorageOptions | None = None,
    profile: str | None = None,
    options: RuleOptions | None = None,
) -> int:
    """Write the valid records under ``urlpath`` as a Parquet dataset at ``output`` (a
    folder or URL, with ``storage_options`` too), from the workers; the records written.

    ``partition_by="year"``: Hive-style ``year=2011/`` folders, records without a
    date under ``year=__HIVE_DEFAULT_PARTITION__``. zstd, no index column.
    """
    reader, batches = _plan(
        "records", urlpath, glob, files_per_partition, storage_options, profile, options
    )
    if not batches:
        return 0
    year = partition_by == "year"
    reader = replace(reader, year=year)
    dataframe: Any = dd  # dask's functions are not typed
    frame = dataframe.from_map(
        reader, batches, meta=reader.empty(), enforce_metadata=False, label="archive-records"
    )
    written = frame.to_parquet(
        output,
        partition_on=["year"] if year else None,
        write_index=False,
        compression="zstd",
        storage_options=dict(storage_options or {}),
        overwrite=overwrite,
        compute=False,
    )
    counts = frame.map_partitions(len, meta=(None, "int64"))
    _, sizes = _dask().compute(written, counts)
    return int(sum(sizes))


def _frame(
    what: str,
    urlpath: str | Sequence[str],
    glob: str | None,
    files_per_partition: int,
    storage: StorageOptions | None,
    profile: str | None,
    options: RuleOptions | None,
) -> dd.DataFrame:
    reader, batches = _plan(what, urlpath, glob, files_per_partition, storage, profile, options)
    meta = reader.empty()
    dataframe: Any = dd  # dask's functions are not typed
    if not batches:
        return cast("dd.DataFrame", dataframe.from_pandas(meta, npartitions=1))
    frame = dataframe.from_map(
        reader, batches, meta=meta, enforce_metadata=False, label=f"archive-{what}"
    )
    return cast("dd.DataFrame", frame)


def _plan(
    what: str,
    urlpath: str | Sequence[str],
    glob: str | None,
    files_per_partition: int,
    storage: StorageOptions | None,
    profile: str | None,
    options: RuleOptions | None,
) -> tuple[_Partition, list[list[Found]]]:
    """The partition reader and the files of each partition (listed here, the one walker)."""
    if files_per_partition < 1:
        raise ValueError("files_per_partition must be at least 1")
    paths = [urlpath] if isinstance(urlpath, str) else list(urlpath)
    settings = dict(storage or {})
    rules_of(profile, options)  # a bad profile or option fails here, not on a worker
    check_paths(paths, storage=settings)
    found = list(select_files(paths, match=picker(None, glob), storage=settings))
    reader = _Partition(what, os.getcwd(), settings, profile, options)
    step = files_per_partition
    return reader, [found[i : i + step] for i in range(0, len(found), step)]


@dataclass(frozen=True)
class _Partition:
    """Reads one partition's files on a worker: picklable, no state but its settings."""

    what: str
    cwd: str
    storage: dict[str, Any] = field(default_factory=dict)
    profile: str | None = None
    options: RuleOptions | None = None
    #: Add a ``year`` column (of ``date``): the key of a partitioned dataset.
    year: bool = False

    def __call__(self, found: list[Found]) -> pd.DataFrame:
        records, findings = results_tables(self._results(found))
        table = records if self.what == "records" else findings
        return _pandas(self._with_year(table))

    def check(self, found: list[Found]) -> Checked:
        """The partition's results that have findings, and its counts."""
        shown: list[ParseResult] = []
        records = invalid = warnings = 0
        for result in self._results(found):
            records += 1
            invalid += not result.ok
            warnings += len(result.warnings)
            if result.diagnostics:
                shown.append(replace(result, record=None))
        return Checked(shown, records, invalid, warnings)

    def _results(self, found: list[Found]) -> Iterator[ParseResult]:
        policy, rules = rules_of(self.profile, self.options)
        sources = expand(
            found,
            default_format=DEFAULT_FOLDER_FORMAT,
            max_bytes=rules.max_bytes,
            storage=self.storage,
        )
        # Local paths as the client named them (the labels), read from its folder.
        here = (absolute(source, self.cwd) for source in sources)
        return checked(here, rules=rules, policy=policy, storage=self.storage)

    def _with_year(self, table: pa.Table) -> pa.Table:
        if not self.year:
            return table
        import pyarrow.compute as pc

        return table.append_column("year", pc.year(table.column("date")).cast(pa.int32()))

    def empty(self) -> pd.DataFrame:
        """The partitions' columns and dtypes, with no rows (Dask's ``meta``)."""
        schema = RECORDS_SCHEMA if self.what == "records" else FINDINGS_SCHEMA
        return _pandas(self._with_year(schema.empty_table()))


def _dask() -> Any:
    """The dask package (this module shares its name), untyped."""
    import dask

    return dask


def _pandas(table: pa.Table) -> pd.DataFrame:
    # ArrowDtype for every column: pandas' defaults would turn dates into
    # datetimes, lists into objects, and strings into whatever Dask coerces them to.
    return table.to_pandas(types_mapper=lambda arrow_type: pd.ArrowDtype(arrow_type))
