"""Where a conversion writes: opened before the first record, committed after the last."""

from __future__ import annotations

import contextlib
import gzip
import io
import os
import re
import stat
import sys
import tempfile
from collections.abc import Callable
from typing import TYPE_CHECKING, BinaryIO, cast

import orjson

from archivekit.errors import UsageError
from archivekit.files.atomic import TEMP_PREFIX, AtomicFile, Block, Scratch, Staging, drop_block
from archivekit.files.walk import STDIN
from archivekit.text import safe_path

if TYPE_CHECKING:
    from archivekit.convert.options import ConvertOptions
    from archivekit.diagnostics import ParseResult
    from archivekit.formats import BlockSink, Format, Sink
    from archivekit.record.model import Record
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
    ) -> None:
        self._options, self._target, self._stack = options, target, stack
        self._stdout = stdout
        self.staging: Staging | None = None
        self._out: AtomicFile | None = None
        self._spool: BinaryIO | None = None
        self._rejects: AtomicFile | None = None
        self._rejects_spool: BinaryIO | None = None
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
            self._gz = gzip.GzipFile(fileobj=stream, mode="wb", mtime=0)
            stream = self._gz  # type: ignore[assignment]
        if stream is not None and target.sink is not None:
            self._sink = target.sink(stream, options.format_options)
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
        if source.path is not None and self._options.force:
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

    def reject(self, result: ParseResult) -> None:
        """Record a skipped record and why, when ``--rejects`` was given."""
        stream = self._rejects.stream if self._rejects is not None else self._rejects_spool
        if stream is not None:
            stream.write(
                orjson.dumps(
                    {
                        "path": safe_path(result.path),
                        "record": result.index,
                        "line": result.line,
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


def record_name(record: Record, extension: str) -> str:
    """A file name from the record: its date and the URL's last path segment.

    ``2011-08-25-26drugs.md`` for ``…/26drugs.html``; only lower-case letters,
    digits and single dashes, at most 80 characters; the headline when the URL
    gives nothing; ``undated-`` instead of the date when it is null.
    """
    path = record.url.split("?", 1)[0].split("#", 1)[0].rstrip("/")
    last = path.rsplit("/", 1)[-1] if path.count("/") > 2 else ""
    stem = last.rsplit(".", 1)[0] if "." in last else last
    slug = _UNSAFE.sub("-", stem.lower()).strip("-")
    if not slug:
        slug = _UNSAFE.sub("-", record.headline.lower()).strip("-")
    slug = slug[:_NAME_MAX].rstrip("-") or "record"
    day = "undated" if record.date is None else record.date.isoformat()
    return f"{day}-{slug}{extension}"
