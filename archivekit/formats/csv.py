"""CSV (RFC 4180, UTF-8): a header row, then one record per row."""

from __future__ import annotations

import contextlib
import csv
import io
from collections.abc import Iterable, Iterator
from typing import Any, BinaryIO

import orjson

from archivekit.diagnostics import Diagnostic, ParseResult, failed, finding
from archivekit.files.atomic import Block, splice
from archivekit.files.read import RAISE_LIMIT
from archivekit.formats import FormatOptions
from archivekit.formats.base import Where, record_from_values, record_values
from archivekit.record.fields import FIELDS
from archivekit.record.model import Record

HEADER = list(FIELDS)
#: Characters that make a spreadsheet read a cell as a formula (OWASP's list).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def read(stream: BinaryIO, path: str, options: FormatOptions) -> Iterator[ParseResult]:
    """Each row after the header is one record; cells are checked like text-format lines.

    A cell over the file-size limit (``--max-bytes``) stops the file (``csv-row``).
    """
    # Bodies are long: the csv module's default cap (128 KiB) would refuse real ones.
    # Unbounded, one unclosed quote makes the rest of a huge file one cell in memory.
    csv.field_size_limit(options.rules.max_bytes)
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", errors="strict", newline="")
    try:
        yield from _rows(text, path, options)
    finally:
        # The stream belongs to the caller: let go of it without closing it.
        text.detach()


def _rows(text: io.TextIOWrapper, path: str, options: FormatOptions) -> Iterator[ParseResult]:
    rows = csv.reader(text, strict=True)
    try:
        header = next(rows, None)
    except UnicodeDecodeError as exc:
        # The decoder works in blocks: a bad byte near the top fails the header read.
        yield failed(path, "utf8-invalid", f"the file is not UTF-8: {exc}")
        return
    except csv.Error as exc:
        yield failed(path, "csv-header", f"the header row cannot be read: {exc}")
        return
    header = [name.strip() for name in header or []]
    missing = [name for name in HEADER if name not in header]
    twice = sorted({name for name in header if name in HEADER and header.count(name) > 1})
    if missing or twice:
        shown = ",".join(header)
        why = f"{', '.join(missing)} missing" if missing else f"{', '.join(twice)} twice"
        message = (
            f"the header row is {shown!r} ({why}): it must name the columns "
            f"{','.join(HEADER)}, in any order"
        )
        yield failed(path, "csv-header", message)
        return
    # Columns go by name, in any order; others (a pandas index) are ignored with a warning.
    unknown = [name or "(unnamed)" for name in header if name not in HEADER]
    warning = (
        finding(
            "field-unknown",
            f"unknown column(s) {', '.join(map(repr, unknown))}: not carried over",
            path,
        )
        if unknown
        else None
    )
    positions = [header.index(name) for name in HEADER]
    width = len(header)
    index, start = 0, rows.line_num + 1
    while True:
        try:
            row = next(rows, None)
        except (csv.Error, UnicodeDecodeError) as exc:
            code = "utf8-invalid" if isinstance(exc, UnicodeDecodeError) else "csv-row"
            hint = f"; {RAISE_LIMIT}" if "field limit" in str(exc) else ""
            message = f"record {index + 1} cannot be read: {exc}{hint}"
            yield failed(path, code, message, start, index=index + 1)
            return
        if row is None:
            return
        line, start = start, rows.line_num + 1
        if not row:
            continue
        index += 1
        if len(row) != width:
            message = f"record {index} has {len(row)} cells: the header row has {width}"
            yield failed(path, "csv-row", message, line, index=index)
            continue
        values: dict[str, Any] = {name: row[at] for name, at in zip(HEADER, positions, strict=True)}
        crlf = _crlf(path, line, values)
        values["keywords"] = _keywords(values["keywords"], options)
        result = record_from_values(
            values,
            path=path,
            where=_cells(line),
            index=index,
            line=line,
            keep=options.keep_records,
            options=options.rules,
        )
        if crlf is not None:
            result = ParseResult(path, result.record, (crlf, *result.diagnostics), index, line)
        if warning is not None:
            result = ParseResult(path, result.record, (warning, *result.diagnostics), index, line)
            warning = None
        yield result


