"""The stats pipeline: read every record once, in parallel, and count what an archive holds.

:class:`Statistics` reads its inputs the way ``archive validate`` does (the
configuration's include, exclude and rule levels; every format; the one
worker pool), applies a :class:`~archivekit.selection.Selection`, and adds
each record to a :class:`~archivekit.stats.collect.Tally` (the workers tally
their chunks' records, and the tallies are merged); :meth:`figures`
gives the result as plain data, which :mod:`archivekit.stats.render` writes
as text, JSON, Markdown or HTML.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator, Sequence
from typing import Any, BinaryIO

from archivekit.config import Config, load_config
from archivekit.diagnostics import ParseResult
from archivekit.errors import OutputExists
from archivekit.files.read import DEFAULT_MAX_BYTES
from archivekit.files.remote import StorageOptions
from archivekit.files.walk import check_paths
from archivekit.formats import FormatOptions, format_named
from archivekit.record import fast
from archivekit.rules import UNREAD
from archivekit.selection import Picker, Selection
from archivekit.sources.inputs import (
    DEFAULT_FOLDER_FORMAT,
    expand,
    record_files,
    refuse_overwriting,
)
from archivekit.sources.reading import ReadOptions, read_sources
from archivekit.stats.collect import STATS_VERSION, Tally
from archivekit.stats.digest import Digest, digest, digest_fields
from archivekit.validate.levels import build

__all__ = ["STATS_VERSION", "Statistics", "Tally"]


class Statistics:
    """One run of ``archive stats``: iterate it (a result per record read), then :meth:`figures`.

    The constructor checks the options and paths and raises
    :class:`~archivekit.errors.UsageError` (or ``InputError``) before any
    file is read. ``paths``, ``config``, ``glob``, ``from_``, ``jobs`` and
    ``max_bytes`` mean what they mean to :class:`~archivekit.validate.Validation`.
    ``output`` names the file the report will go to: refused when the run
    reads it, or when it exists (a regular file) and ``force`` is not given.
    Memory is bounded by the distinct keywords, sites and days, plus 16
    bytes a record for the duplicate counts, and ``selection.sample`` records.

    An input that cannot be read (a ``read-error`` or ``file-too-large``
    finding) is no record: it is kept in :attr:`unread` and ``unread`` in the
    figures, not counted. Invalid records are counted (``records``, ``invalid``,
    ``findings``) but cannot be selected: they have no fields to select by. With
    ``profile="scraped"`` a record missing its date or word count is valid
    (with a warning) and counted: in ``dates.missing`` and
    ``word_count.declared_missing``. Duplicate URLs
    are counted in ``duplicates`` (exact and normalised), not as
    ``duplicate-url`` findings.
    """

    def __init__(
        self,
        paths: Sequence[str],
        *,
        selection: Selection | None = None,
        config: Config | str | None = None,
        glob: str | None = None,
        from_: str | None = None,
        jobs: int | None = None,
        max_bytes: int = DEFAULT_MAX_BYTES,
        profile: str | None = None,
        top: int = 20,
        follow_symlinks: bool = False,
        stdin: BinaryIO | None = None,
        output: str | None = None,
        force: bool = False,
        storage_options: StorageOptions | None = None,
    ) -> None:
        self.paths = list(paths)
        if from_ is not None:
            format_named(from_)
        refuse_overwriting([output], self.paths, from_, glob)
        if output and not force and _regular_file(output):
            raise OutputExists(f"{output}: already exists (use --force to replace it)")
        self.config = config if isinstance(config, Config) else load_config(config)
        self.policy, self.rules = build(self.config, max_bytes=max_bytes, profile=profile)
        self._storage = dict(storage_options or {})
        check_paths(self.paths, storage=self._storage)
        self.selection = selection or Selection()
        self.tally = Tally(top=top)
        self.picker: Picker[tuple[ParseResult, Digest]] = Picker(self.selection)
        self._glob, self._from, self._jobs = glob, from_, jobs
        self._follow, self._stdin = follow_symlinks, stdin
        #: Records read, selected or not.
        self.read = 0
        #: The inputs (or rests of inputs) that could not be read: a ``read-error``
        #: or ``file-too-large`` result each, not counted as a record.
        self.unread: list[ParseResult] = []
        #: What the run assumed, for the user (standard input's format guessed from its
        #: content, a folder without archive files read for every format): one line each.
        self.notes: list[str] = []

    def __iter__(self) -> Iterator[ParseResult]:
        return self.run()

    def run(self) -> Iterator[ParseResult]:
        """Read and count every record, yielding each one's result (for progress)."""

        found = record_files(
            self.paths,
            from_=self._from,
            glob=self._glob,
            root=self.config.root,
            include=self.config.include,
            exclude=self.config.exclude,
            follow_symlinks=self._follow,
            storage=self._storage,
            note=self.notes.append,
        )
        sources = expand(
            found,
            force_format=self._from,
            default_format=DEFAULT_FOLDER_FORMAT,
            stdin=self._stdin,
            max_bytes=self.rules.max_bytes,
            sniff_stdin=True,
            note=self.notes.append,
            storage=self._storage,
        )
        selection, tally, pick = self.selection, self.tally, self.picker
        options = ReadOptions(
            # No record kept: each is digested where it is read, and only the digest travels.
            FormatOptions(rules=self.rules, keep_records=False),
            pick=selection if selection.filters else None,
            digest=digest,
            digest_fields=digest_fields,
            # Each worker tallies its chunk's clean records (merged below) unless the
            # records must be offered, in input order, to --dedupe or --sample here.
            tally=None if selection.ordered else Tally,
            storage=self._storage,
        )
        apply = self.policy.apply
        if selection.filters or not fast.applies(self.rules):
            # The workers build every record (to select or digest it): import the model
            # here, once, before they fork, rather than once in each (time and memory).
            # Otherwise canonical files are digested from their bytes, and a run over
            # them never loads pydantic at all.
            import archivekit.record.model  # noqa: F401

        for item in read_sources(sources, options, jobs=self._jobs):
            if item.tally is not None:
                assert isinstance(item.tally, Tally)
                tally.merge(item.tally)
            result = item.result
            if not result.diagnostics and item.digest is None and item.picked:
                # Clean (no level to apply), its fields counted by its worker (merged
                # above): most records, so the shortest way.
                self.read += 1
                pick.passed()
                tally.add_result(result)
                yield result
                continue
            result = apply(result)
            if any(d.code in UNREAD for d in result.diagnostics):
                self.unread.append(result)
                yield result
                continue
            self.read += 1
            summary = item.digest
            if not item.picked:
                yield result
                continue
            if isinstance(summary, Digest) and (not result.diagnostics or result.ok):
                kept = pick.offer((result, summary), None, key=summary.normal)
                if kept is not None:
                    tally.add_result(result)
                    tally.add(summary)
            else:
                # Invalid (or valid only by the configured levels): counted, fields unknown.
                tally.add_result(result)
            yield result
        for result, summary in pick.sampled():
            tally.add_result(result)
            tally.add(summary)

    def figures(self) -> dict[str, Any]:
        """Every figure (docs/stats.md), once iteration has ended."""
        figures = self.tally.figures()
        selection = self.selection
        figures["inputs"] = self.paths
        figures["unread"] = [
            {"path": r.path, "code": d.code, "message": d.message}
            for r in self.unread
            for d in r.diagnostics
            if d.code in UNREAD
        ]
        figures["selection"] = {
            "active": selection.active,
            **selection.describe(),
            "read": self.read,
            "matched": self.picker.matched,
            "duplicates_dropped": self.picker.duplicates,
            "selected": self.picker.kept,
        }
        return figures


def _regular_file(path: str) -> bool:
    """An existing regular file (a FIFO or /dev/stdout is written into, not replaced)."""
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except OSError:
        return False
