"""Convert whole batches between formats: streamed, in order, all-or-nothing by default."""

from __future__ import annotations

import contextlib
import gzip
import os
import stat
import sys
import tempfile
from collections.abc import Generator, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import orjson

from archivekit.formats.diagnostics import Diagnostic, ParseResult
from archivekit.formats.errors import ArchiveKitError, UsageError
from archivekit.formats.outputs import AtomicFile, Staging, record_name
from archivekit.formats.readers import read_sources
from archivekit.formats.registry import FORMAT_BY_NAME, Format
from archivekit.formats.rules import Severity
from archivekit.formats.sources import STDIN, check_inputs, iter_sources, wanted_in
from archivekit.formats.values import FormatOptions


class OutputError(ArchiveKitError):
    """The output could not be written; nothing was left behind."""


@dataclass(frozen=True, slots=True)
class ConvertOptions:
    """What to convert to, and where.

    Many-record output goes to ``output`` (a file, or ``-``/``None`` for
    standard output); one-record output goes into ``output_dir``. JSON can be
    either: an array to ``output``, or one file per record in ``output_dir``.
    """

    to: str
    from_: str | None = None
    output: str | None = None
    output_dir: str | None = None
    force: bool = False
    skip_invalid: bool = False
    rejects: str | None = None
    jobs: int | None = None
    glob: str | None = None
    format_options: FormatOptions = field(default_factory=FormatOptions)


@dataclass(frozen=True, slots=True)
class Outcome:
    """One record read: where it came from, its findings, and where it went (if anywhere)."""

    source: str
    index: int | None
    line: int
    diagnostics: tuple[Diagnostic, ...]
    written: str | None = None

    @property
    def ok(self) -> bool:
        """True when the record was valid."""
        return not any(d.severity is Severity.ERROR for d in self.diagnostics)


@dataclass(slots=True)
class Summary:
    """Counts of a finished run; ``committed`` says whether the output was written."""

    records: int = 0
    invalid: int = 0
    warnings: int = 0
    files_written: int = 0
    committed: bool = False
    target: str = ""


class Conversion:
    """One run of ``archive convert``: iterate it to do the work, then read :attr:`summary`.

    The constructor checks the options and inputs and raises
    :class:`~archivekit.formats.errors.UsageError` (or ``InputError``) before
    anything is written. Iterating yields an :class:`Outcome` per record, in
    input order; the output is renamed into place only when iteration ends
    normally and (unless ``skip_invalid``) every record was valid. If
    iteration stops early (an exception, ``KeyboardInterrupt``, the caller
    closing the iterator), every temporary is removed.
    """

    def __init__(self, inputs: Sequence[str], options: ConvertOptions, *,
                 stdin: BinaryIO | None = None,
                 stdout: BinaryIO | None = None) -> None:  # fmt: skip
        self.inputs = list(inputs)
        self.options = options
        self.target = _check_options(options)
        check_inputs(self.inputs)
        for path in (options.output, options.rejects):
            if path and path != STDIN and wanted_in(path, self.inputs, options.from_,
                                                    options.glob):  # fmt: skip
                raise UsageError(f"{path}: is also an input; write the output elsewhere")
        if options.output and options.output == options.rejects and options.output != STDIN:
            raise UsageError("--rejects and the output must be different files")
        self._stdin = stdin
        self._stdout = stdout
        self.summary = Summary(target=options.output_dir or options.output or "<stdout>")

    def __iter__(self) -> Iterator[Outcome]:
        return self.run()

    def run(self) -> Generator[Outcome, None, None]:
        """Do the conversion, yielding an outcome per record (see the class docstring).

        Raises :class:`OutputError` when the output cannot be written (disk
        full, permissions), after removing every temporary.
        """
        try:
            yield from self._run()
        except OSError as exc:
            where = exc.filename or self.summary.target
            raise OutputError(f"{where}: cannot write the output: {exc.strerror or exc}") from exc

    def _run(self) -> Generator[Outcome, None, None]:
        options, target = self.options, self.target
        format_options = options.format_options
        stack = contextlib.ExitStack()
        with stack:
            staging: Staging | None = None
            out: AtomicFile | None = None
            spool: BinaryIO | None = None
            rejects = AtomicFile(options.rejects, force=options.force) if options.rejects else None
            if rejects:
                stack.callback(rejects.discard)
            if options.output_dir is not None:
                staging = Staging(options.output_dir, force=options.force)
                stack.callback(staging.discard)
                stream: BinaryIO | None = None
            elif options.output and options.output != STDIN and not _special(options.output):
                out = AtomicFile(options.output, force=options.force)
                stack.callback(out.discard)
                stream = out.stream
            elif options.skip_invalid:
                stream = self._destination(stack)
            else:
                # All-or-nothing to a pipe: spool on disk, copy out at the end.
                spool = stack.enter_context(
                    tempfile.TemporaryFile(prefix=".archive-convert-")  # noqa: SIM115
                )
                stream = spool
            gz: gzip.GzipFile | None = None
            if stream is not None and options.output and options.output.endswith(".gz"):
                gz = gzip.GzipFile(fileobj=stream, mode="wb", mtime=0)
                stream = gz  # type: ignore[assignment]
            sink = target.sink(stream, format_options) if stream is not None and target.sink \
                else None  # fmt: skip
            extension = target.extensions[0]
            sources = iter_sources(self.inputs, force_format=options.from_, pattern=options.glob,
                                   stdin=self._stdin)  # fmt: skip
            summary = self.summary
            render = target.name if staging is not None else None
            for item in read_sources(sources, format_options, options.jobs, render):
                read = item.read
                summary.records += 1
                result = read.result
                warnings = sum(d.severity is Severity.WARNING for d in result.diagnostics)
                summary.warnings += warnings
                written = None
                if not result.ok or result.record is None:
                    summary.invalid += 1
                    if rejects:
                        rejects.stream.write(_reject(item.label, read.index, read.line, result))
                elif not options.skip_invalid and summary.invalid:
                    pass  # nothing will be written: do not pay for writing it
                elif sink is not None:
                    sink.write(result.record)
                elif staging is not None:
                    assert target.dump is not None
                    mirrored = item.rel is not None and read.index is None
                    rel = _swap_extension(item.rel, extension) if item.rel and mirrored \
                        else record_name(result.record, extension)  # fmt: skip
                    if item.path is not None and options.force:
                        _refuse_self(options.output_dir, rel, item.path)
                    payload = item.payload or target.dump(result.record, format_options)
                    written = staging.add(rel, payload, unique=True)
                yield Outcome(item.label, read.index, read.line, result.diagnostics, written)
            if summary.invalid and not options.skip_invalid:
                return
            if sink is not None:
                sink.close()
            if gz is not None:
                gz.close()
            if rejects:
                rejects.commit()
            if staging is not None:
                summary.files_written = staging.count
                self._refuse_inputs(staging)
                staging.commit()
            elif out is not None:
                out.commit()
            elif spool is not None:
                spool.seek(0)
                destination = self._destination(stack)
                while chunk := spool.read(1 << 20):
                    destination.write(chunk)
                destination.flush()
            summary.committed = True

    def _destination(self, stack: contextlib.ExitStack) -> BinaryIO:
        """Standard output, or a device or pipe named with -o (/dev/stdout, a FIFO)."""
        output = self.options.output
        if output and output != STDIN:
            return stack.enter_context(open(output, "wb"))
        return self._stdout or sys.stdout.buffer

    def _refuse_inputs(self, staging: Staging) -> None:
        """With --force, refuse to replace a file that this run reads."""
        if not self.options.force:
            return
        for root, _dirs, files in os.walk(staging.temporary):
            rel = os.path.relpath(root, staging.temporary)
            for name in files:
                target = os.path.normpath(Path(staging.folder, rel, name))
                if os.path.lexists(target) and wanted_in(target, self.inputs, self.options.from_,
                                                         self.options.glob):  # fmt: skip
                    raise UsageError(f"{target}: is also an input; write the output elsewhere")


