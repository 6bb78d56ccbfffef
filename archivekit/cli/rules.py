"""``archive rules``: every rule code, its default level and what it finds."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

EPILOG = "Examples:\n\n  archive rules\n\n  archive rules --format json | jq '.[].code'"


class RulesFormat(StrEnum):
    """How ``archive rules`` prints the table."""

    text = "text"
    json = "json"


def rules(
    format_: Annotated[
        RulesFormat,
        typer.Option(
            "--format",
            "-f",
            metavar="FORMAT",
            help="text (a table) or json (an array of objects, for tooling).",
        ),
    ] = RulesFormat.text,
) -> None:
    """List every rule: its code, default severity and what it finds."""
    from archivekit.rules import RULES

    if format_ is RulesFormat.json:
        import orjson

        from archivekit.rules import rule_record

        data = orjson.dumps([rule_record(rule) for rule in RULES], option=orjson.OPT_INDENT_2)
        typer.echo(data.decode())
        return
    width = max(len(rule.code) for rule in RULES)
    for rule in RULES:
        level = "off" if rule.opt_in else rule.severity.value
        typer.echo(f"{rule.code:<{width}}  {level:<7}  {rule.summary}")
