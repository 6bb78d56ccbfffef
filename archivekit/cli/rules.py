"""``archive rules``: every rule code, its default level and what it finds."""

from __future__ import annotations

import typer

EPILOG = "Example:\n\n  archive rules"


def rules() -> None:
    """List every rule: its code, default severity and what it finds."""
    from archivekit.rules import RULES

    width = max(len(rule.code) for rule in RULES)
    for rule in RULES:
        level = "off" if rule.opt_in else rule.severity.value
        typer.echo(f"{rule.code:<{width}}  {level:<7}  {rule.summary}")
