"""The record formats, one module each, and their registry: the CLI's choices are built from it.

Importing it is cheap (the CLI builds its choices from it at start-up): each
format's module is imported only when its reader or writer is first used.

A format module has ``load(data, path, options)`` when a file of it is read
whole (archive, json, md: the bounded reader hands it at most the size limit)
or ``read(stream, path, options)`` when it is read as it streams (jsonl, csv,
bounding each line or cell itself); either yields one :class:`ParseResult`
per record. One-record formats have ``dump(record, options) -> bytes``;
many-record formats have ``Writer(stream, options)`` and ``rows(records, options)``.
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, BinaryIO, Literal, Protocol, cast

if TYPE_CHECKING:
    from archivekit.diagnostics import ParseResult
    from archivekit.files.atomic import Block, Staging
    from archivekit.record.model import Record
    from archivekit.rules import RuleOptions


@dataclass(frozen=True, slots=True)
class FormatOptions:
    """Settings of the readers and writers. Picklable, for worker processes.

    ``csv_keywords``: how the CSV keywords cell holds the list (``comma``: joined
    by commas as in the text format; ``json``: a JSON list). ``excel``: CSV for
    spreadsheets (BOM, formula guard; lossy). ``paragraphs``: Markdown bodies
    split into paragraphs for reading, undone on the way back. ``heading``: Markdown
    bodies start with the headline as a ``# `` heading (off: the title is in the
    front matter only, as Hugo themes expect). ``rules``: the
    rules' settings, the file-size limit (``rules.max_bytes``) among them.
    ``keep_records``: false to check records without building them (validation).
    """

    csv_keywords: Literal["comma", "json"] = "comma"
    excel: bool = False
    paragraphs: bool = False
    heading: bool = False
    rules: RuleOptions = field(default_factory=lambda: _rule_options())
    keep_records: bool = True


def _rule_options() -> RuleOptions:
    # Imported when options are made, not with the registry: `archive --help`
    # and `--version` build the CLI's choices from the registry alone.
    from archivekit.rules import RuleOptions

    return RuleOptions()


class Sink(Protocol):
    """A writer of many records into one stream: ``write`` each, then ``close``."""

    def write(self, record: Record) -> None:
        """Append one record."""

    def write_rows(self, data: bytes) -> None:
        """Append records already rendered by the format's ``rows`` function."""

    def close(self) -> None:
        """Finish the stream (a closing bracket, a flush); the stream stays open."""


class BlockSink(Sink, Protocol):
    """A sink that also takes rows a worker rendered into a scratch file (jsonl, csv, json)."""

    def write_block(self, block: Block) -> None:
        """Append the block's rows (as ``write_rows`` would), then remove the block."""


Loader = Callable[[bytes, str, FormatOptions], Iterable["ParseResult"]]
Reader = Callable[[BinaryIO, str, FormatOptions], Iterator["ParseResult"]]
Dumper = Callable[["Record", FormatOptions], bytes]
SinkFactory = Callable[[BinaryIO, FormatOptions], Sink]
RowsRenderer = Callable[[Iterable["Record"], FormatOptions], bytes]
#: ``rows_into``'s entries: records, or canonical record files' checked fields
#: (``record.fast.Fields``, spelled out: record/fast.py imports this module's options).
RowsWriter = Callable[
    [BinaryIO, Iterable["Record | tuple[bytes, bytes, bytes, bytes, bytes, bytes]"], FormatOptions],
    None,
]
PartitionedFactory = Callable[["Staging", FormatOptions], Sink]


