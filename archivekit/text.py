"""Small text helpers shared by the parser, the rules and the messages."""

from __future__ import annotations

import re

# C0 controls but tab and line feed, DEL, and the C1 block: none belongs in a
# record.  Line feed is handled by the layout (it ends a field), not here.
# Lone surrogates (only text input can hold them, never decoded bytes) are no
# characters at all: a record holding one could never be written as UTF-8.
CONTROL_RANGES = ((0x00, 0x08), (0x0B, 0x1F), (0x7F, 0x9F), (0xD800, 0xDFFF))
CONTROL = re.compile("[" + "".join(f"\\u{a:04x}-\\u{b:04x}" for a, b in CONTROL_RANGES) + "]")

_NAMES = {0: "NUL", 0x0B: "VT", 0x0C: "FF", 0x0D: "CR", 0x1B: "ESC", 0x7F: "DEL"}
_QUOTE_LIMIT = 60


def quote(text: str, *, limit: int = _QUOTE_LIMIT) -> str:
    """Quote ``text`` for a message: double quotes, controls escaped, long text cut."""
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    escaped = CONTROL.sub(_escape, escaped)
    return '"' + escaped.replace("\n", "\\n").replace("\t", "\\t") + '"'


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def char_name(char: str) -> str:
    """Name a control character for a message: ``U+0000 (NUL)``."""
    code = ord(char)
    name = "lone surrogate" if 0xD800 <= code <= 0xDFFF else _NAMES.get(code)
    return f"U+{code:04X}" + (f" ({name})" if name else "")


def line_col(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column (in characters) of ``offset`` in ``text``."""
    line_start = text.rfind("\n", 0, offset) + 1
    return text.count("\n", 0, offset) + 1, offset - line_start + 1


def plural(count: int, noun: str) -> str:
    """``1 file``, ``2 files``."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


def safe_path(path: str) -> str:
    """A file name as printable text: a name holding a line break or a terminal
    escape sequence must not forge a line of output or restyle the terminal."""
    path = path.replace("\n", "\\n")
    # Undecodable bytes in a name come back from the OS as lone surrogates,
    # which standard output cannot encode: escape them too.
    return CONTROL.sub(
        lambda m: (
            f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100 else f"\\u{ord(m.group()):04x}"
        ),
        path,
    )


def word_count(text: str) -> int:
    """``len(text.split())``: the whitespace-separated words, without building them.

    A text whose only whitespace is single spaces (most bodies) is counted by
    its spaces: when ``text`` is printable, the space is its only whitespace
    character (every other one, from tab to U+3000, is a control or a
    separator, which ``str.isprintable`` refuses). Three C scans instead of
    a list of a thousand words: about a third faster on a 10 KB body.
    """
    if text.isprintable() and "  " not in text:
        if not text.strip(" "):
            return 0
        return text.count(" ") + 1 - text.startswith(" ") - text.endswith(" ")
    return len(text.split())
