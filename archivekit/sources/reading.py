"""Sources read into records, in input order, in worker processes when the batch is large.

Every command reads through here: ``archive validate`` (records checked, not
built; only findings cross back from the workers), ``archive convert``
(records built, and rendered in the output format by the workers), and the
Python API.
"""

from __future__ import annotations

import contextlib
import functools
import io
import itertools
import os
import zlib
from collections import deque
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, BinaryIO, NamedTuple, Protocol, cast

from archivekit import cache as cache_module
from archivekit.diagnostics import ParseResult, failed, finding, unreadable
from archivekit.files.atomic import Block, write_block
from archivekit.files.read import over_limit, read_file, read_stream, read_url, read_urls
from archivekit.files.remote import StorageOptions, is_url, scheme
from archivekit.formats import (
    FORMAT_BY_NAME,
    Format,
    FormatOptions,
    Loader,
    RowsWriter,
    load_whole,
    sniff,
)
from archivekit.record import fast
from archivekit.record.parse import url_line
from archivekit.sources.inputs import SNIFF_BYTES, Source, resolved

if TYPE_CHECKING:
    from archivekit.cache import Cache
    from archivekit.record.model import Record

#: Sources handed to a worker at a time: large enough that pickling and queueing
#: cost little per file, small enough that the first results come back soon.
CHUNK = 256
#: Below this many sources a worker pool costs more to start than it saves.
POOL_THRESHOLD = 256
#: Objects fetched from a store at once (URL inputs): enough requests in flight
#: to hide a store's latency (tens of milliseconds each) ...
FETCH_BATCH = 128
#: ... and at most this many bytes held (objects of unknown size count as the limit).
FETCH_BYTES = 64 * 2**20


class Accumulator(Protocol):
    """What ``ReadOptions.tally`` makes: something that counts digests (archive stats' Tally)."""

    def add(self, digest: Any) -> None:
        """Count one record's digest."""


@dataclass(frozen=True, slots=True)
class ReadOptions:
    """How sources are read. Picklable, for worker processes.

    ``formats``: the readers' settings (and the rules', the size limit among
    them). ``urls``: give each record's URL line too (``duplicate-url``).
    ``render``: a one-record format to write each valid record in (the
    item's ``payload``). ``rows``: a many-record format in which the workers
    render their chunk's valid records (the ``rows`` of its last item).
    ``blocks``: a :class:`~archivekit.files.atomic.Scratch` folder where the
    workers (processes on this machine) write those rows, so that only the
    file's name crosses back.
    ``pick``: which valid records to keep (run where the record is read, in a
    worker: a selection's filters); the others come back with ``picked``
    false and neither record nor payload, and are left out of ``rows``.
    ``digest``: a small summary of each valid record picked (the item's
    ``digest``), made where it is read, so that the record itself need not
    cross the pipe (``archive stats``). Both must be picklable, and both
    turn the cache off (they look at records); ``pick`` turns the
    byte-level fast path off too. ``digest_fields``: the same digest made
    from the fields of a canonical record and its body's words and characters
    (record/fast.py ``measured``), so that such a file is digested from its
    checked bytes, no record built. ``tally``: makes an accumulator (an
    ``add`` method taking a digest) that a worker fills with the digests of
    its chunk's clean records (no finding: nothing the parent's levels can
    change), sending it back once, on the chunk's last item, instead of a
    digest a record; the parent merges the accumulators.
    ``storage``: fsspec storage options for URL sources (``s3://`` ...).
    """

    formats: FormatOptions = field(default_factory=FormatOptions)
    urls: bool = False
    render: str | None = None
    rows: str | None = None
    blocks: str | None = None
    pick: Callable[[Record], bool] | None = None
    digest: Callable[[Record], object] | None = None
    digest_fields: Callable[[fast.Fields, int, int], object] | None = None
    tally: Callable[[], Accumulator] | None = None
    storage: Mapping[str, Any] | None = field(default=None, hash=False, repr=False)


