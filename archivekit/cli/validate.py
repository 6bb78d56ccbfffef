"""``archive validate``: parse the options, run the library's Validation, report, exit code."""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Annotated

import typer

from archivekit.cli.console import (
    FORMAT_CHOICES,
    ConfigFile,
    FormatName,
    Glob,
    Jobs,
    fail_usage,
    max_bytes,
    plural,
    use_colour,
)
from archivekit.cli.guard import EXIT_FINDINGS, EXIT_OK

if TYPE_CHECKING:
    from archivekit.validate.baseline import StaleEntry

EPILOG = """Examples:

  archive validate seeds/                    # every *.txt below seeds/

  archive validate a.txt b.txt --strict      # warnings fail too

  cat a.txt | archive validate -             # standard input

  archive validate archive/ --format github --format sarif:archive.sarif

  archive validate archive/ --format json:report.json --format junit:junit.xml

  archive validate . --baseline archive-baseline.json --update-baseline

  archive validate . --changed-since origin/main...HEAD   # what a pull request changed

  archive validate dump.tar.gz records.jsonl   # any format convert reads

Report formats: text (default), json, github, sarif, junit; each FORMAT or FORMAT:PATH.

Exit status (--exit-zero: always 0 after reporting; see docs/ci.md):

  0  no errors
  1  errors found (or warnings, with --strict)
  2  usage or configuration error"""


def validate(
    context: typer.Context,
    paths: Annotated[
        list[str],
        typer.Argument(
            metavar="PATH...",
            help="Files, folders (searched recursively), globs, .gz/.tar/.tar.gz/.zip, "
            "or - for standard input.",
            show_default=False,
        ),
    ],
    glob: Glob = None,
    from_: Annotated[
        FormatName | None,
        typer.Option(
            "--from",
            metavar="FORMAT",
            show_default="by extension; archive if none",
            help=f"Read every input as this format: {FORMAT_CHOICES}.",
        ),
    ] = None,
    strict: Annotated[
        bool, typer.Option("--strict", help="Fail (exit 1) on warnings as well as errors.")
    ] = False,
    quiet: Annotated[
        bool,
        typer.Option(
            "--quiet", "-q", help="Print only the findings that fail the run; no summary."
        ),
    ] = False,
    enable: Annotated[
        list[str] | None,
        typer.Option(
            "--enable",
            metavar="RULE",
            help="Turn on an opt-in rule (word-count-mismatch). Repeatable.",
        ),
    ] = None,
    word_count_tolerance: Annotated[
        float | None,
        typer.Option(
            min=0.0,
            metavar="RATIO",
            show_default="0.1",
            help="Relative tolerance of word-count-mismatch: 0.1 allows 10 %.",
        ),
    ] = None,
    jobs: Jobs = None,
    formats: Annotated[
        list[str] | None,
        typer.Option(
            "--format",
            "-f",
            metavar="FORMAT[:PATH]",
            show_default="text",
            help="Report format (text, json, github, sarif, junit), to standard output or to "
            "PATH. Repeatable.",
        ),
    ] = None,
    exit_zero: Annotated[
        bool,
        typer.Option(
            "--exit-zero", help="Exit 0 even when there are findings (usage errors still exit 2)."
        ),
    ] = False,
    config: ConfigFile = None,
    baseline: Annotated[
        str | None,
        typer.Option("--baseline", metavar="FILE", help="Hide the findings recorded in FILE."),
    ] = None,
    update_baseline: Annotated[
        bool,
        typer.Option(
            "--update-baseline", help="Record every finding of this run in the --baseline FILE."
        ),
    ] = False,
    changed_since: Annotated[
        str | None,
        typer.Option(
            "--changed-since",
            metavar="REF",
            help=(
                "Check only files changed since git commit REF (and untracked ones). "
                "REF may be a range: A...B checks what B changed since it forked from A "
                "(e.g. origin/main...HEAD in a pull request), A..B what differs between "
                "them; an empty right side means the work tree. Needs the history: "
                "fetch-depth: 0 in actions/checkout."
            ),
        ),
    ] = None,
) -> None:
    """Check record files; report each finding with path:line:col, severity, rule code, message."""
    from archivekit.cli.reporting import open_reports
    from archivekit.errors import ArchiveKitError, UsageError
    from archivekit.reports import ReportContext
    from archivekit.validate import Validation

    try:
        validation = Validation(
            paths,
            config=config,
            glob=glob,
            from_=str(from_) if from_ else None,
            enable=enable or (),
            word_count_tolerance=word_count_tolerance,
            max_bytes=max_bytes(context),
            jobs=jobs,
            baseline=baseline,
            update_baseline=update_baseline,
            changed_since=changed_since,
        )
        report_context = ReportContext(
            colour=use_colour(sys.stdout),
            quiet=quiet,
            strict=strict,
            show_source=sys.stdout.isatty(),
            step_summary=os.environ.get("GITHUB_STEP_SUMMARY") or None,
        )
        try:
            with open_reports(list(formats or ()), report_context) as reports:
                for result in validation:
                    reports.add(result)
                if validation.unmatched:
                    # A folder with nothing to check is most likely a mistyped --glob or
                    # path: passing silently would let a CI job check nothing for ever.
                    # (Files named one by one, as pre-commit passes them, may all be
                    # excluded: that is fine.) Raised before the reports are closed: a
                    # usage error writes no "passed" job summary.
                    pattern = glob or "*.txt, or the include globs of the configuration"
                    raise UsageError(
                        f"no files to check under {', '.join(validation.unmatched)} "
                        f"({pattern}): check the paths and --glob"
                    )
                reports.close(validation.totals)
        except BrokenPipeError:
            raise  # `archive validate … | head`: the guard ends quietly
        except OSError as exc:  # a report file or the job summary could not be written
            name = f" {exc.filename}" if exc.filename else ""
            raise UsageError(f"cannot write the report{name}: {exc.strerror or exc}") from None
    except ArchiveKitError as exc:
        raise fail_usage(str(exc)) from None
    totals = validation.totals
    if update_baseline:
        found = plural(totals.baselined, "finding")
        typer.echo(f"archive: recorded {found} in {baseline}", err=True)
    elif not quiet:
        _report_stale(validation.stale, baseline or "")
    if totals.files == 0 and not changed_since and not quiet:
        typer.echo("archive: warning: no files to check under the given paths", err=True)
    if exit_zero:
        raise typer.Exit(EXIT_OK)
    raise typer.Exit(EXIT_FINDINGS if totals.failed(strict=strict) else EXIT_OK)


def _report_stale(stale: list[StaleEntry], baseline: str) -> None:
    if not stale:
        return
    entries = plural(len(stale), "stale entry")
    typer.echo(
        f"archive: {baseline}: {entries} (fixed since; --update-baseline drops them):", err=True
    )
    for entry in stale[:20]:
        field = f" ({entry.field})" if entry.field else ""
        typer.echo(f"  {entry.path}: {entry.code}{field} x{entry.count}", err=True)
    if len(stale) > 20:
        typer.echo(f"  … and {len(stale) - 20} more", err=True)
