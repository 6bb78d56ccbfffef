"""The registry of record formats: one entry per format, the CLI's choices are built from it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import BinaryIO, Protocol

from archivekit.formats import fmt_archive, fmt_csv, fmt_json, fmt_jsonl, fmt_md
from archivekit.formats.model import Record
from archivekit.formats.values import FormatOptions, Read


class Sink(Protocol):
    """A writer of many records into one stream: ``write`` each, then ``close``."""

    def write(self, record: Record) -> None:
        """Append one record."""

    def close(self) -> None:
        """Finish the stream (a closing bracket, a flush); the stream stays open."""


Reader = Callable[[BinaryIO, str, FormatOptions], Iterator[Read]]
Dumper = Callable[[Record, FormatOptions], bytes]
SinkFactory = Callable[[BinaryIO, FormatOptions], Sink]


@dataclass(frozen=True, slots=True)
class Format:
    """One record format: its name, file extensions, and how to read and write it.

    ``dump`` is set for formats that hold one record per file (written into an
    output folder), ``sink`` for formats that hold many in one stream; JSON has
    both. Every format can be read.
    """

    name: str
    extensions: tuple[str, ...]
    summary: str
    read: Reader
    dump: Dumper | None = None
    sink: SinkFactory | None = None

    @property
    def holds(self) -> str:
        """``one``, ``many`` or ``one or many`` records per file."""
        return " or ".join(w for w, on in (("one", self.dump), ("many", self.sink)) if on)


FORMATS: tuple[Format, ...] = (
    Format("archive", (".txt",), "the archive text format: six lines, one record per file",
           fmt_archive.read, dump=fmt_archive.dump),
    Format("json", (".json",), "a JSON array of records, or one record object per file",
           fmt_json.read, dump=fmt_json.dump, sink=fmt_json.Writer),
    Format("jsonl", (".jsonl", ".ndjson"), "JSON Lines: one record object per line",
           fmt_jsonl.read, sink=fmt_jsonl.Writer),
    Format("csv", (".csv",), "CSV (RFC 4180, UTF-8) with a header row",
           fmt_csv.read, sink=fmt_csv.Writer),
    Format("md", (".md", ".markdown"), "Markdown with YAML front matter (Hugo, Jekyll, Obsidian)",
           fmt_md.read, dump=fmt_md.dump),
)  # fmt: skip

FORMAT_BY_NAME: dict[str, Format] = {fmt.name: fmt for fmt in FORMATS}
FORMAT_BY_EXTENSION: dict[str, Format] = {ext: fmt for fmt in FORMATS for ext in fmt.extensions}


def format_for_name(name: str) -> Format | None:
    """The format a file name's extension says (``.gz`` looked through), or ``None``."""
    lower = name.lower().removesuffix(".gz")
    dot = lower.rfind(".")
    return FORMAT_BY_EXTENSION.get(lower[dot:]) if dot >= 0 else None
