"""JSON Lines: one record object per line (``.jsonl``, ``.ndjson``)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import BinaryIO

import orjson

from archivekit.diagnostics import ParseResult, failed
from archivekit.files.atomic import Block, splice
from archivekit.files.read import too_large_message
from archivekit.formats import FormatOptions
from archivekit.formats.base import Where, record_from_json, record_values
from archivekit.formats.json import duplicate_keys, key_columns, with_duplicates
from archivekit.record.model import Record


def read(stream: BinaryIO, path: str, options: FormatOptions) -> Iterator[ParseResult]:
    """Each non-blank line is one record; a line that is not a JSON object is reported.

    A line over the file-size limit (``--max-bytes``) is reported and skipped
    without being held in memory.
    """
    index, limit = 0, options.rules.max_bytes
    for number, line in enumerate(iter(lambda: stream.readline(limit + 1), b""), start=1):
        if number == 1 and line.startswith(b"\xef\xbb\xbf"):
            line = line[3:]
        if not line.strip():
            continue
        index += 1
        if len(line) > limit and not line.endswith(b"\n"):
            while (rest := stream.readline(2**20)) and not rest.endswith(b"\n"):
                pass  # skip the rest of the line
            message = f"record {index}: {too_large_message(None, limit, what='line')}"
            yield failed(path, "file-too-large", message, number, index=index)
            continue
        try:
            value = orjson.loads(line)
        except orjson.JSONDecodeError as exc:
            message = f"record {index} is not valid JSON: {exc}"
            column = getattr(exc, "colno", 1) or 1
            yield failed(path, "json-invalid", message, number, column, index=index)
            continue
        result = record_from_json(
            value, path=path, options=options, line=number, index=index, where=_keys(line, number)
        )
        yield with_duplicates(result, duplicate_keys(line, [value]).get(0), path)


def rows(records: Iterable[Record], options: FormatOptions) -> bytes:
    """The lines of ``records``, each ending in a line feed (what :class:`Writer` writes)."""
    return b"".join([orjson.dumps(record_values(record)) + b"\n" for record in records])


class Writer:
    """Writes one compact JSON object and a line feed per record."""

    def __init__(self, out: BinaryIO, options: FormatOptions) -> None:
        self._out = out

    def write(self, record: Record) -> None:
        """Append one record."""
        self._out.write(orjson.dumps(record_values(record)) + b"\n")

    def write_rows(self, data: bytes) -> None:
        """Append records already rendered by :func:`rows`."""
        self._out.write(data)

    def write_block(self, block: Block) -> None:
        """Append rows a worker rendered into a scratch file (then removed)."""
        splice(block, self._out)

    def close(self) -> None:
        """Nothing to finish: JSON Lines has no trailer."""


def _keys(line: bytes, number: int) -> Where:
    """Where a field's finding goes: at its key on the line (found only for a finding)."""
    columns: dict[str, int] | None = None

    def where(name: str) -> tuple[int, int]:
        nonlocal columns
        if columns is None:
            columns = key_columns(line)
        return number, columns.get(name, 1)

    return where
