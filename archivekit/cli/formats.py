"""``archive formats``: the record formats convert and validate read and write."""

from __future__ import annotations

import typer

from archivekit.formats import FORMATS

EPILOG = "Example:\n\n  archive formats"


def formats() -> None:
    """List the formats archive convert reads and writes (archive validate reads them all)."""
    from archivekit.files.archives import CONTAINERS

    # Every column as wide as its widest cell, so that no row (sqlite's three
    # extensions) pushes the ones after it out of line.
    width = max(len(f.name) for f in FORMATS)
    ext_width = max(len(" ".join(f.extensions)) for f in FORMATS)
    holds_width = max(len(f.holds) for f in FORMATS)
    for fmt in FORMATS:
        extensions = " ".join(fmt.extensions)
        typer.echo(
            f"{fmt.name:<{width}}  {extensions:<{ext_width}}  {fmt.holds:<{holds_width}}  "
            f"{fmt.summary}"
        )
    containers = " ".join(CONTAINERS)
    typer.echo(
        f"\nAlso read: any of these compressed (.gz), and the members of {containers} "
        "archives, each by its extension."
    )
