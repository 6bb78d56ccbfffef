"""Inputs of a conversion: files, folders, globs, standard input, .gz, and .tar/.zip members."""

from __future__ import annotations

import glob as globbing
import gzip
import io
import os
import posixpath
import tarfile
import zipfile
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path, PurePosixPath
from typing import BinaryIO, cast

from archivekit.formats.errors import InputError, UsageError
from archivekit.formats.registry import FORMAT_BY_NAME, format_for_name

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
            return cast(BinaryIO, gzip.open(self.path, "rb"))
        return open(self.path, "rb")


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
    missing = [p for p in inputs if p != STDIN and not os.path.lexists(p)
               and not (_MAGIC & set(p) and _glob(p))]  # fmt: skip
    if missing:
        raise InputError("; ".join(f"{p}: no such file or directory" for p in missing))


def iter_sources(inputs: Sequence[str], *, force_format: str | None = None,
                 pattern: str | None = None, stdin: BinaryIO | None = None
                 ) -> Iterator[Source]:  # fmt: skip
    """Every input to read, lazily, in order: explicit files, folders walked in name order,
    glob matches in name order, then archive members in archive order.

    In folders, only files with the extensions of ``force_format`` (archive
    ``.txt`` when not given; ``.gz`` looked through) or matching ``pattern``,
    when given, are taken (archives in folders only through ``pattern``);
    hidden entries and symbolic links are skipped. Files named explicitly
    and glob matches are detected by their extension.
    """
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
    rest = path[len(prefix):].lstrip(os.sep) if path.startswith(prefix) else ""
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


def wanted_in(path: str, inputs: Sequence[str], force_format: str | None,
              pattern: str | None) -> bool:  # fmt: skip
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
                    inside[-1], force_format, pattern):  # fmt: skip
                return True
        elif _MAGIC & set(given) and fnmatchcase(real, os.path.realpath(given)):
            return True
    return False


def input_folder_holding(folder: str, inputs: Sequence[str], force_format: str | None,
                         pattern: str | None, extension: str) -> str | None:  # fmt: skip
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


def _expand(path: str, rel: str, force_format: str | None, explicit: bool = False
            ) -> Iterator[Source]:  # fmt: skip
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
    yield Source(path, rel.removesuffix(".gz") if rel.lower().endswith(".gz") else rel, found,
                 path=path)  # fmt: skip


def _format_of(name: str) -> str | None:
    found = format_for_name(name)
    return found.name if found else None


def _member(archive: str, name: str, force_format: str | None) -> tuple[str, str] | str | None:
    """(relative name, format) of a member, a reason to refuse it, or None to skip it."""
    clean = str(PurePosixPath(posixpath.normpath(name)))
    if name.startswith("/") or clean == ".." or clean.startswith("../"):
        # Not a warning: the member may hold a record, and a batch never drops one silently.
        return f"unsafe member name {name!r} (absolute or outside the archive): not read"
    found = force_format or _format_of(clean)
    return (clean, found) if found else None


_ARCHIVE_ERRORS = (OSError, EOFError, tarfile.TarError, zipfile.BadZipFile, zlib.error)


def _tar(path: str, force_format: str | None) -> Iterator[Source]:
    try:
        archive = tarfile.open(path, "r:*")  # noqa: SIM115 (closed by the with below)
    except (OSError, tarfile.TarError) as exc:
        reason = "; ".join(str(exc).splitlines())
        yield Source(path, None, "archive", error=f"cannot read the archive: {reason}")
        return
    with archive:
        members = iter(archive)
        while True:
            try:
                member = next(members, None)
                if member is None:
                    return
                # tarfile keeps every header it has read; drop them so memory stays flat.
                archive.members = []  # type: ignore[attr-defined]
                if not member.isfile():
                    continue
                label = f"{path}/{member.name}"
                found = _member(path, member.name, force_format)
                if isinstance(found, str):
                    yield Source(label, None, "archive", error=found)
                    continue
                if found is None:
                    continue
                handle = archive.extractfile(member)
                data = _gunzip(found[0], handle.read() if handle else b"")
            except _ARCHIVE_ERRORS as exc:
                # A damaged archive: report it once and stop reading it.
                yield Source(path, None, "archive", error=f"damaged archive: {exc}")
                return
            yield Source(label, found[0].removesuffix(".gz"), found[1], data=data)


def _zip(path: str, force_format: str | None) -> Iterator[Source]:
    try:
        archive = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as exc:
        yield Source(path, None, "archive", error=f"cannot read the archive: {exc}")
        return
    with archive:
        for info in archive.infolist():
            if info.is_dir():
                continue
            found = _member(path, info.filename, force_format)
            label = f"{path}/{info.filename}"
            if isinstance(found, str):
                yield Source(label, None, "archive", error=found)
            elif found is not None:
                try:
                    data = _gunzip(found[0], archive.read(info))
                except _ARCHIVE_ERRORS as exc:
                    yield Source(label, None, "archive", error=f"damaged member: {exc}")
                    continue
                yield Source(label, found[0].removesuffix(".gz"), found[1], data=data)


def _gunzip(name: str, data: bytes) -> bytes:
    return gzip.decompress(data) if name.lower().endswith(".gz") else data
