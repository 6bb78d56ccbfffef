"""Archives and compressed files: safe members, decompression-bomb limits, gzip streams."""

from __future__ import annotations

import functools
import io
import posixpath
import re
import stat
import zlib
from collections.abc import Callable, Iterator
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, BinaryIO, NamedTuple, cast

from archivekit.errors import LimitError
from archivekit.files.read import bomb_limits, format_size, open_file

if TYPE_CHECKING:
    from archivekit.files.remote import StorageOptions

if TYPE_CHECKING:
    # Imported where an archive is read: a run over plain files never pays for them.
    import tarfile

#: Kinds of archive members that hold a file; links, devices and FIFOs do not.
REGULAR = "file"
#: The archives whose members are read: tar (any compression) and zip.
CONTAINERS = (".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tar.xz", ".zip")


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


class _Guarded(io.RawIOBase):
    """A raw stream over a :class:`BombGuard`, so that readers get a full binary file."""

    def __init__(self, guard: BombGuard, *closing: BinaryIO) -> None:
        super().__init__()
        self._guard = guard
        self._closing = closing

    def readable(self) -> bool:
        """Always: a read-only stream."""
        return True

    def readinto(self, buffer: object) -> int:
        """Fill ``buffer`` from the guard (raises LimitError past a limit)."""
        view = memoryview(cast(bytearray, buffer)).cast("B")
        data = self._guard.read(len(view))
        view[: len(data)] = data
        return len(data)

    def close(self) -> None:
        """Close the decompressor and the file under it."""
        if not self.closed:
            for stream in self._closing:
                stream.close()
        super().close()


def is_container(name: str) -> bool:
    """True for the archives whose members are read: tar (any compression) and zip."""
    return name.lower().endswith(CONTAINERS)


class Member(NamedTuple):
    """One member of an archive: its bytes (gunzipped if its name ends in ``.gz``), or why not.

    ``label`` names it in findings (``archive.tar/a/b.txt``); ``name`` is its
    normalised relative path inside the archive (``.gz`` kept).
    """

    label: str
    name: str
    data: bytes | None = None
    error: str | None = None
    #: The rule of the finding ``error`` gives.
    code: str = "read-error"


def open_gzip(
    path: str, storage: StorageOptions | None = None, *, data: bytes | None = None
) -> BinaryIO:
    """A stream of the gunzipped content of the regular file ``path``, bounded like a member.

    Streamed, so only the total and the ratio are bounded (see :func:`bomb_limits`):
    the readers bound what they hold of it. A URL is read with ``storage``
    options; ``data``, when given, is the file's bytes (``path`` only names it).
    """
    import gzip

    total, ratio = bomb_limits()
    raw = cast(BinaryIO, io.BytesIO(data)) if data is not None else open_file(path, storage)
    unpacked = cast(BinaryIO, gzip.GzipFile(fileobj=raw, mode="rb"))
    guard = BombGuard(unpacked, max_bytes=total, max_ratio=ratio, compressed=raw.tell)
    return cast(BinaryIO, io.BufferedReader(_Guarded(guard, unpacked, raw)))


def iter_members(
    path: str,
    *,
    pick: Callable[[str], bool],
    max_bytes: int,
    storage: StorageOptions | None = None,
    data: bytes | None = None,
) -> Iterator[Member]:
    """The members of the tar or zip file ``path`` that ``pick`` (given a name) wants, in order.

    Unsafe members that would be read (links, devices, absolute or climbing
    names, duplicates) come back with an ``error``, and so do members over the
    size limits; a damaged archive gives one member named after the archive,
    with the error. Nothing is extracted to disk; each member is held in
    memory, under ``max_bytes``. A URL is read with ``storage`` options;
    ``data``, when given, is the archive's bytes (``path`` only names it).
    """
    try:
        raw = cast(BinaryIO, io.BytesIO(data)) if data is not None else open_file(path, storage)
    except OSError as exc:
        yield Member(path, "", error=f"cannot read the archive: {exc.strerror or exc}")
        return
    with raw:
        reader = _zip if path.lower().endswith(".zip") else _tar
        yield from reader(path, raw, pick, max_bytes)


