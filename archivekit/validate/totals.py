"""The counts of a validate run, in memory that does not grow with the batch."""

from __future__ import annotations

import heapq
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from archivekit.diagnostics import ParseResult


#: Files kept in :attr:`Totals.worst`, for the GitHub summary.
WORST_FILES = 10
#: Findings about a whole file that stop its records being read at all (a CSV
#: header row that is wrong): the file counts, but no record of it does.
UNREAD = frozenset({"csv-header"})


@dataclass(slots=True)
class Totals:
    """Counts over a whole run, in memory that does not grow with the batch."""

    files: int = 0
    records: int = 0
    errors: int = 0
    warnings: int = 0
    by_rule: Counter[str] = field(default_factory=Counter)
    #: A min-heap of (findings, -order, path): the files with most findings.
    _worst: list[tuple[int, int, str]] = field(default_factory=list)
    #: Findings hidden because the baseline records them.
    baselined: int = 0

    def add(self, result: ParseResult) -> None:
        """Count one record's (already filtered) findings.

        ``files`` counts the inputs (a file of many records, or an archive
        member, counts once), ``records`` every record read.
        """
        if result.index is None or result.index == 1:
            self.files += 1
        if not (result.index is None and any(d.code in UNREAD for d in result.diagnostics)):
            self.records += 1
        for d in result.diagnostics:
            if d.severity.value == "error":
                self.errors += 1
            else:
                self.warnings += 1
            self.by_rule[d.code] += 1
        if result.diagnostics:
            # A file's findings all come at once, so its count is final here.
            entry = (len(result.diagnostics), -self.records, result.path)
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
