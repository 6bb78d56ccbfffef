"""``archive formats``: the record formats convert and validate read and write."""

from __future__ import annotations

import typer

from archivekit.formats import FORMATS

EPILOG = "Example:\n\n  archive formats"


def formats() -> None:
    """List the formats archive convert reads and writes (archive validate reads them all)."""
    from archivekit.files.archives import CONTAINERS

    width = max(len(f.name) for f in FORMATS)
    for fmt in FORMATS:
        extensions = " ".join(fmt.extensions)
        typer.echo(f"{fmt.name:<{width}}  {extensions:<18}  {fmt.holds:<11}  {fmt.summary}")
    containers = " ".join(CONTAINERS)
    typer.echo(
        f"\nAlso read: any of these compressed (.gz), and the members of {containers} "
        "archives, each by its extension."
    )
