"""Inputs of a conversion: files, folders, globs, standard input, .gz, and .tar/.zip members."""

from __future__ import annotations

import glob as globbing
import gzip
import io
import lzma
import os
import posixpath
import stat
import tarfile
import zipfile
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path, PurePosixPath
from typing import BinaryIO, cast

from archivekit.errors import InputError, UsageError
from archivekit.files.archives import REGULAR, BombGuard, LimitError, member_problem
from archivekit.files.read import bomb_limits, default_max_bytes, format_size
from archivekit.formats import FORMAT_BY_NAME, format_for_name

STDIN = "-"
_TARS = (".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tar.xz")
_MAGIC = frozenset("*?[")


@dataclass(frozen=True, slots=True)
class Source:
    """One input file (or archive member) and how to read it.

    ``rel`` is its path relative to the input it was found under (what an
    output folder mirrors); ``None`` when it has none (standard input).
    One of ``path`` (a file on disk, opened when read, so that a worker
    process can read it), ``data`` (bytes already read) and ``stream``
    (standard input holding many records, read as it comes) is set, or
    ``error`` says why the input cannot be read.
    """

    label: str
    rel: str | None
    format: str
    path: str | None = None
    data: bytes | None = None
    error: str | None = None
    stream: BinaryIO | None = None

    def open(self) -> BinaryIO:
        """A binary stream of the content, decompressed when the name ends in ``.gz``."""
        if self.stream is not None:
            # Standard input is not ours to close: hand out a view that leaves it open.
            return _Unclosed(self.stream)
        if self.data is not None:
            return io.BytesIO(self.data)
        assert self.path is not None
        if self.path.lower().endswith(".gz"):
            # Streamed, so only the total and the ratio are bounded (see limits.bomb_limits).
            total, ratio = bomb_limits()
            raw = open(self.path, "rb")  # noqa: SIM115 (closed with the stream returned)
            unpacked = cast(BinaryIO, gzip.GzipFile(fileobj=raw, mode="rb"))
            guard = BombGuard(unpacked, max_bytes=total, max_ratio=ratio, compressed=raw.tell)
            return cast(BinaryIO, io.BufferedReader(_Guarded(guard, unpacked, raw)))
        return open(self.path, "rb")


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


class _Unclosed(io.BufferedReader):
    """A reader over a stream that closing does not close (standard input)."""

    def __init__(self, stream: BinaryIO) -> None:
        super().__init__(cast(io.RawIOBase, stream))

    def close(self) -> None:
        """Leave the underlying stream open."""


def is_container(name: str) -> bool:
    """True for the archives whose members are read: tar (any compression) and zip."""
    lower = name.lower()
    return lower.endswith((*_TARS, ".zip"))


def check_inputs(inputs: Sequence[str]) -> None:
    """Raise :class:`InputError` for inputs that neither exist nor are globs matching a file."""
    missing = [
        p
        for p in inputs
        if p != STDIN and not os.path.lexists(p) and not (_MAGIC & set(p) and _glob(p))
    ]
    if missing:
        raise InputError("; ".join(f"{p}: no such file or directory" for p in missing))


def iter_sources(
    inputs: Sequence[str],
    *,
    force_format: str | None = None,
    pattern: str | None = None,
    stdin: BinaryIO | None = None,
) -> Iterator[Source]:
    """Every input to read, lazily, in order: explicit files, folders walked in name order,
    glob matches in name order, then archive members in archive order.

    In folders, only files with the extensions of ``force_format`` (archive
    ``.txt`` when not given; ``.gz`` looked through) or matching ``pattern``,
    when given, are taken (archives in folders only through ``pattern``);
    hidden entries and symbolic links are skipped. Files named explicitly
    and glob matches are detected by their extension.
    """
    try:
        bomb_limits()  # a bad setting is a usage error here, not a crash in a worker
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    for given in inputs:
        if given == STDIN:
            name = force_format or "archive"
            stream = stdin or io.BytesIO()
            if FORMAT_BY_NAME[name].many:
                yield Source("<stdin>", None, name, stream=stream)
            else:
                yield Source("<stdin>", None, name, data=stream.read())
        elif Path(given).is_dir():
            for path in _walk(given, force_format, pattern):
                yield from _expand(path, _relative(path, given), force_format)
        elif os.path.lexists(given):
            yield from _expand(given, Path(given).name, force_format, explicit=True)
        else:
            base = _glob_base(given)
            for path in _glob(given):
                if Path(path).is_file():
                    yield from _expand(path, os.path.relpath(path, base), force_format)