class Item(NamedTuple):
    """One record read: its source, the result, and what the worker made of it.

    ``payload`` is the record written in the one-record format asked for.
    For a many-record output, a worker renders its chunk's valid records
    itself: each comes back without its record (which need not cross the
    pipe), and the chunk's last item carries ``rows``, the output bytes of
    every valid record of the chunk, in order, or (``ReadOptions.blocks``)
    the scratch file a worker wrote them to. ``url`` is the record's URL
    line, when asked for. ``picked`` is false for a valid record that
    ``ReadOptions.pick`` refused; ``digest`` is ``ReadOptions.digest`` of the
    record. ``tally``: on a chunk's last item, the accumulator
    (``ReadOptions.tally``) its worker filled with the digests of the chunk's
    clean records, which come back without theirs. A named tuple: one is made
    per record, in the parent.
    """

    source: Source
    result: ParseResult
    payload: bytes | None = None
    rows: bytes | Block | None = None
    url: str | None = None
    picked: bool = True
    digest: object = None
    tally: object = None


def read_source(source: Source, options: ReadOptions) -> Iterator[Item]:
    """Every record of one source; a source that cannot be read gives one ``read-error``."""
    source = resolved(source)
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
        return _keeping(options.formats)
    if options.urls and source.format != "archive":
        # The URL comes from the record itself: build it, even when only checking.
        return _keeping(options.formats)
    return options.formats


#: The last options given to _keeping, and the same keeping records.
_kept: list[FormatOptions] = []


def _keeping(formats: FormatOptions) -> FormatOptions:
    """``formats`` keeping records; remembered (``replace`` costs microseconds, once per file)."""
    if _kept and _kept[0] is formats:
        return _kept[1]
    _kept[:] = [formats, replace(formats, keep_records=True)]
    return _kept[1]


def _read_whole(source: Source, fmt: Format, options: ReadOptions) -> list[_Record]:
    """The records of a file read whole (archive, JSON, Markdown), through the bounded reader.

    A list, not a generator, and no Item: the workers call this once per
    file, and most files hold one record.
    """
    if source.error is not None:
        return [(failed(source.label, source.code, source.error), None, None, True, None)]
    formats = _formats(source, options)
    try:
        data, size = _read_data(source, formats.rules.max_bytes, options.storage)
    except (OSError, EOFError, zlib.error) as exc:
        return [(unreadable(source.label, exc, path=source.path), None, None, True, None)]
    summarise = _summariser(options)
    if summarise is not None and source.format == "archive":
        limit = formats.rules.max_bytes
        measured = None if over_limit(data, size, limit) else fast.measured(data)
        if measured is not None:
            url = url_line(data) if options.urls else None
            clean = ParseResult(source.label, None, ())
            return [(clean, None, url, True, summarise(*measured))]
    return _parse_data(source, fmt, data, size, formats, options)


def _summariser(options: ReadOptions) -> Callable[[fast.Fields, int, int], object] | None:
    """``ReadOptions.digest_fields`` when a canonical archive file may be digested from its bytes.

    Only when the digest is all that is asked of a record: no selection to
    run on it, nothing rendered or kept, and the fast path's rule options.
    """
    summarise = options.digest_fields
    if (
        summarise is None
        or options.pick is not None
        or options.render is not None
        or options.rows is not None
        or options.formats.keep_records
        or not fast.applies(options.formats.rules)
    ):
        return None
    return summarise


def _read_data(
    source: Source, limit: int, storage: StorageOptions | None = None
) -> tuple[bytes, int | None]:
    """A whole source's bytes (at most ``limit + 1``) and its size when known; raises OSError.

    A URL is read with ``storage`` options; a fetched object's size is its listed one.
    """
    if source.stream is not None:
        return read_stream(source.stream, limit), None
    if source.data is not None:
        return source.data, source.size if source.size is not None else len(source.data)
    if source.path is not None and source.path[-3:].lower() != ".gz":
        if is_url(source.path):
            return read_url(source.path, limit, size=source.size, storage=storage)
        return read_file(source.path, limit)
    with source.open(storage) as stream:
        return read_stream(stream, limit), None


def _parse_data(
    source: Source,
    fmt: Format,
    data: bytes,
    size: int | None,
    formats: FormatOptions,
    options: ReadOptions,
) -> list[_Record]:
    """The records of a whole source's bytes, by the format's full reader."""
    limit = formats.rules.max_bytes
    over = over_limit(data, size, limit)
    # The URL of an archive-format file is read off its bytes, valid or not.
    whole = data if source.format == "archive" and not over else None
    load = _LOADERS.get(fmt.name)
    if load is None:
        load = _LOADERS[fmt.name] = _loader(fmt)
    records = list(load_whole(data, source.label, formats, load, size=size))
    if len(records) == 1 and not records[0].ok and not over:
        guessed = _by_content(fmt, data, source, formats, records)
        if guessed is not records:
            records, whole = guessed, None  # each record's URL is its own, not line 1's
    return [_record(r, whole, options) for r in records]


