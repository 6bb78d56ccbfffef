"""The one atomic writer: a temporary file beside the target, then a rename.

Readers see the old content or the new, never a mix; a failure leaves the old
file and no temporary behind. Used for every file archivekit writes: convert's
outputs (:class:`AtomicFile`, :class:`Staging`), ``archive fmt`` and the
baseline (:func:`write_atomic`).
"""

from __future__ import annotations

import contextlib
import io
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from archivekit.errors import OutputExists, UsageError
from archivekit.files.walk import Found, walk

#: The prefix of every temporary archivekit creates; hidden, so that walks skip it.
TEMP_PREFIX = ".archive-convert-"


def write_atomic(path: str, data: bytes) -> None:
    """Replace ``path`` with ``data`` atomically, keeping its permissions; raises OSError.

    A symbolic link is written through: its target changes and the link stays a link.
    No fsync: a record rewritten by ``archive fmt`` is one of thousands, and the
    rename alone keeps readers from seeing half a file.
    """
    target = os.path.realpath(path)
    try:
        out = AtomicFile(target, force=True, sync=False)
    except UsageError as exc:
        raise OSError(str(exc)) from None
    with out:
        out.stream.write(data)


def _place(temporary: str, target: str, *, force: bool) -> None:
    """Move ``temporary`` to ``target`` atomically; without ``force``, never over a file.

    With ``force``, a replaced file's permissions are kept, as an editor's save keeps them.
    """
    if force:
        with contextlib.suppress(FileNotFoundError):
            os.chmod(temporary, stat.S_IMODE(os.stat(target).st_mode))
        Path(temporary).replace(target)
        return
    try:
        # A hard link fails if the target exists, even if another process just
        # made it: no check-then-rename race.
        os.link(temporary, target)
    except FileExistsError:
        raise OutputExists(f"{target}: already exists (use --force to replace it)") from None
    except OSError:
        if os.path.lexists(target):
            raise OutputExists(f"{target}: already exists (use --force to replace it)") from None
        Path(temporary).rename(target)  # a file system without hard links
        return
    Path(temporary).unlink()


class AtomicFile:
    """A file written under a temporary name beside ``target`` and renamed by :meth:`commit`."""

    def __init__(self, target: str, *, force: bool, sync: bool = True) -> None:
        if Path(target).is_dir():
            raise UsageError(f"{target}: is a folder, give a file name")
        if not force and os.path.lexists(target):
            raise OutputExists(f"{target}: already exists (use --force to replace it)")
        self.target = target
        folder = str(Path(target).absolute().parent)
        base = Path(target).name
        try:
            fd, self.temporary = tempfile.mkstemp(prefix=f"{TEMP_PREFIX}{base}.", dir=folder)
        except OSError as exc:
            raise UsageError(f"{target}: cannot write here: {exc.strerror or exc}") from None
        # mkstemp makes the file 0600; the output must get what a plain open() would give.
        os.fchmod(fd, 0o666 & ~_umask())
        raw = io.FileIO(fd, "wb")
        raw.name = self.temporary  # the file's name, for writers that open it by name (SQLite)
        self.stream: BinaryIO = io.BufferedWriter(raw)
        self._force = force
        self._sync = sync
        self._done = False

    def __enter__(self) -> AtomicFile:
        return self

    def __exit__(self, kind: type[BaseException] | None, *rest: object) -> None:
        """Commit when the block ends normally; otherwise remove the temporary."""
        if kind is None:
            self.commit()
        else:
            self.discard()

    def commit(self) -> None:
        """Flush, sync (unless ``sync`` was false) and rename into place; on failure, remove it."""
        try:
            self.stream.flush()
            if self._sync:
                os.fsync(self.stream.fileno())
            self.stream.close()
            _place(self.temporary, self.target, force=self._force)
        finally:
            self.discard()

    def discard(self) -> None:
        """Remove the temporary (idempotent)."""
        if not self._done:
            self._done = True
            self.stream.close()
            with contextlib.suppress(FileNotFoundError):
                Path(self.temporary).unlink()


