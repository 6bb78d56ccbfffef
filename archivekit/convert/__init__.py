"""Convert whole batches between formats: streamed, in order, all-or-nothing by default."""

from __future__ import annotations

__all__ = ["Conversion", "ConvertOptions", "Outcome", "Summary"]

import contextlib
import errno
import os
import sys
from collections.abc import Generator, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any, BinaryIO

from archivekit.convert.options import ConvertOptions
from archivekit.convert.outputs import Targets, records_to_stdout
from archivekit.diagnostics import Diagnostic, ParseResult, finding
from archivekit.errors import OutputError, UsageError, WorkerError
from archivekit.files.archives import is_container
from archivekit.files.remote import is_url
from archivekit.files.walk import STDIN, check_paths, walk
from archivekit.formats import (
    FORMAT_BY_NAME,
    Format,
    format_for_name,
    format_named,
)
from archivekit.formats.base import stopped_part_way
from archivekit.rules import Severity
from archivekit.selection import Picker, Selection
from archivekit.sources.inputs import (
    Source,
    StdinCopy,
    expand,
    input_folder_holding,
    picker,
    record_files,
    refuse_overwriting,
    wanted_in,
)
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
    """Counts of a finished run; ``committed`` says whether the output was written.

    ``records`` counts every record read; ``selected`` the valid records the
    selection kept (all valid records without one), ``duplicates`` those
    ``--dedupe`` dropped.
    """

    records: int = 0
    invalid: int = 0
    #: Of the invalid: many-record files whose reading stopped part-way (rows lost).
    unread: int = 0
    warnings: int = 0
    files_written: int = 0
    committed: bool = False
    target: str = ""
    selected: int = 0
    duplicates: int = 0


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
        check_paths(self.inputs, storage=options.storage_options)
        # Without --from or --glob, folders are walked for every format's extensions.
        self._every = options.from_ is None and options.glob is None
        #: What the run assumed, for the user (a format guessed from content, the
        #: extensions a folder walk reads): one line each, added as they are known.
        self.notes: list[str] = []
        #: True when an input named is a folder (so that "no records" is a failure).
        self.folders = any(os.path.isdir(p) or is_url(p) for p in self.inputs if p != STDIN)

        refuse_overwriting(
            (options.output, options.rejects), self.inputs, options.from_, options.glob
        )
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
        self._store = options.output is not None and is_url(options.output)
        if self._store:
            _check_store(options)
        self._stdin = stdin
        self._stdout = stdout
        self.summary = Summary(target=options.output_dir or options.output or "<stdout>")

    def _reads(self, path: str) -> bool:
        """Would this run read the file at ``path``?"""
        options = self.options
        return wanted_in(path, self.inputs, options.from_, options.glob)

    def __iter__(self) -> Iterator[Outcome]:
        return self.run()

    def run(self) -> Generator[Outcome, None, None]:
        """Do the conversion, yielding an outcome per record (see the class docstring).

        Raises :class:`OutputError` when the output cannot be written (disk
        full, permissions), after removing every temporary.
        """
        try:
            yield from self._run_store() if self._store else self._run()
        except OSError as exc:
            where = exc.filename or self.summary.target
            raise OutputError(f"{where}: cannot write the output: {exc.strerror or exc}") from exc

    def expected_records(self) -> int | None:
        """How many records the inputs hold, if the walk alone can tell; else ``None``.

        Known when every input file holds one record (archive text, Markdown, a
        ``.json`` object): the walk's count, file names only, nothing read. ``None``
        with standard input, a many-record file or an archive. For a progress bar's
        total; cheap next to the conversion itself.
        """
        if STDIN in self.inputs:
            return None
        options = self.options
        match = picker(options.from_, options.glob)
        count = 0
        for found in walk(self.inputs, match=match):
            name = found.path.rsplit("/", 1)[-1]
            fmt = FORMAT_BY_NAME.get(options.from_ or "") or format_for_name(name)
            if fmt is None or not fmt.one or fmt.many or is_container(name):
                return None
            count += 1
        return count or None

    def _sources(self, stdin: BinaryIO | None) -> Iterator[Source]:
        """Every input's sources; a folder without archive files is read for every format."""
        options = self.options
        storage = options.storage_options
        found = record_files(
            self.inputs,
            from_=options.from_,
            glob=options.glob,
            storage=storage,
            note=self.notes.append,
        )
        return expand(
            found,
            force_format=options.from_,
            stdin=stdin,
            max_bytes=options.format_options.rules.max_bytes,
            sniff_stdin=True,
            note=self.notes.append,
            storage=storage,
        )

    def _run(self) -> Generator[Outcome, None, None]:
        options, summary = self.options, self.summary
        with contextlib.ExitStack() as stack:
            stdin = None
            if options.rejects and STDIN in self.inputs:
                # A rejected record's input is read back from a copy of standard input.
                stdin = StdinCopy(self._stdin or sys.stdin.buffer)
                stack.callback(stdin.close)
            targets = Targets(options, self.target, stack, self._stdout, stdin)
            formats = options.format_options
            sources = self._sources(stdin.stream if stdin is not None else self._stdin)
            staged = options.output_dir is not None  # one file per record
            selection = options.selection
            chooser: Picker[Item] = Picker(selection)
            read = ReadOptions(
                replace(formats, keep_records=True),
                # One-record outputs are written by the workers that read the records;
                # many-record outputs are rendered by them too, a chunk at a time
                # (not when --dedupe or --sample decide here, in input order).
                render=self.target.name if staged else None,
                rows=None if staged or selection.ordered else self.target.name,
                blocks=targets.scratch.folder if targets.scratch is not None else None,
                urls=selection.dedupe,
                # The filters run in the workers: a record left out is not rendered.
                pick=selection if selection.filters else None,
                storage=options.storage_options,
            )
            left_out = 0

            def put(item: Item, result: ParseResult) -> tuple[str | None, ParseResult]:
                if staged:  # a name the output folder cannot hold fails this record only
                    return _stage(targets, item, result)
                assert result.record is not None
                targets.write(item, result.record)
                return None, result

            items = read_sources(sources, read, jobs=options.jobs, scheduler=options.scheduler)
            # Closed first on the way out: its workers are stopped before the
            # scratch folder they write into is removed.
            stack.callback(items.close)
            for item in items:
                result = item.result
                written = None
                # (Once a record is invalid nothing will be written: skip the work.)
                # A valid record without its record was rendered by a worker, in ``rows``.
                writing = options.skip_invalid or not summary.invalid
                summary.records += 1
                if not item.picked:
                    # Left out by the selection: neither written nor reported.
                    left_out += 1
                    if item.rows is not None:
                        if writing:
                            targets.write_rows(item.rows)
                        else:
                            targets.skip_rows(item.rows)
                    yield Outcome(result.path, result.index, result.line, (), None)
                    continue
                if result.ok and result.record is not None:
                    if selection.ordered:
                        kept = chooser.offer(item, item.url)
                        if kept is not None and writing:
                            written, result = put(kept, result)
                    elif writing:
                        written, result = put(item, result)
                if result.diagnostics:
                    summary.warnings += sum(
                        d.severity is Severity.WARNING for d in result.diagnostics
                    )
                if not result.ok:
                    summary.invalid += 1
                    summary.unread += stopped_part_way(result)
                    # (The result may be put's own: an output name the folder cannot hold.)
                    targets.reject(item._replace(result=result))
                if item.rows is not None:
                    if options.skip_invalid or not summary.invalid:
                        # The valid records of this item's chunk, this one included, in order.
                        targets.write_rows(item.rows)
                    else:
                        targets.skip_rows(item.rows)
                yield Outcome(result.path, result.index, result.line, result.diagnostics, written)
            summary.selected = (
                chooser.kept if selection.ordered else summary.records - summary.invalid - left_out
            )
            summary.duplicates = chooser.duplicates
            if summary.invalid and not options.skip_invalid:
                return  # the stack removes every temporary
            for item in chooser.sampled():  # the sample, in input order
                _, result = put(item, item.result)
                if not result.ok:  # an output name the folder cannot hold
                    summary.invalid += 1
                    summary.selected -= 1
                    targets.reject(item._replace(result=result))
            if summary.invalid and not options.skip_invalid:
                return
            if not summary.records and self.folders:
                return  # a folder named and nothing in it: most likely a mistake; write nothing
            summary.files_written = targets.commit(self._reads)
            summary.committed = True

    def _run_store(self) -> Generator[Outcome, None, None]:
        """``-o URL``: check every record on the Dask workers, then (all valid, or
        ``skip_invalid``) have them write the Parquet dataset to the store."""
        from archivekit.dask import check_archive, write_parquet

        options, summary = self.options, self.summary
        settings = {
            "glob": options.glob,
            "storage_options": options.storage_options,
            "options": options.format_options.rules,
        }
        with _dask_client(options.scheduler):
            for part in check_archive(self.inputs, **settings):  # type: ignore[arg-type]
                summary.records += part.records
                summary.invalid += part.invalid
                summary.warnings += part.warnings
                for r in part.results:
                    yield Outcome(r.path, r.index, r.line, r.diagnostics)
            if summary.invalid and not options.skip_invalid:
                return
            assert options.output is not None
            write_parquet(
                self.inputs,
                options.output,
                partition_by=options.partition_by,
                overwrite=options.force,
                **settings,  # type: ignore[arg-type]
            )
        summary.committed = True


