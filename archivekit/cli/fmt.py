"""``archive fmt``: parse the options, run the library's reformat pipeline, report, exit code."""

from __future__ import annotations

import os
import shutil
import sys
from typing import TYPE_CHECKING, Annotated

import typer

from archivekit.cli.console import (
    PLAIN,
    CacheDir,
    ConfigFile,
    Glob,
    NoCache,
    fail_usage,
    max_bytes,
    plural,
)
from archivekit.cli.guard import EXIT_FINDINGS, EXIT_OK

if TYPE_CHECKING:
    from archivekit.rules import RuleOptions

EPILOG = """Examples:

  archive fmt archive/                 # rewrite every *.txt below archive/

  archive fmt a.txt --check            # exit 1 if a.txt is not canonical

  archive fmt archive/ --diff          # show what would change

  archive fmt archive/ --check --no-cache   # read every file, cached or not

  archive fmt - < a.txt > b.txt        # a filter, for editors

Exit status:

  0  nothing to do (or done)
  1  a file is invalid or unreadable (left untouched),
     or with --check would change
  2  usage error"""


def fmt(
    context: typer.Context,
    paths: Annotated[
        list[str],
        typer.Argument(
            metavar="PATH...",
            click_type=PLAIN,
            help="Files or directories (searched recursively), or - to filter standard input "
            "to standard output.",
            show_default=False,
        ),
    ],
    check: Annotated[
        bool, typer.Option("--check", help="Change nothing; exit 1 if any file would be rewritten.")
    ] = False,
    diff: Annotated[
        bool,
        typer.Option("--diff", help="Change nothing; print what would change as a unified diff."),
    ] = False,
    glob: Glob = None,
    config: ConfigFile = None,
    no_gitignore: Annotated[
        bool,
        typer.Option(
            "--no-gitignore",
            help="Format files git ignores too (folders inside a git work tree skip them).",
        ),
    ] = False,
    quiet: Annotated[
        bool,
        typer.Option("--quiet", "-q", help="Print only problems; no per-file lines, no summary."),
    ] = False,
    no_cache: NoCache = False,
    cache_dir: CacheDir = None,
) -> None:
    """Rewrite valid record files into canonical form: AP date, no BOM, LF, trimmed keywords.

    Each file is replaced atomically (a temporary file beside it, then a rename),
    keeping its permissions, owner and group; one changed on disk meanwhile is
    left as it is. Invalid files are left untouched and their errors reported.
    """
    from archivekit.errors import ArchiveKitError
    from archivekit.files.walk import STDIN
    from archivekit.reformat import FmtStatus, reformat, unified_diff
    from archivekit.reports.text import format_diagnostic
    from archivekit.rules import RuleOptions
    from archivekit.text import safe_path

    options = RuleOptions(max_bytes=max_bytes(context))
    if paths == [STDIN]:
        from archivekit.config import load_config
        from archivekit.reformat import configured_options

        try:
            options = configured_options(load_config(config), options)
        except ArchiveKitError as exc:
            raise fail_usage(str(exc)) from None
        raise typer.Exit(_format_stdin(check=check, options=options))
    counts = dict.fromkeys(FmtStatus, 0)
    failed = 0
    out = sys.stdout
    # With --diff, standard output is a patch: findings go to standard error.
    report = sys.stderr if diff else sys.stdout
    try:
        for outcome in reformat(
            paths,
            config=config,
            glob=glob,
            write=not (check or diff),
            options=options,
            cache=not no_cache,
            cache_dir=cache_dir,
            gitignore=not no_gitignore,
        ):
            path = safe_path(outcome.path)  # a hostile name must not forge a line
            if outcome.error is not None:
                typer.echo(f"{path}: error: cannot format: {outcome.error}", err=True)
                failed += 1
                continue
            counts[outcome.status] += 1
            if outcome.status is FmtStatus.INVALID:
                for d in outcome.diagnostics:
                    report.write(format_diagnostic(d) + "\n")
                # Beside its findings, so that CI logs show them in order.
                report.write(f"{path}: invalid, left untouched\n")
            elif outcome.status is FmtStatus.REFORMATTED:
                if diff:
                    out.write(unified_diff(outcome))
                elif not quiet:
                    verb = "would reformat" if check else "reformatted"
                    out.write(f"{verb} {path}\n")
    except ArchiveKitError as exc:
        raise fail_usage(str(exc)) from None
    changed = counts[FmtStatus.REFORMATTED]
    broken = counts[FmtStatus.INVALID] + failed
    if not quiet:
        verb = "would be reformatted" if check or diff else "reformatted"
        summary = (
            f"{plural(changed, 'file')} {verb}, {counts[FmtStatus.UNCHANGED]} unchanged, "
            f"{broken} invalid or unreadable (left untouched)"
        )
        typer.echo(summary, err=diff)
    if not quiet and sum(counts.values()) + failed == 0 and any(os.path.isdir(p) for p in paths):
        # As ruff format says "No Python files found": likely a mistyped path or --glob.
        # Still exit 0: there is nothing to reformat (validate fails on it instead).
        typer.echo(
            "archive: warning: no archive files (*.txt) under the given paths: fmt rewrites "
            "the archive text format only (convert --to FORMAT rewrites the others)",
            err=True,
        )
    raise typer.Exit(EXIT_FINDINGS if broken or (check and changed) else EXIT_OK)


def _format_stdin(*, check: bool, options: RuleOptions) -> int:
    """A filter for editors: the canonical form on standard output (the input if invalid)."""
    from archivekit.reformat import FmtStatus, format_stream
    from archivekit.reports.text import format_diagnostic

    data, outcome = format_stream(sys.stdin.buffer, options=options)
    for d in outcome.diagnostics if outcome.status is FmtStatus.INVALID else ():
        typer.echo(format_diagnostic(d), err=True)
    if not check:
        sys.stdout.buffer.write(outcome.after if outcome.status is FmtStatus.REFORMATTED else data)
        if len(data) > options.max_bytes:
            # Over the limit: the input goes through unchanged, streamed, never held whole.
            shutil.copyfileobj(sys.stdin.buffer, sys.stdout.buffer, 1 << 20)
        sys.stdout.flush()
    if outcome.status is FmtStatus.INVALID or (check and outcome.status is FmtStatus.REFORMATTED):
        return EXIT_FINDINGS
    return EXIT_OK
