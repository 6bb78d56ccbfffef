"""Sources read into records, in input order, in worker processes when the batch is large.

Every command reads through here: ``archive validate`` (records checked, not
built; only findings cross back from the workers), ``archive convert``
(records built, and rendered in the output format by the workers), and the
Python API.
"""

from __future__ import annotations

import functools
import itertools
import os
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, NamedTuple

from archivekit.diagnostics import ParseResult, failed, unreadable
from archivekit.files.read import over_limit, read_file, read_stream
from archivekit.formats import FORMAT_BY_NAME, Format, FormatOptions, Loader, load_whole
from archivekit.record.parse import url_line
from archivekit.sources.inputs import Source

if TYPE_CHECKING:
    from archivekit.record.model import Record

#: Sources handed to a worker at a time: large enough that pickling and queueing
#: cost little per file, small enough that the first results come back soon.
CHUNK = 64
#: Below this many sources a worker pool costs more to start than it saves.
POOL_THRESHOLD = 256


@dataclass(frozen=True, slots=True)
class ReadOptions:
    """How sources are read. Picklable, for worker processes.

    ``formats``: the readers' settings (and the rules', the size limit among
    them). ``urls``: give each record's URL line too (``duplicate-url``).
    ``render``: a one-record format to write each valid record in (the
    item's ``payload``). ``rows``: a many-record format in which the workers
    render their chunk's valid records (the ``rows`` of its last item).
    ``pick``: which valid records to keep (run where the record is read, in a
    worker: a selection's filters); the others come back with ``picked``
    false and neither record nor payload, and are left out of ``rows``.
    ``digest``: a small summary of each valid record picked (the item's
    ``digest``), made where it is read, so that the record itself need not
    cross the pipe (``archive stats``). Both must be picklable.
    """

    formats: FormatOptions = field(default_factory=FormatOptions)
    urls: bool = False
    render: str | None = None
    rows: str | None = None
    pick: Callable[[Record], bool] | None = None
    digest: Callable[[Record], object] | None = None


class Item(NamedTuple):
    """One record read: its source, the result, and what the worker made of it.

    ``payload`` is the record written in the one-record format asked for.
    For a many-record output, a worker renders its chunk's valid records
    itself: each comes back without its record (which need not cross the
    pipe), and the chunk's last item carries ``rows``, the output bytes of
    every valid record of the chunk, in order. ``url`` is the record's URL
    line, when asked for. ``picked`` is false for a valid record that
    ``ReadOptions.pick`` refused; ``digest`` is ``ReadOptions.digest`` of the
    record. A named tuple: one is made per record, in the parent.
    """

    source: Source
    result: ParseResult
    payload: bytes | None = None
    rows: bytes | None = None
    url: str | None = None
    picked: bool = True
    digest: object = None


def read_source(source: Source, options: ReadOptions) -> Iterator[Item]:
    """Every record of one source; a source that cannot be read gives one ``read-error``."""
    fmt = FORMAT_BY_NAME[source.format]
    if fmt.streamed and source.error is None:
        records: Iterable[_Record] = _read_stream(source, fmt, options)
    else:
        records = _read_whole(source, fmt, options)
    for result, payload, url, picked, digest in records:
        yield Item(source, result, payload, None, url, picked, digest)


#: One record read: its result, its payload (``ReadOptions.render``), URL line,
#: whether ``ReadOptions.pick`` kept it, and its digest.
_Record = tuple[ParseResult, bytes | None, str | None, bool, object]


def _record(result: ParseResult, data: bytes | None, options: ReadOptions) -> _Record:
    """The URL and payload of one record; ``data``: a whole archive-format file's bytes."""
    url = None
    record = result.record
    if options.urls:
        if data is not None:
            url = url_line(data)
        elif record is not None:
            url = record.url
    picked, digest = True, None
    if record is not None and result.ok:
        if options.pick is not None and not options.pick(record):
            picked = False
        elif options.digest is not None:
            digest = options.digest(record)
    if record is not None and (not picked or not options.formats.keep_records):
        # Built only for its URL, its digest or the selection: it need not travel.
        result = replace(result, record=None)
        record = None
    payload = None
    if options.render is not None and record is not None and result.ok:
        dump = FORMAT_BY_NAME[options.render].dump
        assert dump is not None  # render names a one-record format
        payload = dump(record, options.formats)
    return result, payload, url, picked, digest


