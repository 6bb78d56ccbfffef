"""The cache of unchanged files: what checking each gave, keyed by its size, mtime and inode.

``archive validate`` and ``archive fmt --check`` skip reading a file whose
size, modification time (ns) and inode are those of the last run with the
same archivekit version, rule options and configuration: its findings and
URL (``duplicate-url`` still sees every file) come from the cache instead.
The cache lives in ``.archive_cache/`` at the project root (the folder of
the configuration file, else the current folder), with a ``.gitignore`` that
ignores it whole; ``--cache-dir`` or ``ARCHIVEKIT_CACHE_DIR`` moves it.

One cache file per command and settings (JSON Lines: a header, then one
line per file), replaced whole through the one atomic writer: two runs at
once never leave a torn file (the last one wins). A cache file that cannot
be read, is truncated, or was written by another version or for other
settings is ignored and rewritten, never an error; a damaged line only
makes its file be read again.
"""

from __future__ import annotations

import functools
import os
import time
from collections.abc import Iterable
from typing import Any, BinaryIO

from archivekit import __version__
from archivekit.diagnostics import Diagnostic, ParseResult
from archivekit.rules import Severity

#: The cache folder's name at the project root.
FOLDER = ".archive_cache"
#: Below this many files the cache is not opened: reading a few files (a
#: pre-commit hook's) is faster than loading a whole archive's cache.
MIN_FILES = 64
#: The environment variable that moves the cache folder (as ``--cache-dir``).
ENV = "ARCHIVEKIT_CACHE_DIR"
#: Files modified this recently are not cached: a write within the same
#: timestamp tick could change the file and leave size and mtime alike.
RACY_NS = 2_000_000_000
_SEVERITY = {severity.value: severity for severity in Severity}
_GITIGNORE = b"# Made by archivekit: its cache of unchanged files.\n*\n"

#: A file's identity: size, mtime (ns), inode, and the format it was read as.
Stamp = str
#: What a cached file gave: each record's result and URL line.
Entry = list[tuple[ParseResult, str | None]]


def folder_for(root: str, cache_dir: str | None = None) -> str:
    """The cache folder: ``cache_dir``, else ``$ARCHIVEKIT_CACHE_DIR``, else in ``root``."""
    return cache_dir or os.environ.get(ENV) or os.path.join(root, FOLDER)


