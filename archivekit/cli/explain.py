"""``archive explain CODE``: one rule's documentation, with a bad and a good example."""

from __future__ import annotations

from typing import Annotated

import typer

from archivekit.cli.console import fail_usage

EPILOG = "Examples:\n\n  archive explain date-invalid\n\n  archive explain duplicate-url"


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
    from archivekit.rules import explain as explain_rule

    try:
        typer.echo(explain_rule(code), nl=False)
    except UsageError as exc:
        raise fail_usage(str(exc)) from None
