"""``archive convert``: parse the options, run the library's Conversion, report, exit code."""

from __future__ import annotations

import os
import signal
import sys
from enum import StrEnum
from typing import Annotated

import typer

from archivekit.cli.console import (
    FORMAT_CHOICES,
    PLAIN,
    ConfigFile,
    FormatName,
    Jobs,
    Profile,
    Scheduler,
    StorageOption,
    fail_usage,
    max_bytes,
    plural,
    progress,
    use_colour,
)
from archivekit.cli.guard import EXIT_FINDINGS, EXIT_OK, Terminated, signals_handled
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


class PartitionKey(StrEnum):
    """What ``--partition-by`` splits a Parquet dataset by."""

    year = "year"


class CsvKeywords(StrEnum):
    """How the CSV keyword cell holds the list."""

    comma = "comma"
    json = "json"


EPILOG = """Examples:

  archive convert seeds/ --to jsonl -o records.jsonl

  archive convert records.jsonl --to md --output-dir site/content/posts

  archive convert records.jsonl --to archive --output-dir back/

  archive convert 'data/**/*.txt' --to csv --excel -o sheet.csv

  archive convert dump.tar.gz --to json -o - | jq '.[0].headline'

  cat records.jsonl | archive convert - --from jsonl --to csv

  archive convert site/content/posts --from md --to jsonl -o back.jsonl

  archive convert s3://bucket/archive/ --to jsonl -o records.jsonl

  archive convert s3://b/a --to parquet -o s3://b/o --scheduler tcp://h:8786

  archive convert records.jsonl --to parquet -o records.parquet

  archive convert records.jsonl --to parquet --partition-by year -o dataset/
  archive convert archive/ --to csv -o recent.csv --since 2015 --until 2016-06

  archive convert archive/ --to jsonl -o mexico.jsonl --keyword Mexico --domain nytimes.com

  archive convert archive/ --to jsonl -o unique.jsonl --dedupe

  archive convert archive/ --to jsonl -o sample.jsonl --sample 500 --seed 7

Folders are walked for archive files (*.txt) unless --from FORMAT (that
format's extensions) or --glob PATTERN; files named on the command line go by
their extension.

By default any invalid record stops the whole batch: nothing is written, every
invalid record is reported, exit 1. --skip-invalid writes the valid ones.
Outputs appear whole or not at all; existing files are kept unless --force.

Selecting: --since/--until, --keyword, --domain keep the valid records that
match (in input order), then --dedupe keeps the first of each normalised URL,
then --sample N draws N of those (the same N for the same --seed). Invalid
records are reported as always: they have no fields to select by.

Exit status:

  0  written
  1  invalid records (nothing written)
  2  usage error
  130/143  interrupted (nothing written)"""


