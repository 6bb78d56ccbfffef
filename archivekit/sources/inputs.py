"""Inputs of every command as sources: files, walks, globs, stdin, .gz, tar and zip members."""

from __future__ import annotations

import io
import os
import re
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any, BinaryIO, NamedTuple, cast

from archivekit.errors import UsageError
from archivekit.files.archives import is_container, iter_members, open_gzip
from archivekit.files.atomic import owned, sweep
from archivekit.files.read import DEFAULT_MAX_BYTES, bomb_limits, open_file
from archivekit.files.remote import StorageOptions, is_url
from archivekit.files.select import select_files
from archivekit.files.walk import GLOB_CHARS, STDIN, STDIN_LABEL, Found, name_matcher, walk
from archivekit.formats import FORMAT_BY_EXTENSION, FORMAT_BY_NAME, format_for_name, sniff

#: What a folder walk takes without --from or --glob: archive files. Not every
#: known extension: a folder of records also holds a README.md or a
#: MANIFEST.json, and reading those as records gives bogus findings.
DEFAULT_FOLDER_FORMAT = "archive"


class Source(NamedTuple):
    """One input file (or archive member) and how to read it.

    ``label`` names it in findings; ``rel`` is its path relative to the input
    it was found under (what an output folder mirrors), ``None`` when it has
    none (standard input). One of ``path`` (a file on disk, opened when read,
    so that a worker process can read it), ``data`` (bytes already read: an
    archive member) and ``stream`` (standard input, read as it comes) is set,
    or ``error`` says why the input cannot be read. A named tuple: one is
    made per file in the parent and sent to a worker, and a tuple is the
    cheapest to build and to pickle (a stream, standard input, never crosses:
    it is read in order, in the parent). ``format`` is :data:`SNIFF` for
    standard input whose format its first bytes will tell (:func:`resolved`,
    when it is read); ``note`` is then told what was assumed.
    """

    label: str
    rel: str | None
    format: str
    path: str | None = None
    data: bytes | None = None
    error: str | None = None
    stream: BinaryIO | None = None
    #: The rule of the finding ``error`` gives.
    code: str = "read-error"
    note: Callable[[str], None] | None = None
    size: int | None = None

    def open(self, storage: StorageOptions | None = None) -> BinaryIO:
        """A binary stream of the content, gunzipped when the name ends in ``.gz``.

        Raises OSError for a file that is not regular (a FIFO, a device) or
        cannot be opened: the bounded reader never blocks on one. A URL is
        opened with ``storage`` options.
        """
        if self.stream is not None:
            # Standard input is not ours to close: hand out a view that leaves it open.
            return _Unclosed(self.stream)
        if self.data is not None:
            return io.BytesIO(self.data)
        assert self.path is not None
        if self.path.lower().endswith(".gz"):
            return open_gzip(self.path, storage)
        return open_file(self.path, storage)


class _Unclosed(io.BufferedReader):
    """A reader over a stream that closing does not close (standard input)."""

    def __init__(self, stream: BinaryIO) -> None:
        super().__init__(cast(io.RawIOBase, stream))

    def close(self) -> None:
        """Leave the underlying stream open."""


def picker(
    force_format: str | None, pattern: str | None, *, every_format: bool = False
) -> Callable[[str], object]:
    """Which file names a folder walk reads: ``--glob``, else the format's extensions.

    The format is ``--from``'s, else the archive format (``*.txt``), or with
    ``every_format`` the extensions of every format (``archive convert``);
    ``.gz`` is looked through and letter case ignored.
    """
    if pattern is not None:
        return name_matcher(pattern)
    if every_format and force_format is None:
        extensions: tuple[str, ...] = tuple(FORMAT_BY_EXTENSION)
    else:
        extensions = FORMAT_BY_NAME[force_format or DEFAULT_FOLDER_FORMAT].extensions
    # One compiled regex call per file: the walk asks it of every name.
    ends = "|".join(re.escape(extension) for extension in extensions)
    return re.compile(rf"(?s:.*)(?:{ends})(?:\.gz)?", re.IGNORECASE).fullmatch


#: How a command finds files: its walk (or selection) of ``paths`` for the names ``match`` takes.
Finder = Callable[[list[str], Callable[[str], object]], Iterable[Found]]


