"""Read sources into records, in order, in worker processes when the batch is large."""

from __future__ import annotations

import itertools
import multiprocessing
import os
import signal
import zlib
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from archivekit.formats.registry import FORMAT_BY_NAME
from archivekit.formats.sources import Source
from archivekit.formats.values import FormatOptions, Read, failed

if TYPE_CHECKING:
    from multiprocessing.pool import AsyncResult

#: Sources handed to a worker at a time (see validate.CHUNK for the trade-off).
CHUNK = 64
#: Below this many sources a worker pool costs more to start than it saves.
POOL_THRESHOLD = 256


@dataclass(frozen=True, slots=True)
class Item:
    """A record read, with its source's label, relative path and file path (if on disk).

    ``payload`` is the record already written in the one-record output format,
    when one was asked for: that work is spread over the workers too.
    """

    label: str
    rel: str | None
    path: str | None
    read: Read
    payload: bytes | None = None


def read_source(source: Source, options: FormatOptions, render: str | None = None
                ) -> Iterator[Item]:  # fmt: skip
    """Every record of one source; a source that cannot be read gives one ``read-error``.

    ``render`` names a one-record format to write each valid record in.
    """
    dump = FORMAT_BY_NAME[render].dump if render else None

    def item(read: Read) -> Item:
        record = read.result.record
        payload = dump(record, options) if dump and record is not None and read.ok else None
        return Item(source.label, source.rel, source.path, read, payload)

    if source.error is not None:
        yield item(Read(failed(source.label, "read-error", source.error)))
        return
    try:
        with source.open() as stream:
            yield from map(item, FORMAT_BY_NAME[source.format].read(stream, source.label, options))
    except (OSError, EOFError, zlib.error) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        what = "the folder" if source.path and Path(source.path).is_dir() else "the file"
        yield item(Read(failed(source.label, "read-error", f"cannot read {what}: {reason}")))


def _read_chunk(chunk: list[Source], options: FormatOptions, render: str | None) -> list[Item]:
    return [item for source in chunk for item in read_source(source, options, render)]


def _worker_init() -> None:
    # Ctrl-C reaches the whole process group: only the parent handles it (and
    # cleans up); the parent ends workers with SIGTERM, which must just kill them.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _poolable(source: Source) -> bool:
    """One-record files are spread over workers; a stream of many records is read in order here."""
    return FORMAT_BY_NAME[source.format].one and source.error is None and source.stream is None


def read_sources(sources: Iterable[Source], options: FormatOptions, jobs: int | None,
                 render: str | None = None) -> Iterator[Item]:  # fmt: skip
    """Every record of every source, in input order (see :func:`read_source`)."""
    sources = iter(sources)
    head = list(itertools.islice(sources, POOL_THRESHOLD))
    workers = jobs or os.cpu_count() or 1
    if workers <= 1 or len(head) < POOL_THRESHOLD:
        for source in itertools.chain(head, sources):
            yield from read_source(source, options, render)
        return
    yield from _pooled(itertools.chain(head, sources), options, workers, render)


def _pooled(sources: Iterator[Source], options: FormatOptions, workers: int,
            render: str | None) -> Iterator[Item]:  # fmt: skip
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    pool = multiprocessing.get_context(method).Pool(workers, initializer=_worker_init)
    try:
        pending: deque[AsyncResult[list[Item]]] = deque()
        chunk: list[Source] = []

        def submit() -> None:
            pending.append(pool.apply_async(_read_chunk, (list(chunk), options, render)))
            chunk.clear()

        for source in sources:
            if _poolable(source):
                chunk.append(source)
                if len(chunk) >= CHUNK:
                    submit()
                # Bounded in flight: memory stays flat however long the batch.
                while len(pending) > workers * 4:
                    yield from pending.popleft().get()
                continue
            if chunk:
                submit()
            while pending:
                yield from pending.popleft().get()
            yield from read_source(source, options, render)
        if chunk:
            submit()
        while pending:
            yield from pending.popleft().get()
    finally:
        pool.terminate()
        pool.join()
