"""The typer app: each command parses options, calls the library, and turns results into output."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from archivekit import __version__

app = typer.Typer(
    name="archive",
    help="Validate and convert news-archive record files.\n\n"
    "A record file holds six lines: URL, headline, keywords, date (AP style), "
    "word count, body. See docs/format.md for every rule.",
    no_args_is_help=True,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


def _version(value: bool) -> None:
    if value:
        typer.echo(f"archive (archivekit) {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Print the version and exit.")] = False,
    debug: Annotated[bool, typer.Option("--debug", envvar="ARCHIVEKIT_DEBUG",
                                        help="Show the traceback of an internal error.")] = False,
    max_bytes: Annotated[str | None, typer.Option("--max-bytes", envvar="ARCHIVEKIT_MAX_BYTES",
        metavar="SIZE", show_default="64M",
        help="Refuse record files larger than SIZE (bytes, or with K, M, G).")] = None,
) -> None:  # fmt: skip
    """Validate and convert news-archive record files."""
    from archivekit.cli import guard

    guard.DEBUG = debug
    if max_bytes is not None:
        guard.set_max_bytes(max_bytes)


def _fail_usage(message: str) -> typer.Exit:
    typer.echo(f"archive: error: {message}", err=True)
    return typer.Exit(EXIT_USAGE)


@app.command(epilog="""Examples:

  archive validate seeds/                    # every *.txt below seeds/

  archive validate a.txt b.txt --strict      # warnings fail too

  cat a.txt | archive validate -             # standard input

  archive validate archive/ --glob '*.rec' -q

Exit status: 0 no errors, 1 errors found (or warnings with --strict), 2 usage error.""")
def validate(
    paths: Annotated[list[str], typer.Argument(
        help="Files, directories (searched recursively) or - for standard input.",
        show_default=False)],
    glob: Annotated[str, typer.Option(
        help="File-name pattern to pick in directories.")] = "*.txt",
    strict: Annotated[bool, typer.Option(
        "--strict", help="Fail (exit 1) on warnings as well as errors.")] = False,
    quiet: Annotated[bool, typer.Option(
        "--quiet", "-q", help="Print only the findings that fail the run; no summary.")] = False,
    enable: Annotated[list[str] | None, typer.Option(
        "--enable", metavar="RULE",
        help="Turn on an opt-in rule (word-count-mismatch). Repeatable.")] = None,
    word_count_tolerance: Annotated[float, typer.Option(
        min=0.0, help="Relative tolerance of word-count-mismatch: 0.1 allows 10 %.")] = 0.1,
    jobs: Annotated[int | None, typer.Option(
        "--jobs", "-j", min=1, show_default="the CPU count",
        help="Worker processes for large batches.")] = None,
) -> None:  # fmt: skip
    """Check record files and report every finding as path:line:col: severity[code] message."""
    from archivekit.cli.output import format_diagnostic, plural, use_colour
    from archivekit.formats.errors import InputError
    from archivekit.formats.rules import RuleOptions
    from archivekit.formats.validate import validate_paths

    try:
        options = RuleOptions(enable=frozenset(enable or ()),
                              word_count_tolerance=word_count_tolerance)  # fmt: skip
        results = validate_paths(paths, glob=glob, options=options, jobs=jobs)
    except (ValueError, InputError) as exc:
        raise _fail_usage(str(exc)) from None
    colour = use_colour(sys.stdout)
    files = errors = warnings = 0
    out = sys.stdout
    for result in results:
        files += 1
        for d in result.diagnostics:
            failing = d.severity.value == "error" or strict
            if d.severity.value == "error":
                errors += 1
            else:
                warnings += 1
            if failing or not quiet:
                out.write(format_diagnostic(d, colour=colour) + "\n")
    if not quiet:
        out.write(f"{plural(files, 'file')}, {plural(errors, 'error')}, "
                  f"{plural(warnings, 'warning')}\n")  # fmt: skip
    if files == 0 and not quiet:
        typer.echo(f"archive: warning: no files matched {glob!r} under the given paths", err=True)
    failed = errors > 0 or (strict and warnings > 0)
    raise typer.Exit(EXIT_FINDINGS if failed else EXIT_OK)


@app.command(epilog="Example:\n\n  archive schema > record.schema.json")
def schema() -> None:
    """Print the JSON Schema of a record in its JSON form (draft 2020-12)."""
    from archivekit.formats.schema import record_schema_json

    sys.stdout.write(record_schema_json())


@app.command(epilog="Example:\n\n  archive rules")
def rules() -> None:
    """List every rule: its code, default severity and what it finds."""
    from archivekit.formats.rules import RULES

    width = max(len(rule.code) for rule in RULES)
    for rule in RULES:
        level = "off" if rule.opt_in else rule.severity.value
        typer.echo(f"{rule.code:<{width}}  {level:<7}  {rule.summary}")


def main() -> None:
    """Entry point of the ``archive`` command: no traceback, whatever happens."""
    from archivekit.cli import guard

    guard.run(app)