@dataclass(frozen=True, slots=True)
class Format:
    """One record format: its name, file extensions, and how to read and write it.

    ``one``: the format holds one record per file (written into an output
    folder by ``dump``); ``many``: it holds many in one stream (written by a
    ``sink``). JSON is both. Every format can be read. ``streamed``: read as
    it comes (``read``), else whole (``load``). ``module`` is the module
    under ``archivekit.formats`` that implements it. ``binary``: a binary
    file format (Parquet, SQLite): never gzipped, never sniffed as text.
    ``extra``: the optional dependency it needs (``archivekit[parquet]``).
    ``file_only``: written into a file by name (SQLite), never to a pipe.
    ``fields_rows``: it has ``rows_into``, which also takes the checked fields of
    canonical record files (record/fast.py) among the records (Parquet: Arrow columns
    of their bytes).
    """

    name: str
    extensions: tuple[str, ...]
    summary: str
    module: str
    one: bool
    many: bool
    streamed: bool = False
    binary: bool = False
    extra: str | None = None
    file_only: bool = False
    fields_rows: bool = False

    @property
    def holds(self) -> str:
        """``one``, ``many`` or ``one or many`` records per file."""
        return " or ".join(w for w, on in (("one", self.one), ("many", self.many)) if on)

    def _impl(self, name: str) -> object:
        return _implementation(self.module, name)

    def require(self) -> None:
        """Raise :class:`~archivekit.errors.MissingExtra` if the format's extra is not installed."""
        if self.extra is not None:
            importlib.import_module(f"archivekit.formats.{self.module}")

    @property
    def load(self) -> Loader | None:
        """``load(data, path, options)``: every record of a whole file, or ``None`` if streamed."""
        return None if self.streamed else cast(Loader, self._impl("load"))

    @property
    def read(self) -> Reader:
        """``read(stream, path, options)``: every record of a stream, bounded by the size limit."""
        if self.streamed:
            return cast(Reader, self._impl("read"))
        load = cast(Loader, self._impl("load"))

        def read(stream: BinaryIO, path: str, options: FormatOptions) -> Iterator[ParseResult]:
            from archivekit.files.read import read_stream

            data = read_stream(stream, options.rules.max_bytes)
            return iter(load_whole(data, path, options, load))

        return read

    @property
    def dump(self) -> Dumper | None:
        """``dump(record, options) -> bytes`` for a one-record file, or ``None``."""
        return cast(Dumper, self._impl("dump")) if self.one else None

    @property
    def partitioned(self) -> PartitionedFactory | None:
        """``PartitionedWriter(staging, options)`` for ``--partition-by``, or ``None``."""
        if self.name != "parquet":
            return None
        return cast(PartitionedFactory, self._impl("PartitionedWriter"))

    @property
    def sink(self) -> SinkFactory | None:
        """``Writer(stream, options)`` for a many-record stream, or ``None``."""
        return cast(SinkFactory, self._impl("Writer")) if self.many else None

    @property
    def rows(self) -> RowsRenderer | None:
        """``rows(records, options) -> bytes`` for the sink's ``write_rows``, or ``None``.

        Workers render their records with it, so that the parent only copies bytes.
        """
        return cast(RowsRenderer, self._impl("rows")) if self.many else None

    @property
    def rows_into(self) -> RowsWriter | None:
        """``rows_into(stream, entries, options)``: the ``rows`` of ``entries`` written into
        ``stream``, where each entry is a record or a canonical record file's checked
        fields (``record.fast.check``); ``None`` unless ``fields_rows``."""
        return cast(RowsWriter, self._impl("rows_into")) if self.fields_rows else None


def load_whole(
    data: bytes,
    path: str,
    options: FormatOptions,
    load: Loader,
    *,
    size: int | None = None,
) -> Iterable[ParseResult]:
    """The records of a whole document read by the bounded reader (``limit + 1`` bytes at most).

    Over the limit, one ``file-too-large`` finding, and the document is not
    parsed; ``size`` is the file's size when known.
    """
    from archivekit.diagnostics import failed
    from archivekit.files.read import over_limit, too_large_message

    limit = options.rules.max_bytes
    if over_limit(data, size, limit):
        return (failed(path, "file-too-large", too_large_message(size, limit)),)
    return load(data, path, options)


@functools.cache
def _implementation(module: str, name: str) -> object:
    # Cached: looked up once per source read, and import_module costs microseconds.
    return getattr(importlib.import_module(f"archivekit.formats.{module}"), name)


