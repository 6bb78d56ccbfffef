"""The stats pipeline: read every record once, in parallel, and count what an archive holds.

:class:`Statistics` reads its inputs the way ``archive validate`` does (the
configuration's include, exclude and rule levels; every format; the one
worker pool), applies a :class:`~archivekit.selection.Selection`, and adds
each record to a :class:`~archivekit.stats.collect.Tally`; :meth:`figures`
gives the result as plain data, which :mod:`archivekit.stats.render` writes
as text, JSON, Markdown or HTML.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, BinaryIO

from archivekit.config import Config, load_config
from archivekit.diagnostics import ParseResult
from archivekit.files.read import DEFAULT_MAX_BYTES
from archivekit.files.select import select_files
from archivekit.files.walk import check_paths
from archivekit.formats import FormatOptions, format_named
from archivekit.selection import Picker, Selection
from archivekit.sources.inputs import DEFAULT_FOLDER_FORMAT, expand, picker
from archivekit.sources.reading import ReadOptions, read_sources
from archivekit.stats.collect import STATS_VERSION, Tally
from archivekit.stats.digest import Digest, digest
from archivekit.validate.levels import build

__all__ = ["STATS_VERSION", "Statistics", "Tally"]


class Statistics:
    """One run of ``archive stats``: iterate it (a result per record read), then :meth:`figures`.

    The constructor checks the options and paths and raises
    :class:`~archivekit.errors.UsageError` (or ``InputError``) before any
    file is read. ``paths``, ``config``, ``glob``, ``from_``, ``jobs`` and
    ``max_bytes`` mean what they mean to :class:`~archivekit.validate.Validation`.
    Memory is bounded by the distinct keywords, sites and days, plus 16 to 32
    bytes a record for the duplicate counts, and ``selection.sample`` records.

    Invalid records are counted (``records``, ``invalid``, ``findings``)
    but cannot be selected: they have no fields to select by. With
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
    ) -> None:
        self.paths = list(paths)
        if from_ is not None:
            format_named(from_)
        self.config = config if isinstance(config, Config) else load_config(config)
        self.policy, self.rules = build(self.config, max_bytes=max_bytes, profile=profile)
        check_paths(self.paths)
        self.selection = selection or Selection()
        self.tally = Tally(top=top)
        self.picker: Picker[tuple[ParseResult, Digest]] = Picker(self.selection)
        self._glob, self._from, self._jobs = glob, from_, jobs
        self._follow, self._stdin = follow_symlinks, stdin
        #: Records read, selected or not.
        self.read = 0

    def __iter__(self) -> Iterator[ParseResult]:
        return self.run()

    def run(self) -> Iterator[ParseResult]:
        """Read and count every record, yielding each one's result (for progress)."""
        found = select_files(
            self.paths,
            root=self.config.root,
            include=self.config.include,
            exclude=self.config.exclude,
            glob=self._glob,
            match=picker(self._from, None),
            follow_symlinks=self._follow,
        )
        sources = expand(
            found,
            force_format=self._from,
            default_format=DEFAULT_FOLDER_FORMAT,
            stdin=self._stdin,
            max_bytes=self.rules.max_bytes,
        )
        selection, tally, pick = self.selection, self.tally, self.picker
        options = ReadOptions(
            FormatOptions(rules=self.rules),
            pick=selection if selection.filters else None,
            digest=digest,
        )
        apply = self.policy.apply
        # The workers build each record (to digest it): import the model here, once,
        # before they fork, rather than once in each of them (time and memory).
        import archivekit.record.model  # noqa: F401

        for item in read_sources(sources, options, jobs=self._jobs):
            self.read += 1
            result = apply(item.result)
            summary = item.digest
            if not item.picked:
                yield result
                continue
            if isinstance(summary, Digest) and result.ok:
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
        figures["selection"] = {
            "active": selection.active,
            **selection.describe(),
            "read": self.read,
            "matched": self.picker.matched,
            "duplicates_dropped": self.picker.duplicates,
            "selected": self.picker.kept,
        }
        return figures
