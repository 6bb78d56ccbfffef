"""``--format FORMAT[:PATH]``: pick the reporters, open their streams, and feed them."""

from __future__ import annotations

import contextlib
import io
import os
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
    seen: dict[str, str] = {}
    for name, target in parsed:
        if target is None:
            continue
        real = os.path.realpath(target)
        if real in seen:
            raise UsageError(
                f"--format {seen[real]} and --format {name}:{target} name one file: "
                "each report needs a path of its own"
            )
        seen[real] = f"{name}:{target}"
    return parsed


def report_paths(specs: list[tuple[str, str | None]]) -> list[str]:
    """The files the reports of ``specs`` write: the run must never read them as records."""
    return [path for _, path in specs if path is not None]


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
        from archivekit.reports.statistics import StatisticsReporter

        def reporter(name: str) -> type[Reporter]:
            # Looked up by name: the registry imports only the formats asked for.
            return StatisticsReporter if name == StatisticsReporter.name else REPORTER_BY_NAME[name]

        self.reporters: list[Reporter] = []
        for name, path in specs:
            if path is None:
                stream = sys.stdout
                ctx = context
            else:
                stream = stack.enter_context(_atomic_text(path))
                # A file is no terminal: no colour, no source excerpts.
                ctx = ReportContext(
                    quiet=context.quiet,
                    strict=context.strict,
                    step_summary=context.step_summary,
                    root=context.root,
                )
            self.reporters.append(reporter(name)(stream, ctx))

    def add(self, result: ParseResult) -> None:
        """Give one file's result to every reporter."""
        for reporter in self.reporters:
            reporter.add(result)

    def close(self, totals: Totals) -> None:
        """Close every reporter."""
        for reporter in self.reporters:
            reporter.close(totals)


@contextlib.contextmanager
def _atomic_text(path: str) -> Iterator[io.TextIOWrapper]:
    """A report file written under a temporary name and renamed when the run ends well.

    An interrupted or failed run leaves the previous report whole (and no temporary).
    """
    from archivekit.files.atomic import AtomicFile

    try:
        out = AtomicFile(os.path.realpath(path), force=True, sync=False)
    except UsageError as exc:
        raise UsageError(f"cannot write the report {path}: {exc}") from None
    text = io.TextIOWrapper(out.stream, encoding="utf-8", newline="")
    try:
        yield text
    except BaseException:
        out.discard()
        raise
    text.detach()  # flushes into the binary stream, which commit() closes
    out.commit()


@contextlib.contextmanager
def open_reports(specs: list[tuple[str, str | None]], context: ReportContext) -> Iterator[Reports]:
    """Open every requested report (parsed by :func:`parse_specs`); files are committed
    atomically when the block ends normally, discarded otherwise."""
    with contextlib.ExitStack() as stack:
        yield Reports(specs, context, stack)
