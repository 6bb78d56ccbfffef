"""Full-text search of an SQLite archive written by ``archive convert --to sqlite``."""

from __future__ import annotations

import os
import re
import sqlite3
from dataclasses import dataclass

from archivekit.errors import InputError, UsageError
from archivekit.formats.sqlite import FTS_TABLE, TABLE, connect_readonly

#: Marks around the matched words of a snippet (plain text; the CLI colours them on a terminal).
MARK_START, MARK_END = "\x02", "\x03"
#: Characters of a row beyond which its snippet is a plain excerpt of the body's first
#: SNIPPET_LIMIT characters around the first query word (SQLite's snippet() is
#: quadratic in the row's matches: 0.8 s for 10,000 of them, 39 s for 80,000).
SNIPPET_LIMIT = 50_000
#: Words of a query that are FTS5 operators, not words to look for.
_OPERATORS = frozenset({"AND", "OR", "NOT", "NEAR"})


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
        # The best rows first, then a snippet for each of those only: SQLite's
        # snippet() costs time quadratic in a row's matches (a body repeating the word
        # 80,000 times took 39 s), so a long row gets a plain excerpt instead (_excerpt).
        best = connection.execute(
            f"SELECT r.id, r.url, r.headline, r.date, [{FTS_TABLE}].rank, "
            f"length(r.headline) + length(r.keywords) + length(r.body) "
            f"FROM [{FTS_TABLE}] JOIN [{TABLE}] AS r ON r.id = [{FTS_TABLE}].rowid "
            f"WHERE [{FTS_TABLE}] MATCH ? ORDER BY [{FTS_TABLE}].rank LIMIT ?",
            (query, limit),
        ).fetchall()
        rows = []
        for row_id, url, headline, date, rank, size in best:
            if size is not None and size > SNIPPET_LIMIT:
                (body,) = connection.execute(
                    f"SELECT substr(body, 1, ?) FROM [{TABLE}] WHERE id = ?",
                    (SNIPPET_LIMIT, row_id),
                ).fetchone()
                snippet = _excerpt(body or "", query, tokens)
            else:
                (snippet,) = connection.execute(
                    f"SELECT snippet([{FTS_TABLE}], -1, ?, ?, '…', ?) FROM [{FTS_TABLE}] "
                    f"WHERE [{FTS_TABLE}] MATCH ? AND rowid = ?",
                    (MARK_START, MARK_END, tokens, query, row_id),
                ).fetchone()
            rows.append((row_id, url, headline, date, snippet, rank))
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


def _excerpt(body: str, query: str, tokens: int) -> str:
    """About ``tokens`` words of ``body`` around the first word of ``query`` found, marked.

    The snippet of a row too long for SQLite's: found with Python's ``str.find`` on
    the case-folded text (a prefix query ``word*`` looks for ``word``); the body's
    start when no query word is found in it (the match is in the headline or keywords).
    """
    words = [
        w.split(":")[-1].strip("*^") for w in re.findall(r"[\w:*^]+", query) if w not in _OPERATORS
    ]
    folded = body.casefold()
    places = [(folded.find(w.casefold()), w) for w in words if w]
    places = [(at, w) for at, w in places if at >= 0]
    text = body.split()
    if not places:
        return " ".join(text[:tokens]) + ("…" if len(text) > tokens else "")
    at, word = min(places)
    before = body[:at].split()
    start = max(0, len(before) - tokens // 2)
    shown = body[:at].split()[start:] + body[at:].split()[: tokens - (len(before) - start)]
    marked = " ".join(shown)
    found = marked.casefold().find(word.casefold())
    if found >= 0:
        end = found + len(word)
        marked = f"{marked[:found]}{MARK_START}{marked[found:end]}{MARK_END}{marked[end:]}"
    return ("…" if start else "") + marked + "…"


def _primary_code(exc: sqlite3.Error) -> int:
    """SQLite's primary result code of ``exc`` (the low byte of an extended code)."""
    code = getattr(exc, "sqlite_errorcode", None)
    return sqlite3.SQLITE_ERROR if code is None else int(code) & 0xFF
