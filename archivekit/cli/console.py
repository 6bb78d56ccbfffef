"""What every command shares: colour only on a terminal, the root options, usage errors."""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable, Iterator
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any, TextIO, TypeVar

import typer

from archivekit.cli.guard import EXIT_USAGE
from archivekit.files.read import DEFAULT_MAX_BYTES
from archivekit.formats import FORMAT_BY_NAME

# Light on purpose: every command, and `archive --version`, imports this module.
from archivekit.text import plural

if TYPE_CHECKING:
    from rich.console import Console

T = TypeVar("T")

#: Show a progress bar only for batches at least this large (and only on a terminal).
PROGRESS_AFTER = 500

__all__ = [
    "FORMAT_CHOICES",
    "PLAIN",
    "CacheDir",
    "ConfigFile",
    "FormatName",
    "Glob",
    "Jobs",
    "NoCache",
    "Profile",
    "ProfileName",
    "Scheduler",
    "StorageOption",
    "fail_usage",
    "max_bytes",
    "plural",
    "progress",
    "use_colour",
]


# The click typer runs on: its own vendored copy in recent releases, click before.
_ParamType: Any = importlib.import_module(
    typer.BadParameter.__module__.rpartition(".")[0] + ".types"
).ParamType


class _Plain(_ParamType):  # type: ignore[misc]
    """A string shown by its metavar alone: no ``<str>`` beside PATH... in --help."""

    name = "text"

    def get_metavar(self, param: object, ctx: object = None) -> str:
        return ""

    def convert(self, value: object, param: object, ctx: object) -> str:
        return str(value)


#: For the positional arguments (``typer.Argument(click_type=PLAIN)``).
PLAIN = _Plain()


def at_least_one(value: int | None) -> int | None:
    """An option that counts something (``--jobs``): 1 or more."""
    if value is not None and value < 1:
        raise typer.BadParameter(f"{value} is not 1 or more")
    return value


def not_negative(value: float | None) -> float | None:
    """A ratio or size option: 0 or more."""
    if value is not None and not value >= 0:
        raise typer.BadParameter(f"{value} is not 0 or more")
    return value


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
    value = at_least_one(value)
    if value is None:
        return None
    # Imported only when --jobs is given: the pool module loads the process machinery,
    # which validating one file never needs (start-up time).
    from archivekit.workers import max_workers

    cap = max_workers()
    if value > cap:
        typer.echo(f"archive: note: --jobs {value} capped at {cap} (4 per CPU)", err=True)
        return cap
    return value


Jobs = Annotated[
    int | None,
    typer.Option(
        "--jobs",
        "-j",
        metavar="N",
        callback=_cap_jobs,
        show_default="the CPU count",
        help="Worker processes for large batches (at most 4 per CPU).",
    ),
]
NoCache = Annotated[
    bool,
    typer.Option(
        "--no-cache",
        help="Read every file, even those unchanged since the last run (see --cache-dir).",
    ),
]
CacheDir = Annotated[
    str | None,
    typer.Option(
        "--cache-dir",
        metavar="DIR",
        envvar="ARCHIVEKIT_CACHE_DIR",
        show_default=".archive_cache at the project root",
        help="Where to keep the results of unchanged files (ARCHIVEKIT_CACHE_DIR).",
    ),
]

StorageOption = Annotated[
    list[str] | None,
    typer.Option(
        "--storage-option",
        metavar="KEY=VALUE",
        help="fsspec option for s3://, gs://, az:// ... inputs (endpoint_url=URL, anon=true). "
        "Repeatable; credentials otherwise come from the environment.",
    ),
]

Scheduler = Annotated[
    str | None,
    typer.Option(
        "--scheduler",
        metavar="ADDRESS",
        envvar="DASK_SCHEDULER_ADDRESS",
        show_default="local worker processes",
        help="Read the files on the Dask cluster at ADDRESS (tcp://host:8786; the dask "
        "extra): the same findings and outputs as here.",
    ),
]


class ProfileName(StrEnum):
    """The rule profiles (rules.PROFILES)."""

    strict = "strict"
    scraped = "scraped"


Profile = Annotated[
    ProfileName | None,
    typer.Option(
        "--profile",
        show_default="strict, or the configured profile",
        help="scraped: a missing or unreadable date or word count is a warning and null.",
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


def progress(
    items: Iterator[T],
    *,
    enabled: bool,
    what: str,
    total: Callable[[], int | None] | None = None,
) -> Iterator[T]:
    """Pass ``items`` through; on a terminal, count them on a progress bar once the batch is big.

    ``what`` names the work ("converting"). The bar goes to standard error and
    vanishes when done; nothing is drawn for fewer than PROGRESS_AFTER items.
    ``total`` is asked once the bar appears: with a count, the bar shows it and an ETA.
    """
    if not enabled:
        yield from items
        return
    count = 0
    for item in items:
        count += 1
        yield item
        if count == PROGRESS_AFTER:
            break
    else:
        return
    from rich.progress import (
        BarColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    expected = total() if total is not None else None
    if expected is not None and expected < count:
        expected = None  # the walk changed under us: no total rather than a wrong one
    counted = "{task.completed}/{task.total} records" if expected else "{task.completed} records"
    columns = (
        SpinnerColumn(),
        TextColumn(what),
        BarColumn(),
        TextColumn(counted),
        TimeElapsedColumn(),
        *((TimeRemainingColumn(),) if expected else ()),
    )
    with Progress(*columns, transient=True, console=_console()) as bar:
        task = bar.add_task(what, total=expected, completed=count)
        for item in items:
            yield item
            bar.advance(task)


def _console() -> Console:
    from rich.console import Console

    return Console(stderr=True)
