"""Rules across the files of one run: the same URL in two files."""

from __future__ import annotations

import os

from archivekit.diagnostics import Diagnostic, ParseResult
from archivekit.files.walk import STDIN
from archivekit.rules import RULE_BY_CODE
from archivekit.text import quote, safe_path

#: A URL line longer than this is no URL worth comparing (and not worth keeping).
_MAX_URL = 4096


def first_line(path: str) -> str | None:
    """The URL line of a record file, trimmed, without reading the rest; None if unreadable."""
    if path in (STDIN, "<stdin>"):
        return None
    # os.read, not open(): no buffered file object, half the cost (8 us a file, not 16),
    # and this runs once per file in the parent process.
    try:
        fd = os.open(path, os.O_RDONLY)
        try:
            head = os.read(fd, _MAX_URL + 4)
        finally:
            os.close(fd)
    except OSError:
        return None
    return url_line(head)


def url_line(data: bytes) -> str | None:
    """What :func:`first_line` gives for a file holding ``data``.

    The worker processes call it on the bytes they have already read, so that
    the parent need not read every file a second time.
    """
    line = data[: _MAX_URL + 4].split(b"\n", 1)[0]
    url = line.decode("utf-8", "replace").removeprefix("\ufeff").strip()
    return url if url and len(url) <= _MAX_URL else None


class DuplicateUrls:
    """Remembers the first file of each URL and flags later files with the same URL.

    Memory grows with the batch, about 170 bytes a file (a 64-bit hash of the
    URL and the first file's path): the price of a check that has to see every
    file. A hash match is confirmed by reading the first file's URL line again,
    so a collision never gives a false finding.
    """

    def __init__(self) -> None:
        self._first: dict[int, str] = {}

    def remember(self, path: str, url: str | None) -> None:
        """Record ``url`` as seen in ``path`` (if no file had it before) without checking."""
        if url is not None:
            self._first.setdefault(hash(url), path)

    def check(self, result: ParseResult, url: str | None) -> ParseResult:
        """``result``, with a ``duplicate-url`` finding if an earlier file had ``url``."""
        if url is None:
            return result
        first = self._first.setdefault(hash(url), result.path)
        if first == result.path or first_line(first) != url:
            return result
        message = (
            f"{quote(url, limit=300)} is also the URL of {safe_path(first)}: the same article twice"
        )
        finding = Diagnostic(
            "duplicate-url",
            RULE_BY_CODE["duplicate-url"].severity,
            message,
            result.path,
            1,
            1,
            1 + len(url),
            "url",
        )
        return ParseResult(result.path, result.record, (finding, *result.diagnostics))
