"""``archive validate``: parse the options, run the library's Validation, report, exit code."""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Annotated

import typer

from archivekit.cli.console import (
    FORMAT_CHOICES,
    PLAIN,
    CacheDir,
    ConfigFile,
    FormatName,
    Glob,
    Jobs,
    NoCache,
    Profile,
    Scheduler,
    StorageOption,
    fail_usage,
    max_bytes,
    not_negative,
    plural,
    use_colour,
)
from archivekit.cli.guard import EXIT_FINDINGS, EXIT_OK

if TYPE_CHECKING:
    from archivekit.validate import Validation
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

  archive validate s3://bucket/archive/ --storage-option anon=true

  archive validate . --statistics             # one line per rule, most frequent first

  archive validate archive/ --no-cache        # read every file, cached or not

  archive validate . --select date-invalid,date-unrecognized --ignore crlf

  archive validate --show-settings            # which configuration, levels, globs

  archive validate archive/ --fix --show-fixes  # repair, list the changes, report the rest

Report formats: text (default; github inside a GitHub Actions job), json, github, sarif,
junit, gitlab; each FORMAT or FORMAT:PATH.

Exit status (--exit-zero: always 0 after reporting; archive explain exit-codes):

  0  no errors
  1  errors found (or warnings, with --strict)
  2  usage or configuration error"""


def validate(
    context: typer.Context,
    paths: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="[PATH]...",
            click_type=PLAIN,
            help="Files, folders (searched recursively), globs, .gz/.tar/.tar.gz/.zip, "
            "URLs (s3://, gs://, az://, file://, memory://), or - for standard input. "
            "None: the current folder, under the configured include.",
            show_default=False,
        ),
    ] = None,
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
            metavar="RATIO",
            callback=not_negative,
            show_default="0.1",
            help="Relative tolerance of word-count-mismatch: 0.1 allows 10 %.",
        ),
    ] = None,
    jobs: Jobs = None,
    profile: Profile = None,
    formats: Annotated[
        list[str] | None,
        typer.Option(
            "--format",
            "-f",
            metavar="FORMAT[:PATH]",
            show_default="text; github when GITHUB_ACTIONS=true",
            help="Report format (text, json, github, sarif, junit, gitlab), to standard output "
            "or to PATH. Repeatable.",
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
    select: Annotated[
        list[str] | None,
        typer.Option(
            "--select",
            metavar="CODE[,CODE]",
            help="Report only these rules (every other off; opt-in ones turned on). Repeatable.",
        ),
    ] = None,
    ignore: Annotated[
        list[str] | None,
        typer.Option(
            "--ignore",
            metavar="CODE[,CODE]",
            help='Turn these rules off, as "off" in \\[tool.archive.rules] does. Repeatable.',
        ),
    ] = None,
    statistics: Annotated[
        bool,
        typer.Option(
            "--statistics",
            help="Instead of each finding, print one line per rule: count, code, severity, "
            "summary; most frequent first.",
        ),
    ] = False,
    fix: Annotated[
        bool,
        typer.Option(
            "--fix",
            help="Repair what has one obvious result (dates with a label or a time, any "
            "accepted date shape, spaces, empty and duplicate keywords, BOM, CRLF, final "
            "newline, a multi-line body), errors included, then report what is left.",
        ),
    ] = False,
    unsafe_fixes: Annotated[
        bool,
        typer.Option(
            "--unsafe-fixes",
            help="With --fix, also repair ambiguous dates such as 12.16.14 9:30AM (read "
            "month first).",
        ),
    ] = False,
    show_fixes: Annotated[
        bool,
        typer.Option("--show-fixes", help="With --fix, list every change made, file by file."),
    ] = False,
    no_gitignore: Annotated[
        bool,
        typer.Option(
            "--no-gitignore",
            help="Check files git ignores too (folders inside a git work tree skip them).",
        ),
    ] = False,
    show_settings: Annotated[
        bool,
        typer.Option(
            "--show-settings",
            help="Print the configuration file used, the project root, the rule levels and "
            "the include/exclude globs; check nothing.",
        ),
    ] = False,
    no_cache: NoCache = False,
    cache_dir: CacheDir = None,
    storage_option: StorageOption = None,
    scheduler: Scheduler = None,
) -> None:
    """Check record files; report each finding with path:line:col, severity, rule code, message."""
    from archivekit.cli.reporting import open_reports, parse_specs, report_paths
    from archivekit.errors import ArchiveKitError, UsageError
    from archivekit.files.remote import parse_storage_options
    from archivekit.reports import ReportContext
    from archivekit.validate import Validation

    formats = list(formats or ())
    if not formats and os.environ.get("GITHUB_ACTIONS") == "true" and not statistics:
        # As yamllint's -f auto: in a GitHub job, annotations (grouped per file).
        formats = ["github"]
    try:
        specs = parse_specs(formats)
        if statistics:
            specs = _with_statistics(specs, explicit=bool(formats))
        validation = Validation(
            paths or ["."],
            config=config,
            glob=glob,
            from_=str(from_) if from_ else None,
            enable=enable or (),
            word_count_tolerance=word_count_tolerance,
            max_bytes=max_bytes(context),
            profile=str(profile) if profile else None,
            jobs=jobs,
            baseline=baseline,
            update_baseline=update_baseline,
            changed_since=changed_since,
            written=report_paths(specs),
            select=select,
            ignore=ignore or (),
            cache=not no_cache,
            cache_dir=cache_dir,
            fix=fix,
            unsafe_fixes=unsafe_fixes,
            gitignore=not no_gitignore,
            storage_options=parse_storage_options(storage_option or ()),
            scheduler=scheduler or None,
        )
        if show_fixes and not fix:
            raise UsageError("--show-fixes lists what --fix changed: add --fix")
        if show_settings:
            typer.echo(settings_text(validation), nl=False)
            raise typer.Exit(EXIT_OK)
        report_context = ReportContext(
            colour=use_colour(sys.stdout),
            quiet=quiet,
            strict=strict,
            show_source=sys.stdout.isatty(),
            step_summary=os.environ.get("GITHUB_STEP_SUMMARY") or None,
            root=_repository_root(specs),
        )
        try:
            with open_reports(specs, report_context) as reports:
                for result in validation:
                    reports.add(result)
                if not quiet:
                    for note in validation.notes:
                        typer.echo(f"archive: note: {note}", err=True)
                if validation.unmatched:
                    # A folder with nothing to check is most likely a mistyped --glob or
                    # path: passing silently would let a CI job check nothing for ever.
                    # (Files named one by one, as pre-commit passes them, may all be
                    # excluded: that is fine.) Raised before the reports are closed: a
                    # usage error writes no "passed" job summary.
                    pattern = (
                        glob
                        or "*.txt, else any record format's files, "
                        "or the include globs of the configuration"
                    )
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
    unwritten = _report_fixes(validation, show=show_fixes, quiet=quiet, specs=specs) if fix else 0
    if update_baseline:
        found = plural(totals.baselined, "finding")
        kept = validation.baseline_kept
        others = f" (and kept {plural(kept, 'finding')} of files not checked)" if kept else ""
        typer.echo(f"archive: recorded {found} of this run in {baseline}{others}", err=True)
    elif not quiet:
        _report_stale(validation.stale, baseline or "")
    if totals.files == 0 and not changed_since and not quiet:
        typer.echo("archive: warning: no files to check under the given paths", err=True)
    if exit_zero:
        raise typer.Exit(EXIT_OK)
    failed = totals.failed(strict=strict) or unwritten > 0
    raise typer.Exit(EXIT_FINDINGS if failed else EXIT_OK)


def _report_fixes(
    validation: Validation, *, show: bool, quiet: bool, specs: list[tuple[str, str | None]]
) -> int:
    """Say what --fix changed (every change with --show-fixes); returns the files not written."""
    # Beside the text report on standard output; on standard error beside a machine format.
    to_stderr = any(path is None and name not in ("text", "statistics") for name, path in specs)
    unwritten = 0
    for outcome in validation.fixed:
        if outcome.error is not None:
            unwritten += 1
            typer.echo(f"{outcome.path}: error: cannot write the fixes: {outcome.error}", err=True)
    done = [o for o in validation.fixed if o.error is None]
    if show and done:
        changes = sum(len(o.fixes) for o in done)
        typer.echo(
            f"Fixed {plural(changes, 'problem')} in {plural(len(done), 'file')}:", err=to_stderr
        )
        for outcome in done:
            for change in outcome.fixes:
                typer.echo(
                    f"  {outcome.path}:{change.line}: {change.code}: {change.message}",
                    err=to_stderr,
                )
    elif done and not quiet:
        typer.echo(
            f"archive: fixed {plural(len(done), 'file')} (--show-fixes lists the changes)", err=True
        )
    return unwritten


def _with_statistics(
    specs: list[tuple[str, str | None]], *, explicit: bool
) -> list[tuple[str, str | None]]:
    """The reports with the statistics table on standard output, in place of the text report."""
    from archivekit.errors import UsageError

    to_stdout = [name for name, path in specs if path is None]
    if explicit and to_stdout:
        raise UsageError(
            f"--statistics writes to standard output, and so does --format {to_stdout[0]}: "
            "give that report a :PATH"
        )
    return [("statistics", None), *((n, p) for n, p in specs if p is not None)]


def _repository_root(specs: list[tuple[str, str | None]]) -> str | None:
    """The git work tree's top, for the reports whose paths are relative to the repository."""
    if not any(name in ("sarif", "gitlab") for name, _ in specs):
        return None
    from archivekit.files.select import git_toplevel

    return git_toplevel()


def settings_text(validation: Validation) -> str:
    """What ``--show-settings`` prints: where the settings come from, and what they are."""
    from archivekit.files.select import project_root
    from archivekit.validate.levels import effective_levels

    config = validation.config
    lines = [
        f"configuration: {config.source or 'none (defaults)'}",
        f"project root: {project_root(config.source) or 'none (no configuration, no git)'}",
        f"globs relative to: {config.root}",
        f"include: {', '.join(config.include) or '(none: *.txt in folders)'}",
        f"exclude: {', '.join(config.exclude) or '(none)'}",
        f"gitignore: {'respected' if validation.gitignore else 'not respected (--no-gitignore)'}",
        f"word-count-tolerance: {validation.rules.word_count_tolerance}",
        f"final-newline: {'true' if config.final_newline else 'false'}",
        "rules:",
    ]
    levels = effective_levels(validation.policy)
    width = max(len(code) for code in levels)
    lines += [f"  {code:<{width}}  {level}" for code, level in levels.items()]
    for number, override in enumerate(config.overrides, 1):
        rules = ", ".join(f"{code} = {level}" for code, level in override.rules.items())
        lines.append(f"override #{number} ({', '.join(override.paths)}): {rules}")
    return "\n".join(lines) + "\n"


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
