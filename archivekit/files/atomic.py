"""The one atomic writer: a temporary file beside the target, then a rename.

Readers see the old content or the new, never a mix; a failure leaves the old
file and no temporary behind. Used for every file archivekit writes: convert's
outputs (:class:`AtomicFile`, :class:`Staging`), ``archive fmt`` and the
baseline (:func:`write_atomic`).
"""

from __future__ import annotations

import contextlib
import errno
import io
import os
import stat
import tempfile
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO, NamedTuple

from archivekit.errors import FileChanged, OutputError, OutputExists, UsageError
from archivekit.files.walk import Found, walk

#: The prefix of every temporary archivekit creates; hidden, so that walks skip it.
TEMP_PREFIX = ".archive-convert-"
#: This machine, in the names of the temporaries (see :func:`owned`): a process id
#: means something only on the host that made it (an output folder may be shared).
_HOST = f"{zlib.crc32(os.uname().nodename.encode()):08x}"
#: Folders swept of temporaries left by killed runs, once each per process.
_swept: set[str] = set()


def owned(name: str = "") -> str:
    """The name prefix of a temporary this process makes: host and process id, then ``name``.

    ``kill -9`` (or a power cut) runs no cleanup; the next run writing into the
    same folder removes what such a run left (:func:`sweep`), knowing it by the
    process id in its name: that process is gone.
    """
    return f"{TEMP_PREFIX}{_HOST}-{os.getpid()}.{name}"


def sweep(folder: str) -> int:
    """Remove the temporaries in ``folder`` left by runs on this host whose process is gone.

    Once per folder and process (a listing of one folder, not a walk). A
    temporary of a live process, of another host, or of an older release
    (no owner in its name) is left alone. Returns how many were removed.
    """
    key = os.path.abspath(folder)
    if key in _swept:
        return 0
    _swept.add(key)
    try:
        names = [n for n in os.listdir(folder) if n.startswith(TEMP_PREFIX)]
    except OSError:
        return 0
    removed = 0
    mine = f"{TEMP_PREFIX}{_HOST}-"
    for name in names:
        pid = name[len(mine) :].split(".", 1)[0] if name.startswith(mine) else ""
        if not pid.isdigit() or _alive(int(pid)):
            continue
        try:
            if stat.S_ISDIR(os.lstat(os.path.join(folder, name)).st_mode):
                _remove_tree(folder, name)
            else:
                os.unlink(os.path.join(folder, name))
            removed += 1
        except OSError:
            continue
    return removed


def _alive(pid: int) -> bool:
    """Does process ``pid`` exist (ours or another user's)?"""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # EPERM: it exists, and is somebody else's
        return True
    return True


def _remove_tree(parent: str, name: str) -> None:
    """Remove the folder ``name`` in ``parent`` (our own temporaries), however deep.

    Not the walker's job: nothing here is read, and folders must be visited too.
    Every level is opened with ``O_NOFOLLOW`` from its parent's descriptor and
    entries are removed with the ``*at`` calls, so a link swapped in meanwhile
    is removed, never followed; no recursion, so depth does not matter.
    """
    flags = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW
    top = os.open(parent, os.O_RDONLY | os.O_DIRECTORY)
    # Each level: its descriptor, its parent's, its name there, and the folders in it
    # already gone into (one that could not be emptied is not entered again).
    stack: list[tuple[int, int, str, set[str]]] = []
    try:
        stack.append((os.open(name, flags, dir_fd=top), top, name, set()))
        while stack:
            fd, up, entry, entered = stack[-1]
            inner = None
            for child in os.listdir(fd):
                if child in entered:
                    continue
                try:
                    os.unlink(child, dir_fd=fd)
                except OSError as exc:
                    if exc.errno in (errno.EISDIR, errno.EPERM):
                        inner = child  # a folder (EPERM: Linux's answer for unlink of one)
                        break
            if inner is not None:
                entered.add(inner)
                with contextlib.suppress(OSError):  # gone, or not a folder after all
                    stack.append((os.open(inner, flags, dir_fd=fd), fd, inner, set()))
                continue
            stack.pop()
            os.close(fd)
            with contextlib.suppress(OSError):
                os.rmdir(entry, dir_fd=up)
    finally:
        for fd, _, _, _ in stack:
            os.close(fd)
        os.close(top)


