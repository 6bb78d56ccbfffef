"""The JUnit XML report: one test case per file, as GitLab, Jenkins and others read it."""

from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING, ClassVar, TextIO

from archivekit.reports.base import ReportContext, Reporter, Totals
from archivekit.reports.text import format_diagnostic
from archivekit.text import safe_path

if TYPE_CHECKING:
    from archivekit.diagnostics import ParseResult


@functools.cache
def _not_xml() -> re.Pattern[str]:
    """Characters XML 1.0 cannot hold at all, even escaped: one would make the report unreadable.

    Compiled on first use: the wide negated class takes ~10 ms, too much for start-up.
    """
    return re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


SUITE = "archive validate"


# xml.sax.saxutils would do the same, at the cost of importing the xml package.
_TEXT = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
_ATTR = str.maketrans(
    {
        "&": "&amp;",
        "<": "&lt;",
        ">": "&gt;",
        '"': "&quot;",
        "\n": "&#10;",
        "\r": "&#13;",
        "\t": "&#9;",
    }
)


def _text(value: str) -> str:
    return _not_xml().sub("\N{REPLACEMENT CHARACTER}", value).translate(_TEXT)


def _attr(value: str) -> str:
    return '"' + _not_xml().sub("\N{REPLACEMENT CHARACTER}", value).translate(_ATTR) + '"'


class JunitReporter(Reporter):
    """``<testsuites>`` with one ``<testcase>`` per file; failing findings are ``<failure>``.

    The suite's counts go in its opening tag, so the test cases are held in a
    spooled temporary file (on disk past 1 MiB), never in a growing list.
    """

    name: ClassVar[str] = "junit"
    description: ClassVar[str] = "JUnit XML, one test case per file (GitLab, Jenkins)"

    def __init__(self, stream: TextIO, context: ReportContext | None = None) -> None:
        super().__init__(stream, context)
        import tempfile  # only when a JUnit report is asked for: it costs start-up time

        # Closed in close(); a reporter lives as long as the run.
        self._cases = tempfile.SpooledTemporaryFile(  # noqa: SIM115
            max_size=1 << 20, mode="w+", encoding="utf-8"
        )
        self._failures = 0

    def add(self, result: ParseResult) -> None:
        """Write the file's test case: failed when any finding fails the run."""
        failing = [d for d in result.diagnostics if self.context.fails(d)]
        others = [d for d in result.diagnostics if not self.context.fails(d)]
        case = (
            f"<testcase classname={_attr('archive')} name={_attr(safe_path(result.path))} "
            f'file={_attr(safe_path(result.path))} time="0"'
        )
        if not failing and not others:
            self._cases.write(case + "/>\n")
            return
        self._cases.write(case + ">")
        if failing:
            self._failures += 1
            first = failing[0]
            message = f"{len(failing)} finding(s); first: [{first.code}] {first.message}"
            body = "\n".join(format_diagnostic(d) for d in failing)
            self._cases.write(
                f"<failure message={_attr(message)} type={_attr(first.code)}>"
                f"{_text(body)}</failure>"
            )
        if others:
            body = "\n".join(format_diagnostic(d) for d in others)
            self._cases.write(f"<system-out>{_text(body)}</system-out>")
        self._cases.write("</testcase>\n")

    def close(self, totals: Totals) -> None:
        """Write the suite with its counts, then the test cases."""
        counts = f'tests="{totals.files}" failures="{self._failures}" errors="0" skipped="0"'
        self.stream.write(
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<testsuites name={_attr(SUITE)} {counts} time="0">\n'
            f'<testsuite name={_attr(SUITE)} {counts} time="0">\n'
        )
        import shutil

        self._cases.seek(0)
        shutil.copyfileobj(self._cases, self.stream)
        self._cases.close()
        self.stream.write("</testsuite>\n</testsuites>\n")
