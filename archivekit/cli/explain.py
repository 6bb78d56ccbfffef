"""``archive explain CODE``: one rule's documentation, with a bad and a good example."""

from __future__ import annotations

from typing import Annotated

import typer

from archivekit.cli.console import PLAIN, fail_usage

EPILOG = (
    "Examples:\n\n  archive explain date-invalid\n\n  archive explain duplicate-url\n\n"
    "Topics: format (the record format), exit-codes, config."
)


def explain(
    code: Annotated[
        str,
        typer.Argument(
            metavar="CODE",
            click_type=PLAIN,
            help="A rule code (archive rules lists them), or a topic: format, exit-codes, config.",
            show_default=False,
        ),
    ],
) -> None:
    """Show a rule's documentation with a bad and a good example, or a topic."""
    from archivekit.errors import UsageError
    from archivekit.rules import explain as explain_rule

    try:
        typer.echo(explain_rule(code), nl=False)
    except UsageError as exc:
        raise fail_usage(str(exc)) from None
