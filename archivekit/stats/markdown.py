"""``archive stats --format markdown``: the figures as GitHub Markdown (a CI job summary)."""

from __future__ import annotations

from typing import Any

from archivekit.stats.labels import (
    bar,
    counts,
    headline,
    number,
    percent,
    selection_line,
    unread_lines,
)

ROWS = 10


def _cell(text: str) -> str:
    """Text safe inside a table cell: no pipe, no line break, no HTML."""
    return (
        text.replace("\\", "\\\\")
        .replace("|", "\\|")
        .replace("<", "&lt;")
        .replace("\n", " ")
        .replace("`", "\\`")
    )


def _table(title: str, label: str, pairs: list[tuple[str, int]], total: int) -> list[str]:
    lines = [f"### {title}", ""]
    if not pairs:
        return [*lines, "None.", ""]
    largest = max(n for _, n in pairs)
    lines += [f"| {label} | records | share | |", "|---|---:|---:|---|"]
    for name, count in pairs:
        share = percent(count, total)
        lines.append(
            f"| {_cell(name) or '(none)'} | {number(count)} | {share} | {bar(count, largest, 16)} |"
        )
    return [*lines, ""]


def markdown_report(figures: dict[str, Any]) -> str:
    """The summary as Markdown: headings, tables, and bars of block characters."""
    valid = figures["valid"]
    dates = figures["dates"]
    lines = ["## Archive statistics", "", f"**{headline(figures)}**", ""]
    unread = unread_lines(figures)
    if unread:
        # A GitHub alert: a report that left inputs out must not look complete.
        lines += ["> [!WARNING]", f"> {_cell(unread[0])}"]
        lines += [f"> - `{_cell(line)}`" for line in unread[1:]]
        lines.append("")
    chosen = selection_line(figures)
    if chosen:
        lines += [_cell(chosen), ""]
    if dates["first"]:
        lines += [f"Dates from {dates['first']} to {dates['last']}.", ""]
    if dates["missing"]:
        lines += [f"{number(dates['missing'])} records without a date.", ""]
    lines += _table("Records per year", "year", counts(figures["by_year"]), valid)
    lines += _table("Sites", "site", counts(figures["by_domain"], ROWS), valid)
    lines += _table("Headline suffixes", "suffix", counts(figures["by_suffix"], ROWS), valid)
    lines += _table("Top keywords", "keyword", counts(figures["top_keywords"], ROWS), valid)
    lines += _table("Top people", "person", counts(figures["top_people"], ROWS), valid)
    words = figures["word_count"]
    lines += [
        "### Word counts and body length",
        "",
        "| | min | median | mean | p90 | max |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for label, dist in (
        ("declared words", words["declared"]),
        ("counted words", words["counted"]),
        ("declared / counted", words["ratio"]),
        ("body characters", figures["body_length"]),
    ):
        keys = ("min", "p50", "mean", "p90", "max")
        lines.append(f"| {label} | " + " | ".join(number(dist[k]) for k in keys) + " |")
    within = words["ratio_within_10_percent"]
    lines += [
        "",
        f"Declared within 10 % of the body's count: {number(within)} of "
        f"{number(words['declared']['count'])}.",
        "",
    ]
    duplicates = figures["duplicates"]
    lines += [
        "### Duplicate URLs",
        "",
        f"{number(duplicates['exact'])} exact, {number(duplicates['normalised'])} once normalised.",
        "",
    ]
    lines += _table("Findings per rule", "rule", counts(figures["findings"]), 0)
    return "\n".join(lines)