def convert(
    context: typer.Context,
    paths: Annotated[
        list[str],
        typer.Argument(
            metavar="PATH...",
            click_type=PLAIN,
            help="Files, folders (recursively), globs, .gz/.tar/.tar.gz/.zip, "
            "URLs (s3://, gs://, az://, file://, memory://), or - for standard input.",
            show_default=False,
        ),
    ],
    to: Annotated[
        FormatName,
        typer.Option(
            "--to",
            "-t",
            metavar="FORMAT",
            help=f"The format to write: {FORMAT_CHOICES}.",
            show_default=False,
        ),
    ],
    from_: Annotated[
        FormatName | None,
        typer.Option(
            "--from",
            metavar="FORMAT",
            show_default="from each file's extension",
            help=f"Read every input as this format: {FORMAT_CHOICES}.",
        ),
    ] = None,
    output: Annotated[
        str | None,
        typer.Option(
            "--output",
            "-o",
            metavar="FILE",
            show_default="standard output",
            help="Where many-record formats go (.gz: compressed).",
        ),
    ] = None,
    output_dir: Annotated[
        str | None,
        typer.Option(
            "--output-dir",
            "-d",
            metavar="DIR",
            help="Where one-record formats go, one file per record.",
        ),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace existing output files.")] = False,
    skip_invalid: Annotated[
        bool,
        typer.Option("--skip-invalid", help="Write the valid records, report the others, exit 0."),
    ] = False,
    rejects: Annotated[
        str | None,
        typer.Option(
            metavar="FILE",
            help="With --skip-invalid: the skipped records and why, as JSON Lines "
            "(- : standard output, only when the records go to -o FILE or --output-dir).",
        ),
    ] = None,
    jobs: Jobs = None,
    glob: Annotated[
        str | None,
        typer.Option(
            metavar="PATTERN",
            show_default="*.txt, or the --from format's extensions",
            help="File-name pattern to pick in folders (named files: by extension).",
        ),
    ] = None,
    csv_keywords: Annotated[
        CsvKeywords, typer.Option(help="CSV keyword cell: comma-joined, or a JSON list.")
    ] = CsvKeywords.comma,
    excel: Annotated[
        bool, typer.Option("--excel", help="CSV for spreadsheets: BOM, formula guard. Lossy.")
    ] = False,
    paragraphs: Annotated[
        bool,
        typer.Option(
            "--paragraphs", help="Markdown: split run-together paragraphs (undone on reading)."
        ),
    ] = False,
    heading: Annotated[
        bool,
        typer.Option(
            "--heading", help="Markdown: start the body with the headline as a # heading."
        ),
    ] = False,
    quiet: Annotated[
        bool,
        typer.Option("--quiet", "-q", help="Only errors: no warnings, summary or progress bar."),
    ] = False,
    partition_by: Annotated[
        PartitionKey | None,
        typer.Option(
            "--partition-by",
            help="Parquet: write a Hive-style folder (-o DIR) of one file per year.",
        ),
    ] = None,
    profile: Profile = None,
    config: ConfigFile = None,
    since: Since = None,
    until: Until = None,
    keyword: Keyword = None,
    all_keywords: AllKeywords = False,
    domain: Domain = None,
    sample: Sample = None,
    seed: Seed = None,
    dedupe: Dedupe = False,
    storage_option: StorageOption = None,
    scheduler: Scheduler = None,
) -> None:
    # The summary line (archive --help) is set below, from the format registry.
    from archivekit.config import load_config
    from archivekit.convert import Conversion, ConvertOptions
    from archivekit.errors import ArchiveKitError
    from archivekit.files.remote import parse_storage_options
    from archivekit.formats import FormatOptions
    from archivekit.reports.text import format_diagnostic
    from archivekit.rules import RuleOptions
    from archivekit.validate.levels import profile_of

    try:
        picked = selection(
            since=since,
            until=until,
            keyword=keyword,
            all_keywords=all_keywords,
            domain=domain,
            sample=sample,
            seed=seed,
            dedupe=dedupe,
        )
        chosen = profile_of(load_config(config), str(profile) if profile else None)
        storage = parse_storage_options(storage_option or ())
    except ArchiveKitError as exc:
        raise fail_usage(str(exc)) from None
    options = ConvertOptions(
        to=str(to),
        selection=picked,
        from_=str(from_) if from_ else None,
        output=output,
        output_dir=output_dir,
        force=force,
        skip_invalid=skip_invalid,
        rejects=rejects,
        jobs=jobs,
        glob=glob,
        partition_by=str(partition_by) if partition_by else None,
        format_options=FormatOptions(
            csv_keywords="json" if csv_keywords is CsvKeywords.json else "comma",
            excel=excel,
            paragraphs=paragraphs,
            heading=heading,
            rules=RuleOptions(max_bytes=max_bytes(context), profile=chosen),
        ),
        storage_options=storage,
        scheduler=scheduler or None,
    )
    err = sys.stderr
    colour = use_colour(err)
    try:
        with signals_handled():
            conversion = Conversion(
                paths, options, stdin=sys.stdin.buffer, stdout=sys.stdout.buffer
            )
            outcomes = conversion.run()
            noted = 0

            def notes() -> None:
                nonlocal noted
                for note in conversion.notes[noted:]:
                    if not quiet:
                        err.write(f"archive: note: {note}\n")
                noted = len(conversion.notes)

            notes()
            try:
                for outcome in progress(
                    outcomes,
                    enabled=not quiet and err.isatty(),
                    what="converting",
                    total=conversion.expected_records,
                ):
                    if len(conversion.notes) > noted:
                        notes()
                    for d in outcome.diagnostics:
                        if d.severity.value == "error" or not quiet:
                            err.write(format_diagnostic(d, colour=colour) + "\n")
            finally:
                # Close the run at once (not whenever it is collected): its cleanup must
                # happen before we exit, interrupted or not.
                outcomes.close()
    except ArchiveKitError as exc:
        if isinstance(exc.__cause__, BrokenPipeError):
            # The reader went away (| head): stop quietly, like other filters do.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            raise typer.Exit(128 + signal.SIGPIPE) from None
        raise fail_usage(str(exc)) from None
    except KeyboardInterrupt:
        typer.echo("archive: interrupted: nothing was written", err=True)
        raise typer.Exit(128 + signal.SIGINT) from None
    except Terminated as exc:
        typer.echo("archive: terminated: nothing was written", err=True)
        raise typer.Exit(128 + exc.signum) from None
    notes()
    summary = conversion.summary
    if summary.records == 0 and conversion.folders:
        # A folder named and nothing read from it: a mistyped path or format, most likely.
        typer.echo("archive: error: no records found in the folders given", err=True)
        raise typer.Exit(EXIT_FINDINGS)
    if summary.records == 0 and not quiet:
        typer.echo("archive: warning: no records found under the given paths", err=True)
    if not quiet:
        what = (
            f"{plural(summary.files_written, 'file')} in {summary.target}"
            if output_dir
            else summary.target
        )
        done = f"wrote {what}" if summary.committed else "wrote nothing"
        marks = ["skipped"] if skip_invalid and summary.invalid else []
        if summary.unread:
            marks.append(f"{plural(summary.unread, 'file')} not read to the end")
        skipped = f" ({'; '.join(marks)})" if marks else ""
        kept = ""
        if picked.active:
            kept = f", {summary.selected} selected"
            if picked.dedupe:
                kept += f" ({plural(summary.duplicates, 'duplicate')} dropped)"
        err.write(
            f"{plural(summary.records, 'record')}, {summary.invalid} invalid{skipped}{kept}, "
            f"{plural(summary.warnings, 'warning')}: {done}\n"
        )
    # A file whose reading stopped part-way fails the run even with --skip-invalid:
    # the records after the stop are lost, not skipped.
    raise typer.Exit(EXIT_OK if summary.committed and not summary.unread else EXIT_FINDINGS)


# From the registry, so that a new format (parquet, sqlite) is never left out of archive --help.
convert.__doc__ = f"Convert records between formats: {FORMAT_CHOICES} (see: archive formats)."
