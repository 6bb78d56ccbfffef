"""Turn findings into terminal text: colour only on a terminal, and never with NO_COLOR."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from archivekit.formats.diagnostics import Diagnostic

_RESET = "\x1b[0m"
_STYLE = {"error": "\x1b[1;31m", "warning": "\x1b[1;33m", "path": "\x1b[1m", "code": "\x1b[2m"}


def use_colour(stream: TextIO) -> bool:
    """Colour when writing to a terminal, unless NO_COLOR is set (https://no-color.org)."""
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def format_diagnostic(d: Diagnostic, *, colour: bool) -> str:
    """``path:line:col: severity[code] message``, the shape editors and CI jump to."""
    severity = d.severity.value
    path = safe_path(d.path)
    if not colour:
        return f"{path}:{d.line}:{d.column}: {severity}[{d.code}] {d.message}"
    return (
        f"{_STYLE['path']}{path}:{d.line}:{d.column}:{_RESET} "
        f"{_STYLE[severity]}{severity}{_RESET}{_STYLE['code']}[{d.code}]{_RESET} {d.message}"
    )


def safe_path(path: str) -> str:
    """A file name as printable text: a name holding a line break or a terminal
    escape sequence must not forge a line of output or restyle the terminal."""
    from archivekit.formats.text import CONTROL

    path = path.replace("\n", "\\n")
    # Undecodable bytes in a name come back from the OS as lone surrogates,
    # which standard output cannot encode: escape them too.
    return CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100
                       else f"\\u{ord(m.group()):04x}", path)  # fmt: skip


def plural(count: int, noun: str) -> str:
    """``1 file``, ``2 files``."""
    return f"{count} {noun}{'' if count == 1 else 's'}"
