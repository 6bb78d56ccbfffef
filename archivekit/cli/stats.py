"""``archive stats``: parse the options, run the library's Statistics, write the report."""

from __future__ import annotations

import os
import stat
import sys
from enum import StrEnum
from typing import Annotated

import typer

from archivekit.cli.console import (
    FORMAT_CHOICES,
    PLAIN,
    ConfigFile,
    FormatName,
    Glob,
    Jobs,
    Profile,
    StorageOption,
    at_least_one,
    fail_usage,
    max_bytes,
    progress,
    use_colour,
)
from archivekit.cli.guard import EXIT_FINDINGS, EXIT_OK, signals_handled
from archivekit.cli.selecting import (
    AllKeywords,
    Dedupe,
    Domain,
    Keyword,
    Sample,
    Seed,
    Since,
    Until,
    selection,
)


class StatsFormat(StrEnum):
    """The report formats of ``archive stats``."""

    text = "text"
    json = "json"
    markdown = "markdown"
    html = "html"


EPILOG = """Examples:

  archive stats seeds/                               # a summary with bar charts

  archive stats archive/ --format html -o report.html   # charts, one self-contained page

  archive stats archive/ --format json | jq '.by_year'

  archive stats archive/ --format markdown >> "$GITHUB_STEP_SUMMARY"

  archive stats dump.tar.gz records.jsonl --since 2015 --domain nytimes.com

  archive stats archive/ --keyword Mexico --keyword 'Obama  Barack' --dedupe

  archive stats archive/ --sample 1000 --seed 7 --format json

  archive stats scraped/ --profile scraped     # count records without a date too

Reads every input archive validate reads, in parallel (--jobs); memory stays
flat however many records. Invalid records are counted (records, invalid,
findings per rule) but have no fields to chart or select by. --format html
needs matplotlib: pip install 'archivekit[stats]'. Every JSON key is
described in stats.md, in the documentation.

Exit status:

  0  report written (invalid records are part of the report, not a failure)
  1  report written, but an input (or the rest of one) could not be read
  2  usage error (an -o FILE that is an input, or exists without --force)
  130/143  interrupted"""


def stats(
    context: typer.Context,
    paths: Annotated[
        list[str],
        typer.Argument(
            metavar="PATH...",
            click_type=PLAIN,
            help="Files, folders (recursively), globs, .gz/.tar/.tar.gz/.zip, "
            "s3:// gs:// az:// URLs (--storage-option), or - for standard input.",
            show_default=False,
        ),
    ],
    fmt: Annotated[
        StatsFormat,
        typer.Option(
            "--format",
            "-f",
            help="text (bar charts), json (every figure), markdown (a CI job summary), "
            "html (a page with charts).",
        ),
    ] = StatsFormat.text,
    output: Annotated[
        str | None,
        typer.Option(
            "--output",
            "-o",
            metavar="FILE",
            show_default="standard output",
            help="Write the report to FILE (whole, never half-written); "
            "an existing FILE only with --force.",
        ),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing -o FILE.")] = False,
    top: Annotated[
        int,
        typer.Option(
            "--top",
            callback=at_least_one,
            metavar="N",
            help="How many keywords and people to rank.",
        ),
    ] = 20,
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
    jobs: Jobs = None,
    config: ConfigFile = None,
    profile: Profile = None,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="No progress bar or warnings.")
    ] = False,
    since: Since = None,
    until: Until = None,
    keyword: Keyword = None,
    all_keywords: AllKeywords = False,
    domain: Domain = None,
    sample: Sample = None,
    seed: Seed = None,
    dedupe: Dedupe = False,
    storage_option: StorageOption = None,
) -> None:
    """Count what an archive holds: records per year, site, keyword; word counts; duplicates."""
    from archivekit.errors import ArchiveKitError
    from archivekit.files.remote import is_url, parse_storage_options
    from archivekit.stats import Statistics
    from archivekit.stats.render import render

    to_stdout = output is None or output == "-"
    try:
        with signals_handled():
            chosen = selection(
                since=since,
                until=until,
                keyword=keyword,
                all_keywords=all_keywords,
                domain=domain,
                sample=sample,
                seed=seed,
                dedupe=dedupe,
            )
            run = Statistics(
                paths,
                selection=chosen,
                config=config,
                glob=glob,
                from_=str(from_) if from_ else None,
                jobs=jobs,
                max_bytes=max_bytes(context),
                profile=str(profile) if profile else None,
                top=top,
                stdin=sys.stdin.buffer,
                output=None if to_stdout else output,
                force=force,
                storage_options=parse_storage_options(storage_option or ()),
            )
            for _ in progress(run.run(), enabled=not quiet and sys.stderr.isatty(), what="reading"):
                pass
            figures = run.figures()
            colour = to_stdout and fmt is StatsFormat.text and use_colour(sys.stdout)
            data = render(figures, str(fmt), colour=colour)
            if to_stdout:
                sys.stdout.buffer.write(data)
                sys.stdout.buffer.flush()
            else:
                assert output is not None
                _write(output, data)
    except ArchiveKitError as exc:
        raise fail_usage(str(exc)) from None
    if not quiet:
        for note in run.notes:
            typer.echo(f"archive: note: {note}", err=True)
    # Shown even with -q: a report that silently left inputs out would mislead.
    for unread in figures["unread"]:
        typer.echo(
            f"archive: error: {unread['path']}: {unread['message']} [{unread['code']}]", err=True
        )
    if figures["records"] == 0 and not figures["unread"]:
        if figures["selection"]["read"] == 0 and any(os.path.isdir(p) or is_url(p) for p in paths):
            # A folder named and nothing read from it: a mistyped path or format, most
            # likely (as convert says); the figures of nothing are still written.
            typer.echo("archive: error: no records found in the folders given", err=True)
            raise typer.Exit(EXIT_FINDINGS)
        if not quiet:
            typer.echo("archive: warning: no records found under the given paths", err=True)
    if output and not to_stdout and not quiet:
        typer.echo(f"archive: wrote {output} ({len(data):,} bytes)", err=True)
    raise typer.Exit(EXIT_FINDINGS if figures["unread"] else EXIT_OK)


def _write(path: str, data: bytes) -> None:
    """The report into ``path``: atomically for a file, straight into a pipe or device."""
    from archivekit.errors import OutputError
    from archivekit.files.atomic import write_atomic

    try:
        if os.path.exists(path) and not stat.S_ISREG(os.stat(path).st_mode):
            with open(path, "wb") as handle:  # a FIFO, /dev/stdout: not ours to replace
                handle.write(data)
        else:
            write_atomic(path, data)
    except OSError as exc:
        raise OutputError(f"{path}: cannot write the report: {exc.strerror or exc}") from None
