"""Batches of files as Arrow tables: the pure function any engine (Dask, Ray, Spark) maps.

Needs pyarrow (the ``archivekit[parquet]`` extra).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING

from archivekit.config import Config
from archivekit.diagnostics import ParseResult
from archivekit.errors import MissingExtra
from archivekit.files.remote import StorageOptions
from archivekit.formats import FormatOptions
from archivekit.rules import RuleOptions
from archivekit.sources.inputs import Source, sources_of_bytes
from archivekit.sources.reading import ReadOptions, fetch_sources, read_source
from archivekit.validate.duplicates import DuplicateUrls
from archivekit.validate.levels import Policy, build

try:
    import pyarrow as pa
except ImportError as error:  # pragma: no cover - exercised without the extra installed
    raise MissingExtra.for_module("pyarrow", "parquet") from error

from archivekit.record.arrow import ARROW_SCHEMA, record_batch

if TYPE_CHECKING:
    from archivekit.record.model import Record

#: The valid records of a batch: :data:`ARROW_SCHEMA` and the file each came from.
RECORDS_SCHEMA: pa.Schema = ARROW_SCHEMA.append(pa.field("source", pa.string(), nullable=False))
#: The findings of a batch, one row each, as ``archive validate`` reports them.
FINDINGS_SCHEMA: pa.Schema = pa.schema(
    [
        pa.field("source", pa.string(), nullable=False),
        pa.field("line", pa.int64(), nullable=False),
        pa.field("column", pa.int64(), nullable=False),
        pa.field("severity", pa.string(), nullable=False),
        pa.field("code", pa.string(), nullable=False),
        pa.field("message", pa.string(), nullable=False),
    ],
    metadata={b"archivekit": b"findings"},
)


def parse_batch(
    items: Sequence[tuple[str, bytes]],
    *,
    profile: str | None = None,
    options: RuleOptions | None = None,
) -> tuple[pa.Table, pa.Table]:
    """Parse ``(name, bytes)`` pairs: ``(records, findings)`` as two Arrow tables.

    Each name is a file's name or path (it picks the format by extension,
    the archive format when it names none, and labels the findings); its
    bytes are read exactly as ``archive validate`` reads that file on disk:
    ``.gz`` gunzipped, ``.tar``/``.zip`` members read, JSON Lines or CSV
    record by record, the same size and decompression limits. ``records``
    holds the valid records (warnings allowed) in :data:`RECORDS_SCHEMA`;
    ``findings`` every finding in :data:`FINDINGS_SCHEMA`, the same as the
    command's for the same bytes (``duplicate-url`` compares the records of
    the batch with each other). ``profile`` (``strict``, ``scraped``) and ``options``
    (opt-in rules, limits) are the command's. Pure and picklable: no global
    state, no configuration file read, nothing written.
    """
    policy, rules = rules_of(profile, options)
    sources: list[Source] = []
    for name, data in items:
        sources.extend(sources_of_bytes(name, bytes(data), max_bytes=rules.max_bytes))
    return tables(sources, rules=rules, policy=policy)


def rules_of(profile: str | None, options: RuleOptions | None) -> tuple[Policy, RuleOptions]:
    """The command's rule levels and parser options, with no configuration file."""
    given = options or RuleOptions()
    return build(
        Config(root="."),
        enable=given.enable,
        # Only with the rule on: build() refuses a tolerance of a rule that is off.
        word_count_tolerance=(
            given.word_count_tolerance if "word-count-mismatch" in given.enable else None
        ),
        max_bytes=given.max_bytes,
        profile=profile or given.profile,
    )


def tables(
    sources: Iterable[Source],
    *,
    rules: RuleOptions,
    policy: Policy | None = None,
    storage: StorageOptions | None = None,
) -> tuple[pa.Table, pa.Table]:
    """The records and findings tables of ``sources`` (see :func:`parse_batch`).

    Sources behind URLs are fetched in batches, with ``storage`` options.
    """
    return results_tables(checked(sources, rules=rules, policy=policy, storage=storage))


def checked(
    sources: Iterable[Source],
    *,
    rules: RuleOptions,
    policy: Policy | None = None,
    storage: StorageOptions | None = None,
) -> Iterator[ParseResult]:
    """Each record's result, as ``archive validate`` gives it (``duplicate-url`` within these)."""
    duplicates = DuplicateUrls() if policy is not None and policy.is_on("duplicate-url") else None
    read = ReadOptions(
        FormatOptions(rules=rules, keep_records=True),
        urls=duplicates is not None,
        storage=storage,
    )
    for source in fetch_sources(iter(sources), read):
        for item in read_source(source, read):
            result = item.result
            if duplicates is not None:
                url = result.record.url if result.record is not None else item.url
                # The batch's bytes are all there is to compare: keep each URL itself.
                result = duplicates.check(result, url, reread=False)
            yield policy.apply(result) if policy is not None else result


def results_tables(results: Iterable[ParseResult]) -> tuple[pa.Table, pa.Table]:
    """The valid records and every finding of ``results`` as two Arrow tables."""
    records: list[Record] = []
    labels: list[str] = []
    columns: list[list[object]] = [[], [], [], [], [], []]
    for result in results:
        if result.ok and result.record is not None:
            records.append(result.record)
            labels.append(result.path)
        for d in result.diagnostics:
            for column, value in zip(
                columns,
                (d.path, d.line, d.column, d.severity.value, d.code, d.message),
                strict=True,
            ):
                column.append(value)
    batch = record_batch(records)
    found = pa.table(
        [pa.array(column, type=f.type) for column, f in zip(columns, FINDINGS_SCHEMA, strict=True)],
        schema=FINDINGS_SCHEMA,
    )
    valid = pa.Table.from_batches([batch]).append_column(
        RECORDS_SCHEMA.field("source"), pa.array(labels, type=pa.string())
    )
    return valid.cast(RECORDS_SCHEMA), found


__all__ = [
    "FINDINGS_SCHEMA",
    "RECORDS_SCHEMA",
    "checked",
    "parse_batch",
    "results_tables",
    "rules_of",
    "tables",
]
