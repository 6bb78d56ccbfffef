"""``archive search``: full-text search of an SQLite archive, best matches first."""

from __future__ import annotations

import sys
from enum import StrEnum
from typing import Annotated

import typer

from archivekit.cli.console import PLAIN, at_least_one, fail_usage, use_colour
from archivekit.cli.guard import EXIT_FINDINGS, EXIT_OK

EPILOG = """Examples:

  archive convert archive/ --to sqlite -o archive.db

  archive search archive.db 'cartel'

  archive search archive.db '"drug war" NOT mexico' --limit 20

  archive search archive.db 'headline:obama' --format json | jq '.[].url'

The query is SQLite FTS5 syntax: every word must match; "a phrase"; OR, NOT;
prefix*; a column first (headline:, keywords:, body:). The same file opens in
Datasette (datasette archive.db), which searches it too.

Exit status:

  0  matches found
  1  no match
  2  usage error (bad query, not an archive database)"""


class Output(StrEnum):
    """How matches are printed."""

    text = "text"
    json = "json"


def search(
    database: Annotated[
        str,
        typer.Argument(
            metavar="FILE.db",
            click_type=PLAIN,
            help="A database from archive convert --to sqlite.",
            show_default=False,
        ),
    ],
    query: Annotated[
        str,
        typer.Argument(
            metavar="QUERY", click_type=PLAIN, help="FTS5 query: words, phrases, OR, NOT, prefix*."
        ),
    ],
    limit: Annotated[
        int,
        typer.Option(
            "--limit", "-n", metavar="N", callback=at_least_one, help="Most matches to show."
        ),
    ] = 10,
    output: Annotated[
        Output, typer.Option("--format", "-f", help="text for people, json for programs.")
    ] = Output.text,
) -> None:
    """Search an SQLite archive's full text; print the best matches with a snippet."""
    import orjson

    from archivekit.errors import ArchiveKitError
    from archivekit.search import MARK_END, MARK_START
    from archivekit.search import search as run

    try:
        matches = run(database, query, limit=limit)
    except ArchiveKitError as exc:
        raise fail_usage(str(exc)) from None
    out = sys.stdout
    if output is Output.json:
        plain = [
            {
                "id": m.id,
                "url": m.url,
                "headline": m.headline,
                "date": m.date,
                "snippet": m.snippet.replace(MARK_START, "").replace(MARK_END, ""),
                "rank": m.rank,
            }
            for m in matches
        ]
        out.write(orjson.dumps(plain, option=orjson.OPT_INDENT_2).decode() + "\n")
    else:
        colour = use_colour(out)
        start, end = ("\x1b[1;33m", "\x1b[0m") if colour else ("[", "]")
        bold, reset = ("\x1b[1m", "\x1b[0m") if colour else ("", "")
        for number, m in enumerate(matches, 1):
            snippet = " ".join(m.snippet.split()).replace(MARK_START, start).replace(MARK_END, end)
            out.write(f"{number}. {bold}{m.headline}{reset} ({m.date or 'undated'})\n")
            out.write(f"   {m.url}\n   {snippet}\n\n")
        if not matches:
            typer.echo(f"archive: no match for {query!r}", err=True)
    raise typer.Exit(EXIT_OK if matches else EXIT_FINDINGS)
