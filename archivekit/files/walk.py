"""The one walker: the files named, folders walked without recursion, glob patterns, stdin."""

from __future__ import annotations

import fnmatch
import itertools
import os
import re
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from archivekit.errors import InputError
from archivekit.files.remote import StorageOptions, filesystem, is_url, join

if TYPE_CHECKING:
    from fsspec import AbstractFileSystem

#: The path that means "read standard input".
STDIN = "-"
#: The label of standard input in findings.
STDIN_LABEL = "<stdin>"
#: Characters that make an input a glob pattern (``'data/**/*.txt'``) when no such path exists.
GLOB_CHARS = frozenset("*?[")

_DirKey = tuple[int, int]


class Found(NamedTuple):
    """One input file the walk found.

    ``rel`` is its path relative to the input it was found under, with ``/``
    separators (what an output folder mirrors): the file name for a file
    named explicitly, ``None`` for standard input. ``explicit`` is true for a
    path named one by one (read whatever its name), false for a file a folder
    walk or a glob pattern picked.
    """

    path: str
    rel: str | None
    explicit: bool
    #: The size in bytes, when the walk learnt it for free (an object store's listing).
    size: int | None = None


def check_paths(paths: Iterable[str], *, storage: StorageOptions | None = None) -> None:
    """Raise :class:`InputError` naming every path that neither exists nor is a matching glob.

    A URL (``s3://bucket/prefix/``) is asked of its store, with ``storage`` options.
    """
    missing = [path for path in paths if path != STDIN and not _exists(path, storage)]
    if missing:
        raise InputError("; ".join(f"{path}: no such file or directory" for path in missing))


def _exists(path: str, storage: StorageOptions | None = None) -> bool:
    if is_url(path):
        fs, inner = filesystem(path, storage)
        try:
            return bool(fs.glob(inner) if GLOB_CHARS & set(inner) else fs.exists(inner))
        except _remote_errors() as exc:
            raise InputError(f"{path}: cannot list it: {_reason(exc)}") from None
    return os.path.lexists(path) or bool(GLOB_CHARS & set(path) and _glob(path))


def walk(
    paths: Iterable[str],
    *,
    match: Callable[[str], object],
    follow_symlinks: bool = False,
    hidden: bool = False,
    storage: StorageOptions | None = None,
) -> Iterator[Found]:
    """Every file to read under ``paths``, lazily, in a stable order.

    A path named explicitly is always yielded, whatever it is (reading a FIFO
    or a device reports it); a folder is walked in name order, yielding the
    files whose name ``match`` accepts; a path that does not exist but holds
    ``*``, ``?`` or ``[`` is a glob pattern (``**`` crosses folders), its
    matching files yielded in name order. Hidden entries (``.git``) are
    skipped, and so are symbolic links inside folders unless
    ``follow_symlinks``; then a link back to a folder being walked (a loop)
    is skipped, and a broken or looping link to a file is yielded, so that
    reading it reports the problem. A folder that cannot be listed is yielded
    itself, for the same reason. ``-`` is yielded as is. A path named twice
    is read once, and so is a file reached through two inputs (``archive/0000``
    and ``./archive/0000/x.txt``, or the same folder spelled two ways): files
    are compared by real path, but only when the inputs overlap, so that the
    usual run keeps no set growing with the batch. ``hidden`` walks hidden
    entries too (for archivekit's own staging folders). A URL (``s3://``,
    ``gs://``, ``memory://`` ...) is listed the same way through fsspec with
    ``storage`` options, one folder (prefix) at a time, each file's size
    taken from the listing. Raises
    :class:`InputError` for a path that does not exist.
    """
    unique = list(dict.fromkeys(paths))
    found = _walk_inputs(unique, match, follow_symlinks, hidden, storage)
    if not _overlapping(unique):
        yield from found
        return
    seen: set[str] = set()
    for item in found:
        if item.path != STDIN:
            real = os.path.realpath(item.path)
            if real in seen:
                continue
            seen.add(real)
        yield item


