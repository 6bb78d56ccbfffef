"""Small text helpers shared by the parser, the rules and the messages."""

from __future__ import annotations

import re

# C0 controls but tab and line feed, DEL, and the C1 block: none belongs in a
# record.  Line feed is handled by the layout (it ends a field), not here.
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")

_NAMES = {0: "NUL", 0x0B: "VT", 0x0C: "FF", 0x0D: "CR", 0x1B: "ESC", 0x7F: "DEL"}
_QUOTE_LIMIT = 60


def quote(text: str, *, limit: int = _QUOTE_LIMIT) -> str:
    """Quote ``text`` for a message: double quotes, controls escaped, long text cut."""
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    escaped = CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", escaped)
    return '"' + escaped.replace("\n", "\\n").replace("\t", "\\t") + '"'


def char_name(char: str) -> str:
    """Name a control character for a message: ``U+0000 (NUL)``."""
    code = ord(char)
    name = _NAMES.get(code)
    return f"U+{code:04X}" + (f" ({name})" if name else "")


def line_col(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column (in characters) of ``offset`` in ``text``."""
    line_start = text.rfind("\n", 0, offset) + 1
    return text.count("\n", 0, offset) + 1, offset - line_start + 1


def plural(count: int, noun: str) -> str:
    """``1 file``, ``2 files``."""
    return f"{count} {noun}{'' if count == 1 else 's'}"