#: What a file's content is, as a warning says it; only text formats are guessed.
_CONTENT = {
    "json": "one JSON document",
    "jsonl": "JSON Lines (one object per line)",
    "csv": "CSV with a header row",
    "md": "Markdown with front matter",
}


def _by_content(
    fmt: Format, data: bytes, source: Source, formats: FormatOptions, records: list[ParseResult]
) -> list[ParseResult]:
    """A file failing as its extension's format, read as the format its content plainly is.

    A ``.json`` file of JSON Lines (a common mix-up), a ``.txt`` of CSV or of
    JSON: read as what the first bytes say (:func:`~archivekit.formats.sniff`),
    with a ``format-guessed`` warning, when that gives at least one valid
    record; else the file's own findings stand. Only a failing file is looked
    at, so a clean archive file costs nothing more.
    """
    guess = sniff(data[:SNIFF_BYTES])
    if guess == fmt.name or guess not in _CONTENT or fmt.name not in _CONTENT | {"archive": ""}:
        return records
    # Built whatever the caller keeps: a record's URL, digest and selection come from it
    # (only an archive file's URL is read off its first line); _record drops it after.
    kept = replace(formats, keep_records=True)
    label = source.label
    found = list(FORMAT_BY_NAME[guess].read(io.BytesIO(data), label, kept))
    if not any(r.ok for r in found):
        return records
    what = _CONTENT.get(fmt.name, "an archive record (six lines)")
    note = finding(
        "format-guessed",
        f"this file holds {_CONTENT[guess]}, not {what}: read as {guess}; "
        + (
            f"rename it {FORMAT_BY_NAME[guess].extensions[0]} or give --from {guess}"
            if source.path is not None
            else f"give --from {guess}"  # standard input, or an archive member
        ),
        label,
    )
    found[0] = replace(found[0], diagnostics=(note, *found[0].diagnostics))
    return found


def _checked(fields: fast.Fields) -> bytes:
    """Checking only: a canonical record gives nothing to render."""
    return b""


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
        with source.open(options.storage) as stream:
            for result in fmt.read(stream, source.label, formats):
                yield _record(result, None, options)
    except (OSError, EOFError, zlib.error) as exc:
        yield unreadable(source.label, exc, path=source.path), None, None, True, None


#: What a worker sends back for one source of its chunk: ``None`` or a URL line
#: for a source that gave one clean result with nothing to carry (the parent
#: rebuilds it from the source: most files of a batch), else every record's
#: (result, payload, url, picked, digest); ``(url, picked, digest)`` for a clean
#: record that carries only those (archive stats).
_Returned = str | None | tuple[str | None, bool, object] | list[_Record]