@contextlib.contextmanager
def _dask_client(address: str | None) -> Iterator[None]:
    """Dask's computations go to the scheduler at ``address`` meanwhile (else run here)."""
    if address is None:
        yield
        return
    from archivekit.errors import MissingExtra

    try:
        import distributed
    except ImportError:
        raise MissingExtra.for_module("distributed", "dask") from None
    make: Any = distributed.Client
    try:
        client = make(address, timeout="10s")
    except (OSError, TimeoutError, ValueError) as exc:
        raise WorkerError(f"cannot reach the Dask scheduler at {address}: {exc}") from None
    with client:
        yield


def _check_store(options: ConvertOptions) -> None:
    """``-o URL``: Parquet only, written by Dask; not over an existing dataset unless force."""
    from archivekit.errors import OutputExists
    from archivekit.files.remote import filesystem

    if options.to != "parquet":
        raise UsageError(
            f"-o {options.output}: object storage takes Parquet datasets (--to parquet); "
            "write other formats to a local file"
        )
    if options.rejects:
        raise UsageError("--rejects with -o URL: give the rejects a local file of their own run")
    if options.selection != Selection():
        raise UsageError(
            "--since, --until, --keyword, --domain, --dedupe and --sample are not taken with "
            "-o URL yet: write locally, or select the records in Dask (archivekit.dask)"
        )
    assert options.output is not None
    fs, path = filesystem(options.output, options.storage_options)
    if fs.exists(path) and not options.force:
        raise OutputExists(f"{options.output}: exists; give --force to replace it")


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
