"""Where a conversion writes: opened before the first record, committed after the last."""

from __future__ import annotations

import contextlib
import csv
import gzip
import io
import os
import re
import stat
import sys
import tempfile
import unicodedata
import urllib.parse
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, BinaryIO, cast

import orjson

from archivekit.errors import UsageError
from archivekit.files.atomic import TEMP_PREFIX, AtomicFile, Block, Scratch, Staging, drop_block
from archivekit.files.read import read_stream
from archivekit.files.remote import is_url
from archivekit.files.walk import STDIN
from archivekit.text import safe_path

if TYPE_CHECKING:
    from archivekit.convert.options import ConvertOptions
    from archivekit.formats import BlockSink, Format, Sink
    from archivekit.record.model import Record
    from archivekit.sources.inputs import Source, StdinCopy
    from archivekit.sources.reading import Item


class Targets:
    """The run's outputs, every temporary registered on ``stack`` for removal.

    - ``--output-dir``: a :class:`Staging` folder, moved into place by :meth:`commit`;
    - ``-o FILE``: an :class:`AtomicFile` beside the target, renamed by :meth:`commit`;
    - standard output (or a device such as ``/dev/stdout``): a spool file copied out by
      :meth:`commit`, or, with ``skip_invalid``, the stream itself;
    - ``--rejects FILE``: another :class:`AtomicFile`; ``--rejects -`` (only when the
      records go elsewhere): a spool copied to standard output after the outputs are in place.
    """

    def __init__(
        self,
        options: ConvertOptions,
        target: Format,
        stack: contextlib.ExitStack,
        stdout: BinaryIO | None,
        stdin: StdinCopy | None = None,
    ) -> None:
        self._options, self._target, self._stack = options, target, stack
        self._stdout = stdout
        self._stdin = stdin
        self.staging: Staging | None = None
        self._out: AtomicFile | None = None
        self._spool: BinaryIO | None = None
        self._rejects: AtomicFile | None = None
        self._rejects_spool: BinaryIO | None = None
        self._inputs: RejectedInputs | None = None
        if options.rejects == STDIN:
            # Standard output is free (the records go to a file): the rejects go there,
            # spooled and copied out only once the outputs are in place.
            spool = tempfile.TemporaryFile(prefix=TEMP_PREFIX)  # noqa: SIM115 (the stack closes it)
            self._rejects_spool = stack.enter_context(spool)
        elif options.rejects:
            self._rejects = AtomicFile(options.rejects, force=options.force)
            stack.callback(self._rejects.discard)
        stream: BinaryIO | None = None
        self._sink: Sink | None = None
        if options.partition_by is not None and options.output is not None:
            self.staging = Staging(options.output, force=options.force)
            stack.callback(self.staging.discard)
            assert target.partitioned is not None  # checked with the options
            self._sink = target.partitioned(self.staging, options.format_options)
        elif options.output_dir is not None:
            self.staging = Staging(options.output_dir, force=options.force)
            stack.callback(self.staging.discard)
        elif options.output and options.output != STDIN and not _special(options.output):
            self._out = AtomicFile(options.output, force=options.force)
            stack.callback(self._out.discard)
            stream = self._out.stream
        elif options.skip_invalid:
            stream = self._destination()
        else:
            # All-or-nothing to a pipe: spool on disk, copy out at the end.
            spool = tempfile.TemporaryFile(prefix=TEMP_PREFIX)  # noqa: SIM115 (the stack closes it)
            self._spool = stack.enter_context(spool)
            stream = self._spool
        self._gz: gzip.GzipFile | None = None
        if stream is not None and options.output and options.output.endswith(".gz"):
            # The header's name is the output's own (without .gz), not the temporary's
            # random one: the same records give the same bytes on every run.
            name = os.path.basename(options.output)[:-3]
            self._gz = gzip.GzipFile(filename=name, fileobj=stream, mode="wb", mtime=0)
            stream = self._gz  # type: ignore[assignment]
        if stream is not None and target.sink is not None:
            self._sink = target.sink(stream, options.format_options)
        if self._sink is not None and hasattr(self._sink, "discard"):
            # A failed run: the sink lets go of its unfinished output (Parquet's writer)
            # before the temporary it writes into is closed and removed (callbacks: LIFO).
            stack.callback(self._sink.discard)
        #: Where workers write their blocks of rows, when the sink can splice them in:
        #: beside the output's temporary (one file system), or beside the spool.
        self.scratch: Scratch | None = None
        self._blocks: BlockSink | None = None
        if self._sink is not None and hasattr(self._sink, "write_block"):
            self._blocks = cast("BlockSink", self._sink)
            near = os.path.dirname(self._out.temporary) if self._out is not None else None
            self.scratch = Scratch(near)
            stack.callback(self.scratch.discard)

    def write(self, item: Item, record: Record) -> str | None:
        """Write one valid record; returns the file name it got in the output folder, if any."""
        if self._sink is not None:
            self._sink.write(record)
            return None
        assert self.staging is not None
        source = item.source
        rel = self._rel(item, record)
        if source.path is not None and self._options.force and not is_url(source.path):
            _refuse_self(self.staging.folder, rel, source.path)
        dump = self._target.dump
        assert dump is not None  # checked with the options: a one-record format
        payload = item.payload or dump(record, self._options.format_options)
        return self.staging.add(rel, payload, unique=True)

    def _rel(self, item: Item, record: Record) -> str:
        extension = self._target.extensions[0]
        source = item.source
        if source.rel is not None and item.result.index is None:
            return _swap_extension(source.rel, extension)  # mirror the input's relative path
        return record_name(record, extension)

    def output_name(self, item: Item, record: Record) -> str:
        """Where :meth:`write` puts the record in the output folder (before any ``-2``)."""
        return os.path.join(self.staging.folder if self.staging else "", self._rel(item, record))

    def write_rows(self, data: bytes | Block) -> None:
        """Write valid records already rendered in the output format (by a worker).

        A :class:`Block` (a scratch file a worker wrote) is spliced in and removed.
        """
        assert self._sink is not None  # rows are rendered only for a many-record output
        if isinstance(data, Block):
            assert self._blocks is not None  # blocks are asked for only from such a sink
            self._blocks.write_block(data)
        else:
            self._sink.write_rows(data)

    def skip_rows(self, data: bytes | Block) -> None:
        """Let go of rows that will not be written (an invalid record fails the run)."""
        if isinstance(data, Block):
            drop_block(data)

    def reject(self, item: Item) -> None:
        """Record a skipped record, its input and why, when ``--rejects`` was given."""
        stream = self._rejects.stream if self._rejects is not None else self._rejects_spool
        if stream is not None:
            result = item.result
            if self._inputs is None:
                limit = self._options.format_options.rules.max_bytes
                self._inputs = RejectedInputs(limit, self._stdin)
                self._stack.callback(self._inputs.close)
            stream.write(
                orjson.dumps(
                    {
                        "path": safe_path(result.path),
                        "record": result.index,
                        "line": result.line,
                        "input": self._inputs.get(item),
                        "errors": [
                            {
                                "code": d.code,
                                "severity": d.severity.value,
                                "message": d.message,
                                "line": d.line,
                                "column": d.column,
                                "field": d.field,
                            }
                            for d in result.diagnostics
                        ],
                    }
                )
                + b"\n"
            )

    def commit(self, is_input: Callable[[str], bool]) -> int:
        """Put every output in place; returns how many files went into the output folder.

        ``is_input`` says whether a path is one this run read: such a file is never
        replaced, even with ``force``.
        """
        if self._sink is not None:
            self._sink.close()
        if self._gz is not None:
            self._gz.close()
        if self._rejects is not None:
            self._rejects.commit()
        if self.staging is not None:
            if self._options.force:
                for target in self.staging.targets():
                    if os.path.lexists(target) and is_input(target):
                        raise UsageError(f"{target}: is also an input; write the output elsewhere")
            count = self.staging.commit()
        else:
            count = 0
            if self._out is not None:
                self._out.commit()
            elif self._spool is not None:
                _copy(self._spool, self._destination())
        if self._rejects_spool is not None:
            _copy(self._rejects_spool, self._stdout or sys.stdout.buffer)
        return count

    def _destination(self) -> BinaryIO:
        """Standard output, or a device or pipe named with -o (/dev/stdout, a FIFO)."""
        output = self._options.output
        if output and output != STDIN:
            return self._stack.enter_context(open(output, "wb"))
        return self._stdout or sys.stdout.buffer