def _formats(source: Source, options: ReadOptions) -> FormatOptions:
    if options.formats.keep_records:
        return options.formats
    if options.pick is not None or options.digest is not None:
        # The selection and the digest look at the record: build it, then drop it.
        return replace(options.formats, keep_records=True)
    if options.urls and source.format != "archive":
        # The URL comes from the record itself: build it, even when only checking.
        return replace(options.formats, keep_records=True)
    return options.formats


def _read_whole(source: Source, fmt: Format, options: ReadOptions) -> list[_Record]:
    """The records of a file read whole (archive, JSON, Markdown), through the bounded reader.

    A list, not a generator, and no Item: the workers call this once per
    file, and most files hold one record.
    """
    label = source.label
    if source.error is not None:
        return [(failed(label, "read-error", source.error), None, None, True, None)]
    formats = _formats(source, options)
    limit = formats.rules.max_bytes
    size: int | None = None
    try:
        if source.stream is not None:
            data = read_stream(source.stream, limit)
        elif source.data is not None:
            data, size = source.data, len(source.data)
        elif source.path is not None and source.path[-3:].lower() != ".gz":
            data, size = read_file(source.path, limit)
        else:
            with source.open() as stream:
                data = read_stream(stream, limit)
    except (OSError, EOFError, zlib.error) as exc:
        return [(unreadable(label, exc, path=source.path), None, None, True, None)]
    # The URL of an archive-format file is read off its bytes, valid or not.
    whole = data if source.format == "archive" and not over_limit(data, size, limit) else None
    load = _LOADERS.get(fmt.name)
    if load is None:
        load = _LOADERS[fmt.name] = _loader(fmt)
    return [_record(r, whole, options) for r in load_whole(data, label, formats, load, size=size)]


#: Each whole format's loader, looked up once.
_LOADERS: dict[str, Loader] = {}


def _loader(fmt: Format) -> Loader:
    load = fmt.load
    assert load is not None  # only formats read whole come here
    return load


def _read_stream(source: Source, fmt: Format, options: ReadOptions) -> Iterator[_Record]:
    """The records of a file read as it streams (JSON Lines, CSV), one at a time."""
    formats = _formats(source, options)
    try:
        with source.open() as stream:
            for result in fmt.read(stream, source.label, formats):
                yield _record(result, None, options)
    except (OSError, EOFError, zlib.error) as exc:
        yield unreadable(source.label, exc, path=source.path), None, None, True, None


#: What a worker sends back for one source of its chunk: ``None`` or a URL line
#: for a source that gave one clean result with nothing to carry (the parent
#: rebuilds it from the source: most files of a batch); ``(url, picked, digest)``
#: for one that carries only those; else every record's (result, payload, url,
#: picked, digest).
_Returned = str | None | tuple[str | None, bool, object] | list[_Record]


def _read_chunk(
    chunk: list[Source], *, options: ReadOptions
) -> tuple[list[_Returned], bytes | None]:
    """Read a chunk of sources in a worker: what each gave, and the chunk's rows if asked."""
    renderer = FORMAT_BY_NAME[options.rows].rows if options.rows else None
    returned: list[_Returned] = []
    append = returned.append
    rendered = []
    for source in chunk:
        # Poolable sources are one-record formats, read whole.
        records = _read_whole(source, FORMAT_BY_NAME[source.format], options)
        if renderer is not None:
            # Render here, in the worker: the parent then neither unpickles the
            # records nor serialises them, and writes the chunk with one call.
            for number, (result, payload, url, picked, digest) in enumerate(records):
                if result.record is not None and result.ok:
                    rendered.append(result.record)
                    records[number] = (replace(result, record=None), payload, url, picked, digest)
        if len(records) == 1:
            result, payload, url, picked, digest = records[0]
            if (
                not result.diagnostics
                and result.record is None
                and payload is None
                and result.index is None
                and result.path == source.label
            ):
                # Nothing the parent cannot rebuild from the source: the URL alone,
                # or with the selection's verdict and the digest (archive stats).
                append(url if picked and digest is None else (url, picked, digest))
                continue
        append(records)
    rows = renderer(rendered, options.formats) if renderer is not None and rendered else None
    return returned, rows


