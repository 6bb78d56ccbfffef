"""The record formats, one module each, and their registry: the CLI's choices are built from it.

Importing it is cheap (the CLI builds its choices from it at start-up): each
format's module is imported only when its reader or writer is first used.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, BinaryIO, Protocol, cast

if TYPE_CHECKING:
    from archivekit.formats.base import FormatOptions, Read
    from archivekit.record.model import Record


class Sink(Protocol):
    """A writer of many records into one stream: ``write`` each, then ``close``."""

    def write(self, record: Record) -> None:
        """Append one record."""

    def write_rows(self, data: bytes) -> None:
        """Append records already rendered by the format's ``rows`` function."""

    def close(self) -> None:
        """Finish the stream (a closing bracket, a flush); the stream stays open."""


Reader = Callable[[BinaryIO, str, "FormatOptions"], Iterator["Read"]]
Dumper = Callable[["Record", "FormatOptions"], bytes]
SinkFactory = Callable[[BinaryIO, "FormatOptions"], Sink]
RowsRenderer = Callable[[Iterable["Record"], "FormatOptions"], bytes]


@dataclass(frozen=True, slots=True)
class Format:
    """One record format: its name, file extensions, and how to read and write it.

    ``one``: the format holds one record per file (written into an output
    folder by ``dump``); ``many``: it holds many in one stream (written by a
    ``sink``). JSON is both. Every format can be read. ``module`` is the
    module under ``archivekit.formats`` that implements it: a ``read``
    function, and ``dump`` (one) and/or ``Writer`` (many).
    """

    name: str
    extensions: tuple[str, ...]
    summary: str
    module: str
    one: bool
    many: bool

    @property
    def holds(self) -> str:
        """``one``, ``many`` or ``one or many`` records per file."""
        return " or ".join(w for w, on in (("one", self.one), ("many", self.many)) if on)

    def _impl(self, name: str) -> object:
        return getattr(importlib.import_module(f"archivekit.formats.{self.module}"), name)

    @property
    def read(self) -> Reader:
        """``read(stream, path, options)``: every record of a file, as :class:`Read` results."""
        return cast(Reader, self._impl("read"))

    @property
    def dump(self) -> Dumper | None:
        """``dump(record, options) -> bytes`` for a one-record file, or ``None``."""
        return cast(Dumper, self._impl("dump")) if self.one else None

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
    ),
    Format(
        "csv", (".csv",), "CSV (RFC 4180, UTF-8) with a header row", "csv", one=False, many=True
    ),
    Format(
        "md",
        (".md", ".markdown"),
        "Markdown with YAML front matter (Hugo, Jekyll, Obsidian)",
        "markdown",
        one=True,
        many=False,
    ),
)

FORMAT_BY_NAME: dict[str, Format] = {fmt.name: fmt for fmt in FORMATS}
FORMAT_BY_EXTENSION: dict[str, Format] = {ext: fmt for fmt in FORMATS for ext in fmt.extensions}


def format_for_name(name: str) -> Format | None:
    """The format a file name's extension says (``.gz`` looked through), or ``None``."""
    lower = name.lower().removesuffix(".gz")
    dot = lower.rfind(".")
    return FORMAT_BY_EXTENSION.get(lower[dot:]) if dot >= 0 else None
