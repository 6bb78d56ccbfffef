"""``--statistics``: one line per rule, most frequent first, as ``ruff check --statistics``."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, ClassVar, TextIO

from archivekit.reports.base import ReportContext, Reporter, Totals
from archivekit.rules import RULE_BY_CODE

if TYPE_CHECKING:
    from archivekit.diagnostics import ParseResult


class StatisticsReporter(Reporter):
    """``COUNT  CODE  severity  summary``, one line per rule and level that was found."""

    name: ClassVar[str] = "statistics"
    description: ClassVar[str] = "one line per rule: count, code, severity, summary"

    def __init__(self, stream: TextIO, context: ReportContext | None = None) -> None:
        super().__init__(stream, context)
        self._counts: Counter[tuple[str, str]] = Counter()

    def add(self, result: ParseResult) -> None:
        """Count the file's findings by rule and level."""
        for d in result.diagnostics:
            if not self.context.quiet or self.context.fails(d):
                self._counts[(d.code, d.severity.value)] += 1

    def close(self, totals: Totals) -> None:
        """Write the table, most frequent first (then by code)."""
        rows = sorted(self._counts.items(), key=lambda item: (-item[1], item[0]))
        if not rows:
            return
        count_width = len(str(rows[0][1]))
        code_width = max(len(code) for (code, _), _ in rows)
        for (code, level), count in rows:
            summary = RULE_BY_CODE[code].summary
            self.stream.write(
                f"{count:>{count_width}}  {code:<{code_width}}  {level:<7}  {summary}\n"
            )
