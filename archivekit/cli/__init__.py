"""The ``archive`` command line: a thin typer layer over the library, one module per command."""

from __future__ import annotations

from archivekit.cli.app import app, main

__all__ = ["app", "main"]