def write_atomic(path: str, data: bytes, *, unchanged_since: os.stat_result | None = None) -> None:
    """Replace ``path`` with ``data`` atomically; raises OSError.

    The one write-back path (``archive fmt``, ``validate --fix``, the
    baseline). The new file keeps the old one's permissions, and its owner
    and group where the caller may set them (root may); where it may not,
    setuid and setgid bits are dropped, so no one else's privileges are
    copied onto a file we own. ``unchanged_since`` is the file's ``os.stat``
    taken before it was read: when its inode, size, modification or change
    time differ just before the rename (an editor saved it meanwhile),
    nothing is replaced and :class:`FileChanged` is raised.

    The file is replaced, not written in place: other hard links to it keep
    the old content. A symbolic link is written through: its target changes
    and the link stays a link. No fsync: a record rewritten by ``archive fmt``
    is one of thousands, and the rename alone keeps readers from seeing half
    a file.
    """
    target = os.path.realpath(path)
    try:
        out = AtomicFile(target, force=True, sync=False)
    except UsageError as exc:
        raise OSError(str(exc)) from None
    out.expect = unchanged_since
    with out:
        out.stream.write(data)


def _same_file(before: os.stat_result, now: os.stat_result) -> bool:
    return (
        before.st_dev,
        before.st_ino,
        before.st_size,
        before.st_mtime_ns,
        before.st_ctime_ns,
    ) == (
        now.st_dev,
        now.st_ino,
        now.st_size,
        now.st_mtime_ns,
        now.st_ctime_ns,
    )


def keep_owner_and_mode(temporary: str, old: os.stat_result) -> None:
    """Give ``temporary`` the permissions of the file it replaces, and its owner and group.

    Where the owner or group cannot be kept (only root may give a file away),
    setuid and setgid are dropped: they would grant the old owner's rights
    as ours.
    """
    mode = stat.S_IMODE(old.st_mode)
    mine = os.stat(temporary)
    if (mine.st_uid, mine.st_gid) != (old.st_uid, old.st_gid):
        try:
            os.chown(temporary, old.st_uid, old.st_gid)
        except OSError:
            mode &= ~(stat.S_ISUID | stat.S_ISGID)
    os.chmod(temporary, mode)


