"""The body of ``archive validate``: select files, check them, post-process, report, exit code."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

# Imported only when `archive validate` runs; what a plain run does not need
# (the baseline) is imported when asked for, since pre-commit starts it often.
from archivekit.cli.console import plural, use_colour
from archivekit.cli.reporting import open_reports
from archivekit.config import load_config
from archivekit.diagnostics import ParseResult
from archivekit.errors import UsageError
from archivekit.files.select import changed_since, select_files
from archivekit.files.walk import check_paths
from archivekit.reports import ReportContext, Totals
from archivekit.validate import validate_files, validate_files_with_urls
from archivekit.validate.duplicates import DuplicateUrls, first_line
from archivekit.validate.levels import Policy, build

if TYPE_CHECKING:
    from archivekit.validate.baseline import Baseline, BaselineWriter

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


@dataclass(frozen=True, slots=True)
class ValidateArgs:
    """The options of ``archive validate``, as the command line gave them."""

    paths: list[str]
    glob: str | None = None
    strict: bool = False
    quiet: bool = False
    enable: tuple[str, ...] = ()
    word_count_tolerance: float | None = None
    jobs: int | None = None
    formats: tuple[str, ...] = ()
    exit_zero: bool = False
    config: str | None = None
    baseline: str | None = None
    update_baseline: bool = False
    changed_since: str | None = None


def run_validate(args: ValidateArgs) -> int:
    """Run the whole command; returns the exit status. Raises ArchiveKitError on usage errors."""
    if args.update_baseline and not args.baseline:
        raise UsageError("--update-baseline needs --baseline FILE to write to")
    config = load_config(args.config)
    policy, options = build(
        config, enable=args.enable, word_count_tolerance=args.word_count_tolerance
    )
    check_paths(args.paths)
    duplicates = _duplicate_checker(policy)
    files: Iterator[str] = select_files(args.paths, config=config, glob=args.glob)
    if args.changed_since:
        files = iter(_changed(files, args.changed_since, duplicates))
    writer: BaselineWriter | None = None
    baseline: Baseline | None = None
    if args.baseline:
        from archivekit.validate.baseline import Baseline, BaselineWriter

        if args.update_baseline:
            writer = BaselineWriter(args.baseline)
        else:
            baseline = Baseline.load(args.baseline)
    colour = use_colour(sys.stdout)
    context = ReportContext(
        colour=colour,
        quiet=args.quiet,
        strict=args.strict,
        show_source=sys.stdout.isatty(),
        step_summary=os.environ.get("GITHUB_STEP_SUMMARY") or None,
    )
    totals = Totals()
    try:
        with open_reports(list(args.formats), context) as reports:
            # duplicate-url needs each file's URL: the workers read it for us.
            checked = (
                validate_files_with_urls(files, options=options, jobs=args.jobs)
                if duplicates is not None
                else ((r, None) for r in validate_files(files, options=options, jobs=args.jobs))
            )
            for raw, url in checked:
                result = _post_process(raw, url, policy, duplicates, baseline, writer)
                totals.add(result)
                reports.add(result)
            if writer:
                totals.baselined = writer.write()
            elif baseline:
                totals.baselined = baseline.hidden
                _report_stale(baseline, quiet=args.quiet)
            reports.close(totals)
    except BrokenPipeError:
        raise  # `archive validate … | head`: the guard ends quietly
    except OSError as exc:  # a report file or the job summary could not be written
        name = f" {exc.filename}" if exc.filename else ""
        raise UsageError(f"cannot write the report{name}: {exc.strerror or exc}") from None
    if writer:
        print(
            f"archive: recorded {plural(totals.baselined, 'finding')} in {args.baseline}",
            file=sys.stderr,
        )
    if totals.files == 0 and not args.changed_since:
        # A folder with nothing to check is most likely a mistyped --glob or path:
        # passing silently would let a CI job check nothing for ever. (Files named
        # one by one, as pre-commit passes them, may all be excluded: that is fine.)
        folders = [p for p in args.paths if os.path.isdir(p)]
        if folders and len(folders) == len(args.paths):
            pattern = args.glob or "*.txt, or the include globs of the configuration"
            raise UsageError(
                f"no files to check under {', '.join(folders)} ({pattern}): "
                "check the paths and --glob"
            )
        if not args.quiet:
            print("archive: warning: no files to check under the given paths", file=sys.stderr)
    if args.exit_zero:
        return EXIT_OK
    return EXIT_FINDINGS if totals.failed(strict=args.strict) else EXIT_OK


def _post_process(
    result: ParseResult,
    url: str | None,
    policy: Policy,
    duplicates: DuplicateUrls | None,
    baseline: Baseline | None,
    writer: BaselineWriter | None,
) -> ParseResult:
    if duplicates is not None:
        # url: what first_line(result.path) reads, taken by the worker from its bytes.
        result = duplicates.check(result, result.record.url if result.record else url)
    result = policy.apply(result)
    if writer is not None:
        # Everything found is now recorded, so nothing is left to show.
        writer.add(result)
        return ParseResult(result.path, result.record, ())
    return baseline.filter(result) if baseline is not None else result


def _duplicate_checker(policy: Policy) -> DuplicateUrls | None:
    """A checker, unless duplicate-url is off everywhere: then no file is read twice."""
    return DuplicateUrls() if policy.is_on("duplicate-url") else None


def _changed(files: Iterator[str], ref: str, duplicates: DuplicateUrls | None) -> list[str]:
    """The changed files among ``files``; the others' URLs are remembered for duplicate-url."""
    changed = changed_since(ref)
    picked = []
    for path in files:
        if os.path.realpath(path) in changed:
            picked.append(path)
        elif duplicates is not None:
            duplicates.remember(path, first_line(path))
    return picked


def _report_stale(baseline: Baseline, *, quiet: bool) -> None:
    stale = baseline.stale()
    if not stale or quiet:
        return
    print(
        f"archive: {baseline.path}: {plural(len(stale), 'stale entry')} (fixed since; "
        "--update-baseline drops them):",
        file=sys.stderr,
    )
    for entry in stale[:20]:
        field = f" ({entry.field})" if entry.field else ""
        print(f"  {entry.path}: {entry.code}{field} x{entry.count}", file=sys.stderr)
    if len(stale) > 20:
        print(f"  … and {len(stale) - 20} more", file=sys.stderr)
