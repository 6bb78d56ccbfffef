"""Terminal helpers for the commands: colour only on a terminal, and never with NO_COLOR."""

from __future__ import annotations

import os
from typing import TextIO

# One definition of each, shared with the report formats.
from archivekit.formats.reports.base import plural
from archivekit.formats.reports.text import format_diagnostic

__all__ = ["format_diagnostic", "plural", "use_colour"]


def use_colour(stream: TextIO) -> bool:
    """Colour when writing to a terminal, unless NO_COLOR is set (https://no-color.org)."""
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())
