"""The GitHub Actions report: workflow-command annotations, and a Markdown job summary."""

from __future__ import annotations

import os
import re
from typing import TYPE_CHECKING, ClassVar

from archivekit.reports.base import Reporter, Totals, plural
from archivekit.text import safe_path

if TYPE_CHECKING:
    from archivekit.diagnostics import Diagnostic, ParseResult

#: GitHub shows at most this many annotations of each level per step; the rest
#: exist only in the log, so the summary says how many.
ANNOTATION_LIMIT = 10


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(d: Diagnostic) -> str:
    """``::error file=…,line=…,col=…,endColumn=…,title=…::message``."""
    level = "error" if d.severity.value == "error" else "warning"
    # GitHub matches file= against paths from the repository root: fold "./".
    props = (
        f"file={_property(safe_path(os.path.normpath(d.path)))},line={d.line},col={d.column},"
        f"endColumn={d.end_column},title={_property(f'archive {d.code}')}"
    )
    return f"::{level} {props}::{_data(d.message)}"


def code_span(name: str) -> str:
    """``name`` as Markdown inline code for a table cell: shown as text, never markup.

    A file name is the input's to choose: as plain Markdown, ``<img src=…>``
    or ``[x](https://…)`` in a name would render in the job summary. In a code
    span nothing renders; the fence is longer than any run of backticks in the
    name, and ``|`` is escaped (GitHub splits table cells before code spans).
    """
    text = safe_path(name).replace("|", "\\|")
    longest = max((len(run) for run in re.findall("`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def step_summary(totals: Totals, *, strict: bool) -> str:
    """A Markdown summary for ``$GITHUB_STEP_SUMMARY``: totals per rule, the worst files."""
    verdict = "failed" if totals.failed(strict=strict) else "passed"
    lines = [
        "## archive validate",
        "",
        f"**{verdict}**: {plural(totals.files, 'file')}, {plural(totals.errors, 'error')}, "
        f"{plural(totals.warnings, 'warning')}",
        "",
    ]
    if totals.baselined:
        lines += [f"{totals.baselined} known findings hidden by the baseline.", ""]
    if totals.by_rule:
        lines += ["| Rule | Findings |", "| --- | ---: |"]
        lines += [f"| `{code}` | {n} |" for code, n in sorted(totals.by_rule.items())]
        lines += ["", "| File | Findings |", "| --- | ---: |"]
        lines += [f"| {code_span(path)} | {n} |" for path, n in totals.worst()]
        lines.append("")
    hidden = max(0, totals.errors - ANNOTATION_LIMIT) + max(0, totals.warnings - ANNOTATION_LIMIT)
    if hidden:
        lines += [
            f"{plural(hidden, 'finding')} not annotated (GitHub shows "
            f"{ANNOTATION_LIMIT} of each level per step): see the job log.",
            "",
        ]
    return "\n".join(lines) + "\n"


class GithubReporter(Reporter):
    """``::error``/``::warning`` lines that GitHub turns into annotations on the diff."""

    name: ClassVar[str] = "github"
    description: ClassVar[str] = "GitHub Actions annotations (+ job summary if GITHUB_STEP_SUMMARY)"

    _group: str | None = None

    def add(self, result: ParseResult) -> None:
        """Write one workflow command per finding, each file's inside ``::group::``."""
        shown = [d for d in result.diagnostics if not self.context.quiet or self.context.fails(d)]
        if not shown:
            return
        if self._group != result.path:  # the records of one file share its group
            self._end_group()
            self._group = result.path
            self.stream.write(f"::group::{_data(safe_path(os.path.normpath(result.path)))}\n")
        for d in shown:
            self.stream.write(annotation(d) + "\n")

    def _end_group(self) -> None:
        if self._group is not None:
            self.stream.write("::endgroup::\n")
            self._group = None

    def close(self, totals: Totals) -> None:
        """Write the summary line, and append the Markdown summary when asked for."""
        self._end_group()
        if not self.context.quiet:
            self.stream.write(
                f"{plural(totals.files, 'file')}, {plural(totals.errors, 'error')}, "
                f"{plural(totals.warnings, 'warning')}\n"
            )
        if self.context.step_summary:
            with open(self.context.step_summary, "a", encoding="utf-8") as handle:
                handle.write(step_summary(totals, strict=self.context.strict))