def _cells(line: int) -> Where:
    # The csv module gives no cell positions: report at the row's start, naming the field.
    return lambda name: (line, 1)


def _crlf(path: str, line: int, values: dict[str, Any]) -> Diagnostic | None:
    """Excel writes line breaks inside quoted cells as CRLF: read them as LF, with a warning.

    The same as the archive reader does with CRLF line ends (rule ``crlf``).
    """
    count = 0
    for name, cell in values.items():
        if "\r\n" in cell:
            count += cell.count("\r\n")
            values[name] = cell.replace("\r\n", "\n")
    if not count:
        return None
    return finding("crlf", f"CRLF line breaks inside cells ({count}): read as LF", path, line)


def _keywords(cell: str, options: FormatOptions) -> object:
    if options.csv_keywords == "json":
        if not cell.strip():
            return []
        try:
            return orjson.loads(cell)
        except orjson.JSONDecodeError:
            return cell  # reported as field-type: not a list
    if not cell:
        return []
    if cell.startswith("[") and cell.endswith("]"):
        # A cell written with --csv-keywords json, read without the flag: a JSON list
        # of strings is taken as one (split at its commas, every keyword would be wrong).
        with contextlib.suppress(orjson.JSONDecodeError):
            value = orjson.loads(cell)
            if isinstance(value, list) and all(isinstance(k, str) for k in value):
                return value
    # The text format's rules apply to the cell as they do to line 3.
    return cell.split(",")


def _guard(cell: str) -> str:
    return "'" + cell if cell.startswith(FORMULA_START) else cell


def _row(record: Record, options: FormatOptions) -> list[str]:
    values = record_values(record)
    if options.csv_keywords == "json":
        values["keywords"] = orjson.dumps(values["keywords"]).decode()
    else:
        values["keywords"] = ",".join(record.keywords)
    # A null date or word count (scraped profile) is an empty cell.
    row = ["" if values[name] is None else str(values[name]) for name in HEADER]
    if options.excel:
        row = [_guard(cell) for cell in row]
    return row


def _cell(cell: str) -> str:
    # What csv.writer's QUOTE_MINIMAL does with "\r\n" row ends (a test holds the two
    # equal), with str methods that run in C over the whole cell: the csv module
    # looks at a 10 KB body one character at a time, and took half of the workers' time.
    if '"' in cell:
        return '"' + cell.replace('"', '""') + '"'
    if "," in cell or "\n" in cell or "\r" in cell:
        return '"' + cell + '"'
    return cell


def row_text(row: list[str]) -> str:
    """One row as ``csv.writer(lineterminator="\\r\\n")`` writes it (rows have six cells)."""
    return ",".join([_cell(cell) for cell in row]) + "\r\n"


def rows(records: Iterable[Record], options: FormatOptions) -> bytes:
    """The rows of ``records`` in UTF-8, CRLF row ends (what :class:`Writer` writes)."""
    return "".join([row_text(_row(record, options)) for record in records]).encode("utf-8")


class Writer:
    """Writes the header, then one row per record; CRLF row ends as RFC 4180 says."""

    def __init__(self, out: BinaryIO, options: FormatOptions) -> None:
        self._text = io.TextIOWrapper(
            out, encoding="utf-8-sig" if options.excel else "utf-8", newline="", write_through=True
        )
        self._csv = csv.writer(self._text, lineterminator="\r\n")
        self._options = options
        self._csv.writerow(HEADER)

    def write(self, record: Record) -> None:
        """Append one row."""
        self._text.write(row_text(_row(record, self._options)))

    def write_rows(self, data: bytes) -> None:
        """Append rows already rendered by :func:`rows`."""
        # write_through: nothing waits in the text layer, so the bytes land in order.
        self._text.buffer.write(data)

    def write_block(self, block: Block) -> None:
        """Append rows a worker rendered into a scratch file (then removed)."""
        splice(block, self._text.buffer)

    def close(self) -> None:
        """Flush, and leave the underlying file open for its owner."""
        self._text.flush()
        self._text.detach()
