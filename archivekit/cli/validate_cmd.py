"""The body of ``archive validate``: select files, check them, post-process, report, exit code."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass

from archivekit.cli.output import use_colour

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


@dataclass(frozen=True, slots=True)
class ValidateArgs:
    """The options of ``archive validate``, as the command line gave them."""

    paths: list[str]
    glob: str
    strict: bool
    quiet: bool
    enable: list[str]
    word_count_tolerance: float
    jobs: int | None
    formats: list[str]
    exit_zero: bool


def run_validate(args: ValidateArgs) -> int:
    """Run the whole command; returns the exit status. Raises ArchiveKitError on usage errors."""
    from archivekit.cli.reporting import open_reports
    from archivekit.formats.reports import ReportContext, Totals
    from archivekit.formats.rules import RuleOptions
    from archivekit.formats.validate import validate_paths

    try:
        options = RuleOptions(enable=frozenset(args.enable),
                              word_count_tolerance=args.word_count_tolerance)  # fmt: skip
    except ValueError as exc:
        from archivekit.formats.errors import UsageError

        raise UsageError(str(exc)) from None
    results = validate_paths(args.paths, glob=args.glob, options=options, jobs=args.jobs)
    colour = use_colour(sys.stdout)
    context = ReportContext(colour=colour, quiet=args.quiet, strict=args.strict,
                            show_source=sys.stdout.isatty(),
                            step_summary=os.environ.get("GITHUB_STEP_SUMMARY") or None)  # fmt: skip
    totals = Totals()
    with open_reports(args.formats, context) as reports:
        for result in results:
            totals.add(result)
            reports.add(result)
        reports.close(totals)
    if totals.files == 0 and not args.quiet:
        print(f"archive: warning: no files matched {args.glob!r} under the given paths",
              file=sys.stderr)  # fmt: skip
    if args.exit_zero:
        return EXIT_OK
    return EXIT_FINDINGS if totals.failed(strict=args.strict) else EXIT_OK
