"""Terminal helpers for the commands: colour only on a terminal, and never with NO_COLOR."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, TextIO

# Light on purpose: every command, and `archive --version`, imports this module.
from archivekit.text import plural

if TYPE_CHECKING:
    from archivekit.diagnostics import Diagnostic

__all__ = ["format_diagnostic", "plural", "use_colour"]


def use_colour(stream: TextIO) -> bool:
    """Colour when writing to a terminal, unless NO_COLOR is set (https://no-color.org)."""
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def format_diagnostic(d: Diagnostic, *, colour: bool) -> str:
    """``path:line:col: severity[code] message``; the text report format owns the shape."""
    from archivekit.reports.text import format_diagnostic as text_format

    return text_format(d, colour=colour)
