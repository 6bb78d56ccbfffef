"""Check many files: a pure per-file function, run in order, in worker processes when it pays."""

from __future__ import annotations

import errno
import gc
import itertools
import multiprocessing
import os
import stat
import sys
from collections import deque
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from archivekit.diagnostics import Diagnostic, ParseResult
from archivekit.files.read import default_max_bytes, too_large_message
from archivekit.files.walk import STDIN, check_paths, iter_files
from archivekit.record.parse import _parse
from archivekit.rules import RuleOptions, Severity
from archivekit.validate.duplicates import url_line

if TYPE_CHECKING:
    from multiprocessing.pool import AsyncResult

#: Files handed to a worker at a time: large enough that pickling and queueing
#: cost little per file, small enough that the first results come back soon.
CHUNK = 64
#: Below this many files a worker pool costs more to start than it saves.
POOL_THRESHOLD = 256


def check_file(
    path: str, *, options: RuleOptions | None = None, keep_record: bool = True
) -> ParseResult:
    """Read and check one file. Pure: safe to run in a worker process.

    ``-`` reads standard input. A file that cannot be read gives a
    ``read-error`` finding rather than an exception.
    """
    return _check(path, options, keep_record, False)[0]


def _check(
    path: str, options: RuleOptions | None, keep: bool, url: bool
) -> tuple[ParseResult, str | None]:
    """check_file, and (if ``url``) the URL line as crossfile.first_line reads it."""
    label = "<stdin>" if path == STDIN else path
    limit = options.max_bytes if options is not None else default_max_bytes()
    size: int | None = None
    try:
        if path == STDIN:
            data = sys.stdin.buffer.read(limit + 1)
        else:
            data, size = read_bytes(path, limit)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        message = f"cannot read {'the folder' if os.path.isdir(path) else 'the file'}: {reason}"
        return ParseResult(
            label, None, (Diagnostic("read-error", Severity.ERROR, message, label, 1, 1, 2),)
        ), None
    if len(data) > limit:
        # Only limit + 1 bytes were read: a huge file costs no more memory than that.
        return ParseResult(
            label,
            None,
            (
                Diagnostic(
                    "file-too-large", Severity.ERROR, too_large_message(size, limit), label, 1, 1, 2
                ),
            ),
        ), None
    found = url_line(data) if url and path != STDIN else None
    return _parse(data, label, options, keep_record=keep), found


def read_bytes(path: str, limit: int) -> tuple[bytes, int]:
    """At most ``limit + 1`` bytes of the regular file ``path``, and its size.

    Plain ``os`` calls, not ``open()``: a buffered file object costs an fstat,
    an isatty ioctl and two allocations per file, half the time of reading a
    10 KB record. O_NONBLOCK makes opening a FIFO return at once instead of
    waiting for a writer for ever; anything but a regular file is refused.
    """
    fd = os.open(path, _READ_FLAGS)
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), path)
        if not stat.S_ISREG(info.st_mode):
            raise OSError(errno.EINVAL, "not a regular file (a FIFO, socket or device)", path)
        chunks = [os.read(fd, min(_READ_SIZE, limit + 1))]
        got = len(chunks[0])
        while chunks[-1] and got <= limit:  # a short read is not proof of the end
            chunks.append(os.read(fd, min(_READ_SIZE, limit + 1 - got)))
            got += len(chunks[-1])
    finally:
        os.close(fd)
    # One read and the empty one that proved the end: no copy needed.
    whole = len(chunks) == 1 or (len(chunks) == 2 and not chunks[1])
    return (chunks[0] if whole else b"".join(chunks)), info.st_size


#: Below glibc's mmap threshold (128 KiB), so that each read buffer is cheap.
_READ_SIZE = 64 * 1024
_READ_FLAGS = (
    os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC | getattr(os, "O_BINARY", 0)
)  # O_BINARY: Windows only


#: What a worker sends back for a chunk when records are not kept: only the
#: files with findings, as (position in the chunk, diagnostics). Most files
#: are clean, and a clean file's result is rebuilt from its path for free.
_Findings = list[tuple[int, tuple[Diagnostic, ...]]]
#: A chunk's results (all of them, or only the findings), and its URL lines if asked.
_Returned = tuple[list[ParseResult] | _Findings, list[str | None] | None]


