"""The typer app: each command parses options, calls the library, and turns results into output."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from archivekit import __version__
from archivekit.cli import fmt as fmt_cmd

app = typer.Typer(
    name="archive",
    help="Validate and convert news-archive record files.\n\n"
    "A record file holds six lines: URL, headline, keywords, date (AP style), "
    "word count, body. See docs/format.md for every rule.",
    no_args_is_help=True,
    epilog="Examples:\n\n"
    "  archive validate seeds/                        # check a folder of records\n\n"
    "  archive validate . --format sarif:out.sarif    # a report for code scanning\n\n"
    "  archive fmt --check archive/                   # anything to rewrite?\n\n"
    "  archive convert archive/ --to jsonl -o all.jsonl\n\n"
    "  archive explain date-invalid                   # what a rule means\n\n"
    "Run 'archive COMMAND --help' for a command's options.",
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
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
    debug: Annotated[
        bool,
        typer.Option(
            "--debug", envvar="ARCHIVEKIT_DEBUG", help="Show the traceback of an internal error."
        ),
    ] = False,
    max_bytes: Annotated[
        str | None,
        typer.Option(
            "--max-bytes",
            envvar="ARCHIVEKIT_MAX_BYTES",
            metavar="SIZE",
            show_default="64M",
            help="Refuse record files larger than SIZE (bytes, or with K, M, G).",
        ),
    ] = None,
) -> None:
    """Validate and convert news-archive record files."""
    from archivekit.cli import guard

    guard.DEBUG = debug
    if max_bytes is not None:
        guard.set_max_bytes(max_bytes)


def _fail_usage(message: str) -> typer.Exit:
    typer.echo(f"archive: error: {message}", err=True)
    return typer.Exit(EXIT_USAGE)


@app.command(
    epilog="""Examples:

  archive validate seeds/                    # every *.txt below seeds/

  archive validate a.txt b.txt --strict      # warnings fail too

  cat a.txt | archive validate -             # standard input

  archive validate archive/ --format github --format sarif:archive.sarif

  archive validate archive/ --format json:report.json --format junit:junit.xml

  archive validate . --baseline archive-baseline.json --update-baseline

  archive validate . --changed-since origin/main

Report formats: text (default), json, github, sarif, junit; each FORMAT or FORMAT:PATH.

Exit status: 0 no errors, 1 errors found (or warnings with --strict), 2 usage or
configuration error. --exit-zero always exits 0 after reporting. See docs/ci.md."""
)
def validate(
    paths: Annotated[
        list[str],
        typer.Argument(
            metavar="PATH...",
            help="Files, directories (searched recursively) or - for standard input.",
            show_default=False,
        ),
    ],
    glob: Annotated[
        str | None,
        typer.Option(
            help="File-name pattern to pick in directories (wins over the configured include).",
            show_default="*.txt",
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
            show_default="0.1",
            help="Relative tolerance of word-count-mismatch: 0.1 allows 10 %.",
        ),
    ] = None,
    jobs: Annotated[
        int | None,
        typer.Option(
            "--jobs",
            "-j",
            min=1,
            show_default="the CPU count",
            help="Worker processes for large batches.",
        ),
    ] = None,
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
    config: Annotated[
        str | None,
        typer.Option(
            "--config",
            metavar="FILE",
            show_default="nearest archive.toml or pyproject.toml",
            help="Configuration file: a pyproject.toml (its tool.archive table) "
            "or an archive.toml.",
        ),
    ] = None,
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
            help="Check only files changed since git revision REF, and untracked ones.",
        ),
    ] = None,
) -> None:
    """Check record files; report each finding with path:line:col, severity, rule code, message."""
    from archivekit.cli.validate import ValidateArgs, run_validate
    from archivekit.errors import ArchiveKitError

    args = ValidateArgs(
        paths=paths,
        glob=glob,
        strict=strict,
        quiet=quiet,
        enable=tuple(enable or ()),
        word_count_tolerance=word_count_tolerance,
        jobs=jobs,
        formats=tuple(formats or ()),
        exit_zero=exit_zero,
        config=config,
        baseline=baseline,
        update_baseline=update_baseline,
        changed_since=changed_since,
    )
    try:
        status = run_validate(args)
    except ArchiveKitError as exc:
        raise _fail_usage(str(exc)) from None
    raise typer.Exit(status)


app.command(
    epilog="""Examples:

  archive fmt archive/                 # rewrite every *.txt below archive/

  archive fmt a.txt --check            # exit 1 if a.txt is not canonical

  archive fmt archive/ --diff          # show what would change

Exit status: 0 nothing to do (or done), 1 a file is invalid (left untouched) or,
with --check, would change; 2 usage error."""
)(fmt_cmd.fmt)


@app.command(epilog="Example:\n\n  archive schema > record.schema.json")
def schema() -> None:
    """Print the JSON Schema of a record in its JSON form (draft 2020-12)."""
    from archivekit.record.schema import record_schema_json

    sys.stdout.write(record_schema_json())


@app.command(
    epilog="Examples:\n\n  archive explain date-invalid\n\n  archive explain duplicate-url"
)
def explain(
    code: Annotated[
        str,
        typer.Argument(
            metavar="CODE", help="A rule code, as archive rules lists them.", show_default=False
        ),
    ],
) -> None:
    """Show a rule's documentation, with a bad and a good example."""
    from archivekit.errors import UsageError
    from archivekit.explain import explain as explain_rule

    try:
        typer.echo(explain_rule(code), nl=False)
    except UsageError as exc:
        raise _fail_usage(str(exc)) from None


@app.command(epilog="Example:\n\n  archive rules")
def rules() -> None:
    """List every rule: its code, default severity and what it finds."""
    from archivekit.rules import RULES

    width = max(len(rule.code) for rule in RULES)
    for rule in RULES:
        level = "off" if rule.opt_in else rule.severity.value
        typer.echo(f"{rule.code:<{width}}  {level:<7}  {rule.summary}")


from archivekit.cli import convert as convert_cmd  # noqa: E402  (registers itself on the app above)

convert_cmd.register(app)


def main() -> None:
    """Entry point of the ``archive`` command: no traceback, whatever happens."""
    from archivekit.cli import guard

    guard.run(app)
