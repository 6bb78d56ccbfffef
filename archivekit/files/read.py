"""The bounded reader: every byte archivekit reads comes through here, never more than a limit.

Files are opened without blocking and refused unless regular (a FIFO would
hang the run for ever, ``/dev/zero`` would fill memory); at most ``limit + 1``
bytes are read, so that a file over the limit costs no more memory than that.
Objects behind URLs (``s3://`` ...) are read the same way through fsspec:
at most ``limit + 1`` bytes each, many at once.
"""

from __future__ import annotations

import contextlib
import errno
import io
import os
import re
import shutil
import stat
import tempfile
from collections.abc import Iterator, Sequence
from typing import BinaryIO, cast

from archivekit.files.remote import StorageOptions, filesystem, is_url

#: Largest record file read by default: 64 MiB, hundreds of times the largest
#: real article, small enough that a worker holds it (bytes and text) easily.
DEFAULT_MAX_BYTES = 64 * 2**20

#: Most bytes one ``.gz`` file, or all the members of one ``.tar``/``.zip``
#: together, may decompress to (environment variable ``ARCHIVEKIT_MAX_TOTAL``).
#: Members are held in memory one at a time, each under the file-size limit;
#: this bounds the time and the disk a hostile archive can cost.
DEFAULT_MAX_TOTAL = 2**30
#: Largest decompressed-to-compressed ratio past the first MiB (environment
#: variable ``ARCHIVEKIT_MAX_RATIO``). Text compresses 3 to 10 times; a run of
#: zeros, the stuff of decompression bombs, about a thousand times.
DEFAULT_MAX_RATIO = 100.0

_SIZE = re.compile(r"\s*([0-9]+)\s*([kmgt]?)(i?b)?\s*", re.IGNORECASE)
_UNITS = {"": 1, "k": 2**10, "m": 2**20, "g": 2**30, "t": 2**40}

#: Below glibc's mmap threshold (128 KiB), so that each read buffer is cheap.
_READ_SIZE = 64 * 1024
# O_NONBLOCK: opening a FIFO returns at once instead of waiting for a writer.
_READ_FLAGS = os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC | getattr(os, "O_BINARY", 0)


def parse_size(text: str) -> int:
    """Read a size: ``1000``, ``64K``, ``64M``, ``1G`` (binary units; ``MiB``, ``MB`` alike).

    Raises ValueError for anything else, or for a size below 1.
    """
    match = _SIZE.fullmatch(text)
    if match is None:
        raise ValueError(f"{text!r} is not a size: write bytes, or a number with K, M or G")
    size = int(match.group(1)) * _UNITS[match.group(2).lower()]
    if size < 1:
        raise ValueError(f"{text!r}: the size must be at least 1 byte")
    return size


def format_size(size: int) -> str:
    """``512 bytes``, ``64 MiB``, ``100.0 MiB``: a size for a message."""
    for unit, scale in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if size >= scale:
            value = size / scale
            return f"{value:.0f} {unit}" if size % scale == 0 else f"{value:.1f} {unit}"
    return f"{size} byte{'' if size == 1 else 's'}"


#: How to raise the size limit, as it must be typed: --max-bytes is an option of
#: ``archive`` itself, given before the command (``archive validate --max-bytes`` is
#: "No such option").
RAISE_LIMIT = "raise it with archive --max-bytes SIZE COMMAND ... (or ARCHIVEKIT_MAX_BYTES=SIZE)"


def _exact(size: int) -> str:
    """``97.7 KiB (100,000 bytes)``; ``1000 bytes`` when the unit is already bytes."""
    rounded = format_size(size)
    return rounded if rounded.endswith(("byte", "bytes")) else f"{rounded} ({size:,} bytes)"


def too_large_message(size: int | None, limit: int, *, what: str = "file") -> str:
    """The ``file-too-large`` message; ``size`` is None when only "over" is known."""
    over = f"the {what} is {_exact(size)}, over" if size is not None else f"the {what} is over"
    return f"{over} the limit of {_exact(limit)}: split it, or {RAISE_LIMIT}"


