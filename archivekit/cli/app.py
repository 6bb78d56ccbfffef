"""The ``archive`` app: the root options, and every command registered in one place.

Each command lives in a module of its own (``archivekit/cli/<command>.py``):
it parses options, calls the library, prints, and maps the exit code.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Annotated

import typer
from typer.core import TyperGroup

if TYPE_CHECKING:
    from typer._click.core import Command

from archivekit import __version__

#: Every command, in the order ``archive --help`` lists them.
COMMANDS = (
    "validate",
    "convert",
    "stats",
    "fmt",
    "formats",
    "rules",
    "explain",
    "schema",
    "search",
)
#: Every command's module (archivekit/cli/<name>.py) is imported, and its options
#: built, only when it runs (or --help lists them): ``archive --version`` builds
#: none, ``archive validate`` only its own.
_LAZY = COMMANDS


class _Commands(TyperGroup):
    """The app's commands, the lazy ones loaded when first asked for."""

    def resolve_command(  # type: ignore[override]
        self, ctx: typer.Context, args: list[str]
    ) -> tuple[str | None, Command | None, list[str]]:
        if args and args[0] not in COMMANDS:
            # An unknown name: load them all, so that "did you mean" knows every one.
            for name in COMMANDS:
                self.get_command(ctx, name)
        return super().resolve_command(ctx, args)

    def list_commands(self, ctx: typer.Context) -> list[str]:  # type: ignore[override]
        return [name for name in COMMANDS if name in self.commands or name in _LAZY]

    def get_command(self, ctx: typer.Context, cmd_name: str) -> Command | None:  # type: ignore[override]
        if cmd_name in _LAZY and cmd_name not in self.commands:
            self.add_command(_load(cmd_name), cmd_name)
        return super().get_command(ctx, cmd_name)


def _load(name: str) -> Command:
    """The command of ``archivekit/cli/<name>.py``, built as the app builds its own."""
    module = importlib.import_module(f"archivekit.cli.{name}")
    single = typer.Typer(add_completion=False)
    single.command(name=name, epilog=module.EPILOG)(getattr(module, name))
    return typer.main.get_command(single)


app = typer.Typer(
    name="archive",
    cls=_Commands,
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


def main() -> None:
    """Entry point of the ``archive`` command: no traceback, whatever happens."""
    from archivekit.cli import guard

    guard.run(app)