def _sort_member(
    name: str, kind: str, pick: Callable[[str], bool], seen: set[str]
) -> tuple[str | None, str | None]:
    """(normal name to read, None), (None, why it is refused), or (None, None) to skip it.

    Only members a run would read (``pick``) are refused.
    """
    clean = str(PurePosixPath(posixpath.normpath(name)))
    if name.startswith("/") or clean == ".." or clean.startswith("../"):
        # Not a warning: the member may hold a record, and a batch never drops one silently.
        return None, f"unsafe member name {name!r} (absolute or outside the archive): not read"
    if not pick(clean):
        if is_container(clean):
            return None, NESTED
        return None, None
    problem = member_problem(name, kind, seen)
    if problem is not None:
        return None, f"member {name!r} is {problem}: not read"
    return clean, None


#: What :func:`_sort_member` says of an archive inside the archive.
NESTED = "nested"


def _nested(label: str, name: str) -> Member:
    return Member(
        label,
        name,
        error=f"member {name!r} is an archive inside the archive: not read (archives are "
        "read one level deep; unpack it and pass it on its own)",
        code="archive-nested",
    )


def _tar(path: str, raw: BinaryIO, pick: Callable[[str], bool], max_bytes: int) -> Iterator[Member]:
    import tarfile

    try:
        archive = tarfile.open(fileobj=raw, mode="r:*")  # noqa: SIM115 (closed below)
    except _archive_errors() as exc:
        reason = "; ".join(str(exc).splitlines())
        yield Member(path, "", error=f"cannot read the archive: {reason}")
        return
    # The raw position counts the compressed bytes read (for a plain tar, about the output).
    budget = _Budget(raw.tell, max_bytes)
    seen: set[str] = set()
    with archive:
        yield from _tar_members(path, archive, budget, pick, seen)


def _tar_members(
    path: str,
    archive: tarfile.TarFile,
    budget: _Budget,
    pick: Callable[[str], bool],
    seen: set[str],
) -> Iterator[Member]:
    members = iter(archive)
    label = path
    while True:
        try:
            member = next(members, None)
            if member is None:
                return
            # tarfile keeps every header it has read; drop them so memory stays flat.
            archive.members = []  # type: ignore[attr-defined]
            if member.isdir():
                continue
            label = f"{path}/{member.name}"
            name, error = _sort_member(member.name, _tar_kind(member), pick, seen)
            if error is NESTED:
                yield _nested(label, member.name)
                continue
            if error is not None:
                yield Member(label, member.name, error=error)
                continue
            if name is None:
                continue
            label = f"{path}/{name}"  # the normal name: no "./" or "//"
            handle = archive.extractfile(member)
            data = budget.read(cast(BinaryIO, handle), name) if handle else b""
        except LimitError as exc:
            # A tar is read in order: past a bomb the rest cannot be trusted to be cheap.
            yield Member(label, "", error=f"{exc}; the rest of the archive is not read")
            return
        except _archive_errors() as exc:
            # A damaged archive: report it once and stop reading it.
            yield Member(path, "", error=f"damaged archive: {exc}")
            return
        yield Member(label, name, data)


