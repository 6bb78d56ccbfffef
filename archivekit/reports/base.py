"""What every report format shares: the reporter interface, its settings and the run's totals."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar, TextIO

from archivekit import __version__
from archivekit.text import plural
from archivekit.validate.totals import Totals

__all__ = ["ReportContext", "Reporter", "Totals", "plural", "root_relative", "write_report"]

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
    #: The repository root that SARIF and GitLab paths are relative to (None: the
    #: current folder); the CLI gives the git work tree's top.
    root: str | None = None

    def fails(self, diagnostic: Diagnostic) -> bool:
        """True when ``diagnostic`` makes the run fail (an error, or any finding if strict)."""
        return self.strict or diagnostic.severity.value == "error"


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


def root_relative(path: str, root: str | None) -> str:
    """``path`` relative to ``root`` (or the current folder) with ``/``; absolute if outside."""
    import os

    base = os.path.realpath(root) if root else os.getcwd()
    absolute = os.path.realpath(os.path.abspath(path)) if root else os.path.abspath(path)
    rel = os.path.relpath(absolute, base)
    if rel == ".." or rel.startswith(".." + os.sep):
        return absolute.replace(os.sep, "/")
    return rel.replace(os.sep, "/")


def write_report(reporter: Reporter, results: Iterable[ParseResult]) -> Totals:
    """Feed every result to ``reporter``, close it, and return the totals."""
    totals = Totals()
    for result in results:
        totals.add(result)
        reporter.add(result)
    reporter.close(totals)
    return totals
