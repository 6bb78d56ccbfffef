"""What every report format shares: the reporter interface, its settings and the run's totals."""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar, TextIO

from archivekit import __version__
from archivekit.text import plural

__all__ = ["ReportContext", "Reporter", "Totals", "plural", "write_report"]

if TYPE_CHECKING:
    from archivekit.diagnostics import Diagnostic, ParseResult


@dataclass(frozen=True, slots=True)
class ReportContext:
    """How a report is drawn; the CLI fills it from its options and the environment.

    ``strict`` makes warnings fail; ``quiet`` leaves out what does not fail and
    the summary (text format); ``show_source`` prints the offending line with a
    caret; ``step_summary`` is a file to append a Markdown summary to (github).
    """

    colour: bool = False
    quiet: bool = False
    strict: bool = False
    show_source: bool = False
    step_summary: str | None = None
    version: str = __version__

    def fails(self, diagnostic: Diagnostic) -> bool:
        """True when ``diagnostic`` makes the run fail (an error, or any finding if strict)."""
        return self.strict or diagnostic.severity.value == "error"


#: Files kept in :attr:`Totals.worst`, for the GitHub summary.
WORST_FILES = 10


@dataclass(slots=True)
class Totals:
    """Counts over a whole run, in memory that does not grow with the batch."""

    files: int = 0
    errors: int = 0
    warnings: int = 0
    by_rule: Counter[str] = field(default_factory=Counter)
    #: A min-heap of (findings, -order, path): the files with most findings.
    _worst: list[tuple[int, int, str]] = field(default_factory=list)
    #: Findings hidden because the baseline records them.
    baselined: int = 0

    def add(self, result: ParseResult) -> None:
        """Count one file's (already filtered) findings."""
        self.files += 1
        for d in result.diagnostics:
            if d.severity.value == "error":
                self.errors += 1
            else:
                self.warnings += 1
            self.by_rule[d.code] += 1
        if result.diagnostics:
            # A file's findings all come at once, so its count is final here.
            entry = (len(result.diagnostics), -self.files, result.path)
            if len(self._worst) < WORST_FILES:
                heapq.heappush(self._worst, entry)
            else:
                heapq.heappushpop(self._worst, entry)

    def worst(self) -> list[tuple[str, int]]:
        """Up to 10 ``(path, findings)``, most findings first (earlier files first on ties)."""
        return [(path, n) for n, _, path in sorted(self._worst, reverse=True)]

    def failed(self, *, strict: bool) -> bool:
        """True when the run should exit 1."""
        return self.errors > 0 or (strict and self.warnings > 0)


class Reporter:
    """One report format, fed one file's result at a time.

    Streaming formats write each result as it comes; the others write what they
    can at once and finish in :meth:`close`. The stream belongs to the caller.
    """

    #: The name given to ``--format``.
    name: ClassVar[str]
    #: One line for ``--help`` and the docs.
    description: ClassVar[str]

    def __init__(self, stream: TextIO, context: ReportContext | None = None) -> None:
        self.stream = stream
        self.context = context or ReportContext()

    def add(self, result: ParseResult) -> None:
        """Report one file's findings."""
        raise NotImplementedError

    def close(self, totals: Totals) -> None:
        """Finish the report (totals, closing brackets); called once, after the last file."""


def write_report(reporter: Reporter, results: Iterable[ParseResult]) -> Totals:
    """Feed every result to ``reporter``, close it, and return the totals."""
    totals = Totals()
    for result in results:
        totals.add(result)
        reporter.add(result)
    reporter.close(totals)
    return totals
