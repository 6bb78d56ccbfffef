"""Find record files: explicit files, directories walked recursively, or standard input."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from fnmatch import fnmatchcase
from pathlib import Path

from archivekit.errors import InputError

#: The path that means "read standard input".
STDIN = "-"

_DirKey = tuple[int, int]


def iter_files(
    paths: Iterable[str], *, glob: str = "*.txt", follow_symlinks: bool = False
) -> Iterator[str]:
    """Yield the files to read, lazily, in a stable order.

    A path named explicitly is always yielded (whatever its name); a directory
    is walked recursively, in name order, yielding files whose name matches
    ``glob``. Hidden entries (names starting with ``.``, like ``.git``) are
    skipped, and so are symbolic links inside directories unless
    ``follow_symlinks`` is true; then a link back to a folder being walked (a
    loop) is skipped, and a broken or looping link to a file is yielded, so
    that reading it reports the problem. A folder that cannot be listed is
    yielded itself, for the same reason. ``-`` is yielded as is.
    Raises :class:`InputError` for a path that does not exist.
    """
    for path in dict.fromkeys(paths):  # a path named twice ("- -") is read once
        if path == STDIN or Path(path).is_file():
            yield path
        elif Path(path).is_dir():
            yield from _walk(path, glob, follow_symlinks)
        elif os.path.lexists(path):
            raise InputError(f"{path}: not a regular file or directory")
        else:
            raise InputError(f"{path}: no such file or directory")


def check_paths(paths: Iterable[str]) -> None:
    """Raise :class:`InputError` naming every path that does not exist."""
    missing = [p for p in paths if p != STDIN and not Path(p).exists()]
    if missing:
        raise InputError("; ".join(f"{path}: no such file or directory" for path in missing))


def _walk(top: str, glob: str, follow: bool) -> Iterator[str]:
    # An explicit stack, not recursion: a tree nested a few thousand folders
    # deep (easy to make, and within PATH_MAX) would exceed Python's recursion
    # limit. The folders on the stack, by (device, inode), detect link loops.
    stack: list[tuple[_DirKey, Iterator[os.DirEntry[str]]]] = []
    walking: set[_DirKey] = set()
    opened = _open(top)
    if opened is None:
        # An unreadable folder must not stop the batch: yield it, and the
        # reader reports it as a read-error finding like any unreadable file.
        yield top
        return
    stack.append(opened)
    walking.add(opened[0])
    while stack:
        entry = next(stack[-1][1], None)
        if entry is None:
            walking.discard(stack.pop()[0])
            continue
        if entry.name.startswith(".") or (entry.is_symlink() and not follow):
            continue
        if _is_dir(entry, follow):
            opened = _open(entry.path, walking)
            if opened is None:
                yield entry.path
            elif opened[0] not in walking:
                stack.append(opened)
                walking.add(opened[0])
        elif fnmatchcase(entry.name, glob):
            yield entry.path


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
        info = Path(path).stat()
        key = (info.st_dev, info.st_ino)
        if walking is not None and key in walking:
            return key, iter(())  # a loop: already being walked higher up
        with os.scandir(path) as scan:
            entries = sorted(scan, key=lambda e: e.name)
    except OSError:
        return None
    return key, iter(entries)
