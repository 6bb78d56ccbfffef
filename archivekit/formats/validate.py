"""Check many files: a pure per-file function, run in order, in worker processes when it pays."""

from __future__ import annotations

import errno
import itertools
import multiprocessing
import os
import stat
import sys
from collections import deque
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from archivekit.formats.diagnostics import Diagnostic, ParseResult
from archivekit.formats.limits import default_max_bytes, too_large_message
from archivekit.formats.parser import parse
from archivekit.formats.rules import RuleOptions, Severity
from archivekit.formats.walk import STDIN, check_paths, iter_files

if TYPE_CHECKING:
    from multiprocessing.pool import AsyncResult

#: Files handed to a worker at a time: large enough that pickling and queueing
#: cost little per file, small enough that the first results come back soon.
CHUNK = 64
#: Below this many files a worker pool costs more to start than it saves.
POOL_THRESHOLD = 256


def check_file(path: str, *, options: RuleOptions | None = None, keep_record: bool = True
               ) -> ParseResult:  # fmt: skip
    """Read and check one file. Pure: safe to run in a worker process.

    ``-`` reads standard input. A file that cannot be read gives a
    ``read-error`` finding rather than an exception.
    """
    label = "<stdin>" if path == STDIN else path
    limit = options.max_bytes if options is not None else default_max_bytes()
    size: int | None = None
    try:
        if path == STDIN:
            data = sys.stdin.buffer.read(limit + 1)
        else:
            data, size = _read_regular(path, limit)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        message = f"cannot read {'the folder' if os.path.isdir(path) else 'the file'}: {reason}"
        return ParseResult(label, None, (
            Diagnostic("read-error", Severity.ERROR, message, label, 1, 1, 2),))  # fmt: skip
    if len(data) > limit:
        # Only limit + 1 bytes were read: a huge file costs no more memory than that.
        return ParseResult(label, None, (Diagnostic(
            "file-too-large", Severity.ERROR, too_large_message(size, limit), label, 1, 1, 2),))
    result = parse(data, path=label, options=options)
    if not keep_record and result.record is not None:
        return ParseResult(result.path, None, result.diagnostics)
    return result


def _read_regular(path: str, limit: int) -> tuple[bytes, int]:
    """At most ``limit + 1`` bytes of a regular file, and its size.

    O_NONBLOCK makes opening a FIFO return at once instead of waiting for a
    writer forever; anything but a regular file is then refused.
    """
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), path)
        if not stat.S_ISREG(info.st_mode):
            raise OSError(errno.EINVAL, "not a regular file (a FIFO, socket or device)", path)
        return handle.read(limit + 1), info.st_size


def _check_chunk(chunk: list[str], options: RuleOptions | None, keep: bool) -> list[ParseResult]:
    return [check_file(path, options=options, keep_record=keep) for path in chunk]


def validate_paths(
    paths: Iterable[str],
    *,
    glob: str = "*.txt",
    options: RuleOptions | None = None,
    jobs: int | None = None,
    keep_records: bool = False,
    follow_symlinks: bool = False,
) -> Iterator[ParseResult]:
    """Check every record file under ``paths``, yielding one result per file, in order.

    Directories are walked recursively for files matching ``glob`` (symbolic
    links inside them are followed only with ``follow_symlinks``). With more
    than a few hundred files the work is spread over ``jobs`` worker processes
    (default: the CPU count); at most a few chunks are in flight at once, so
    memory stays flat however many files there are. Raises
    :class:`~archivekit.formats.errors.InputError` at once for a path that does
    not exist, before any file is read.
    """
    paths = list(paths)
    check_paths(paths)
    files = iter_files(paths, glob=glob, follow_symlinks=follow_symlinks)
    return _validate(files, options, jobs, keep_records)


def _validate(files: Iterator[str], options: RuleOptions | None, jobs: int | None,
              keep_records: bool) -> Iterator[ParseResult]:  # fmt: skip
    head = list(itertools.islice(files, POOL_THRESHOLD))
    workers = jobs or os.cpu_count() or 1
    if workers <= 1 or len(head) < POOL_THRESHOLD or STDIN in head:
        for path in itertools.chain(head, files):
            yield check_file(path, options=options, keep_record=keep_records)
        return
    yield from _pooled(itertools.chain(head, files), options, keep_records, workers)


def _pooled(files: Iterator[str], options: RuleOptions | None, keep: bool, workers: int
            ) -> Iterator[ParseResult]:  # fmt: skip
    # fork is cheap and the parent has already imported what the workers need.
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    pool = multiprocessing.get_context(method).Pool(workers)
    try:
        pending: deque[AsyncResult[list[ParseResult]]] = deque()
        chunks = iter(lambda: list(itertools.islice(files, CHUNK)), [])
        for chunk in itertools.islice(chunks, workers * 4):
            pending.append(pool.apply_async(_check_chunk, (chunk, options, keep)))
        while pending:
            results = _get(pending.popleft())
            chunk = next(chunks, None)
            if chunk is not None:
                pending.append(pool.apply_async(_check_chunk, (chunk, options, keep)))
            yield from results
    finally:
        pool.terminate()
        pool.join()


def _get(result: AsyncResult[list[ParseResult]]) -> list[ParseResult]:
    # Wait in slices: the kernel may hand SIGINT or SIGTERM to one of the
    # pool's threads, and that does not wake a main thread blocked for ever
    # on a lock, so the signal handler would never run.
    while not result.ready():
        result.wait(0.25)
    return result.get()
