"""JSON: an array of record objects, or one record object per ``.json`` file."""

from __future__ import annotations

import dataclasses
import io
import re
from collections.abc import Iterable, Iterator
from typing import BinaryIO

import orjson

from archivekit.diagnostics import ParseResult, failed, finding
from archivekit.formats import FormatOptions, jsonl, sniff
from archivekit.formats.base import record_from_json, record_values
from archivekit.record.model import Record


def load(data: bytes, path: str, options: FormatOptions) -> Iterator[ParseResult]:
    """One record object, or an array of them.

    The document is parsed whole (orjson has no streaming mode), so it must be
    under the file-size limit (``--max-bytes``, 64 MiB by default), which the
    bounded reader enforces: for larger batches, use JSON Lines. orjson
    refuses nesting over 1,024 levels deep.
    """
    data = data.removeprefix(b"\xef\xbb\xbf")  # a BOM, from Windows tools
    try:
        value = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        if sniff(data) == "jsonl":
            # JSON Lines under a .json name (a common mix-up): read it as such, and say so.
            yield from _as_json_lines(data, path, options)
            return
        line = getattr(exc, "lineno", 1) or 1
        yield failed(
            path, "json-invalid", f"not valid JSON: {exc}", line, getattr(exc, "colno", 1) or 1
        )
        return
    if not isinstance(value, list):
        yield record_from_json(value, path=path, options=options)
        return
    lines: list[int] | None = None
    for index, item in enumerate(value, start=1):
        result = record_from_json(item, path=path, options=options, index=index)
        if result.diagnostics:
            # Only a record with findings needs its line: find them all once.
            lines = lines or _element_lines(data.decode("utf-8", "replace"))
            line = lines[index - 1] if index <= len(lines) else 1
            result = record_from_json(item, path=path, options=options, line=line, index=index)
        yield result


def _as_json_lines(data: bytes, path: str, options: FormatOptions) -> Iterator[ParseResult]:
    note = finding(
        "format-guessed",
        "this file holds JSON Lines (one object per line), not one JSON document: "
        "read as JSON Lines; rename it .jsonl",
        path,
    )
    for number, result in enumerate(jsonl.read(io.BytesIO(data), path, options)):
        if number == 0:
            result = dataclasses.replace(result, diagnostics=(note, *result.diagnostics))
        yield result


_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{},]|[^\s\[\]{},"]+', re.DOTALL)


def _element_lines(text: str) -> list[int]:
    """The line on which each element of a top-level JSON array starts."""
    lines: list[int] = []
    depth, line, last, expect = 0, 1, 0, False
    for match in _TOKEN.finditer(text):
        line += text.count("\n", last, match.start())
        last = match.start()
        token = match.group()
        if expect and depth == 1 and token not in ("]", ","):
            lines.append(line)
        expect = False
        if token in ("[", "{"):
            depth += 1
            expect = depth == 1
        elif token in ("]", "}"):
            depth -= 1
        elif token == "," and depth == 1:
            expect = True
    return lines


def dump(record: Record, options: FormatOptions) -> bytes:
    """One record object, indented, with a final newline."""
    return orjson.dumps(record_values(record), option=orjson.OPT_INDENT_2) + b"\n"


def rows(records: Iterable[Record], options: FormatOptions) -> bytes:
    """Array elements for :meth:`Writer.write_rows`: compact objects joined by ``,\\n``."""
    return b",\n".join([orjson.dumps(record_values(record)) for record in records])


class Writer:
    """Writes a JSON array, one compact record object per line, streaming."""

    def __init__(self, out: BinaryIO, options: FormatOptions) -> None:
        self._out = out
        self._first = True

    def write(self, record: Record) -> None:
        """Append one record to the array."""
        self._out.write(b"[\n" if self._first else b",\n")
        self._first = False
        self._out.write(orjson.dumps(record_values(record)))

    def write_rows(self, data: bytes) -> None:
        """Append records already rendered by :func:`rows` (nothing when ``data`` is empty)."""
        if data:
            self._out.write((b"[\n" if self._first else b",\n") + data)
            self._first = False

    def close(self) -> None:
        """Close the array (``[]`` when no record was written)."""
        self._out.write(b"[]\n" if self._first else b"\n]\n")
