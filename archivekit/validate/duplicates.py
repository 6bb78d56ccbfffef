"""Rules across the files of one run: the same URL in two files."""

from __future__ import annotations

import os
from dataclasses import replace

from archivekit.diagnostics import ParseResult, finding
from archivekit.files.read import open_regular
from archivekit.files.walk import STDIN
from archivekit.record.parse import MAX_URL, url_line
from archivekit.text import quote, safe_path
from archivekit.urls import normalise_url


def first_line(path: str) -> str | None:
    """The URL line of a record file, trimmed, without reading the rest; None if unreadable."""
    if path in (STDIN, "<stdin>"):
        return None
    # os.read, not open(): no buffered file object, half the cost (8 us a file, not 16),
    # and this runs once per file in the parent process.
    try:
        fd = open_regular(path)
        try:
            head = os.read(fd, MAX_URL + 4)
        finally:
            os.close(fd)
    except OSError:
        return None
    return url_line(head)


class DuplicateUrls:
    """Remembers the first record of each URL and flags later records with the same URL.

    Memory grows with the batch, about 170 bytes a file (a 64-bit hash of the
    URL and the first file's path): the price of a check that has to see every
    record. For a record file on disk, a hash match is confirmed by reading
    the first file's URL line again, so a collision never gives a false
    finding; for a record with no file of its own (an archive member, a line
    of JSON Lines, standard input) the URL itself is kept instead. With
    ``normalise``, URLs are compared by :func:`archivekit.urls.normalise_url`.
    """

    def __init__(self, *, normalise: bool = False) -> None:
        self._first: dict[int, str | tuple[str, str]] = {}
        self._normalise = normalise

    def _key(self, url: str) -> str:
        return normalise_url(url) if self._normalise else url

    def remember(self, path: str, url: str | None) -> None:
        """Record ``url`` as seen in the file ``path`` (if none had it before) without checking."""
        if url is not None:
            self._first.setdefault(hash(self._key(url)), path)

    def check(self, result: ParseResult, url: str | None, *, reread: bool = True) -> ParseResult:
        """``result``, with a ``duplicate-url`` finding if an earlier record had ``url``.

        ``reread``: the record is a whole file at ``result.path`` whose URL line
        can be read again (see the class docstring).
        """
        if url is None:
            return result
        key = self._key(url)
        place = result.path if result.index is None else f"{result.path} (record {result.index})"
        first = self._first.setdefault(hash(key), place if reread else (place, key))
        if isinstance(first, tuple):
            first, same = first[0], first[1] == key
        else:
            again = first_line(first) if first != place else None
            same = again is not None and self._key(again) == key
        if first == place or not same:
            return result
        how = " (compared normalised)" if self._normalise else ""
        message = (
            f"{quote(url, limit=300)} is also the URL of {safe_path(first)}{how}: "
            "the same article twice"
        )
        # A record of a many-record file: at the line its record starts on.
        line = result.line if result.index is not None else 1
        # The first record's file (a record of a many-record file is "path (record N)").
        related = first.rsplit(" (record ", 1)[0] if first.endswith(")") else first
        found = finding(
            "duplicate-url", message, result.path, line, 1, len(url), "url", related=related
        )
        diagnostics = (found, *result.diagnostics)
        return replace(result, diagnostics=diagnostics)