def _items(chunk: list[Source], returned: tuple[list[_Returned], bytes | None]) -> Iterator[Item]:
    """The items of a chunk read by a worker, rebuilt in the parent."""
    per_source, rows = returned
    items: list[Item] = []
    for source, value in zip(chunk, per_source, strict=True):
        if value is None or isinstance(value, str):
            items.append(Item(source, ParseResult(source.label, None, ()), None, None, value))
        elif isinstance(value, tuple):
            url, picked, digest = value
            clean = ParseResult(source.label, None, ())
            items.append(Item(source, clean, None, None, url, picked, digest))
        else:
            items.extend(
                Item(source, result, payload, None, url, picked, digest)
                for result, payload, url, picked, digest in value
            )
    if rows is not None and items:
        items[-1] = items[-1]._replace(rows=rows)
    yield from items


#: The formats of one record per file: read by the workers.
_ONE = frozenset(fmt.name for fmt in FORMAT_BY_NAME.values() if fmt.one)


def _poolable(source: Source) -> bool:
    """One-record files are spread over workers; a stream of many records is read in order here."""
    return source.format in _ONE and source.error is None and source.stream is None


def read_sources(
    sources: Iterable[Source], options: ReadOptions, *, jobs: int | None = None
) -> Iterator[Item]:
    """Every record of every source, in input order (see :func:`read_source`).

    With more than a few hundred sources the one-record files are read by
    ``jobs`` worker processes (default: the CPU count), a chunk at a time, at
    most one chunk per worker in flight, so memory stays flat however many
    files there are. Records read in this process come back whole (``rows``
    is rendered only by workers).
    """
    sources = iter(sources)
    head = list(itertools.islice(sources, POOL_THRESHOLD))
    workers = jobs or os.cpu_count() or 1
    if workers <= 1 or len(head) < POOL_THRESHOLD:
        for source in itertools.chain(head, sources):
            yield from read_source(source, options)
        return
    yield from _pooled(itertools.chain(head, sources), options, workers)


def _pooled(sources: Iterator[Source], options: ReadOptions, workers: int) -> Iterator[Item]:
    from archivekit.workers import Workers  # multiprocessing: only for a large batch

    read_chunk = functools.partial(_read_chunk, options=options)
    with Workers(read_chunk, workers) as pool:
        chunk: list[Source] = []
        for source in sources:
            if _poolable(source):
                chunk.append(source)
                if len(chunk) >= CHUNK:
                    for done, returned in pool.submit(chunk):
                        yield from _items(done, returned)
                    chunk = []
                continue
            # A stream of many records is read here, in order, after what came before it.
            if chunk:
                for done, returned in pool.submit(chunk):
                    yield from _items(done, returned)
                chunk = []
            for done, returned in pool.drain():
                yield from _items(done, returned)
            yield from read_source(source, options)
        if chunk:
            for done, returned in pool.submit(chunk):
                yield from _items(done, returned)
        for done, returned in pool.drain():
            yield from _items(done, returned)


def read_records(
    paths: str | Iterable[str],
    *,
    format: str | None = None,
    profile: str | None = None,
    max_bytes: int | None = None,
    jobs: int | None = None,
) -> Iterator[ParseResult]:
    """Every record under ``paths``, streaming, in input order: record, findings and source.

    ``paths`` are files, folders, globs or ``-`` as for ``archive convert``;
    files go by their extension unless ``format`` names one (``jsonl``,
    ``parquet``, ...). ``profile="scraped"`` keeps records whose date or word
    count is missing or unreadable, with ``None`` there. Each result's
    ``record`` is ``None`` when the record is invalid (its ``errors`` say
    why). Raises :class:`~archivekit.errors.InputError` or ``UsageError``
    before reading anything for a missing path or a bad option::

        for result in read_records("archive/", profile="scraped"):
            if result.record is not None:
                print(result.record.headline)
    """
    from archivekit.errors import UsageError
    from archivekit.files.read import DEFAULT_MAX_BYTES
    from archivekit.files.walk import check_paths
    from archivekit.formats import format_named
    from archivekit.rules import RuleOptions
    from archivekit.sources.inputs import iter_sources

    inputs = [paths] if isinstance(paths, str) else list(paths)
    if format is not None:
        format_named(format).require()
    try:
        rules = RuleOptions(max_bytes=max_bytes or DEFAULT_MAX_BYTES, profile=profile or "strict")
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    check_paths(inputs)
    sources = iter_sources(inputs, force_format=format, max_bytes=rules.max_bytes)
    options = ReadOptions(FormatOptions(rules=rules))
    return (item.result for item in read_sources(sources, options, jobs=jobs))