FORMATS: tuple[Format, ...] = (
    Format(
        "archive",
        (".txt",),
        "the archive text format: six lines, one record per file",
        "archive",
        one=True,
        many=False,
    ),
    Format(
        "json",
        (".json",),
        "a JSON array of records, or one record object per file",
        "json",
        one=True,
        many=True,
    ),
    Format(
        "jsonl",
        (".jsonl", ".ndjson"),
        "JSON Lines: one record object per line",
        "jsonl",
        one=False,
        many=True,
        streamed=True,
    ),
    Format(
        "csv",
        (".csv",),
        "CSV (RFC 4180, UTF-8) with a header row",
        "csv",
        one=False,
        many=True,
        streamed=True,
    ),
    Format(
        "md",
        (".md", ".markdown"),
        "Markdown with YAML front matter (Hugo, Jekyll, Obsidian)",
        "markdown",
        one=True,
        many=False,
    ),
    Format(
        "parquet",
        (".parquet",),
        "Apache Parquet (needs archivekit[parquet]): pandas, polars, DuckDB, Spark",
        "parquet",
        one=False,
        many=True,
        streamed=True,
        binary=True,
        extra="parquet",
        fields_rows=True,
    ),
    Format(
        "sqlite",
        (".db", ".sqlite", ".sqlite3"),
        "SQLite with full-text search (FTS5), as Datasette and sqlite-utils read it",
        "sqlite",
        one=False,
        many=True,
        streamed=True,
        binary=True,
        file_only=True,
    ),
)

FORMAT_BY_NAME: dict[str, Format] = {fmt.name: fmt for fmt in FORMATS}
FORMAT_BY_EXTENSION: dict[str, Format] = {ext: fmt for fmt in FORMATS for ext in fmt.extensions}


def format_named(name: str) -> Format:
    """The format called ``name``; raises :class:`UsageError` naming the choices."""
    found = FORMAT_BY_NAME.get(name)
    if found is None:
        from archivekit.errors import UsageError

        raise UsageError(f"unknown format {name!r}: choose from {', '.join(FORMAT_BY_NAME)}")
    return found


_SQLITE_MAGIC = b"SQLite format 3\x00"
_CSV_NAMES = frozenset({"url", "headline", "keywords", "date", "word_count", "body"})


#: A head this long without a line break holds only part of its first line.
_WHOLE_LINE = 1 << 16


def sniff(head: bytes) -> str:
    """The format the first bytes of a stream look like; ``archive`` when no other fits.

    Parquet and SQLite by their magic bytes; Markdown by a ``---`` first line;
    a JSON array by ``[``; JSON Lines by a first line that is a whole JSON
    object (else a JSON document); CSV by a header row naming record fields.
    """
    if head.startswith(b"PAR1"):
        return "parquet"
    if head.startswith(_SQLITE_MAGIC):
        return "sqlite"
    text = head.removeprefix(b"\xef\xbb\xbf").lstrip()
    first = text.split(b"\n", 1)[0].rstrip(b"\r")
    if first.rstrip() == b"---":
        return "md"
    if text.startswith(b"["):
        return "json"
    if text.startswith(b"{"):
        import orjson

        if b"\n" not in text and first.rstrip() != b"{" and len(head) >= _WHOLE_LINE:
            # A first line longer than the head (a record of 100 KB): one line of JSON
            # Lines, or a one-line document, which reading it as JSON Lines gives alike.
            return "jsonl"
        try:
            return "jsonl" if isinstance(orjson.loads(first), dict) else "json"
        except orjson.JSONDecodeError:
            return "json"
    if b"," in first and not first.lower().startswith((b"http://", b"https://")):
        names = {cell.strip(b' "').decode("utf-8", "replace") for cell in first.split(b",")}
        if len(names & _CSV_NAMES) >= 3:
            return "csv"
    return "archive"


def format_for_name(name: str) -> Format | None:
    """The format a file name's extension says (``.gz`` looked through), or ``None``."""
    lower = name.lower().removesuffix(".gz")
    dot = lower.rfind(".")
    return FORMAT_BY_EXTENSION.get(lower[dot:]) if dot >= 0 else None