def _special(path: str) -> bool:
    """An existing output that is not a regular file (/dev/null, a FIFO): written in place.

    Renaming a temporary over it would replace the device with a file.
    """
    try:
        return not stat.S_ISREG(os.stat(path).st_mode)
    except OSError:
        return False


def _refuse_self(folder: str | None, rel: str, source: str) -> None:
    target = Path(folder or ".", *rel.split("/"))
    if os.path.lexists(target) and target.samefile(source):
        raise UsageError(f"{target}: is also an input; write the output elsewhere")


def _check_options(options: ConvertOptions) -> Format:
    target = FORMAT_BY_NAME.get(options.to)
    if target is None:
        raise UsageError(f"unknown format {options.to!r}: choose from {', '.join(FORMAT_BY_NAME)}")
    if options.from_ is not None and options.from_ not in FORMAT_BY_NAME:
        raise UsageError(f"unknown format {options.from_!r}: "
                         f"choose from {', '.join(FORMAT_BY_NAME)}")  # fmt: skip
    if options.output and options.output_dir:
        raise UsageError("give either -o/--output or --output-dir, not both")
    if options.output_dir is not None and target.dump is None:
        raise UsageError(f"{target.name} holds many records in one file: "
                         "write it with -o FILE or to standard output, not --output-dir")
    if options.rejects and not options.skip_invalid:
        raise UsageError("--rejects lists the records --skip-invalid skips: give both")
    if options.output_dir is None and target.sink is None:
        raise UsageError(f"{target.name} holds one record per file: give --output-dir DIR")
    return target


def _swap_extension(rel: str, extension: str) -> str:
    head, _, name = rel.rpartition("/")
    stem = name.rsplit(".", 1)[0] if "." in name.lstrip(".") else name
    return f"{head}/{stem}{extension}" if head else f"{stem}{extension}"


def _reject(label: str, index: int | None, line: int, result: ParseResult) -> bytes:
    return orjson.dumps({
        "path": label, "record": index, "line": line,
        "errors": [{"code": d.code, "severity": d.severity.value, "message": d.message,
                    "line": d.line, "column": d.column, "field": d.field}
                   for d in result.diagnostics],
    }) + b"\n"  # fmt: skip
