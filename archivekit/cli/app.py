"""The ``archive`` app: the root options, and every command registered in one place.

Each command lives in a module of its own (``archivekit/cli/<command>.py``):
it parses options, calls the library, prints, and maps the exit code.
"""

from __future__ import annotations

from typing import Annotated

import typer

from archivekit import __version__
from archivekit.cli import convert, explain, fmt, formats, rules, schema, search, stats, validate

app = typer.Typer(
    name="archive",
    help="Validate, convert and summarise news-archive record files.\n\n"
    "A record file holds six lines: URL, headline, keywords, date (AP style), "
    "word count, body. 'archive explain format' tells more; 'archive rules' lists every rule.",
    no_args_is_help=True,
    epilog="Examples:\n\n"
    "  archive validate seeds/                        # check a folder of records\n\n"
    "  archive validate . --format sarif:out.sarif    # a report for code scanning\n\n"
    "  archive fmt --check archive/                   # anything to rewrite?\n\n"
    "  archive convert archive/ --to jsonl -o all.jsonl\n\n"
    "  archive convert archive/ --to sqlite -o all.db && archive search all.db 'cartel'\n\n"
    "  archive convert archive/ --to csv -o new.csv --since 2015 --dedupe\n\n"
    "  archive stats archive/                         # records per year, site, keyword\n\n"
    "  archive stats archive/ -f html -o report.html  # the same, with charts\n\n"
    "  archive explain date-invalid                   # what a rule means\n\n"
    "Run 'archive COMMAND --help' for a command's options.",
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"archive (archivekit) {__version__}")
        raise typer.Exit()


def _size(value: str | None) -> int | None:
    if value is None:
        return None
    from archivekit.files.read import parse_size

    try:
        return parse_size(value)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="'--max-bytes'") from None


@app.callback()
def _root(
    context: typer.Context,
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
    # Handed to each command's library call (console.max_bytes), never a global.
    context.obj = {"max_bytes": _size(max_bytes)}


app.command(epilog=validate.EPILOG)(validate.validate)
app.command(epilog=convert.EPILOG)(convert.convert)
app.command(epilog=stats.EPILOG)(stats.stats)
app.command(epilog=fmt.EPILOG)(fmt.fmt)
app.command(epilog=formats.EPILOG)(formats.formats)
app.command(epilog=rules.EPILOG)(rules.rules)
app.command(epilog=explain.EPILOG)(explain.explain)
app.command(epilog=schema.EPILOG)(schema.schema)
app.command(epilog=search.EPILOG)(search.search)


def main() -> None:
    """Entry point of the ``archive`` command: no traceback, whatever happens."""
    from archivekit.cli import guard

    guard.run(app)