def _glob(pattern: str) -> list[str]:
    # Path.glob takes no absolute pattern; the glob module does. Sorted: a stable order.
    return sorted(globbing.glob(pattern, recursive=True))


def _glob_base(pattern: str) -> str:
    parts = Path(pattern).parts
    fixed = parts[: next(i for i, p in enumerate(parts) if _MAGIC & set(p))]
    return str(Path(*fixed)) if fixed else "."


def _relative(path: str, root: str) -> str:
    """``os.path.relpath(path, root)`` for a path the walk built as root/...

    Cutting the prefix gives the same string: the walk joins only names that
    scandir listed (never ``.`` or ``..``). relpath makes both paths absolute
    and normal first, which was a fifth of convert's time in the parent
    (cProfile, 20,000 files: 0.93 s of 5.5 s).
    """
    prefix = root.rstrip(os.sep) + os.sep
    # lstrip: a root given with doubled separators ("x//") walks to "x//name".
    rest = path[len(prefix) :].lstrip(os.sep) if path.startswith(prefix) else ""
    return rest or os.path.relpath(path, root)


#: What a folder walk takes without --from or --glob: archive files, as ``archive validate``
#: does. Not every known extension: a folder of records also holds a README.md or a
#: MANIFEST.json, and reading those as records gives bogus findings.
DEFAULT_FOLDER_FORMAT = "archive"


def _wanted(name: str, force_format: str | None, pattern: str | None) -> bool:
    """Is a file found in a folder walk read? ``--glob``, else the format's extensions (.gz too)."""
    if pattern is not None:
        return fnmatchcase(name, pattern)
    extensions = FORMAT_BY_NAME[force_format or DEFAULT_FOLDER_FORMAT].extensions
    return name.lower().removesuffix(".gz").endswith(extensions)


def _walk(directory: str, force_format: str | None, pattern: str | None) -> Iterator[str]:
    try:
        with os.scandir(directory) as scan:
            entries = sorted(scan, key=lambda e: e.name)
    except OSError:
        yield directory  # reading it reports the problem, and the rest goes on
        return
    for entry in entries:
        if entry.name.startswith(".") or entry.is_symlink():
            continue
        if entry.is_dir(follow_symlinks=False):
            yield from _walk(entry.path, force_format, pattern)
        elif _wanted(entry.name, force_format, pattern):
            yield entry.path


def wanted_in(
    path: str, inputs: Sequence[str], force_format: str | None, pattern: str | None
) -> bool:
    """Would a run over ``inputs`` read the file at ``path``? (to refuse writing over an input)."""
    real = os.path.realpath(path)
    for given in inputs:
        if given == STDIN:
            continue
        root = os.path.realpath(given)
        if real == root:
            return True
        if Path(given).is_dir() and real.startswith(root + os.sep):
            inside = Path(os.path.relpath(real, root)).parts
            if not any(p.startswith(".") for p in inside) and _wanted(
                inside[-1], force_format, pattern
            ):
                return True
        elif _MAGIC & set(given) and fnmatchcase(real, os.path.realpath(given)):
            return True
    return False


def input_folder_holding(
    folder: str,
    inputs: Sequence[str],
    force_format: str | None,
    pattern: str | None,
    extension: str,
) -> str | None:
    """The input folder that holds (or is) ``folder``, if a walk of it would read files
    with ``extension`` written there: so that an output folder is not read back next run.

    Any ``pattern`` counts as picking them (output names are not known in advance).
    """
    real = os.path.realpath(folder)
    for given in inputs:
        if given == STDIN or not Path(given).is_dir():
            continue
        root = os.path.realpath(given)
        if real != root and not real.startswith(root.rstrip(os.sep) + os.sep):
            continue
        hidden = any(p.startswith(".") for p in Path(os.path.relpath(real, root)).parts)
        if not hidden and (pattern is not None or _wanted(f"x{extension}", force_format, None)):
            return given
    return None


def _expand(
    path: str, rel: str, force_format: str | None, explicit: bool = False
) -> Iterator[Source]:
    """The file itself, or the members of an archive file."""
    rel = rel.replace(os.sep, "/")
    name = Path(path).name
    if is_container(name):
        yield from (_zip if name.lower().endswith(".zip") else _tar)(path, force_format)
        return
    found = force_format or _format_of(name)
    if found is None:
        if explicit:
            raise UsageError(f"{path}: the extension names no format: give --from FORMAT")
        return
    yield Source(
        path, rel.removesuffix(".gz") if rel.lower().endswith(".gz") else rel, found, path=path
    )