class Staging:
    """One-record outputs, written into a hidden folder inside ``folder`` and moved at the end.

    The batch becomes visible only when every record has been converted;
    each file is moved with an atomic rename, so every file is whole. Folders
    are made, walked and removed without recursion: an input tree 1,100
    folders deep is mirrored as deep.
    """

    def __init__(self, folder: str, *, force: bool) -> None:
        if Path(folder).exists() and not Path(folder).is_dir():
            raise UsageError(f"{folder}: not a folder")
        try:
            # Made now, so that the staging folder sits beside the outputs (one file
            # system: renames); removed again if the run writes nothing.
            self._created = make_folders(folder)
            self.temporary = tempfile.mkdtemp(prefix=TEMP_PREFIX, dir=folder)
        except OSError as exc:
            raise UsageError(f"{folder}: cannot write here: {exc.strerror or exc}") from None
        self.folder = folder
        self._force = force
        self._done = False
        # Folders, not files: small however large the batch.
        self._made: set[str] = {self.temporary}
        self.count = 0

    def add(self, rel: str, data: bytes, *, unique: bool) -> str:
        """Stage ``data`` as ``rel`` (a relative POSIX path); returns the name it got.

        With ``unique``, a name already taken in this batch gets ``-2``, ``-3``…
        before the extension; otherwise taking it twice is an error.
        """
        staged, name = self._claim(rel, unique=unique)
        with open(staged, "xb") as handle:
            handle.write(data)
        self.count += 1
        return name

    def open(self, rel: str) -> BinaryIO:
        """A new staged file ``rel``, open for writing as it streams; the caller closes it.

        For outputs written piece by piece into a folder (the Parquet files of a
        partitioned dataset); taking a name twice is an error.
        """
        staged, _name = self._claim(rel, unique=False)
        handle = open(staged, "xb")  # noqa: SIM115 (the caller closes it)
        self.count += 1
        return handle

    def _claim(self, rel: str, *, unique: bool) -> tuple[str, str]:
        """The staged path for ``rel`` and its name, its parent folders made."""
        stem, dot, ext = rel.rpartition(".") if "." in rel.rsplit("/", 1)[-1] else (rel, "", "")
        number = 1
        while True:
            name = rel if number == 1 else f"{stem}-{number}{dot}{ext}"
            # os.path, not pathlib: this runs once per record, and pathlib costs 3x here.
            staged = os.path.join(self.temporary, name)
            target = os.path.join(self.folder, name)
            if not os.path.lexists(staged):
                break
            if not unique:
                raise OutputExists(f"{target}: two inputs would be written to the same file")
            number += 1
        if not self._force and os.path.lexists(target):
            raise OutputExists(f"{target}: already exists (use --force to replace it)")
        parent = os.path.dirname(staged)
        if parent not in self._made:
            self._made.update(make_folders(parent))
            self._made.add(parent)
        return staged, name

    def _staged(self) -> Iterator[Found]:
        """Every staged file, in name order, with its path relative to the staging folder."""
        return walk([self.temporary], match=lambda name: True, hidden=True)

    def targets(self) -> Iterator[str]:
        """The path each staged file will have in the output folder."""
        for found in self._staged():
            yield os.path.normpath(os.path.join(self.folder, found.rel or ""))

    def commit(self) -> None:
        """Move every staged file into the output folder, then remove the staging folder."""
        self._created = []  # the output folder stays, even if empty: the run succeeded
        try:
            made: set[str] = set()
            for found in self._staged():
                target = os.path.join(self.folder, found.rel or "")
                folder = os.path.dirname(target)
                if folder not in made:
                    make_folders(folder)
                    made.add(folder)
                _place(found.path, target, force=self._force)
        finally:
            self.discard()

    def discard(self) -> None:
        """Remove the staging folder and whatever is left in it (idempotent)."""
        if self._done:
            return
        self._done = True
        for found in self._staged():
            with contextlib.suppress(OSError):
                os.unlink(found.path)
        # Deepest first: each folder is empty by the time it is removed; then the
        # output folders this run made, if nothing was written into them.
        for folder in [*sorted(self._made, key=len, reverse=True), *reversed(self._created)]:
            with contextlib.suppress(OSError):
                os.rmdir(folder)


def make_folders(path: str) -> list[str]:
    """``os.makedirs(path, exist_ok=True)`` without recursion; returns the folders it made.

    os.makedirs calls itself once per missing level: a tree 1,100 folders deep
    would exceed Python's recursion limit.
    """
    missing = []
    while path and not os.path.isdir(path):
        missing.append(path)
        parent = os.path.dirname(path)
        if parent == path:
            break
        path = parent
    made = []
    for folder in reversed(missing):
        try:
            os.mkdir(folder)
        except FileExistsError:
            if not os.path.isdir(folder):
                raise
        else:
            made.append(folder)
    return made


def _umask() -> int:
    # There is no way to read the umask without setting it (this runs once per output file).
    mask = os.umask(0o077)
    os.umask(mask)
    return mask
