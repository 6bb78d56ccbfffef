"""``--format FORMAT[:PATH]``: pick the reporters, open their streams, and feed them."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING

from archivekit.errors import UsageError

if TYPE_CHECKING:
    from archivekit.diagnostics import ParseResult
    from archivekit.reports import ReportContext, Reporter, Totals


def parse_specs(specs: list[str]) -> list[tuple[str, str | None]]:
    """``["text", "sarif:out.sarif"]`` -> ``[("text", None), ("sarif", "out.sarif")]``.

    Raises :class:`UsageError` for an unknown format, an empty path, or two
    formats both writing to standard output (they would interleave).
    """
    from archivekit.reports import REPORTER_BY_NAME

    parsed: list[tuple[str, str | None]] = []
    for spec in specs or ["text"]:
        name, sep, path = spec.partition(":")
        if name not in REPORTER_BY_NAME:
            choices = "".join(
                f"\n  {known:<7} {cls.description}" for known, cls in REPORTER_BY_NAME.items()
            )
            raise UsageError(f"unknown report format {name!r}; choose from:{choices}")
        if sep and not path:
            raise UsageError(f"--format {spec}: give a file after the colon, or leave it out")
        parsed.append((name, path if sep and path != "-" else None))
    if sum(path is None for _, path in parsed) > 1:
        raise UsageError("only one --format can write to standard output; give the others a :PATH")
    return parsed


class Reports:
    """The reporters of one run, fed together: one pass over the results serves them all."""

    def __init__(
        self,
        specs: list[tuple[str, str | None]],
        context: ReportContext,
        stack: contextlib.ExitStack,
    ) -> None:
        from archivekit.reports import REPORTER_BY_NAME
        from archivekit.reports.base import ReportContext

        self.reporters: list[Reporter] = []
        for name, path in specs:
            if path is None:
                stream = sys.stdout
                ctx = context
            else:
                try:
                    handle = open(path, "w", encoding="utf-8", newline="")  # noqa: SIM115
                    stream = stack.enter_context(handle)  # closed with the run
                except OSError as exc:
                    raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from None
                # A file is no terminal: no colour, no source excerpts.
                ctx = ReportContext(
                    quiet=context.quiet, strict=context.strict, step_summary=context.step_summary
                )
            self.reporters.append(REPORTER_BY_NAME[name](stream, ctx))

    def add(self, result: ParseResult) -> None:
        """Give one file's result to every reporter."""
        for reporter in self.reporters:
            reporter.add(result)

    def close(self, totals: Totals) -> None:
        """Close every reporter."""
        for reporter in self.reporters:
            reporter.close(totals)


@contextlib.contextmanager
def open_reports(specs: list[str], context: ReportContext) -> Iterator[Reports]:
    """Open every requested report; files are closed however the run ends."""
    parsed = parse_specs(specs)
    with contextlib.ExitStack() as stack:
        yield Reports(parsed, context, stack)
