"""What every command shares: colour only on a terminal, the root options, usage errors."""

from __future__ import annotations

import os
from enum import StrEnum
from typing import Annotated, TextIO

import typer

from archivekit.cli.guard import EXIT_USAGE
from archivekit.files.read import DEFAULT_MAX_BYTES
from archivekit.formats import FORMAT_BY_NAME

# Light on purpose: every command, and `archive --version`, imports this module.
from archivekit.text import plural

__all__ = [
    "FORMAT_CHOICES",
    "ConfigFile",
    "FormatName",
    "Glob",
    "Jobs",
    "fail_usage",
    "max_bytes",
    "plural",
    "use_colour",
]

# Options more than one command takes, spelled once.
ConfigFile = Annotated[
    str | None,
    typer.Option(
        "--config",
        metavar="FILE",
        show_default="nearest archive.toml or pyproject.toml",
        help="Configuration file: a pyproject.toml (its tool.archive table) or an archive.toml.",
    ),
]
Glob = Annotated[
    str | None,
    typer.Option(
        metavar="PATTERN",
        show_default="*.txt",
        help="File-name pattern to pick in folders (wins over the configured include).",
    ),
]


def _cap_jobs(value: int | None) -> int | None:
    """More workers than 4 per CPU only cost memory (each is a process): cap, and say so."""
    from archivekit.workers import max_workers

    cap = max_workers()
    if value is not None and value > cap:
        typer.echo(f"archive: note: --jobs {value} capped at {cap} (4 per CPU)", err=True)
        return cap
    return value


Jobs = Annotated[
    int | None,
    typer.Option(
        "--jobs",
        "-j",
        min=1,
        show_default="the CPU count",
        help="Worker processes for large batches (at most 4 per CPU).",
        callback=_cap_jobs,
    ),
]

#: The --to/--from choices, built from the format registry.
FormatName = StrEnum("FormatName", {name: name for name in FORMAT_BY_NAME})  # type: ignore[misc]
#: The same, for a help text (the option shows FORMAT, so that the table stays narrow).
FORMAT_CHOICES = ", ".join(FORMAT_BY_NAME)


def use_colour(stream: TextIO) -> bool:
    """Colour when writing to a terminal, unless NO_COLOR is set (https://no-color.org)."""
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def max_bytes(context: typer.Context) -> int:
    """The root option ``archive --max-bytes`` (or its default), for the command of ``context``."""
    root = context.find_root().obj
    value = root.get("max_bytes") if isinstance(root, dict) else None
    return value if isinstance(value, int) else DEFAULT_MAX_BYTES


def fail_usage(message: str) -> typer.Exit:
    """Print ``archive: error: message`` on standard error; raise what this returns (exit 2)."""
    typer.echo(f"archive: error: {message}", err=True)
    return typer.Exit(EXIT_USAGE)
