"""JSON: an array of record objects, or one record object per ``.json`` file."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import replace
from typing import Any, BinaryIO

import orjson

from archivekit.diagnostics import ParseResult, failed, finding
from archivekit.files.atomic import Block, drop_block, splice
from archivekit.formats import FormatOptions
from archivekit.formats.base import record_from_json, record_values
from archivekit.record.model import Record
from archivekit.text import quote


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
        line = getattr(exc, "lineno", 1) or 1
        yield failed(
            path, "json-invalid", f"not valid JSON: {exc}", line, getattr(exc, "colno", 1) or 1
        )
        return
    records = value if isinstance(value, list) else [value]
    twice = duplicate_keys(data, records)
    if not isinstance(value, list):
        yield with_duplicates(
            record_from_json(value, path=path, options=options), twice.get(0), path
        )
        return
    lines: list[int] | None = None
    for index, item in enumerate(value, start=1):
        result = record_from_json(item, path=path, options=options, index=index)
        if result.diagnostics or index - 1 in twice:
            # Only a record with findings needs its line: find them all once.
            lines = lines or _element_lines(data.decode("utf-8", "replace"))
            line = lines[index - 1] if index <= len(lines) else 1
            result = record_from_json(item, path=path, options=options, line=line, index=index)
        yield with_duplicates(result, twice.get(index - 1), path)


#: A JSON string (escapes included), or one structural character: all that finding the
#: keys of an object needs (a string is one token, so braces inside it are not counted).
_KEY_TOKEN = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"|[{}\[\]:,]')


def key_columns(line: bytes) -> dict[str, int]:
    """The column (in characters, from 1) where each key of the object on ``line`` starts.

    For findings on a JSON Lines record: they point at the field's key, not at
    the start of the line. Only the outermost object's keys, the last of a key
    given twice (the value a JSON parser keeps); a line that is not such an object gives
    what was found.
    """
    columns: dict[str, int] = {}
    depth, key = 0, None
    for token in _KEY_TOKEN.finditer(line):
        first = line[token.start()]
        if first == 0x22:  # a string: a key if a colon follows at depth 1
            key = token
            continue
        if first == 0x3A and depth == 1 and key is not None:  # ":"
            try:
                name = orjson.loads(key.group())
            except orjson.JSONDecodeError:
                name = None
            if isinstance(name, str):  # a key given twice: the last, whose value is read
                columns[name] = len(line[: key.start()].decode("utf-8", "replace")) + 1
        elif first in b"{[":
            depth += 1
        elif first in b"}]":
            depth -= 1
        key = None
    return columns


def duplicate_keys(data: bytes, records: list[Any]) -> dict[int, tuple[str, ...]]:
    """The keys given twice in each record object of ``data``: {position: keys}.

    orjson keeps the last value of a key given twice, silently. Cheap test
    first: a key given twice shows as more ``"key"`` in the bytes than
    records holding it (or hides behind a ``\\u`` escape); only then is the
    document parsed again, by the standard library, to find which.
    """
    counts: dict[str, int] = {}
    for record in records:
        if isinstance(record, dict):
            for key in record:
                counts[key] = counts.get(key, 0) + 1
    if b"\\u" not in data and all(
        data.count(orjson.dumps(key)) <= count for key, count in counts.items()
    ):
        return {}
    import json  # the slow path only: it costs start-up time

    try:
        value = json.loads(data.decode("utf-8"), object_pairs_hook=_Pairs.make)
    except (ValueError, RecursionError):
        return {}
    found = value if isinstance(value, list) else [value]
    return {
        n: item.twice for n, item in enumerate(found) if isinstance(item, _Pairs) and item.twice
    }


class _Pairs(dict[str, Any]):
    """A JSON object that remembers the keys it was given more than once."""

    twice: tuple[str, ...] = ()

    @classmethod
    def make(cls, pairs: list[tuple[str, Any]]) -> _Pairs:
        made = cls(pairs)
        if len(made) != len(pairs):
            seen: set[str] = set()
            repeated: dict[str, None] = {}
            for key, _ in pairs:
                if key in seen:
                    repeated[key] = None
                seen.add(key)
            made.twice = tuple(repeated)
        return made


def with_duplicates(result: ParseResult, keys: tuple[str, ...] | None, path: str) -> ParseResult:
    """``result`` with a ``json-duplicate-key`` warning per key given twice."""
    if not keys:
        return result
    where = f"record {result.index}: " if result.index is not None else ""
    found = tuple(
        finding(
            "json-duplicate-key",
            f"{where}key {quote(key)} is given more than once: only the last value is used",
            path,
            result.line,
        )
        for key in keys
    )
    return replace(result, diagnostics=(*result.diagnostics, *found))


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

    def write_block(self, block: Block) -> None:
        """Append array elements a worker rendered into a scratch file (then removed)."""
        if not block.size:
            drop_block(block)
            return
        self._out.write(b"[\n" if self._first else b",\n")
        self._first = False
        splice(block, self._out)

    def close(self) -> None:
        """Close the array (``[]`` when no record was written)."""
        self._out.write(b"[]\n" if self._first else b"\n]\n")