def _place(
    temporary: str, target: str, *, force: bool, expect: os.stat_result | None = None
) -> None:
    """Move ``temporary`` to ``target`` atomically; without ``force``, never over a file.

    With ``force``, a replaced file's permissions, owner and group are kept
    (:func:`keep_owner_and_mode`), as an editor's save keeps them; with
    ``expect``, the target must still be the file that was read.
    """
    if force:
        try:
            old: os.stat_result | None = os.stat(target)
        except FileNotFoundError:
            old = None
        if old is not None:
            keep_owner_and_mode(temporary, old)
        if expect is not None and (old is None or not _same_file(expect, old)):
            raise FileChanged(
                errno.EAGAIN,
                "it changed on disk while it was being formatted; left as it is (run again)",
                target,
            )
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
            sweep(folder)
            fd, self.temporary = tempfile.mkstemp(prefix=owned(f"{base}."), dir=folder)
        except OSError as exc:
            raise UsageError(f"{target}: cannot write here: {exc.strerror or exc}") from None
        try:
            # mkstemp makes the file 0600; the output must get what a plain open() would give.
            os.fchmod(fd, 0o666 & ~_umask())
            raw = io.FileIO(fd, "wb")
            raw.name = self.temporary  # the file's name, for writers that open it by name (SQLite)
            self.stream: BinaryIO = io.BufferedWriter(raw)
        except BaseException:
            # Ctrl-C right after mkstemp left a 0-byte temporary behind.
            os.close(fd)
            with contextlib.suppress(OSError):
                os.unlink(self.temporary)
            raise
        self._force = force
        self._sync = sync
        self._done = False
        #: The target's ``os.stat`` when it was read: see :func:`write_atomic`.
        self.expect: os.stat_result | None = None

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
            _place(self.temporary, self.target, force=self._force, expect=self.expect)
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

    The batch becomes visible only when every record has been converted, and
    whole or not at all: :meth:`commit` checks every target before placing
    any, and a failure part-way takes back what it placed (replaced files
    come back from hard-linked copies). Nothing is made or placed through a
    symbolic link below ``folder`` (each level is opened with ``O_NOFOLLOW``).
    Each file is moved with an atomic rename, so every file is whole. Folders
    are made, walked and removed without recursion: an input tree 1,100
    folders deep is mirrored as deep. Memory stays flat: what was placed is
    logged in the staging folder, not held.
    """

    def __init__(self, folder: str, *, force: bool) -> None:
        if Path(folder).exists() and not Path(folder).is_dir():
            raise UsageError(f"{folder}: not a folder")
        try:
            # Made now, so that the staging folder sits beside the outputs (one file
            # system: renames); removed again if the run places nothing.
            self._created = make_folders(folder)
            sweep(folder)
            self.temporary = tempfile.mkdtemp(prefix=owned(), dir=folder)
        except OSError as exc:
            raise UsageError(f"{folder}: cannot write here: {exc.strerror or exc}") from None
        self.folder = folder
        self._force = force
        self._done = False
        #: The staged files, under their relative names; beside it, the log of what
        #: commit placed and the copies of the files it replaced, for a rollback.
        self._files = os.path.join(self.temporary, "files")
        os.mkdir(self._files)
        # Folders, not files: small however large the batch.
        self._made: set[str] = {self.temporary, self._files}
        #: The next number to try for a name already taken: only names that
        #: collided are here, so probing ``-2``, ``-3`` … is linear, not quadratic.
        self._next: dict[str, int] = {}
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
        number = self._next.get(rel, 1)
        while True:
            name = rel if number == 1 else f"{stem}-{number}{dot}{ext}"
            # os.path, not pathlib: this runs once per record, and pathlib costs 3x here.
            staged = os.path.join(self._files, name)
            target = os.path.join(self.folder, name)
            if not os.path.lexists(staged):
                break
            if not unique:
                raise OutputExists(f"{target}: two inputs would be written to the same file")
            number += 1
        if number > 1:
            self._next[rel] = number + 1
        if not self._force and os.path.lexists(target):
            raise OutputExists(f"{target}: already exists (use --force to replace it)")
        parent = os.path.dirname(staged)
        if parent not in self._made:
            self._made.update(make_folders(parent))
            self._made.add(parent)
        return staged, name

    def _staged(self) -> Iterator[Found]:
        """Every staged file, in name order, with its path relative to the staging folder."""
        return walk([self._files], match=lambda name: True, hidden=True)

    def targets(self) -> Iterator[str]:
        """The path each staged file will have in the output folder."""
        for found in self._staged():
            yield os.path.normpath(os.path.join(self.folder, found.rel or ""))

    def commit(self) -> int:
        """Move every staged file into the output folder; returns how many were placed.

        First every target is checked (no symbolic link or file where a folder
        goes, no existing file without ``force``, every staged file still
        there); then each is placed. On any failure, the files placed so far
        are removed (replaced ones restored) and the folders made removed,
        before the error is raised: the output folder is as it was.
        """
        below = _Below(self.folder)
        try:
            self._check(below)
            log_path = os.path.join(self.temporary, "placed")
            old = os.path.join(self.temporary, "old")
            os.mkdir(old)
            self._made.add(old)
            placed = 0
            with open(log_path, "wb") as log:
                try:
                    for found in self._staged():
                        self._place_one(below, found, log, old, placed)
                        placed += 1
                except BaseException:
                    log.flush()
                    self._rollback(below, log_path)
                    raise
            if placed != self.count:  # the staging folder lost files after the check
                self._rollback(below, log_path)
                raise OutputError(
                    f"{self.folder}: {self.count - placed} of {self.count} staged files "
                    "disappeared during the run; nothing was written"
                )
            self._created = []  # the output folder stays, even if empty: the run succeeded
            return placed
        finally:
            below.close()
            self.discard()

    def _check(self, below: _Below) -> None:
        seen = 0
        for found in self._staged():
            seen += 1
            folder_rel, _, name = (found.rel or "").rpartition("/")
            fd = below.folder(folder_rel, create=False)
            if fd is None:
                continue  # a folder still to make: nothing is in the way below it
            try:
                info = os.stat(name, dir_fd=fd, follow_symlinks=False)
            except FileNotFoundError:
                continue
            target = os.path.join(self.folder, found.rel or "")
            if stat.S_ISDIR(info.st_mode):
                raise OutputExists(f"{target}: is a folder; the output file cannot go there")
            if not self._force:
                raise OutputExists(f"{target}: already exists (use --force to replace it)")
        if seen != self.count:
            raise OutputError(
                f"{self.folder}: {self.count - seen} of {self.count} staged files disappeared "
                "during the run; nothing was written"
            )

    def _place_one(self, below: _Below, found: Found, log: BinaryIO, old: str, index: int) -> None:
        rel = found.rel or ""
        folder_rel, _, name = rel.rpartition("/")
        fd = below.folder(folder_rel, create=True, made=lambda made: _log(log, "D", made))
        assert fd is not None  # made if missing
        target = os.path.join(self.folder, rel)
        if self._force:
            try:
                info = os.stat(name, dir_fd=fd, follow_symlinks=False)
            except FileNotFoundError:
                info = None
            if info is not None:
                backup = os.path.join(old, str(index))
                # A hard link keeps the old file whole for a rollback, and the
                # rename below still replaces the name atomically.
                try:
                    os.link(name, backup, src_dir_fd=fd, follow_symlinks=False)
                except OSError as exc:  # a file system without hard links: moved aside
                    if exc.errno not in _NO_LINKS:
                        raise
                    os.rename(name, backup, src_dir_fd=fd)
                _log(log, "R", rel)
                if stat.S_ISREG(info.st_mode):
                    keep_owner_and_mode(found.path, info)
                os.rename(found.path, name, dst_dir_fd=fd)
                return
        try:
            # A hard link fails if the target exists, even if another process just
            # made it: no check-then-rename race.
            os.link(found.path, name, dst_dir_fd=fd)
        except FileExistsError:
            raise OutputExists(f"{target}: already exists (use --force to replace it)") from None
        except OSError as exc:
            if exc.errno not in _NO_LINKS:
                raise
            if _exists(name, fd):
                raise OutputExists(
                    f"{target}: already exists (use --force to replace it)"
                ) from None
            os.rename(found.path, name, dst_dir_fd=fd)  # a file system without hard links
        _log(log, "N", rel)

    def _rollback(self, below: _Below, log_path: str) -> None:
        """Undo the placements logged, newest first: remove new files, restore replaced ones."""
        with open(log_path, "rb") as log:
            entries = log.read().split(b"\0")
        old = os.path.join(self.temporary, "old")
        index = sum(1 for kind in entries[0::2] if kind in (b"N", b"R"))
        for kind, raw in reversed(list(zip(entries[0::2], entries[1::2], strict=False))):
            rel = os.fsdecode(raw)
            folder_rel, _, name = rel.rpartition("/")
            with contextlib.suppress(OSError, UsageError):
                if kind == b"D":
                    parent = below.folder(folder_rel, create=False)
                    if parent is not None:
                        os.rmdir(name, dir_fd=parent)
                    continue
                index -= 1
                fd = below.folder(folder_rel, create=False)
                if fd is None:
                    continue
                if kind == b"R":
                    os.rename(os.path.join(old, str(index)), name, dst_dir_fd=fd)
                else:
                    os.unlink(name, dir_fd=fd)

    def discard(self) -> None:
        """Remove the staging folder and whatever is left in it (idempotent)."""
        if self._done:
            return
        self._done = True
        for found in walk([self.temporary], match=lambda name: True, hidden=True):
            with contextlib.suppress(OSError):
                os.unlink(found.path)
        # Deepest first: each folder is empty by the time it is removed; then the
        # output folders this run made, if nothing was written into them.
        for folder in [*sorted(self._made, key=len, reverse=True), *reversed(self._created)]:
            with contextlib.suppress(OSError):
                os.rmdir(folder)


def _log(log: BinaryIO, kind: str, rel: str) -> None:
    # NUL-separated: no path holds a NUL, while a name may hold a line break.
    log.write(kind.encode() + b"\0" + os.fsencode(rel) + b"\0")


def _exists(name: str, fd: int) -> bool:
    try:
        os.stat(name, dir_fd=fd, follow_symlinks=False)
    except FileNotFoundError:
        return False
    return True


#: What link(2) says on a file system without hard links (FAT, some network mounts).
_NO_LINKS = {errno.EPERM, errno.EOPNOTSUPP, errno.ENOTSUP, errno.ENOSYS, errno.EMLINK}
_DIR_FLAGS = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_NOFOLLOW", 0)


class _Below:
    """Folders below ``root``, each level opened with ``O_NOFOLLOW``: never through a link.

    Holds one open folder at a time (the last asked for), so a deep tree costs
    no more file descriptors than a flat one; a child of it opens from there.
    """

    def __init__(self, root: str) -> None:
        self.root = root
        self._root = os.open(root, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        self._rel = ""
        self._fd = os.dup(self._root)

    def folder(
        self, rel: str, *, create: bool, made: Callable[[str], None] | None = None
    ) -> int | None:
        """An open descriptor of folder ``rel`` (``""``: the root), or None if it is missing.

        With ``create``, missing folders are made (``made`` hears of each).
        Raises :class:`OutputExists` when a level is a symbolic link or a file.
        """
        if rel == self._rel:
            return self._fd
        if self._rel and rel.startswith(self._rel + "/"):
            fd, done, rest = os.dup(self._fd), self._rel, rel[len(self._rel) + 1 :]
        else:
            fd, done, rest = os.dup(self._root), "", rel
        try:
            for part in rest.split("/") if rest else ():
                if part in ("", ".", ".."):
                    raise UsageError(f"{self.root}/{rel}: not a plain relative name")
                done = f"{done}/{part}" if done else part
                try:
                    step = os.open(part, _DIR_FLAGS, dir_fd=fd)
                except FileNotFoundError:
                    if not create:
                        os.close(fd)
                        return None
                    os.mkdir(part, 0o777, dir_fd=fd)
                    if made is not None:
                        made(done)
                    step = os.open(part, _DIR_FLAGS, dir_fd=fd)
                except OSError as exc:
                    if exc.errno in (errno.ELOOP, errno.ENOTDIR, errno.EMLINK):
                        raise OutputExists(
                            f"{os.path.join(self.root, done)}: is a symbolic link or a file, "
                            "not a folder; nothing is written through it"
                        ) from None
                    raise
                os.close(fd)
                fd = step
        except BaseException:
            os.close(fd)
            raise
        os.close(self._fd)
        self._fd, self._rel = fd, rel
        return fd

    def close(self) -> None:
        """Close the descriptors (idempotent)."""
        for fd in (self._fd, self._root):
            with contextlib.suppress(OSError):
                os.close(fd)
        self._fd = self._root = -1


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


class Block(NamedTuple):
    """Rendered output bytes a worker process wrote to a scratch file: its path and size."""

    path: str
    size: int


class Scratch:
    """A hidden folder where worker processes write blocks of output for the parent to splice.

    Made beside the output (``near``: the output's folder; ``None``: the
    system's temporary folder, for a spool of standard output), so that the
    splice stays on one file system. :meth:`discard` removes it and every
    block left in it, whatever happened; the parent removes each block once
    spliced (:func:`splice`), so the disk used stays one block per worker.
    """

    def __init__(self, near: str | None) -> None:
        try:
            if near is not None:
                sweep(near)
            self.folder = tempfile.mkdtemp(prefix=owned(), dir=near)
        except OSError as exc:
            raise UsageError(f"{near}: cannot write here: {exc.strerror or exc}") from None
        self._done = False

    def discard(self) -> None:
        """Remove the folder and every block in it (idempotent)."""
        if self._done:
            return
        self._done = True
        for found in walk([self.folder], match=lambda name: True, hidden=True):
            with contextlib.suppress(OSError):
                os.unlink(found.path)
        with contextlib.suppress(OSError):
            os.rmdir(self.folder)


def write_block(folder: str, data: bytes | Callable[[BinaryIO], object]) -> Block:
    """Write ``data`` to a new scratch file in ``folder`` (a :class:`Scratch`'s); raises OSError.

    ``data`` is the bytes, or a function that writes them into the file it is
    given (Parquet's workers stream Arrow IPC into it: no copy in memory first).
    Called in a worker process; a failed write removes its file.
    """
    fd, path = tempfile.mkstemp(prefix=TEMP_PREFIX, dir=folder)
    try:
        if callable(data):
            with open(fd, "wb", closefd=False) as stream:
                data(stream)
            size = os.fstat(fd).st_size
        else:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            size = len(data)
    except BaseException:
        os.close(fd)
        with contextlib.suppress(OSError):
            os.unlink(path)
        raise
    os.close(fd)
    return Block(path, size)


def drop_block(block: Block) -> None:
    """Remove a block that will not be written (the run is failing)."""
    with contextlib.suppress(FileNotFoundError):
        os.unlink(block.path)


#: Streams whose file descriptor holds exactly what was written to them (no
#: compression or text layer between): a block can be copied in by the kernel.
_RAW_STREAMS = (io.BufferedWriter, io.BufferedRandom, io.FileIO)
#: What copy_file_range(2) and sendfile(2) say when they cannot copy between
#: these two files (another file system, a pipe, an old kernel): copy by hand.
_NO_KERNEL_COPY = {errno.EXDEV, errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP, errno.EBADF}


def splice(block: Block, stream: BinaryIO) -> None:
    """Append the block's bytes to ``stream``, then remove the block; raises OSError.

    Into a plain file or pipe the kernel copies the bytes (copy_file_range,
    else sendfile): they never pass through this process. Into anything else
    (a gzip stream), or where neither call works, a plain copy a megabyte at
    a time: memory stays flat either way.
    """
    with open(block.path, "rb") as source:
        done = 0
        if type(stream) in _RAW_STREAMS:
            stream.flush()
            done = _kernel_copy(source.fileno(), stream.fileno(), block.size)
            if done and stream.seekable():
                # The buffered stream's idea of its position is stale: ask the file.
                stream.seek(0, os.SEEK_CUR)
        source.seek(done)
        while piece := source.read(1 << 20):
            stream.write(piece)
    os.unlink(block.path)


def _kernel_copy(source: int, target: int, size: int) -> int:
    """Copy up to ``size`` bytes of ``source`` to ``target``'s position; returns how many."""
    done = 0
    for call in ("copy_file_range", "sendfile"):
        copy = getattr(os, call, None)
        if copy is None:
            continue
        try:
            while done < size:
                if call == "copy_file_range":
                    step = copy(source, target, size - done, done)
                else:
                    step = copy(target, source, done, size - done)
                if step == 0:
                    break  # the block is shorter than said: the plain copy reads what is left
                done += step
        except OSError as exc:
            if exc.errno not in _NO_KERNEL_COPY:
                raise
            continue
        return done
    return done