def _read_chunk(chunk: list[Source], *, options: ReadOptions) -> _Chunk:
    """Read a chunk of sources in a worker: what each gave, and the chunk's rows if asked.

    With ``rows``, every valid record is rendered here, in the worker, and the
    chunk's rows come back as one block of bytes: the parent neither unpickles
    records nor serialises them, and writes the block with one call. A
    canonical archive file is rendered straight from its bytes (record/fast.py);
    anything else goes through the format's full reader and writer. With
    ``blocks``, the worker writes the block to a scratch file itself and only
    its name crosses the pipe (no pickling, no copy through the pipe, and the
    parent splices it into the output without reading it). Objects
    behind URLs (a cluster's workers fetch them) are fetched at once first.
    """
    if any(source.path is not None and is_url(source.path) for source in chunk):
        chunk = list(fetch_sources(iter(chunk), options))
    name = options.rows
    renderer = FORMAT_BY_NAME[name].rows if name else None
    # Looked up once per chunk: how a canonical archive file is taken from its bytes
    # (rendered as a row; or, only checking, nothing to do but its URL), if at all.
    quick: Callable[[fast.Fields], bytes] | None = None
    chunked: RowsWriter | None = None
    summarise = _summariser(options)
    if summarise is not None:
        quick = _checked  # digested from its bytes (below), nothing to render
    elif options.pick is not None or options.digest is not None:
        pass  # the selection and the digest need each record: no byte-level shortcut
    elif name:
        quick = fast.renderer(name, options.formats)
        if quick is None and fast.applies(options.formats.rules):
            # A format that renders a chunk at once (Parquet) may take a canonical
            # file's checked fields among the chunk's records, as they are, in order.
            chunked = FORMAT_BY_NAME[name].rows_into
    elif options.render is None and not options.formats.keep_records:
        quick = _checked if fast.applies(options.formats.rules) else None
    limit = options.formats.rules.max_bytes
    tally = options.tally() if options.tally is not None else None
    returned: list[_Returned] = []
    append = returned.append
    pieces: list[bytes] = []
    rendered: list[Record | fast.Fields] = []
    records: list[_Record]
    for source in chunk:
        # Poolable sources are one-record formats, read whole.
        fmt = FORMAT_BY_NAME[source.format]
        if (
            (quick is not None or chunked is not None)
            and source.format == "archive"
            and source.error is None
        ):
            formats = _formats(source, options)
            try:
                data, size = _read_data(source, limit, options.storage)
            except (OSError, EOFError, zlib.error) as exc:
                records = [
                    (unreadable(source.label, exc, path=source.path), None, None, True, None)
                ]
            else:
                fields = None
                if over_limit(data, size, limit):
                    pass
                elif summarise is not None:
                    measured = fast.measured(data)
                    if measured is not None:
                        digest = summarise(*measured)
                        url = url_line(data) if options.urls else None
                        if tally is not None:
                            tally.add(digest)
                            append(url)
                        else:
                            append((url, True, digest))
                        continue
                else:
                    fields = fast.check(data)
                if fields is not None and options.render is None:
                    if chunked is not None:
                        rendered.append(fields)
                    elif name and quick is not None:
                        pieces.append(quick(fields))
                    append(url_line(data) if options.urls else None)
                    continue
                records = _parse_data(source, fmt, data, size, formats, options)
        else:
            records = _read_whole(source, fmt, options)
        if renderer is not None:
            for number, (result, payload, url, picked, digest) in enumerate(records):
                if result.record is not None and result.ok:
                    rendered.append(result.record)
                    if quick is not None:
                        # Between rows rendered from bytes: each record a row of its own
                        # (jsonl, csv, json: rows of one record join into the same bytes).
                        pieces.append(renderer(cast("list[Record]", rendered), options.formats))
                        rendered.clear()
                    records[number] = (replace(result, record=None), payload, url, picked, digest)
        if tally is not None:
            for number, (result, payload, url, picked, digest) in enumerate(records):
                if digest is not None and picked and not result.diagnostics:
                    # Clean: valid whatever levels the parent applies; counted here.
                    tally.add(digest)
                    records[number] = (result, payload, url, picked, None)
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
    if chunked is not None and rendered:
        # Records and fields, in order, streamed into the block (Arrow IPC): no copy first.
        def write(stream: BinaryIO) -> None:
            chunked(stream, rendered, options.formats)

        if options.blocks is not None:
            with contextlib.suppress(OSError):  # a full disk: the parent writes, and says so
                return returned, write_block(options.blocks, write), tally
        sink = io.BytesIO()
        write(sink)
        pieces.append(sink.getvalue())
    elif renderer is not None and rendered:
        # A format the fast path does not know (SQLite, or Parquet with other rule
        # options): the whole chunk's records in one call, as its writer expects.
        pieces.append(renderer(cast("list[Record]", rendered), options.formats))
    rows = fast.separator(name).join(pieces) if name and pieces else None
    if rows is not None and options.blocks is not None:
        with contextlib.suppress(OSError):  # a full disk: the parent writes, and says so
            return returned, write_block(options.blocks, rows), tally
    return returned, rows, tally


#: A source of a chunk as the parent planned it: the source, its items when the
#: cache had them, and where to remember what it gives (cache key and stamp).
_Planned = tuple[Source, list[Item] | None, tuple[str, str] | None]


def _items(plan: list[_Planned], returned: _Chunk, cache: Cache | None) -> Iterator[Item]:
    """The items of a chunk, in order: the cached ones, and those a worker read, rebuilt here."""
    per_source, rows, tally = returned
    values = iter(per_source)
    items: list[Item] = []
    for source, hit, where in plan:
        if hit is not None:
            items.extend(hit)
            continue
        value = next(values)
        if value is None or isinstance(value, str):
            read = [Item(source, ParseResult(source.label, None, ()), None, None, value)]
        elif isinstance(value, tuple):
            url, picked, digest = value
            clean = ParseResult(source.label, None, ())
            read = [Item(source, clean, None, None, url, picked, digest)]
        else:
            read = [
                Item(source, result, payload, None, url, picked, digest)
                for result, payload, url, picked, digest in value
            ]
        if where is not None and cache is not None:
            cache.put(*where, [(item.result, item.url) for item in read])
        items.extend(read)
    if (rows is not None or tally is not None) and items:
        items[-1] = items[-1]._replace(rows=rows, tally=tally)
    yield from items