class RejectedInputs:
    """The input of each rejected record, read again from its source, in input order.

    A file of one record gives its text; a JSON Lines record its line (the object, when
    it is valid JSON); a CSV record its row as an object of column: cell. So ``jq`` can
    fix rejects and ``archive convert - --from jsonl`` take them back. Streams of many
    records are read forward once however many of their records are rejected; standard
    input is read again from its copy (``stdin``: without one, ``None``); a JSON array's
    element is not read again (``None``).
    """

    def __init__(self, limit: int, stdin: StdinCopy | None = None) -> None:
        self._limit = limit
        self._stdin = stdin
        self._label: str | None = None
        self._stream: BinaryIO | None = None
        self._text: io.TextIOWrapper | None = None
        self._rows: Iterator[list[str]] | None = None
        self._header: list[str] = []
        self._line = 0

    def get(self, item: Item) -> object:
        """The input of ``item``'s record, or ``None`` when it cannot be read again."""
        source, result = item.source, item.result
        if (source.stream is not None and self._stdin is None) or source.error is not None:
            return None
        try:
            if result.index is None:
                return self._whole(source).decode("utf-8", "replace")
            if source.format not in ("jsonl", "csv"):
                return None
            if self._label != source.label:
                self._open(source)
            if source.format == "jsonl":
                return self._jsonl(result.line)
            return self._csv(result.line)
        except (OSError, EOFError, ValueError, csv.Error):
            return None

    def _whole(self, source: Source) -> bytes:
        if source.data is not None:
            return source.data
        with self._opened(source) as stream:
            return read_stream(stream, self._limit)[: self._limit]

    def _opened(self, source: Source) -> BinaryIO:
        """The source's bytes from the start: standard input's from its copy."""
        if source.stream is not None:
            assert self._stdin is not None
            return self._stdin.reopen()
        return source.open()

    def _open(self, source: Source) -> None:
        self.close()
        self._label = source.label
        self._stream = self._opened(source)
        self._line = 0
        if source.format == "csv":
            csv.field_size_limit(self._limit)
            self._text = io.TextIOWrapper(
                self._stream, encoding="utf-8-sig", errors="replace", newline=""
            )
            self._rows = csv.reader(self._text, strict=False)
            self._header = next(self._rows, [])
            self._line = 1

    def _jsonl(self, line: int) -> object:
        assert self._stream is not None
        text = b""
        while self._line < line:
            text = self._stream.readline(self._limit + 1)
            if not text:
                return None
            self._line += 1
        try:
            return orjson.loads(text)
        except orjson.JSONDecodeError:
            return text.decode("utf-8", "replace").rstrip("\r\n")

    def _csv(self, line: int) -> object:
        assert self._rows is not None
        reader = cast(Any, self._rows)
        while True:
            start = reader.line_num + 1
            row = next(self._rows, None)
            if row is None or start > line:
                return None
            if start == line:
                return dict(zip(self._header, row, strict=False))

    def close(self) -> None:
        """Let go of the stream being read."""
        if self._text is not None:
            self._text.detach()
            self._text = None
        if self._stream is not None:
            self._stream.close()
            self._stream = None
        self._label, self._rows = None, None