def falling_back(
    find: Finder,
    paths: Sequence[str],
    *,
    note: Callable[[str], None] | None = None,
) -> Iterator[Found]:
    """What ``find`` finds of archive files under ``paths``; a folder holding none, every format.

    By default a folder walk reads archive files (``*.txt``) only, so that a
    README.md beside the records is not taken for one; a folder named in
    ``paths`` that holds none (a Hugo ``content/posts`` of ``.md``, a folder of
    ``.jsonl``) is walked again for every known extension, and ``note`` is told
    so and what was read. The one home of this rule, for every command that
    walks folders without ``--from`` or ``--glob``.
    """
    folders = {
        path: os.path.join(os.path.abspath(path), "")
        for path in paths
        if path != STDIN and not is_url(path) and os.path.isdir(path)
    }
    # A URL (not a glob) that yields nothing is a prefix: an object named is always
    # yielded, and a missing one was refused before the walk.
    folders |= {
        path: path.rstrip("/") + "/"
        for path in paths
        if is_url(path) and not GLOB_CHARS & set(path)
    }
    empty = set(folders)
    for found in find(list(paths), picker(None, None)):
        if empty:
            # "." and "./a.txt" alike; a URL as it is.
            where = found.path if is_url(found.path) else os.path.abspath(found.path)
            empty -= {p for p in empty if where.startswith(folders[p]) or where == p}
        yield found
    every = picker(None, None, every_format=True)
    for path in [p for p in paths if p in empty]:
        kinds: dict[str, int] = {}
        for found in find([path], every):
            if not kinds and note is not None:
                names = ", ".join(f"*{ext}" for ext in FORMAT_BY_EXTENSION)
                note(
                    f"{path}: no *.txt archive files: reading every known format ({names}); "
                    "--from FORMAT or --glob PATTERN chooses"
                )
            known = format_for_name(found.path.rpartition("/")[2])
            kind = known.name if known is not None else "other"
            kinds[kind] = kinds.get(kind, 0) + 1
            yield found
        if kinds and note is not None:
            read = ", ".join(f"{count} {name}" for name, count in sorted(kinds.items()))
            note(f"{path}: read {read} {'file' if sum(kinds.values()) == 1 else 'files'}")


def record_files(
    paths: Sequence[str],
    *,
    from_: str | None = None,
    glob: str | None = None,
    root: str = ".",
    include: Sequence[str] = (),
    exclude: Sequence[str] = (),
    follow_symlinks: bool = False,
    gitignore: bool = False,
    storage: StorageOptions | None = None,
    note: Callable[[str], None] | None = None,
) -> Iterator[Found]:
    """The files a command reads under ``paths``, lazily (``files.select.select_files``).

    ``from_``'s extensions, else ``glob``, else the ``include`` globs pick the
    names in folders; without any of them, archive files (``*.txt``), and a
    folder holding none is read for every format (:func:`falling_back`).
    """

    def find(found: list[str], match: Callable[[str], object]) -> Iterable[Found]:
        return select_files(
            found,
            root=root,
            include=include,
            exclude=exclude,
            glob=glob,
            match=match,
            follow_symlinks=follow_symlinks,
            gitignore=gitignore,
            storage=storage,
        )

    if from_ is None and glob is None and not include:
        return falling_back(find, paths, note=note)
    return iter(find(list(paths), picker(from_, None)))


def iter_sources(
    inputs: Sequence[str],
    *,
    force_format: str | None = None,
    pattern: str | None = None,
    default_format: str | None = None,
    stdin: BinaryIO | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    follow_symlinks: bool = False,
    every_format: bool = False,
    sniff_stdin: bool = False,
    note: Callable[[str], None] | None = None,
    storage: StorageOptions | None = None,
) -> Iterator[Source]:
    """Every source under ``inputs``, lazily, in order (see :func:`expand`).

    Folders are walked for the names :func:`picker` accepts; explicit files
    and glob matches go by their extension. URLs are listed with ``storage`` options.
    """
    match = picker(force_format, pattern, every_format=every_format)
    found = walk(inputs, match=match, follow_symlinks=follow_symlinks, storage=storage)
    return expand(
        found,
        force_format=force_format,
        default_format=default_format,
        stdin=stdin,
        max_bytes=max_bytes,
        sniff_stdin=sniff_stdin,
        note=note,
        storage=storage,
    )


