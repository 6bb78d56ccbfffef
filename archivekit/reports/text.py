"""The text report: ``path:line:col: severity[code] message``, one finding a line, streamed."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from archivekit.files.read import DEFAULT_MAX_BYTES, over_limit, read_file
from archivekit.reports.base import Reporter, Totals, plural
from archivekit.text import CONTROL, safe_path

if TYPE_CHECKING:
    from archivekit.diagnostics import Diagnostic, ParseResult

_RESET = "\x1b[0m"
_STYLE = {
    "error": "\x1b[1;31m",
    "warning": "\x1b[1;33m",
    "path": "\x1b[1m",
    "code": "\x1b[2m",
    "caret": "\x1b[1;36m",
}
#: Source lines longer than this are cut to a window around the column: a body
#: line can be tens of kilobytes.
_WIDTH = 100


def format_diagnostic(d: Diagnostic, *, colour: bool = False) -> str:
    """``path:line:col: severity[code] message``, the shape editors and CI jump to."""
    severity = d.severity.value
    path = safe_path(d.path)
    if not colour:
        return f"{path}:{d.line}:{d.column}: {severity}[{d.code}] {d.message}"
    return (
        f"{_STYLE['path']}{path}:{d.line}:{d.column}:{_RESET} "
        f"{_STYLE[severity]}{severity}{_RESET}{_STYLE['code']}[{d.code}]{_RESET} {d.message}"
    )


def source_excerpt(line_text: str, d: Diagnostic, *, colour: bool = False) -> str:
    """The offending line, cut to the terminal's width, with carets under the columns."""
    # Tabs and controls would shift the caret or reach the terminal raw: one
    # visible character each.
    shown = CONTROL.sub("\N{REPLACEMENT CHARACTER}", line_text.replace("\t", " "))
    start = max(0, min(d.column - 1 - _WIDTH // 3, len(shown) - _WIDTH))
    window = shown[start : start + _WIDTH]
    prefix = "…" if start > 0 else ""
    suffix = "…" if start + _WIDTH < len(shown) else ""
    offset = d.column - 1 - start + len(prefix)
    width = max(1, min(d.end_column - d.column, len(window) + len(prefix) - offset))
    gutter = " " * len(str(d.line))
    carets = "^" * width
    if colour:
        carets = f"{_STYLE['caret']}{carets}{_RESET}"
    return f" {d.line} | {prefix}{window}{suffix}\n {gutter} | {' ' * offset}{carets}"


def _read_lines(path: str) -> list[str]:
    """The file's lines as the parser counts them, or none if it cannot be read again.

    Through the bounded reader (a FIFO or a device would block or never end);
    none for a compressed file, whose bytes on disk are not the lines reported.
    """
    if path.lower().endswith(".gz"):
        return []
    try:
        data, size = read_file(path, DEFAULT_MAX_BYTES)
    except OSError:
        return []
    if over_limit(data, size, DEFAULT_MAX_BYTES):
        return []
    return data.decode("utf-8", "replace").removeprefix("\ufeff").replace("\r\n", "\n").split("\n")


class TextReporter(Reporter):
    """Human-readable lines, and on a terminal the offending line with a caret."""

    name: ClassVar[str] = "text"
    description: ClassVar[str] = "path:line:col: severity[code] message (default)"

    def add(self, result: ParseResult) -> None:
        """Write the file's findings, each on its own line."""
        ctx, write = self.context, self.stream.write
        lines: list[str] | None = None
        for d in result.diagnostics:
            if ctx.quiet and not ctx.fails(d):
                continue
            write(format_diagnostic(d, colour=ctx.colour) + "\n")
            if ctx.show_source and result.path != "<stdin>":
                if lines is None:
                    lines = _read_lines(result.path)
                if 0 < d.line <= len(lines):
                    write(source_excerpt(lines[d.line - 1], d, colour=ctx.colour) + "\n")

    def close(self, totals: Totals) -> None:
        """Write the summary line: ``3 files, 1 error, 0 warnings``.

        When files hold many records (JSON Lines, CSV ...): ``2 files (900 records), ...``.
        """
        if self.context.quiet:
            return
        files = plural(totals.files, "file")
        if totals.records != totals.files:
            files += f" ({plural(totals.records, 'record')})"
        summary = f"{files}, {plural(totals.errors, 'error')}, {plural(totals.warnings, 'warning')}"
        if totals.baselined:
            summary += f" ({totals.baselined} more in the baseline)"
        self.stream.write(summary + "\n")
