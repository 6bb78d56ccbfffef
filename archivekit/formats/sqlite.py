"""SQLite (``.db``, ``.sqlite``): a ``records`` table and its FTS5 full-text index, for Datasette.

The layout is what ``sqlite-utils enable-fts`` makes, so Datasette browses and
searches the file unchanged: ``records_fts`` is an external-content FTS5
table over ``records`` (headline, keywords, body), rebuilt once at the end.
Standard library only (``sqlite3``).
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import stat
from collections.abc import Iterable, Iterator
from typing import Any, BinaryIO

import orjson

from archivekit.diagnostics import ParseResult, failed
from archivekit.errors import UsageError
from archivekit.files.read import as_file
from archivekit.formats import FormatOptions
from archivekit.formats.base import record_from_json, stopped_message
from archivekit.record.model import Record

TABLE = "records"
FTS_TABLE = "records_fts"
SCHEMA = (
    f"CREATE TABLE [{TABLE}] (\n"
    "   [id] INTEGER PRIMARY KEY,\n"
    "   [url] TEXT NOT NULL,\n"
    "   [headline] TEXT NOT NULL,\n"
    "   [keywords] TEXT NOT NULL,\n"
    "   [date] TEXT,\n"
    "   [word_count] INTEGER,\n"
    "   [body] TEXT NOT NULL\n"
    ")",
    f"CREATE VIRTUAL TABLE [{FTS_TABLE}] USING FTS5 (\n"
    f"    [headline], [keywords], [body],\n    content=[{TABLE}]\n)",
)
_INSERT = (
    f"INSERT INTO [{TABLE}] (url, headline, keywords, date, word_count, body) "
    "VALUES (?, ?, ?, ?, ?, ?)"
)
_SELECT = f"SELECT url, headline, keywords, date, word_count, body FROM [{TABLE}] ORDER BY id"
#: Rows inserted per executemany call.
BATCH = 1000


def _row(record: Record) -> tuple[Any, ...]:
    return (
        record.url,
        record.headline,
        orjson.dumps(list(record.keywords)).decode(),
        None if record.date is None else record.date.isoformat(),
        record.word_count,
        record.body,
    )


def connect_readonly(path: str) -> sqlite3.Connection:
    """Open a database read-only, not trusting its schema (a file from anywhere)."""
    uri = "file:" + path.replace("?", "%3f").replace("#", "%23") + "?mode=ro"
    connection = sqlite3.connect(uri, uri=True)
    # No SQL function may run from a view or trigger of the file: it is data, not code.
    connection.execute("PRAGMA trusted_schema = OFF")
    return connection


def read(stream: BinaryIO, path: str, options: FormatOptions) -> Iterator[ParseResult]:
    """Each row of the ``records`` table, in ``id`` order; ``line`` is the row's ``id``."""
    with as_file(stream, path) as name:
        try:
            connection = connect_readonly(name)
        except sqlite3.Error as exc:
            yield failed(path, "read-error", f"not an SQLite database: {exc}")
            return
        index = 0
        try:
            kind = connection.execute(
                "SELECT type FROM sqlite_master WHERE name = ?", (TABLE,)
            ).fetchone()
            if kind != ("table",):
                yield failed(path, "read-error", f"no table {TABLE!r} in the database")
                return
            cursor = connection.execute(f"SELECT id, {_SELECT[7:]}")
            while rows := cursor.fetchmany(BATCH):
                for row in rows:
                    index += 1
                    yield _result(row, path, index, options)
        except sqlite3.Error as exc:
            yield failed(
                path, "read-error", stopped_message("database", index, exc), index=index + 1
            )
        finally:
            connection.close()


def _result(row: tuple[Any, ...], path: str, index: int, options: FormatOptions) -> ParseResult:
    number, url, headline, keywords, date, word_count, body = row
    if isinstance(keywords, str):
        # Not JSON: left a string, and reported as not a list.
        with contextlib.suppress(orjson.JSONDecodeError):
            keywords = orjson.loads(keywords) if keywords.strip() else []
    values = {
        "url": url,
        "headline": headline,
        "keywords": keywords,
        "date": date,
        "word_count": word_count,
        "body": body,
    }
    line = number if isinstance(number, int) else index
    # A row is checked as a JSON object is: the same fields, the same findings.
    return record_from_json(values, path=path, options=options, line=line, index=index)


def rows(records: Iterable[Record], options: FormatOptions) -> bytes:
    """``records`` as JSON Lines of row values (what :meth:`Writer.write_rows` inserts)."""
    return b"".join([orjson.dumps(_row(record)) + b"\n" for record in records])


def database_path(stream: BinaryIO) -> str:
    """The file name of ``stream``: SQLite writes a file by name, never a pipe."""
    name = getattr(stream, "name", None)
    try:
        regular = isinstance(name, str) and stat.S_ISREG(os.fstat(stream.fileno()).st_mode)
    except (OSError, ValueError):
        regular = False
    if not regular:
        raise UsageError("sqlite writes a database file: give it with -o FILE.db")
    assert isinstance(name, str)
    return name


class Writer:
    """Fills a new database in the file of ``out`` (an output's temporary, renamed at the end).

    One transaction; the FTS index is built in one pass by ``close``.
    """

    def __init__(self, out: BinaryIO, options: FormatOptions) -> None:
        path = database_path(out)
        self._connection = sqlite3.connect(path, isolation_level=None)
        # The file is a temporary renamed into place when whole: no journal is needed.
        self._connection.execute("PRAGMA journal_mode = OFF")
        self._connection.execute("PRAGMA synchronous = OFF")
        self._connection.execute("BEGIN")
        for statement in SCHEMA:
            self._connection.execute(statement)
        self._pending: list[tuple[Any, ...]] = []

    def write(self, record: Record) -> None:
        """Append one record."""
        self._pending.append(_row(record))
        if len(self._pending) >= BATCH:
            self._insert()

    def write_rows(self, data: bytes) -> None:
        """Append records already rendered by :func:`rows`."""
        self._pending.extend(tuple(orjson.loads(line)) for line in data.splitlines())
        if len(self._pending) >= BATCH:
            self._insert()

    def _insert(self) -> None:
        self._connection.executemany(_INSERT, self._pending)
        self._pending = []

    def close(self) -> None:
        """Insert the rest, build the full-text index, commit and close the database."""
        self._insert()
        self._connection.execute(f"INSERT INTO [{FTS_TABLE}]([{FTS_TABLE}]) VALUES ('rebuild')")
        self._connection.execute("COMMIT")
        self._connection.close()