def bomb_limits() -> tuple[int, float]:
    """(total, ratio) limits on decompression, from the environment or the defaults.

    Raises ValueError for a value that is not a size (total) or a number of at
    least 1 (ratio).
    """
    total = os.environ.get("ARCHIVEKIT_MAX_TOTAL", "").strip()
    ratio_text = os.environ.get("ARCHIVEKIT_MAX_RATIO", "").strip()
    try:
        ratio = float(ratio_text) if ratio_text else DEFAULT_MAX_RATIO
    except ValueError:
        ratio = 0.0
    if not ratio >= 1:  # NaN too
        raise ValueError(f"ARCHIVEKIT_MAX_RATIO={ratio_text!r}: give a number of at least 1")
    try:
        size = parse_size(total) if total else DEFAULT_MAX_TOTAL
    except ValueError as exc:
        raise ValueError(f"ARCHIVEKIT_MAX_TOTAL: {exc}") from None
    return size, ratio


def open_regular(path: str) -> int:
    """A file descriptor of the regular file ``path``, opened without blocking.

    Raises OSError for anything else: IsADirectoryError for a folder, and
    ``EINVAL`` "not a regular file" for a FIFO, socket or device.
    """
    return _open_regular(path)[0]


def _open_regular(path: str) -> tuple[int, int]:
    """:func:`open_regular`, and the file's size (one fstat for both)."""
    fd = os.open(path, _READ_FLAGS)
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), path)
        if not stat.S_ISREG(info.st_mode):
            raise OSError(errno.EINVAL, "not a regular file (a FIFO, socket or device)", path)
    except BaseException:
        os.close(fd)
        raise
    return fd, info.st_size


def open_file(path: str, storage: StorageOptions | None = None) -> BinaryIO:
    """A buffered binary stream of the regular file ``path`` (see :func:`open_regular`).

    A URL is opened through fsspec with ``storage`` options: a seekable stream
    that fetches blocks as they are read.
    """
    if is_url(path):
        return _open_url(path, storage)
    fd = open_regular(path)
    # Reads block as usual from here on: a regular file never waits anyway.
    os.set_blocking(fd, True)
    return os.fdopen(fd, "rb")


def _open_url(url: str, storage: StorageOptions | None) -> BinaryIO:
    fs, inner = filesystem(url, storage)
    try:
        if fs.isdir(inner):
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), url)
        # Buffered over fsspec's file: the readers call readline(size), which it lacks.
        raw = cast(io.RawIOBase, fs.open(inner, "rb"))
        return cast(BinaryIO, io.BufferedReader(raw, _READ_SIZE))
    except OSError:
        raise
    except _remote_errors() as exc:
        raise _as_oserror(exc, url) from None


def read_url(
    url: str, limit: int, *, size: int | None = None, storage: StorageOptions | None = None
) -> tuple[bytes, int | None]:
    """:func:`read_file` for a URL: at most ``limit + 1`` bytes of the object, and its size.

    ``size`` (from a listing) saves asking the store for it; an object over
    the limit is not fetched. Raises OSError for an object that cannot be read.
    """
    return read_urls([(url, size)], limit, storage=storage)[0].unwrap()


class Fetched:
    """One object of :func:`read_urls`: its bytes (at most ``limit + 1``) and size, or an error."""

    __slots__ = ("data", "error", "size")

    def __init__(self, data: bytes, size: int | None, error: OSError | None = None) -> None:
        self.data, self.size, self.error = data, size, error

    def unwrap(self) -> tuple[bytes, int | None]:
        """``(data, size)``; raises the error when there is one."""
        if self.error is not None:
            raise self.error
        return self.data, self.size


def read_urls(
    urls: Sequence[tuple[str, int | None]], limit: int, *, storage: StorageOptions | None = None
) -> list[Fetched]:
    """The objects ``(url, size or None)`` read at once, at most ``limit + 1`` bytes each.

    An object store is asked for them all together (fsspec's concurrent
    ranged reads: one request per object, many in flight), so the latency of
    a request is paid once per batch, not once per object. An object whose
    size is unknown is asked for its size first, so that one over the limit
    is never fetched. Errors come back per object (a missing key, a folder).
    """
    results: list[Fetched | None] = [None] * len(urls)
    by_fs: dict[int, tuple[object, list[tuple[int, str]]]] = {}
    failures: tuple[type[BaseException], ...] = (OSError, *_remote_errors())
    for number, (url, size) in enumerate(urls):
        fs, inner = filesystem(url, storage)
        try:
            if size is None:
                info = fs.info(inner)
                if info.get("type") == "directory":
                    raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), url)
                size = info.get("size")
        except failures as exc:
            results[number] = Fetched(b"", None, _as_oserror(exc, url))
            continue
        if size is not None and size > limit:
            results[number] = Fetched(b"", size)  # over the limit: not fetched at all
            continue
        results[number] = Fetched(b"", size)
        by_fs.setdefault(id(fs), (fs, []))[1].append((number, inner))
    for fs, wanted in by_fs.values():
        got = _cat_ranges(fs, [inner for _, inner in wanted], limit)
        for (number, _), data in zip(wanted, got, strict=True):
            done = results[number]
            assert done is not None
            if isinstance(data, BaseException):
                done.error = _as_oserror(data, urls[number][0])
            else:
                done.data = data
    return [done for done in results if done is not None]


