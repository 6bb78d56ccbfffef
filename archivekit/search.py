"""Full-text search of an SQLite archive written by ``archive convert --to sqlite``."""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass

from archivekit.errors import InputError, UsageError
from archivekit.formats.sqlite import FTS_TABLE, TABLE, connect_readonly

#: Marks around the matched words of a snippet (plain text; the CLI colours them on a terminal).
MARK_START, MARK_END = "\x02", "\x03"


@dataclass(frozen=True, slots=True)
class Match:
    """One search result: the row ``id``, its fields, and a snippet around the matched words.

    In ``snippet`` the matched words are between :data:`MARK_START` and
    :data:`MARK_END`.
    """

    id: int
    url: str
    headline: str
    date: str | None
    snippet: str
    rank: float


def search(path: str, query: str, *, limit: int = 10, tokens: int = 16) -> list[Match]:
    """The best ``limit`` matches of the FTS5 ``query`` in the database at ``path``, best first.

    ``query`` is FTS5 syntax: words (all must match), ``"a phrase"``, ``OR``,
    ``NOT``, ``prefix*``, ``headline:word``. Raises :class:`InputError` when
    the file is missing, not a regular file, not an archive database or
    damaged, :class:`UsageError` for a query FTS5 cannot parse.
    """
    if limit < 1:
        raise UsageError("the limit must be at least 1")
    if not os.path.exists(path):
        raise InputError(f"{path}: no such file")
    if not os.path.isfile(path):
        raise InputError(f"{path}: not a regular file (a database is a file on disk)")
    try:
        connection = connect_readonly(path)
    except sqlite3.Error as exc:
        raise InputError(f"{path}: cannot open the database: {exc}") from None
    try:
        try:
            found = connection.execute(
                "SELECT count(*) FROM sqlite_master WHERE name IN (?, ?)", (TABLE, FTS_TABLE)
            ).fetchone()
        except sqlite3.DatabaseError as exc:
            raise InputError(f"{path}: not an SQLite database ({exc})") from None
        if found != (2,):
            raise InputError(
                f"{path}: not an archive database with full-text search "
                "(write one with archive convert --to sqlite)"
            )
        rows = connection.execute(
            f"SELECT r.id, r.url, r.headline, r.date, "
            f"snippet([{FTS_TABLE}], -1, ?, ?, '…', ?), [{FTS_TABLE}].rank "
            f"FROM [{FTS_TABLE}] JOIN [{TABLE}] AS r ON r.id = [{FTS_TABLE}].rowid "
            f"WHERE [{FTS_TABLE}] MATCH ? ORDER BY [{FTS_TABLE}].rank LIMIT ?",
            (MARK_START, MARK_END, tokens, query, limit),
        ).fetchall()
    except sqlite3.DatabaseError as exc:
        # The tables are there: what fails now is the query, unless SQLite says
        # otherwise. FTS5 names no error class for a query; it reports the generic
        # SQLITE_ERROR, while a damaged file is SQLITE_CORRUPT, SQLITE_NOTADB, an I/O error...
        if _primary_code(exc) != sqlite3.SQLITE_ERROR:
            raise InputError(f"{path}: the database is damaged or unreadable: {exc}") from None
        raise UsageError(
            f"bad search query {query!r}: {exc} (FTS5 syntax: words, "
            '"a phrase", OR, NOT, prefix*, headline:word)'
        ) from None
    finally:
        connection.close()
    return [Match(*row) for row in rows]


def _primary_code(exc: sqlite3.Error) -> int:
    """SQLite's primary result code of ``exc`` (the low byte of an extended code)."""
    code = getattr(exc, "sqlite_errorcode", None)
    return sqlite3.SQLITE_ERROR if code is None else int(code) & 0xFF
