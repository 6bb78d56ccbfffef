"""Find record files: explicit files, directories walked recursively, or standard input."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from fnmatch import fnmatchcase

from archivekit.formats.errors import InputError

#: The path that means "read standard input".
STDIN = "-"


def iter_files(paths: Iterable[str], *, glob: str = "*.txt") -> Iterator[str]:
    """Yield the files to read, lazily, in a stable order.

    A path named explicitly is always yielded (whatever its name); a directory
    is walked recursively, in name order, yielding files whose name matches
    ``glob``. Hidden entries (names starting with ``.``, like ``.git``) and
    symbolic links inside directories are skipped; a folder that cannot be
    listed is yielded itself, so that reading it reports the problem.
    ``-`` is yielded as is.
    Raises :class:`InputError` for a path that does not exist.
    """
    for path in paths:
        if path == STDIN or os.path.isfile(path):
            yield path
        elif os.path.isdir(path):
            yield from _walk(path, glob)
        elif os.path.lexists(path):
            raise InputError(f"{path}: not a regular file or directory")
        else:
            raise InputError(f"{path}: no such file or directory")


def check_paths(paths: Iterable[str]) -> None:
    """Raise :class:`InputError` naming every path that does not exist."""
    missing = [p for p in paths if p != STDIN and not os.path.exists(p)]
    if missing:
        raise InputError(
            "; ".join(f"{path}: no such file or directory" for path in missing)
        )


def _walk(directory: str, glob: str) -> Iterator[str]:
    try:
        with os.scandir(directory) as scan:
            entries = sorted(scan, key=lambda e: e.name)
    except OSError:
        # An unreadable folder must not stop the batch: yield it, and the
        # reader reports it as a read-error finding like any unreadable file.
        yield directory
        return
    for entry in entries:
        if entry.name.startswith(".") or entry.is_symlink():
            continue
        if entry.is_dir(follow_symlinks=False):
            yield from _walk(entry.path, glob)
        elif fnmatchcase(entry.name, glob):
            yield entry.path
