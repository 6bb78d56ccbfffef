"""The record-selection options of ``archive convert`` and ``archive stats``, spelled once."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from archivekit.cli.console import at_least_one

if TYPE_CHECKING:
    from archivekit.selection import Selection

PANEL = "Selecting records"

Since = Annotated[
    str | None,
    typer.Option(
        "--since",
        metavar="DATE",
        help="Records dated DATE or later: 2015-03-01, 'March 1, 2015', 2015-03 or 2015.",
        rich_help_panel=PANEL,
    ),
]
Until = Annotated[
    str | None,
    typer.Option(
        "--until",
        metavar="DATE",
        help="Records dated DATE or earlier (2015: to Dec. 31, 2015; 2015-03: to March 31).",
        rich_help_panel=PANEL,
    ),
]
Keyword = Annotated[
    list[str] | None,
    typer.Option(
        "--keyword",
        "-k",
        metavar="K",
        help="Records with keyword K (letter case and double spaces ignored). Repeatable: any.",
        rich_help_panel=PANEL,
    ),
]
AllKeywords = Annotated[
    bool,
    typer.Option(
        "--all-keywords",
        help="With several --keyword: records with all of them, not any.",
        rich_help_panel=PANEL,
    ),
]
Domain = Annotated[
    list[str] | None,
    typer.Option(
        "--domain",
        metavar="D",
        help="Records whose URL is on site D or a subdomain (www. ignored). Repeatable.",
        rich_help_panel=PANEL,
    ),
]
Sample = Annotated[
    int | None,
    typer.Option(
        "--sample",
        metavar="N",
        callback=at_least_one,
        help="A random sample of N of the selected records, kept in input order.",
        rich_help_panel=PANEL,
    ),
]
Seed = Annotated[
    int | None,
    typer.Option(
        "--seed",
        metavar="S",
        show_default="0",
        help="Seed of --sample: the same seed gives the same records.",
        rich_help_panel=PANEL,
    ),
]
Dedupe = Annotated[
    bool,
    typer.Option(
        "--dedupe",
        help="Keep the first record of each URL, compared normalised (http/https, www., "
        "trailing slash, fragment, utm_* and other tracking parameters).",
        rich_help_panel=PANEL,
    ),
]


def selection(
    *,
    since: str | None,
    until: str | None,
    keyword: list[str] | None,
    all_keywords: bool,
    domain: list[str] | None,
    sample: int | None,
    seed: int | None,
    dedupe: bool,
) -> Selection:
    """The library's Selection for the options given (raises UsageError for a bad one)."""
    from archivekit.selection import Selection

    return Selection.from_options(
        since=since,
        until=until,
        keywords=keyword or (),
        all_keywords=all_keywords,
        domains=domain or (),
        sample=sample,
        seed=seed,
        dedupe=dedupe,
    )