def _overlapping(paths: list[str]) -> bool:
    """True when two inputs may reach one file: the same real path, one inside another, a glob."""
    inputs = [p for p in paths if p != STDIN and not is_url(p)]
    if len(inputs) < 2:
        return False
    if any(GLOB_CHARS & set(p) and not os.path.lexists(p) for p in inputs):
        return True
    reals = sorted(os.path.join(os.path.realpath(p), "") for p in inputs)
    return any(later.startswith(earlier) for earlier, later in itertools.pairwise(reals))


def _walk_inputs(
    paths: list[str],
    match: Callable[[str], object],
    follow_symlinks: bool,
    hidden: bool,
    storage: StorageOptions | None,
) -> Iterator[Found]:
    for path in paths:
        if path == STDIN:
            yield Found(STDIN, None, True)
        elif is_url(path):
            yield from _walk_url(path, match, hidden, storage)
        elif os.path.isdir(path):
            yield from _walk(path, match, follow_symlinks, hidden)
        elif os.path.lexists(path):
            yield Found(path, Path(path).name, True)
        elif GLOB_CHARS & set(path):
            base = _glob_base(path)
            for found in _glob(path):
                if os.path.isfile(found):
                    yield Found(found, os.path.relpath(found, base).replace(os.sep, "/"), False)
        else:
            raise InputError(f"{path}: no such file or directory")


def name_matcher(pattern: str) -> Callable[[str], object]:
    """``fnmatchcase(name, pattern)`` as one compiled regex call (it runs once per file)."""
    return re.compile(fnmatch.translate(pattern)).match


def iter_files(
    paths: Iterable[str], *, glob: str = "*.txt", follow_symlinks: bool = False
) -> Iterator[str]:
    """The paths :func:`walk` finds, folders searched for file names matching ``glob``."""
    found = walk(paths, match=name_matcher(glob), follow_symlinks=follow_symlinks)
    return (item.path for item in found)


def _walk_url(
    url: str, match: Callable[[str], object], hidden: bool, storage: StorageOptions | None
) -> Iterator[Found]:
    """:func:`walk` over a URL: a folder (prefix) is listed in name order, a glob matched."""
    fs, root = filesystem(url, storage)
    try:
        if GLOB_CHARS & set(root):
            # Names relative to the part before the first wildcard, in the URL as given.
            base, inner = _url_glob_base(url), _url_glob_base(root)
            for entry in sorted(fs.glob(root, detail=True).values(), key=lambda e: e["name"]):
                if entry.get("type") != "directory":
                    rel = str(entry["name"])[len(inner) :].lstrip("/")
                    # Hidden names are left out, as the glob module does on disk.
                    if not any(part.startswith(".") for part in rel.split("/")):
                        yield Found(join(base, rel), rel, False, entry.get("size"))
            return
        info = fs.info(root)
    except FileNotFoundError:
        raise InputError(f"{url}: no such file or directory") from None
    except _remote_errors() as exc:
        raise InputError(f"{url}: cannot list it: {_reason(exc)}") from None
    if info.get("type") != "directory":
        yield Found(url, url.rstrip("/").rpartition("/")[2], True, info.get("size"))
        return
    # An explicit stack of listings, one folder at a time, in name order (as on disk):
    # memory holds the folders being walked, never the whole bucket.
    stack: list[tuple[Iterator[tuple[str, bool, int | None]], str]] = [(_list(fs, root, url), "")]
    while stack:
        entries, prefix = stack[-1]
        entry = next(entries, None)
        if entry is None:
            stack.pop()
            continue
        name, folder, size = entry
        if name.startswith(".") and not hidden:
            continue
        if folder:
            stack.append(
                (_list(fs, f"{root.rstrip('/')}/{prefix}{name}", url), prefix + name + "/")
            )
        elif match(name):
            yield Found(join(url, prefix + name), prefix + name, False, size)


