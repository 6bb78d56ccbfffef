"""Convert whole batches between formats: streamed, in order, all-or-nothing by default."""

from __future__ import annotations

__all__ = ["Conversion", "ConvertOptions", "Outcome", "Summary"]

import contextlib
import errno
from collections.abc import Generator, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import BinaryIO

from archivekit.convert.options import ConvertOptions
from archivekit.convert.outputs import Targets, records_to_stdout
from archivekit.diagnostics import Diagnostic, ParseResult, finding
from archivekit.errors import OutputError, UsageError
from archivekit.files.walk import STDIN, check_paths
from archivekit.formats import Format, format_named
from archivekit.rules import Severity
from archivekit.sources.inputs import input_folder_holding, iter_sources, wanted_in
from archivekit.sources.reading import Item, ReadOptions, read_sources
from archivekit.text import safe_path


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
    :class:`~archivekit.errors.UsageError` (or ``InputError``) before
    anything is written. Iterating yields an :class:`Outcome` per record, in
    input order; the output is renamed into place only when iteration ends
    normally and (unless ``skip_invalid``) every record was valid. If
    iteration stops early (an exception, ``KeyboardInterrupt``, the caller
    closing the iterator), every temporary is removed.
    """

    def __init__(
        self,
        inputs: Sequence[str],
        options: ConvertOptions,
        *,
        stdin: BinaryIO | None = None,
        stdout: BinaryIO | None = None,
    ) -> None:
        self.inputs = list(inputs)
        self.options = options
        self.target = _check_options(options)
        check_paths(self.inputs)
        for path in (options.output, options.rejects):
            if path and path != STDIN and wanted_in(path, self.inputs, options.from_, options.glob):
                raise UsageError(f"{path}: is also an input; write the output elsewhere")
        if options.output_dir is not None:
            holder = input_folder_holding(
                options.output_dir,
                self.inputs,
                options.from_,
                options.glob,
                self.target.extensions[0],
            )
            if holder is not None:
                raise UsageError(
                    f"{options.output_dir}: is inside the input folder {holder}, "
                    "so the next run would read the output back as input; "
                    "write it elsewhere"
                )
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
        options, summary = self.options, self.summary
        with contextlib.ExitStack() as stack:
            targets = Targets(options, self.target, stack, self._stdout)
            formats = options.format_options
            sources = iter_sources(
                self.inputs,
                force_format=options.from_,
                pattern=options.glob,
                stdin=self._stdin,
                max_bytes=formats.rules.max_bytes,
            )
            staged = options.output_dir is not None  # one file per record
            read = ReadOptions(
                replace(formats, keep_records=True),
                # One-record outputs are written by the workers that read the records;
                # many-record outputs are rendered by them too, a chunk at a time.
                render=self.target.name if staged else None,
                rows=None if staged else self.target.name,
                blocks=targets.scratch.folder if targets.scratch is not None else None,
            )
            items = read_sources(sources, read, jobs=options.jobs)
            # Closed first on the way out: its workers are stopped before the
            # scratch folder they write into is removed.
            stack.callback(items.close)
            for item in items:
                result = item.result
                written = None
                # (Once a record is invalid nothing will be written: skip the work.)
                # A valid record without its record was rendered by a worker, in ``rows``.
                writing = options.skip_invalid or not summary.invalid
                record = result.record
                if result.ok and record is not None and writing:
                    if staged:  # a name the output folder cannot hold fails this record only
                        written, result = _stage(targets, item, result)
                    else:
                        targets.write(item, record)
                summary.records += 1
                if result.diagnostics:
                    summary.warnings += sum(
                        d.severity is Severity.WARNING for d in result.diagnostics
                    )
                if not result.ok:
                    summary.invalid += 1
                    targets.reject(result)
                if item.rows is not None:
                    if options.skip_invalid or not summary.invalid:
                        # The valid records of this item's chunk, this one included, in order.
                        targets.write_rows(item.rows)
                    else:
                        targets.skip_rows(item.rows)
                yield Outcome(result.path, result.index, result.line, result.diagnostics, written)
            if summary.invalid and not options.skip_invalid:
                return  # the stack removes every temporary
            summary.files_written = targets.commit(
                lambda path: wanted_in(path, self.inputs, options.from_, options.glob)
            )
            summary.committed = True


#: What the file system says about a name (not about the disk): too long, a file
#: where a folder must go (or the other way round), a name it cannot hold.
_NAME_ERRORS = {
    errno.ENAMETOOLONG,
    errno.EEXIST,
    errno.ENOTDIR,
    errno.EISDIR,
    errno.EINVAL,
    errno.EILSEQ,
}


def _stage(targets: Targets, item: Item, result: ParseResult) -> tuple[str | None, ParseResult]:
    """Stage one record's output file; a name it cannot have is an ``output-name`` finding.

    Such a name comes from the input (an archive member named 300 characters
    long, or ``d.txt`` beside ``d.txt/x.txt``): it fails that record, which
    ``--skip-invalid`` skips, not the batch. Other errors (a full disk) still
    stop the run.
    """
    assert result.record is not None
    try:
        return targets.write(item, result.record), result
    except OSError as exc:
        if exc.errno not in _NAME_ERRORS:
            raise
        where = targets.output_name(item, result.record)
        reason = exc.strerror or str(exc)
        if exc.errno in (errno.EEXIST, errno.ENOTDIR):
            reason = "another output file stands where a folder of its path must go"
        problem = finding(
            "output-name",
            f"cannot write its output file {safe_path(where)}: {reason}",
            result.path,
            result.line,
        )
        return None, replace(result, diagnostics=(*result.diagnostics, problem))


def _check_options(options: ConvertOptions) -> Format:
    target = format_named(options.to)
    target.require()
    if options.from_ is not None:
        format_named(options.from_).require()
    if options.partition_by is not None:
        if target.partitioned is None:
            raise UsageError(f"--partition-by writes Parquet datasets, not {target.name}")
        if options.partition_by != "year":
            raise UsageError(f"--partition-by {options.partition_by!r}: only 'year' is known")
        if not options.output or options.output == STDIN:
            raise UsageError("--partition-by writes a folder: give it with -o DIR")
    if target.binary and options.output and options.output.lower().endswith(".gz"):
        raise UsageError(f"{target.name} is compressed already: give -o without .gz")
    if target.file_only and (records_to_stdout(options) or not options.output):
        raise UsageError(f"{target.name} writes a database file: give it with -o FILE")
    if options.output and options.output_dir:
        raise UsageError("give either -o/--output or --output-dir, not both")
    if options.output_dir is not None and target.dump is None:
        raise UsageError(
            f"{target.name} holds many records in one file: "
            "write it with -o FILE or to standard output, not --output-dir"
        )
    if options.rejects and not options.skip_invalid:
        raise UsageError("--rejects lists the records --skip-invalid skips: give both")
    if options.rejects == STDIN and records_to_stdout(options):
        raise UsageError(
            "--rejects -: standard output carries the records; give --rejects FILE, "
            "or write the records with -o FILE or --output-dir DIR"
        )
    if options.output_dir is None and target.sink is None:
        raise UsageError(f"{target.name} holds one record per file: give --output-dir DIR")
    return target