def expand(
    found: Iterable[Found],
    *,
    force_format: str | None = None,
    default_format: str | None = None,
    stdin: BinaryIO | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    sniff_stdin: bool = False,
    note: Callable[[str], None] | None = None,
    storage: StorageOptions | None = None,
) -> Iterator[Source]:
    """The sources of files the walk found, lazily: each file, or each member of an archive.

    With ``sniff_stdin``, standard input without ``force_format`` is read as
    the format its first bytes look like (:func:`~archivekit.formats.sniff`;
    else as the archive format); ``note`` is told when that is not the
    archive format.

    A file's format is ``force_format``, else its extension's (``.gz`` looked
    through), else ``default_format``; a file named explicitly with none of
    these is read as the archive format, one found in a walk is skipped. Members
    of ``.tar``/``.zip`` files are read when their extension names a format
    (or with ``force_format``); unsafe members and damaged archives become
    sources with an ``error``; archives behind URLs are read with ``storage``
    options. Raises :class:`UsageError` at once for a bad decompression-limit setting.
    """
    try:
        bomb_limits()  # a bad setting is a usage error here, not a crash in a worker
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    for path, rel, explicit, size in found:
        if path == STDIN:
            stream = stdin if stdin is not None else sys.stdin.buffer
            # Sniffed when read, not here: the sources before it are read first, and
            # standard input may be a pipe whose writer waits on them.
            how = force_format or (SNIFF if sniff_stdin else DEFAULT_FOLDER_FORMAT)
            yield Source(STDIN_LABEL, None, how, stream=stream, note=note)
            continue
        # The walk's relative path ends in the name: cheaper than basename.
        name = rel.rpartition("/")[2] if rel else os.path.basename(path)
        # The common case first, once per file: a plain extension of a known format
        # (no container or compression ends in one).
        plain = FORMAT_BY_EXTENSION.get(name[name.rfind(".") :].lower()) if "." in name else None
        if plain is not None:
            yield Source(path, rel, force_format or plain.name, path, size=size)
            continue
        if is_container(name):
            yield from _members(path, force_format, max_bytes, storage)
            continue
        known = format_for_name(name)
        chosen = force_format or (known.name if known else default_format)
        if chosen is None:
            if not explicit:
                continue
            # A file named explicitly whose name tells nothing (``article``, a FIFO):
            # the archive text format, as validate and stats read it; reading it
            # reports what is wrong (a FIFO is a read-error finding, not a usage error).
            chosen = DEFAULT_FOLDER_FORMAT
        if rel is not None and rel.lower().endswith(".gz"):
            rel = rel[:-3]
        yield Source(path, rel, chosen, path=path, size=size)


#: Bytes of standard input looked at to guess its format.
SNIFF_BYTES = 1 << 16
#: The format of a source that its content will tell (standard input without --from).
SNIFF = "?"


def resolved(source: Source) -> Source:
    """``source`` with its format known: standard input's guessed from its first bytes."""
    if source.format != SNIFF or source.stream is None:
        return source
    stream, chosen = _sniffed(source.stream)
    if chosen != DEFAULT_FOLDER_FORMAT and source.note is not None:
        source.note(f"read standard input as {chosen} (from its content; --from sets it)")
    return source._replace(format=chosen, stream=stream)


def _sniffed(stream: BinaryIO) -> tuple[BinaryIO, str]:
    """The stream (its first bytes still to be read) and the format they look like.

    The head read is the first line, whole (up to :data:`SNIFF_BYTES`): JSON
    Lines is told from JSON by parsing it, and a record of JSON Lines is often
    longer than what a pipe's buffer shows at once (``peek`` gives 4 KiB).
    """
    read = getattr(stream, "read1", None) or stream.read
    head = b""
    while len(head) < SNIFF_BYTES and b"\n" not in head:
        more = read(SNIFF_BYTES - len(head))
        if not more:
            break
        head += more
    return cast(BinaryIO, _Prefixed(head, stream)), sniff(head)


class _Prefixed(io.RawIOBase):
    """``head``, then the rest of ``stream``: a stream whose first bytes were read to sniff it."""

    def __init__(self, head: bytes, stream: BinaryIO) -> None:
        super().__init__()
        self._head = memoryview(head)
        self._stream = stream

    def readable(self) -> bool:
        """Always: this is a reader."""
        return True

    def readinto(self, buffer: Any) -> int:
        """Fill ``buffer`` from the head first, then from the stream."""
        view = memoryview(buffer).cast("B")
        if self._head:
            count = min(len(view), len(self._head))
            view[:count] = self._head[:count]
            self._head = self._head[count:]
            return count
        data = self._stream.read(len(view))
        view[: len(data)] = data
        return len(data)


class StdinCopy:
    """Standard input read as it comes, each byte read also kept in a temporary file.

    ``convert --rejects`` reads a rejected record's input back from the copy
    (:meth:`reopen`): standard input itself cannot be read twice. The copy
    grows with what was read, and is removed by :meth:`close`.
    """

    def __init__(self, stream: BinaryIO) -> None:
        # Named after this process, so that the next run removes it after a kill -9
        # (sweep); unbuffered: every byte handed to the reader is in the file at once.
        folder = tempfile.gettempdir()
        sweep(folder)
        self._copy = tempfile.NamedTemporaryFile(  # noqa: SIM115 (close removes it)
            prefix=owned("stdin."), dir=folder, buffering=0
        )
        self.stream = cast(BinaryIO, io.BufferedReader(_Teed(stream, self._copy)))

    def reopen(self) -> BinaryIO:
        """A reader of everything read so far, from the first byte."""
        return open(self._copy.name, "rb")

    def close(self) -> None:
        """Remove the copy."""
        self._copy.close()