def _url_glob_base(pattern: str) -> str:
    parts = pattern.split("/")
    return "/".join(parts[: next(i for i, p in enumerate(parts) if GLOB_CHARS & set(p))])


def _list(fs: AbstractFileSystem, path: str, url: str) -> Iterator[tuple[str, bool, int | None]]:
    """The (name, is a folder, size) entries of one folder of a store, in name order."""
    try:
        listing: list[dict[str, Any]] = fs.ls(path, detail=True)
    except _remote_errors() as exc:
        raise InputError(f"{url}: cannot list {path}: {_reason(exc)}") from None
    entries = []
    for entry in listing:
        name = str(entry["name"]).rstrip("/").rpartition("/")[2]
        if name:
            entries.append((name, entry.get("type") == "directory", entry.get("size")))
    entries.sort()
    return iter(entries)


def _remote_errors() -> tuple[type[BaseException], ...]:
    from archivekit.files.remote import errors

    return errors()


def _reason(exc: BaseException) -> str:
    return getattr(exc, "strerror", None) or str(exc) or type(exc).__name__


def _glob(pattern: str) -> list[str]:
    # Path.glob takes no absolute pattern; the glob module does. Sorted: a stable order.
    import glob  # only for a path that does not exist: start-up time

    return sorted(glob.glob(pattern, recursive=True))


def _glob_base(pattern: str) -> str:
    parts = Path(pattern).parts
    fixed = parts[: next(i for i, p in enumerate(parts) if GLOB_CHARS & set(p))]
    return str(Path(*fixed)) if fixed else "."


def _walk(
    top: str, match: Callable[[str], object], follow: bool, hidden: bool = False
) -> Iterator[Found]:
    # An explicit stack, not recursion: a tree nested a few thousand folders
    # deep (easy to make, and within PATH_MAX) would exceed Python's recursion
    # limit. The folders on the stack, by (device, inode), detect link loops.
    # Each frame carries the relative path of its folder ("" for the top).
    stack: list[tuple[_DirKey, Iterator[os.DirEntry[str]], str]] = []
    walking: set[_DirKey] = set()
    opened = _open(top)
    if opened is None:
        # An unreadable folder must not stop the batch: yield it, and the
        # reader reports it as a read-error finding like any unreadable file.
        yield Found(top, Path(top).name, True)
        return
    stack.append((*opened, ""))
    walking.add(opened[0])
    while stack:
        key, entries, prefix = stack[-1]
        entry = next(entries, None)
        if entry is None:
            walking.discard(key)
            stack.pop()
            continue
        name = entry.name
        if (name.startswith(".") and not hidden) or (entry.is_symlink() and not follow):
            continue
        if _is_dir(entry, follow):
            opened = _open(entry.path, walking)
            if opened is None:
                yield Found(entry.path, prefix + name, False)
            elif opened[0] not in walking:
                stack.append((*opened, prefix + name + "/"))
                walking.add(opened[0])
        elif match(name):
            yield Found(entry.path, prefix + name, False)


def _is_dir(entry: os.DirEntry[str], follow: bool) -> bool:
    try:
        return entry.is_dir(follow_symlinks=follow)
    except OSError:  # a link looping on itself: not a folder; reading it reports it
        return False


def _open(
    path: str, walking: set[_DirKey] | None = None
) -> tuple[_DirKey, Iterator[os.DirEntry[str]]] | None:
    """The folder's identity and its entries in name order, or None if unreadable."""
    try:
        info = os.stat(path)
        key = (info.st_dev, info.st_ino)
        if walking is not None and key in walking:
            return key, iter(())  # a loop: already being walked higher up
        with os.scandir(path) as scan:
            entries = sorted(scan, key=lambda e: e.name)
    except OSError:
        return None
    return key, iter(entries)
