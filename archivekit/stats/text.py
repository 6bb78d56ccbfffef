"""``archive stats --format text``: the figures as a terminal summary with small bar charts."""

from __future__ import annotations

import io
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from archivekit.stats.labels import (
    bar,
    counts,
    headline,
    number,
    percent,
    selection_line,
    unread_lines,
)

#: Rows of each ranked table (sites, suffixes, keywords, people, findings).
ROWS = 10
WIDTH = 88


def _bars(title: str, pairs: list[tuple[str, int]], total: int, *, empty: str) -> Table | Text:
    if not pairs:
        return Text(f"{title}: {empty}\n")
    table = Table(title=title, title_justify="left", box=None, show_header=False, pad_edge=False)
    table.add_column(overflow="ellipsis", max_width=40, no_wrap=True)
    table.add_column(justify="right")
    table.add_column(justify="right", style="dim")
    table.add_column(style="cyan", no_wrap=True)
    largest = max(n for _, n in pairs)
    for label, count in pairs:
        share = percent(count, total) if total else ""
        table.add_row(label or "(none)", number(count), share, bar(count, largest))
    return table


def _distributions(rows: list[tuple[str, dict[str, Any]]]) -> Table:
    table = Table(title="Word counts and body length", title_justify="left", box=None)
    table.add_column("")
    for name in ("min", "p10", "median", "mean", "p90", "max"):
        table.add_column(name, justify="right")
    for label, figures in rows:
        keys = ("min", "p10", "p50", "mean", "p90", "max")
        table.add_row(label, *(number(figures[key]) for key in keys))
    return table


def text_report(figures: dict[str, Any], *, colour: bool = False) -> str:
    """The summary as text; ANSI colour only with ``colour``."""
    out = io.StringIO()
    console = Console(
        file=out,
        width=WIDTH,
        force_terminal=colour,
        no_color=not colour,
        color_system="standard" if colour else None,
        highlight=False,
        emoji=False,
    )
    print_ = console.print
    print_(Text(headline(figures), style="bold"))
    for number_, line in enumerate(unread_lines(figures)):
        # Not wrapped: a long path stays on one line, whole (to copy, or to grep).
        print_(Text(line if number_ == 0 else f"  {line}", style="bold red"), soft_wrap=True)
    chosen = selection_line(figures)
    if chosen:
        print_(chosen)
    dates = figures["dates"]
    valid = figures["valid"]
    span = f"{dates['first']} to {dates['last']}" if dates["first"] else "no dates"
    missing = f", {number(dates['missing'])} without a date" if dates["missing"] else ""
    print_(f"dates: {span}{missing}\n")
    years = counts(figures["by_year"])
    print_(_bars("Records per year", years, valid, empty="none"))
    print_()
    print_(_bars("Sites", counts(figures["by_domain"], ROWS), valid, empty="none"))
    more = len(figures["by_domain"]) - ROWS
    if more > 0:
        print_(Text(f"  ... and {number(more)} more sites", style="dim"))
    print_()
    print_(_bars("Headline suffixes", counts(figures["by_suffix"], ROWS), valid, empty="none"))
    print_()
    keywords = figures["keywords"]
    print_(_bars("Top keywords", counts(figures["top_keywords"], ROWS), valid, empty="none"))
    print_(
        Text(
            f"  {number(keywords['distinct'])} distinct keywords; "
            f"{number(keywords['records_without'])} records without any",
            style="dim",
        )
    )
    print_()
    print_(_bars("Top people", counts(figures["top_people"], ROWS), valid, empty="none"))
    print_()
    words = figures["word_count"]
    print_(
        _distributions(
            [
                ("declared words", words["declared"]),
                ("counted words", words["counted"]),
                ("declared / counted", words["ratio"]),
                ("body characters", figures["body_length"]),
            ]
        )
    )
    declared, within = words["declared"]["count"], words["ratio_within_10_percent"]
    print_(
        Text(
            f"  declared within 10 % of the body's count: {number(within)}"
            f" of {number(declared)} ({percent(within, declared)})\n"
            f"  declared 0: {number(words['declared_zero'])}; "
            f"none declared: {number(words['declared_missing'])}",
            style="dim",
        )
    )
    print_()
    duplicates = figures["duplicates"]
    print_(
        f"Duplicate URLs: {number(duplicates['exact'])} exact, "
        f"{number(duplicates['normalised'])} once normalised"
    )
    print_(
        Text("  (normalised: scheme, www., trailing slash, fragment, tracking parameters)", "dim")
    )
    print_()
    print_(_bars("Findings per rule", counts(figures["findings"]), 0, empty="none"))
    return out.getvalue()