#: The formats of one record per file: read by the workers.
_ONE = frozenset(fmt.name for fmt in FORMAT_BY_NAME.values() if fmt.one)


def _poolable(source: Source) -> bool:
    """One-record files are spread over workers; a stream of many records is read in order here."""
    return source.format in _ONE and source.error is None and source.stream is None


def _cached(source: Source, cache: Cache) -> tuple[list[Item] | None, tuple[str, str] | None]:
    """The items of an unchanged file from the cache, or where to remember it once read.

    Only files on disk of one-record formats are cached (a stream of many
    records is never held whole; an object behind a URL has no stamp to trust).
    """
    path = source.path
    if path is None or source.data is not None or is_url(path) or not _poolable(source):
        return None, None
    key = cache.key(path)
    stamp = cache.stamp(path, source.format)
    if stamp is None:
        return None, None
    entry = cache.get(key, stamp, source.label)
    if entry is None:
        return None, (key, stamp)
    return [Item(source, result, None, None, url) for result, url in entry], None


def read_sources(
    sources: Iterable[Source],
    options: ReadOptions,
    *,
    jobs: int | None = None,
    cache: Cache | None = None,
    scheduler: str | None = None,
) -> Generator[Item, None, None]:
    """Every record of every source, in input order (see :func:`read_source`).

    With more than a few hundred sources the one-record files are read by
    ``jobs`` worker processes (default: the CPU count), a chunk at a time, at
    most two chunks per worker in flight, so memory stays flat however many
    files there are. Records read in this process come back whole (``rows``
    is rendered only by workers). With a ``cache`` (checking only: no
    record kept, nothing rendered), an unchanged file's results come from
    it, unread, and every file read is remembered in it (the caller saves it).
    Objects behind URLs are fetched here, many at once (see
    :func:`fetch_sources`), and parsed like files (never cached).

    With ``scheduler`` (a Dask scheduler's address) the chunks go to that
    cluster's workers instead, whatever the batch size; they fetch objects
    behind URLs themselves, and read local paths as absolute paths (so a
    cluster off this machine needs URLs or a shared file system). Everything
    else (order, many-record files, the cache, what comes back) is as with processes.
    """
    if (
        options.render
        or options.rows
        or options.formats.keep_records
        or options.pick is not None
        or options.digest is not None
    ):
        cache = None  # the cache holds findings, never records or renderings
    if scheduler is not None:
        from archivekit.workers import ClusterWorkers  # distributed: the dask extra

        # A cluster's workers may run on other machines: their rows come back as bytes.
        options = replace(options, blocks=None)

        here = os.getcwd()
        cluster = (absolute(source, here) for source in sources)
        read_chunk = functools.partial(_read_chunk, options=options)
        yield from _pooled(cluster, options, lambda: ClusterWorkers(read_chunk, scheduler), cache)
        return
    sources = fetch_sources(iter(sources), options)
    head = list(itertools.islice(sources, POOL_THRESHOLD))
    if len(head) < cache_module.MIN_FILES:
        cache = None
    workers = jobs or os.cpu_count() or 1
    if workers <= 1 or len(head) < POOL_THRESHOLD:
        for source in itertools.chain(head, sources):
            hit, where = _cached(source, cache) if cache is not None else (None, None)
            if hit is not None:
                yield from hit
            elif where is not None and cache is not None:
                read = list(read_source(source, options))  # one record: a file of one format
                cache.put(*where, [(item.result, item.url) for item in read])
                yield from read
            else:
                yield from read_source(source, options)
        return

    def processes() -> _Pool:
        from archivekit.workers import Workers  # processes: only for a large batch

        if options.rows:
            # The rows' format imported here, once (pyarrow for Parquet: most of
            # a second): the forked workers share it instead of each paying it.
            FORMAT_BY_NAME[options.rows].rows  # noqa: B018
        return Workers(functools.partial(_read_chunk, options=options), workers)

    yield from _pooled(itertools.chain(head, sources), options, processes, cache)


def absolute(source: Source, cwd: str) -> Source:
    """The source with its path made absolute from ``cwd`` (its label kept), for a worker
    that may run in another folder."""
    path = source.path
    if path is None or is_url(path) or os.path.isabs(path):
        return source
    return source._replace(path=os.path.join(cwd, path))


