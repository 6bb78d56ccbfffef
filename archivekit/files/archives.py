"""Guards for archives and outputs: member names, bombs, output names, atomic writes."""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO
from urllib.parse import urlsplit

from archivekit.errors import ArchiveKitError

#: Kinds of archive members that hold a file; links, devices and FIFOs do not.
REGULAR = "file"
#: Longest output name (the file-system limit is 255 bytes; leave room).
MAX_NAME = 100
_RESERVED = frozenset(
    ["CON", "PRN", "AUX", "NUL"]
    + [f"COM{i}" for i in range(1, 10)]
    + [f"LPT{i}" for i in range(1, 10)]
)
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


class LimitError(ArchiveKitError, OSError):
    """Decompressed data went over a size or ratio limit (a decompression bomb).

    An OSError too: readers report it as they do any input that cannot be read
    (``read-error``), and go on with the next input.
    """


def member_problem(name: str, kind: str = REGULAR, seen: set[str] | None = None) -> str | None:
    """Why an archive member must be skipped, or None when it is safe to read.

    ``kind`` is ``"file"`` for a regular member (anything else: a link, device,
    FIFO or folder); ``seen`` collects the names read so far, to refuse duplicates.
    """
    if kind != REGULAR:
        return f"a {kind}, not a regular file"
    if not name or "\x00" in name:
        return "an empty name or a NUL in the name"
    if "\\" in name:
        return "a backslash in the name (a Windows path)"
    if name.startswith("/") or re.match(r"[A-Za-z]:", name):
        return "an absolute path"
    parts = name.split("/")
    if ".." in parts:
        return "a '..' part, which would climb out of the folder"
    normal = "/".join(p for p in parts if p not in ("", "."))
    if seen is not None:
        if normal in seen:
            return "a duplicate of a member already read"
        seen.add(normal)
    return None


def safe_name(url: str, suffix: str = "", *, fallback: str = "record") -> str:
    """A file name derived from ``url`` that can never leave its folder.

    Keeps ASCII letters, digits, ``.``, ``_`` and ``-`` (others become ``-``),
    no leading dot, at most MAX_NAME characters with ``suffix``, and never a
    Windows reserved device name.
    """
    try:
        path = urlsplit(url).path
    except ValueError:
        path = url
    last = path.rstrip("/").rsplit("/", 1)[-1]
    stem = last.rsplit(".", 1)[0] if "." in last.lstrip(".") else last
    stem = _UNSAFE.sub("-", stem).strip(".-") or fallback
    stem = stem[: max(1, MAX_NAME - len(suffix))].rstrip(".-") or fallback
    if stem.split(".")[0].upper() in _RESERVED:
        stem = f"_{stem}"[: max(1, MAX_NAME - len(suffix))]
    return stem + suffix


class BombGuard:
    """A binary stream wrapper that stops a decompression bomb.

    Reading more than ``max_bytes`` out, or more than ``max_ratio`` times the
    compressed bytes read (``compressed()`` reports them) once past ``slack``
    bytes, raises :class:`LimitError`.
    """

    def __init__(
        self,
        stream: BinaryIO,
        *,
        max_bytes: int,
        max_ratio: float = 100.0,
        compressed: object = None,
        slack: int = 2**20,
    ) -> None:
        self._stream = stream
        self._max_bytes = max_bytes
        self._max_ratio = max_ratio
        self._compressed = compressed
        self._slack = slack
        self.total = 0

    def read(self, size: int = -1) -> bytes:
        """Read like ``stream.read``, but never past the limits."""
        room = self._max_bytes - self.total + 1
        data = self._stream.read(room if size < 0 else min(size, room))
        self.total += len(data)
        if self.total > self._max_bytes:
            raise LimitError(f"decompressed data is over the {self._max_bytes}-byte limit")
        if callable(self._compressed) and self.total > self._slack:
            packed = max(int(self._compressed()), 1)
            if self.total > self._max_ratio * packed:
                raise LimitError(
                    f"decompressed data is over {self._max_ratio:.0f} times its "
                    "compressed size (a decompression bomb?)"
                )
        return data


@contextlib.contextmanager
def atomic_write(path: str, *, mode: int = 0o644, overwrite: bool = False) -> Iterator[BinaryIO]:
    """Write ``path`` whole or not at all.

    Writes to a temporary file beside ``path`` (created exclusively), flushes
    it to disk, then links it to ``path``: that fails with FileExistsError when
    ``path`` exists (another writer won) unless ``overwrite``. On any exception,
    KeyboardInterrupt and SystemExit included, the temporary is removed and
    ``path`` is left as it was.
    """
    target = Path(path).absolute()
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    temporary = Path(name)
    try:
        with os.fdopen(fd, "wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        temporary.chmod(mode)
        if overwrite:
            temporary.replace(target)
        else:
            target.hardlink_to(temporary)  # atomic, and refuses an existing name
    finally:
        temporary.unlink(missing_ok=True)