def _format_of(name: str) -> str | None:
    found = format_for_name(name)
    return found.name if found else None


def _member(
    archive: str,
    name: str,
    force_format: str | None,
    kind: str = REGULAR,
    seen: set[str] | None = None,
) -> tuple[str, str] | str | None:
    """(relative name, format) of a member, a reason to refuse it, or None to skip it.

    ``kind`` is ``"file"`` for a regular member, else what it is (a link, a
    device...); ``seen`` collects the names read so far, to refuse duplicates.
    Only members a run would read (a known extension, or ``--from``) are refused.
    """
    clean = str(PurePosixPath(posixpath.normpath(name)))
    if name.startswith("/") or clean == ".." or clean.startswith("../"):
        # Not a warning: the member may hold a record, and a batch never drops one silently.
        return f"unsafe member name {name!r} (absolute or outside the archive): not read"
    found = force_format or _format_of(clean)
    if not found:
        return None
    problem = member_problem(name, kind, seen)
    if problem is not None:
        return f"member {name!r} is {problem}: not read"
    return clean, found


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


# What damaged or unusual archives raise: zipfile raises NotImplementedError for an unknown
# compression method and RuntimeError for an encrypted member; lzma its own error (.tar.xz).
_ARCHIVE_ERRORS = (
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

    def __init__(self, packed: Callable[[], float]) -> None:
        self.total, self.ratio = bomb_limits()
        self.left = self.total
        self.member = default_max_bytes()
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


def _tar(path: str, force_format: str | None) -> Iterator[Source]:
    try:
        raw = open(path, "rb")  # noqa: SIM115 (closed by the with below)
    except OSError as exc:
        yield Source(path, None, "archive", error=f"cannot read the archive: {exc}")
        return
    with raw:
        yield from _tar_members(path, raw, force_format)


def _tar_members(path: str, raw: BinaryIO, force_format: str | None) -> Iterator[Source]:
    try:
        archive = tarfile.open(fileobj=raw, mode="r:*")  # noqa: SIM115 (closed below)
    except _ARCHIVE_ERRORS as exc:
        reason = "; ".join(str(exc).splitlines())
        yield Source(path, None, "archive", error=f"cannot read the archive: {reason}")
        return
    # The raw position counts the compressed bytes read (for a plain tar, about the output).
    budget = _Budget(raw.tell)
    seen: set[str] = set()
    with archive:
        members = iter(archive)
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
                found = _member(path, member.name, force_format, _tar_kind(member), seen)
                if isinstance(found, str):
                    yield Source(label, None, "archive", error=found)
                    continue
                if found is None:
                    continue
                handle = archive.extractfile(member)
                data = budget.read(cast(BinaryIO, handle), found[0]) if handle else b""
            except LimitError as exc:
                # A tar is read in order: past a bomb the rest cannot be trusted to be cheap.
                yield Source(
                    label, None, "archive", error=f"{exc}; the rest of the archive is not read"
                )
                return
            except _ARCHIVE_ERRORS as exc:
                # A damaged archive: report it once and stop reading it.
                yield Source(path, None, "archive", error=f"damaged archive: {exc}")
                return
            yield Source(label, found[0].removesuffix(".gz"), found[1], data=data)


def _zip(path: str, force_format: str | None) -> Iterator[Source]:
    try:
        archive = zipfile.ZipFile(path)
    except _ARCHIVE_ERRORS as exc:
        yield Source(path, None, "archive", error=f"cannot read the archive: {exc}")
        return
    budget = _Budget(lambda: 0)
    seen: set[str] = set()
    with archive:
        for info in archive.infolist():
            if info.is_dir():
                continue
            # Unix zip tools keep a symbolic link as a member holding its target, marked so.
            link = stat.S_ISLNK(info.external_attr >> 16)
            found = _member(
                path, info.filename, force_format, "symbolic link" if link else REGULAR, seen
            )
            label = f"{path}/{info.filename}"
            if isinstance(found, str):
                yield Source(label, None, "archive", error=found)
            elif found is not None:
                try:
                    with archive.open(info) as member:
                        data = budget.read(cast(BinaryIO, member), found[0], info.compress_size)
                except LimitError as exc:
                    yield Source(label, None, "archive", error=str(exc))
                    if budget.left <= 0 or "in all" in str(exc):
                        return
                    continue
                except _ARCHIVE_ERRORS as exc:
                    yield Source(label, None, "archive", error=f"damaged member: {exc}")
                    continue
                yield Source(label, found[0].removesuffix(".gz"), found[1], data=data)