def _check_chunk(chunk: list[str], options: RuleOptions | None, keep: bool, url: bool) -> _Returned:
    checked = [_check(path, options, keep, url) for path in chunk]
    urls = [found for _, found in checked] if url else None
    if keep:
        return [result for result, _ in checked], urls
    findings = [(i, r.diagnostics) for i, (r, _) in enumerate(checked) if r.diagnostics]
    return findings, urls


def _results(
    chunk: list[str], returned: _Returned, keep: bool
) -> Iterator[tuple[ParseResult, str | None]]:
    results, urls = returned
    if keep:
        kept: list[ParseResult] = results  # type: ignore[assignment]
        yield from zip(kept, urls or [None] * len(kept), strict=True)
        return
    found = dict(results)  # type: ignore[arg-type]
    for index, path in enumerate(chunk):
        yield ParseResult(path, None, found.get(index, ())), urls[index] if urls else None


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
    :class:`~archivekit.errors.InputError` at once for a path that does
    not exist, before any file is read.
    """
    paths = list(paths)
    check_paths(paths)
    files = iter_files(paths, glob=glob, follow_symlinks=follow_symlinks)
    return _validate(files, options, jobs, keep_records)


def _validate(
    files: Iterator[str], options: RuleOptions | None, jobs: int | None, keep_records: bool
) -> Iterator[ParseResult]:
    yield from validate_files(files, options=options, jobs=jobs, keep_records=keep_records)


def validate_files(
    files: Iterable[str],
    *,
    options: RuleOptions | None = None,
    jobs: int | None = None,
    keep_records: bool = False,
) -> Iterator[ParseResult]:
    """Check files already found (no walking, no existence check), in order, like validate_paths.

    For callers that choose the files themselves (configured include and
    exclude globs, files changed since a git revision).
    """
    return (result for result, _ in _run(files, options, jobs, keep_records, False))


def validate_files_with_urls(
    files: Iterable[str],
    *,
    options: RuleOptions | None = None,
    jobs: int | None = None,
    keep_records: bool = False,
) -> Iterator[tuple[ParseResult, str | None]]:
    """validate_files, each result with its file's URL line (crossfile.first_line's value).

    For the duplicate-url rule: the workers take the URL from the bytes they
    read anyway, so the parent does not read every file a second time.
    """
    return _run(files, options, jobs, keep_records, True)


def _run(
    files: Iterable[str], options: RuleOptions | None, jobs: int | None, keep: bool, url: bool
) -> Iterator[tuple[ParseResult, str | None]]:
    files = iter(files)
    head = list(itertools.islice(files, POOL_THRESHOLD))
    workers = jobs or os.cpu_count() or 1
    if workers <= 1 or len(head) < POOL_THRESHOLD or STDIN in head:
        for path in itertools.chain(head, files):
            yield _check(path, options, keep, url)
        return
    yield from _pooled(itertools.chain(head, files), options, keep, url, workers)


def _pooled(
    files: Iterator[str], options: RuleOptions | None, keep: bool, url: bool, workers: int
) -> Iterator[tuple[ParseResult, str | None]]:
    # fork is cheap and the parent has already imported what the workers need.
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    # Objects that exist now are never collected in the workers: without this
    # a worker's garbage collector touches every inherited object, and each
    # touched page is copied (copy-on-write) in every worker.
    gc.freeze()
    pool = multiprocessing.get_context(method).Pool(workers)
    try:
        pending: deque[tuple[list[str], AsyncResult[_Returned]]] = deque()
        args = (options, keep, url)
        chunks = iter(lambda: list(itertools.islice(files, CHUNK)), [])
        for chunk in itertools.islice(chunks, workers * 4):
            pending.append((chunk, pool.apply_async(_check_chunk, (chunk, *args))))
        while pending:
            done, result = pending.popleft()
            returned = _get(result)
            chunk = next(chunks, [])
            if chunk:
                pending.append((chunk, pool.apply_async(_check_chunk, (chunk, *args))))
            yield from _results(done, returned, keep)
    finally:
        pool.terminate()
        pool.join()
        gc.unfreeze()


def _get(result: AsyncResult[_Returned]) -> _Returned:
    # Wait in slices: the kernel may hand SIGINT or SIGTERM to one of the
    # pool's threads, and that does not wake a main thread blocked for ever
    # on a lock, so the signal handler would never run.
    while not result.ready():
        result.wait(0.25)
    return result.get()