def _cat_ranges(fs: object, paths: list[str], limit: int) -> list[bytes | BaseException]:
    from fsspec import AbstractFileSystem

    assert isinstance(fs, AbstractFileSystem)
    count = len(paths)
    if getattr(fs, "async_impl", False):
        # One event loop, every request in flight at once (fsspec batches them).
        return cast(
            list[bytes | BaseException],
            fs.cat_ranges(paths, [0] * count, [limit + 1] * count, on_error="return"),
        )
    got: list[bytes | BaseException] = []
    for path in paths:
        try:
            got.append(fs.cat_file(path, start=0, end=limit + 1))
        except Exception as exc:  # per object, as the async stores report them
            got.append(exc)
    return got


def _as_oserror(exc: BaseException, url: str) -> OSError:
    if isinstance(exc, OSError):
        if exc.filename is None and exc.errno is not None:
            return type(exc)(exc.errno, exc.strerror or str(exc), url)
        return exc
    return OSError(errno.EIO, str(exc) or type(exc).__name__, url)


def _remote_errors() -> tuple[type[BaseException], ...]:
    from archivekit.files.remote import errors

    return errors()


def read_file(path: str, limit: int) -> tuple[bytes, int]:
    """At most ``limit + 1`` bytes of the regular file ``path``, and its size.

    A file whose size is over the limit is not read at all: ``(b"", size)``
    (see :func:`over_limit`). Plain ``os`` calls, not ``open()``: a buffered
    file object costs an fstat, an isatty ioctl and two allocations per file,
    half the time of reading a 10 KB record. Raises OSError as
    :func:`open_regular` does.
    """
    fd, size = _open_regular(path)
    try:
        if size > limit:
            return b"", size
        # The whole file in one read (its size and one byte, to see the end): one
        # allocation. A file that reports no size (procfs) is read in chunks.
        chunks = [os.read(fd, min(size + 1 if size else _READ_SIZE, limit + 1))]
        got = len(chunks[0])
        while chunks[-1] and got <= limit:  # a short read is not proof of the end
            chunks.append(os.read(fd, min(_READ_SIZE, limit + 1 - got)))
            got += len(chunks[-1])
    finally:
        os.close(fd)
    # One read and the empty one that proved the end: no copy needed.
    whole = len(chunks) == 1 or (len(chunks) == 2 and not chunks[1])
    return (chunks[0] if whole else b"".join(chunks)), size


def over_limit(data: bytes, size: int | None, limit: int) -> bool:
    """Is a document read by :func:`read_file` or :func:`read_stream` over ``limit``?"""
    return len(data) > limit or (size is not None and size > limit)


def read_stream(stream: BinaryIO, limit: int) -> bytes:
    """At most ``limit + 1`` bytes of ``stream`` (standard input, a member, a .gz file)."""
    # A BytesIO grows in place and hands its buffer over without a copy: a
    # stream near the limit costs its size in memory once, not twice.
    buffer = io.BytesIO()
    got = 0
    while got <= limit:
        chunk = stream.read(min(_READ_SIZE * 16, limit + 1 - got))
        if not chunk:
            break
        buffer.write(chunk)
        got += len(chunk)
    return buffer.getvalue()


@contextlib.contextmanager
def as_file(stream: BinaryIO, path: str) -> Iterator[str]:
    """A file name with the content of ``stream``, for readers that need one (Parquet, SQLite).

    ``path`` itself when the stream is that very regular file (checked by its
    device and inode), else a temporary copy of the stream (standard input,
    an archive member, a ``.gz``), removed on exit.
    """
    try:
        same = os.path.samestat(os.stat(path), os.fstat(stream.fileno()))
    except (OSError, ValueError, io.UnsupportedOperation, AttributeError):
        same = False
    if same:
        yield path
        return
    with tempfile.NamedTemporaryFile(prefix=".archive-read-") as copy:
        shutil.copyfileobj(stream, copy, 1 << 20)
        copy.flush()
        yield copy.name
