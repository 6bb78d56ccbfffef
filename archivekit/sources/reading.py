"""Read sources into records, in order, in worker processes when the batch is large."""

from __future__ import annotations

import functools
import itertools
import os
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from archivekit.diagnostics import ParseResult
from archivekit.formats import FORMAT_BY_NAME
from archivekit.formats.base import FormatOptions, Read, failed
from archivekit.sources.inputs import Source
from archivekit.workers import Workers

#: Sources handed to a worker at a time (see validate.CHUNK for the trade-off).
CHUNK = 64
#: Below this many sources a worker pool costs more to start than it saves.
POOL_THRESHOLD = 256


@dataclass(frozen=True, slots=True)
class Item:
    """A record read, with its source's label, relative path and file path (if on disk).

    ``payload`` is the record already written in the one-record output format,
    when one was asked for: that work is spread over the workers too.

    For a many-record output format, a worker renders its chunk's valid
    records itself: each of them comes back ``rendered`` (valid, but without
    its record, which need not cross the pipe), and the chunk's last item
    carries ``rows``, the output bytes of every valid record of the chunk.
    """

    label: str
    rel: str | None
    path: str | None
    read: Read
    payload: bytes | None = None
    rendered: bool = False
    rows: bytes | None = None

    def __reduce__(self) -> tuple[type[Item], tuple[object, ...]]:
        # By the constructor: see Diagnostic.__reduce__ (pickling from workers).
        return (
            Item,
            (self.label, self.rel, self.path, self.read, self.payload, self.rendered, self.rows),
        )


def read_source(
    source: Source, options: FormatOptions, render: str | None = None
) -> Iterator[Item]:
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


def _read_chunk(
    chunk: list[Source], *, options: FormatOptions, render: str | None, rows: str | None = None
) -> list[Item]:
    items = [item for source in chunk for item in read_source(source, options, render)]
    renderer = FORMAT_BY_NAME[rows].rows if rows else None
    if renderer is None:
        return items
    # Render here, in the worker: the parent then neither unpickles the records
    # nor serialises them, and writes the chunk with one call.
    records = []
    for number, item in enumerate(items):
        result = item.read.result
        if result.record is not None and result.ok:
            records.append(result.record)
            read = Read(
                ParseResult(result.path, None, result.diagnostics), item.read.index, item.read.line
            )
            items[number] = Item(item.label, item.rel, item.path, read, rendered=True)
    if records:
        last = items[-1]
        items[-1] = Item(
            last.label,
            last.rel,
            last.path,
            last.read,
            last.payload,
            last.rendered,
            renderer(records, options),
        )
    return items


def _poolable(source: Source) -> bool:
    """One-record files are spread over workers; a stream of many records is read in order here."""
    return FORMAT_BY_NAME[source.format].one and source.error is None and source.stream is None


def read_sources(
    sources: Iterable[Source],
    options: FormatOptions,
    jobs: int | None,
    render: str | None = None,
    rows: str | None = None,
) -> Iterator[Item]:
    """Every record of every source, in input order (see :func:`read_source`).

    ``rows`` names a many-record format for the workers to render records in
    (see :class:`Item`); records read in this process come back whole.
    """
    sources = iter(sources)
    head = list(itertools.islice(sources, POOL_THRESHOLD))
    workers = jobs or os.cpu_count() or 1
    if workers <= 1 or len(head) < POOL_THRESHOLD:
        for source in itertools.chain(head, sources):
            yield from read_source(source, options, render)
        return
    yield from _pooled(itertools.chain(head, sources), options, workers, render, rows)


def _pooled(
    sources: Iterator[Source],
    options: FormatOptions,
    workers: int,
    render: str | None,
    rows: str | None,
) -> Iterator[Item]:
    read_chunk = functools.partial(_read_chunk, options=options, render=render, rows=rows)
    with Workers(read_chunk, workers) as pool:
        chunk: list[Source] = []
        for source in sources:
            if _poolable(source):
                chunk.append(source)
                if len(chunk) >= CHUNK:
                    # At most one chunk per worker in flight: memory stays flat.
                    yield from pool.submit(chunk)
                    chunk = []
                continue
            # A stream of many records is read here, in order, after what came before it.
            if chunk:
                yield from pool.submit(chunk)
                chunk = []
            yield from pool.drain()
            yield from read_source(source, options, render)
        if chunk:
            yield from pool.submit(chunk)
        yield from pool.drain()