def _zip(path: str, raw: BinaryIO, pick: Callable[[str], bool], max_bytes: int) -> Iterator[Member]:
    import zipfile

    try:
        archive = zipfile.ZipFile(raw)
    except _archive_errors() as exc:
        yield Member(path, "", error=f"cannot read the archive: {exc}")
        return
    budget = _Budget(lambda: 0, max_bytes)
    seen: set[str] = set()
    with archive:
        for info in archive.infolist():
            if info.is_dir():
                continue
            # Unix zip tools keep a symbolic link as a member holding its target, marked so.
            link = stat.S_ISLNK(info.external_attr >> 16)
            kind = "symbolic link" if link else REGULAR
            label = f"{path}/{info.filename}"
            name, error = _sort_member(info.filename, kind, pick, seen)
            if error is NESTED:
                yield _nested(label, info.filename)
                continue
            if error is not None:
                yield Member(label, info.filename, error=error)
                continue
            if name is None:
                continue
            label = f"{path}/{name}"  # the normal name: no "./" or "//"
            try:
                with archive.open(info) as member:
                    data = budget.read(cast(BinaryIO, member), name, info.compress_size)
            except LimitError as exc:
                yield Member(label, name, error=str(exc))
                if budget.left <= 0 or "in all" in str(exc):
                    return
                continue
            except _archive_errors() as exc:
                yield Member(label, name, error=f"damaged member: {exc}")
                continue
            yield Member(label, name, data)


def _tar_kind(member: tarfile.TarInfo) -> str:
    if member.isfile():
        return REGULAR
    if member.issym():
        return "symbolic link"
    if member.islnk():
        return "hard link"
    if member.ischr() or member.isblk():
        return "device"
    return "FIFO" if member.isfifo() else "special member"


@functools.cache
def _archive_errors() -> tuple[type[BaseException], ...]:
    """What damaged or unusual archives raise.

    zipfile raises NotImplementedError for an unknown compression method and
    RuntimeError for an encrypted member; lzma its own error (.tar.xz).
    """
    import lzma
    import tarfile
    import zipfile

    return (
        OSError,
        EOFError,
        tarfile.TarError,
        zipfile.BadZipFile,
        zlib.error,
        lzma.LZMAError,
        NotImplementedError,
        RuntimeError,
        ValueError,
    )


class _Budget:
    """What the members of one archive may still decompress to (total and ratio limits).

    ``packed`` gives the compressed bytes read so far, or the archive's size.
    """

    def __init__(self, packed: Callable[[], float], member: int) -> None:
        self.total, self.ratio = bomb_limits()
        self.left = self.total
        self.member = member
        self._packed = packed
        self._done = 0

    def read(self, stream: BinaryIO, name: str, packed: int | None = None) -> bytes:
        """A member's bytes, gunzipped when its name ends in ``.gz``; LimitError past a limit.

        Each member is held in memory, so it must stay under the file-size limit.
        ``packed`` is the member's own compressed size, when known (zip).
        """
        limit = min(self.member, self.left)
        if packed is not None:
            count: Callable[[], float] = lambda: packed  # noqa: E731
        else:
            # The guard compares one member's output with the compressed bytes read so far:
            # take off what earlier members were allowed, so the ratio holds for them all.
            done, whole = self._done / self.ratio, self._packed
            count = lambda: whole() - done  # noqa: E731
        guard = BombGuard(stream, max_bytes=limit, max_ratio=self.ratio, compressed=count)
        if name.lower().endswith(".gz"):
            import gzip

            outer = guard
            guard = BombGuard(
                cast(BinaryIO, gzip.GzipFile(fileobj=cast(BinaryIO, outer))),
                max_bytes=limit,
                max_ratio=self.ratio,
                compressed=lambda: outer.total,
            )
        try:
            data = guard.read()
        except LimitError as exc:
            raise LimitError(self._why(exc, limit)) from None
        self.left -= len(data)
        self._done += len(data)
        return data

    def _why(self, exc: LimitError, limit: int) -> str:
        if "times" in str(exc):
            return f"{exc}: not read (limit ARCHIVEKIT_MAX_RATIO={self.ratio:g})"
        if limit == self.member:
            return (
                f"a member decompresses to over the {format_size(limit)} file-size limit: "
                "not read (raise it with --max-bytes)"
            )
        return (
            f"the members decompress to over {format_size(self.total)} in all: the rest "
            "is not read (limit ARCHIVEKIT_MAX_TOTAL)"
        )