class Cache:
    """One command's cache of unchanged files, for one set of settings.

    ``kind`` names the command (``validate``, ``fmt``); ``settings`` is
    every value that changes what checking a file gives (rule options,
    configuration): its digest names the cache file. :meth:`get` looks a
    file up, :meth:`put` records one, :meth:`save` writes the cache when
    anything changed (errors writing it are ignored: it is only a cache).
    """

    def __init__(self, folder: str, kind: str, settings: Iterable[object]) -> None:
        self.folder = folder
        self._kind, self._settings = kind, repr((__version__, kind, *settings))
        self._loaded: dict[str, str] | None = None
        self._seen: set[str] = set()
        self._dirty = False
        self._now = time.time_ns()
        self._cwd = os.path.join(os.getcwd(), "")

    def key(self, path: str) -> str:
        """The cache key of ``path``: absolute (one file has other labels in other folders).

        Not normalised: ``a/../b`` only misses the cache.
        """
        return path if path[:1] == "/" else self._cwd + path

    @functools.cached_property
    def _key(self) -> str:
        import hashlib  # here, not at start-up: a run of a few files never opens the cache

        return hashlib.sha256(self._settings.encode()).hexdigest()[:20]

    @property
    def path(self) -> str:
        """The cache file of these settings."""
        return os.path.join(self.folder, f"{self._kind}-{self._key}.jsonl")

    @property
    def _files(self) -> dict[str, str]:
        # Read at the first look-up: a run that never looks costs nothing.
        if self._loaded is None:
            self._loaded = self._load()
        return self._loaded

    def _load(self) -> dict[str, str]:
        """The entries of the cache file: a header line, then one JSON line per file.

        Read a line at a time, so that the file's bytes are never held whole
        beside the entries. A damaged line is skipped (its file is read again).
        """
        import orjson

        files: dict[str, str] = {}
        try:
            with open(self.path, "rb") as handle:
                header = orjson.loads(handle.readline())
                if (
                    not isinstance(header, dict)
                    or header.get("archivekit") != __version__
                    or header.get("key") != self._key
                ):
                    return {}  # another version's, or not ours at all: start again
                for line in handle:
                    try:
                        path, value = orjson.loads(line)
                    except (ValueError, TypeError):  # JSONDecodeError is a ValueError
                        continue
                    if isinstance(path, str) and isinstance(value, str):
                        files[path] = value
        except (OSError, ValueError):
            return {}
        return files

    def stamp(self, path: str, fmt: str) -> Stamp | None:
        """The identity of the file at ``path`` now (read as ``fmt``), or None: not cacheable."""
        try:
            info = os.stat(path)
        except OSError:
            return None
        if self._now - info.st_mtime_ns < RACY_NS:
            return None  # modified just now: it may change again within the same tick
        return f"{info.st_size} {info.st_mtime_ns} {info.st_ino} {fmt}"

    def get(self, path: str, stamp: Stamp, label: str) -> Entry | None:
        """What the file at ``path`` (absolute) gave last time, if unchanged; named ``label``."""
        self._seen.add(path)
        value = self._files.get(path)
        if not isinstance(value, str) or not value.startswith(stamp + "\n"):
            return None
        try:
            return _decode(label, value[len(stamp) + 1 :])
        except (ValueError, TypeError, KeyError, IndexError):  # JSONDecodeError is a ValueError
            return None  # a damaged entry: read the file again

    def put(self, path: str, stamp: Stamp, entry: Entry) -> None:
        """Remember what the file at ``path`` (absolute) gave (no record is kept)."""
        self._files[path] = stamp + "\n" + _encode(entry)
        self._seen.add(path)
        self._dirty = True

    def save(self) -> None:
        """Write the cache (and the folder's ``.gitignore``) if anything changed."""
        if not self._dirty:
            return
        from archivekit.errors import ArchiveKitError
        from archivekit.files.atomic import AtomicFile, make_folders, write_atomic

        # Entries of files this run did not look at are kept while the file exists
        # (a run over part of the archive keeps the rest); a deleted file's goes.
        files = self._files
        for path in [p for p in files if p not in self._seen and not os.path.lexists(p)]:
            del files[path]
        try:
            make_folders(self.folder)
            ignore = os.path.join(self.folder, ".gitignore")
            if not os.path.exists(ignore):
                write_atomic(ignore, _GITIGNORE)
            with AtomicFile(self.path, force=True, sync=False) as out:
                _write_document(out.stream, self._key, files)
        except (OSError, ArchiveKitError):
            pass  # a read-only tree, a full disk: the next run reads the files again
        self._dirty = False


def _write_document(out: BinaryIO, key: str, files: dict[str, str]) -> None:
    """The cache file, a header line then a line per file, written a few thousand lines
    at a time: never a second copy of it in memory (200,000 files make about 35 MB)."""
    import orjson

    dumps = orjson.dumps
    out.write(dumps({"archivekit": __version__, "key": key}) + b"\n")
    batch: list[bytes] = []
    for entry in files.items():
        batch.append(dumps(entry))  # orjson escapes line feeds: one entry, one line
        if len(batch) >= 4096:
            out.write(b"\n".join(batch) + b"\n")
            batch = []
    if batch:
        out.write(b"\n".join(batch) + b"\n")


def _encode(entry: Entry) -> str:
    import orjson

    if len(entry) == 1:
        result, url = entry[0]
        if not result.diagnostics and result.index is None and result.line == 1:
            # The common clean file: its URL alone (a line: it holds no line feed).
            return "N" if url is None else "U" + url
    rows: list[Any] = [
        [
            result.index,
            result.line,
            url,
            [
                [d.code, d.severity.value, d.message, d.line, d.column, d.end_column, d.field]
                for d in result.diagnostics
            ],
        ]
        for result, url in entry
    ]
    return orjson.dumps(rows).decode()


def _decode(label: str, text: str) -> Entry:
    if text[:1] == "U":
        return [(ParseResult(label, None, ()), text[1:])]
    if text == "N":
        return [(ParseResult(label, None, ()), None)]
    import orjson

    value = orjson.loads(text)
    entry: Entry = []
    for index, line, url, diagnostics in value:
        if url is not None and not isinstance(url, str):
            raise TypeError("url")
        found = tuple(
            Diagnostic(
                str(code), _SEVERITY[severity], str(message), label, line, column, end, field
            )
            for code, severity, message, line, column, end, field in diagnostics
        )
        entry.append((ParseResult(label, None, found, index, line), url))
    return entry