def _fetchable(source: Source) -> bool:
    """A one-record object behind a URL, read whole: fetched in a batch with its neighbours."""
    path = source.path
    return (
        path is not None
        and source.error is None
        and source.format in _ONE
        and path[-3:].lower() != ".gz"
        and is_url(path)
    )


def fetch_sources(sources: Iterator[Source], options: ReadOptions) -> Iterator[Source]:
    """The sources, each one-record object behind a URL fetched into ``data``, many at once.

    Consecutive such objects (of one scheme) are fetched together, up to
    :data:`FETCH_BATCH` objects or :data:`FETCH_BYTES` bytes, through the
    bounded reader: each at most ``limit + 1`` bytes, none over the limit
    fetched at all. Order is kept; anything else passes through untouched.
    """
    limit = options.formats.rules.max_bytes
    batch: list[Source] = []
    held = 0
    for source in sources:
        if not _fetchable(source):
            if batch:
                yield from _fetch(batch, limit, options)
                batch, held = [], 0
            yield source
            continue
        if batch and scheme(batch[0].path or "") != scheme(source.path or ""):
            yield from _fetch(batch, limit, options)
            batch, held = [], 0
        batch.append(source)
        held += min(source.size if source.size is not None else limit, limit)
        if len(batch) >= FETCH_BATCH or held >= FETCH_BYTES:
            yield from _fetch(batch, limit, options)
            batch, held = [], 0
    if batch:
        yield from _fetch(batch, limit, options)


def _fetch(batch: list[Source], limit: int, options: ReadOptions) -> Iterator[Source]:
    fetched = read_urls(
        [(source.path or "", source.size) for source in batch], limit, storage=options.storage
    )
    for source, got in zip(batch, fetched, strict=True):
        if got.error is not None:
            error = got.error
            reason = error.strerror or str(error)
            yield source._replace(path=None, error=f"cannot read the file: {reason}")
        else:
            yield source._replace(path=None, data=got.data, size=got.size)


#: What a worker sends back for a chunk: each source's records, the chunk's rows,
#: and its accumulator (ReadOptions.tally).
_Chunk = tuple[list[_Returned], bytes | Block | None, "Accumulator | None"]


class _Pool(AbstractContextManager["_Pool"], Protocol):
    """What :func:`_pooled` needs of a pool: ``Workers`` or ``ClusterWorkers``."""

    def submit(self, task: list[Source]) -> Iterator[tuple[list[Source], _Chunk]]: ...

    def drain(self) -> Iterator[tuple[list[Source], _Chunk]]: ...


def _pooled(
    sources: Iterator[Source],
    options: ReadOptions,
    start: Callable[[], _Pool],
    cache: Cache | None,
) -> Iterator[Item]:
    """The sources read by a pool ``start`` makes (at the first file to read), in order."""
    pool: _Pool | None = None
    plans: deque[list[_Planned]] = deque()
    chunk: list[Source] = []
    plan: list[_Planned] = []
    stack = contextlib.ExitStack()

    def flush() -> Iterator[Item]:
        nonlocal pool, chunk, plan
        if not chunk and not plans:  # all from the cache, nothing in flight: no worker needed
            yield from _items(plan, ([], None, None), cache)
        else:
            if pool is None:
                # Started at the first file to read: a run served from the cache starts none.
                pool = stack.enter_context(start())
            plans.append(plan)
            for _done, returned in pool.submit(chunk):
                yield from _items(plans.popleft(), returned, cache)
        chunk, plan = [], []

    def drain() -> Iterator[Item]:
        if pool is not None:
            for _done, returned in pool.drain():
                yield from _items(plans.popleft(), returned, cache)

    with stack:
        for source in sources:
            if _poolable(source):
                hit, where = _cached(source, cache) if cache is not None else (None, None)
                plan.append((source, hit, where))
                if hit is None:
                    chunk.append(source)
                if len(chunk) >= CHUNK or len(plan) >= 4 * CHUNK:
                    yield from flush()
                continue
            # A stream of many records is read here, in order, after what came before it.
            if plan:
                yield from flush()
            yield from drain()
            yield from read_source(source, options)
        if plan:
            yield from flush()
        yield from drain()


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
    sources = iter_sources(
        inputs, force_format=format, max_bytes=rules.max_bytes, sniff_stdin=True, every_format=True
    )
    options = ReadOptions(FormatOptions(rules=rules))
    return (item.result for item in read_sources(sources, options, jobs=jobs))