class _Teed(io.RawIOBase):
    """The bytes of ``stream``, written to ``copy`` as they are read."""

    def __init__(self, stream: BinaryIO, copy: Any) -> None:
        # read1: what a pipe holds now, not a wait for a whole buffer's worth.
        self._read = getattr(stream, "read1", None) or stream.read
        self._copy = copy

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._read(len(buffer))
        count = len(data)
        buffer[:count] = data
        self._copy.write(data)
        return count


def sources_of_bytes(
    label: str,
    data: bytes,
    *,
    force_format: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Iterator[Source]:
    """The sources in ``data``, the bytes of a file named ``label``, as :func:`expand` finds
    them in that file on disk: the file itself, its gunzipped content (``.gz``), or the
    members of a tar or zip. A name of no known format is read as the archive format.
    """
    name = label.rpartition("/")[2]
    if is_container(name):
        yield from _members(label, force_format, max_bytes, None, data)
        return
    known = format_for_name(name)
    chosen = force_format or (known.name if known else DEFAULT_FOLDER_FORMAT)
    rel = name[:-3] if name.lower().endswith(".gz") else name
    if name.lower().endswith(".gz"):
        yield Source(label, rel, chosen, stream=open_gzip(label, data=data))
    else:
        yield Source(label, rel, chosen, data=data)


def _members(
    path: str,
    force_format: str | None,
    max_bytes: int,
    storage: StorageOptions | None,
    data: bytes | None = None,
) -> Iterator[Source]:
    def pick(name: str) -> bool:
        return force_format is not None or format_for_name(name) is not None

    members = iter_members(path, pick=pick, max_bytes=max_bytes, storage=storage, data=data)
    for member in members:
        if member.data is None:
            yield Source(
                member.label, None, DEFAULT_FOLDER_FORMAT, error=member.error, code=member.code
            )
            continue
        known = format_for_name(member.name)
        chosen = force_format or (known.name if known else DEFAULT_FOLDER_FORMAT)
        rel = member.name[:-3] if member.name.lower().endswith(".gz") else member.name
        yield Source(member.label, rel, chosen, data=member.data)


def wanted_in(
    path: str,
    inputs: Sequence[str],
    force_format: str | None,
    pattern: str | None,
    *,
    every_format: bool = False,
) -> bool:
    """Would a run over ``inputs`` read the file at ``path``? (to refuse writing over an input)."""
    real = os.path.realpath(path)
    wanted = picker(force_format, pattern, every_format=every_format)
    for given in inputs:
        if given == STDIN:
            continue
        root = os.path.realpath(given)
        if real == root:
            return True
        if Path(given).is_dir() and real.startswith(root + os.sep):
            inside = Path(os.path.relpath(real, root)).parts
            if not any(p.startswith(".") for p in inside) and wanted(inside[-1]):
                return True
        elif GLOB_CHARS & set(given) and fnmatchcase(real, os.path.realpath(given)):
            return True
    return False


def refuse_overwriting(
    outputs: Iterable[str | None],
    inputs: Sequence[str],
    force_format: str | None = None,
    pattern: str | None = None,
    *,
    every_format: bool = False,
    named_only: bool = False,
) -> None:
    """Raise :class:`UsageError` when one of ``outputs`` is a file this run reads.

    The one check behind ``convert -o/--rejects``, ``stats -o`` and ``validate
    --format FMT:FILE``: writing an input would destroy its records before (or
    while) they are read. With ``named_only`` (validate's reports), a file found
    in a folder walk is refused only when it holds a record (its first line is a
    URL): a report an earlier run left there is skipped by the walk instead, and
    replaced.
    """
    for path in outputs:
        if not path or path == STDIN or is_url(path):
            continue
        wanted = wanted_in(path, inputs, force_format, pattern, every_format=every_format)
        if named_only:
            real = os.path.realpath(path)
            hit = any(p != STDIN and os.path.realpath(p) == real for p in inputs)
            hit = hit or (wanted and _holds_a_record(path))
        else:
            hit = wanted
        if hit:
            raise UsageError(f"{path}: is also an input; write the output elsewhere")


def _holds_a_record(path: str) -> bool:
    """Does the regular file at ``path`` start as a record does, with a URL line?"""
    try:
        if not os.path.isfile(path):
            return False
        with open(path, "rb") as stream:
            head = stream.read(16).removeprefix(b"\xef\xbb\xbf").lower()
    except OSError:
        return False
    return head.startswith((b"http://", b"https://"))


def input_folder_holding(
    folder: str,
    inputs: Sequence[str],
    force_format: str | None,
    pattern: str | None,
    extension: str,
    *,
    every_format: bool = False,
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
        wanted = picker(force_format, None, every_format=every_format)
        if not hidden and (pattern is not None or wanted(f"x{extension}")):
            return given
    return None
