"""``archive fmt``: rewrite valid record files into canonical form."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from archivekit.cli.console import plural

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


def fmt(
    paths: Annotated[
        list[str],
        typer.Argument(
            metavar="PATH...",
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
    glob: Annotated[
        str | None,
        typer.Option(
            help="File-name pattern to pick in directories (wins over the configured include).",
            show_default="*.txt",
        ),
    ] = None,
    config: Annotated[
        str | None,
        typer.Option(
            "--config", metavar="FILE", help="Configuration file (include and exclude globs)."
        ),
    ] = None,
    quiet: Annotated[
        bool,
        typer.Option("--quiet", "-q", help="Print only problems; no per-file lines, no summary."),
    ] = False,
) -> None:
    """Rewrite valid record files into canonical form: AP date, no BOM, LF, trimmed keywords.

    Each file is replaced atomically (a temporary file beside it, then a rename).
    Invalid files are left untouched and their errors reported.
    """
    from archivekit.config import load_config
    from archivekit.errors import ArchiveKitError
    from archivekit.files.select import select_files
    from archivekit.files.walk import STDIN, check_paths
    from archivekit.reformat import FmtStatus, format_file, unified_diff
    from archivekit.reports.text import format_diagnostic

    if paths == [STDIN]:
        raise typer.Exit(_format_stdin(check=check))
    try:
        if STDIN in paths:
            raise ArchiveKitError("- (standard input) cannot be mixed with paths")
        check_paths(paths)
        files = select_files(paths, config=load_config(config), glob=glob)
        counts = dict.fromkeys(FmtStatus, 0)
        failed = 0
        out = sys.stdout
        # With --diff, standard output is a patch: findings go to standard error.
        report = sys.stderr if diff else sys.stdout
        for path in files:
            try:
                outcome = format_file(path, write=not (check or diff))
            except OSError as exc:
                typer.echo(f"{path}: error: cannot format: {exc.strerror or exc}", err=True)
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
        typer.echo(f"archive: error: {exc}", err=True)
        raise typer.Exit(EXIT_USAGE) from None
    changed = counts[FmtStatus.REFORMATTED]
    if not quiet:
        verb = "would be reformatted" if check or diff else "reformatted"
        summary = (
            f"{plural(changed, 'file')} {verb}, {counts[FmtStatus.UNCHANGED]} unchanged, "
            f"{counts[FmtStatus.INVALID] + failed} invalid or unreadable (left untouched)"
        )
        typer.echo(summary, err=diff)
    broken = counts[FmtStatus.INVALID] + failed
    raise typer.Exit(EXIT_FINDINGS if broken or (check and changed) else EXIT_OK)


def _format_stdin(*, check: bool) -> int:
    """A filter for editors: the canonical form on standard output (the input if invalid)."""
    from archivekit.reformat import FmtStatus, format_bytes
    from archivekit.reports.text import format_diagnostic

    data = sys.stdin.buffer.read()
    outcome = format_bytes(data, path="<stdin>")
    for d in outcome.diagnostics if outcome.status is FmtStatus.INVALID else ():
        typer.echo(format_diagnostic(d), err=True)
    if not check:
        sys.stdout.buffer.write(outcome.after if outcome.status is FmtStatus.REFORMATTED else data)
        sys.stdout.flush()
    if outcome.status is FmtStatus.INVALID or (check and outcome.status is FmtStatus.REFORMATTED):
        return EXIT_FINDINGS
    return EXIT_OK