def _copy(spool: BinaryIO, destination: BinaryIO) -> None:
    spool.seek(0)
    while chunk := spool.read(1 << 20):
        destination.write(chunk)
    destination.flush()


def records_to_stdout(options: ConvertOptions) -> bool:
    """Do the records go to standard output (no file, ``-``, or a name for it)?"""
    if options.output_dir is not None:
        return False
    output = options.output
    if output is None or output == STDIN or output in ("/dev/stdout", "/dev/fd/1"):
        return True
    try:
        return os.path.samestat(os.stat(output), os.fstat(sys.stdout.fileno()))
    except (OSError, ValueError, io.UnsupportedOperation):
        return False


def _special(path: str) -> bool:
    """An existing output that is not a regular file (/dev/null, a FIFO): written in place.

    Renaming a temporary over it would replace the device with a file.
    """
    try:
        return not stat.S_ISREG(os.stat(path).st_mode)
    except OSError:
        return False


def _refuse_self(folder: str, rel: str, source: str) -> None:
    target = os.path.join(folder, rel)
    if os.path.lexists(target) and os.path.samefile(target, source):
        raise UsageError(f"{target}: is also an input; write the output elsewhere")


def _swap_extension(rel: str, extension: str) -> str:
    head, _, name = rel.rpartition("/")
    stem = name.rsplit(".", 1)[0] if "." in name.lstrip(".") else name
    return f"{head}/{stem}{extension}" if head else f"{stem}{extension}"


_UNSAFE = re.compile(r"[^a-z0-9]+")
_NAME_MAX = 80
#: Letters that Unicode decomposition does not reduce to ASCII, and their usual spelling.
_LETTERS = str.maketrans(
    {
        "ß": "ss",
        "æ": "ae",
        "œ": "oe",
        "ø": "o",
        "đ": "d",
        "ð": "d",
        "þ": "th",
        "ł": "l",
        "ı": "i",
        "ŋ": "ng",
        "ħ": "h",
        "–": "-",
        "—": "-",
    }
)


def ascii_slug(text: str) -> str:
    """``text`` lower-cased and transliterated to ASCII (``jalapeño`` -> ``jalapeno``).

    Accents are taken off (Unicode decomposition, combining marks dropped) and a few
    letters spelled out (``ß`` -> ``ss``); what has no Latin spelling (CJK, Cyrillic)
    becomes a dash, as before.
    """
    lowered = text.lower().translate(_LETTERS)
    decomposed = unicodedata.normalize("NFKD", lowered)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _UNSAFE.sub("-", plain).strip("-")


def record_name(record: Record, extension: str) -> str:
    """A file name from the record: its date and the URL's last path segment.

    ``2011-08-25-26drugs.md`` for ``…/26drugs.html``; only lower-case letters,
    digits and single dashes (accented letters transliterated: ``jalapeño`` ->
    ``jalapeno``), at most 80 characters; the headline when the URL
    gives nothing; ``undated-`` instead of the date when it is null.
    """
    path = record.url.split("?", 1)[0].split("#", 1)[0].rstrip("/")
    last = path.rsplit("/", 1)[-1] if path.count("/") > 2 else ""
    stem = last.rsplit(".", 1)[0] if "." in last else last
    # Percent-encoded letters (caf%C3%A9) read as what they encode.
    slug = ascii_slug(urllib.parse.unquote(stem, errors="replace"))
    if not slug:
        slug = ascii_slug(record.headline)
    slug = slug[:_NAME_MAX].rstrip("-") or "record"
    day = "undated" if record.date is None else record.date.isoformat()
    return f"{day}-{slug}{extension}"
