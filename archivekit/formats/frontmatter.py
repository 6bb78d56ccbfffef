"""A small, safe subset of YAML for Markdown front matter: written and read here, never evaluated.

What is read: ``key: scalar`` lines, ``key:`` followed by ``- scalar`` items (a
block list), and flow lists of scalars (``[a, "b"]``). Scalars are double-quoted
(JSON-style escapes), single-quoted (``''`` for a quote) or plain; a plain
integer is an int, a plain ``YYYY-MM-DD`` stays a string, everything else plain
is a string. Comments (``# …``) and blank lines are skipped. Anything else
(anchors, tags, nested maps, multi-line scalars) is refused with the line
number, so that nothing in a file can make the reader do more than read.
"""

from __future__ import annotations

import re
from typing import Any

import orjson

from archivekit.errors import FrontMatterError

#: Characters YAML does not allow raw in a double-quoted scalar, or that some
#: YAML 1.1 readers take as line breaks: always escaped on the way out.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]")
_KEY = re.compile(r"([A-Za-z_][A-Za-z0-9_-]*):(?:[ \t]+(.*))?$")
_ITEM = re.compile(r"([ \t]*)-(?:[ \t]+(.*))?$")
_INT = re.compile(r"[-+]?[0-9]+")
_COMMENT = re.compile(r"\s#")
_SINGLE = re.compile(r"'(?:[^']|'')*'")
_SPACES = re.compile(r"\s*")
#: Longer numbers are no word count, and int() refuses over 4,300 digits.
_MAX_DIGITS = 100
_PLAIN_BAD = re.compile(r"^[&*!|>%@`]|: | #|^[-?:](?:\s|$)")


def quote(text: str) -> str:
    """``text`` as a YAML double-quoted scalar every YAML reader reads back the same."""
    body = orjson.dumps(text).decode()
    return _UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", body)


def dumps(items: list[tuple[str, Any]]) -> str:
    """Front-matter lines (without the ``---`` fences) for str, int and list-of-str values."""
    lines: list[str] = []
    for key, value in items:
        if isinstance(value, list):
            if not value:
                lines.append(f"{key}: []")
                continue
            lines.append(f"{key}:")
            lines.extend(f"  - {quote(item)}" for item in value)
        elif isinstance(value, bool) or not isinstance(value, int | str):
            raise TypeError(f"front matter holds str, int and lists of str, not {value!r}")
        elif isinstance(value, int) or (key == "date" and _ISO_DATE.fullmatch(value)):
            lines.append(f"{key}: {value}")
        else:
            lines.append(f"{key}: {quote(value)}")
    return "\n".join(lines) + "\n"


_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def loads(text: str, first_line: int = 1) -> tuple[dict[str, Any], dict[str, int]]:
    """Read front-matter text: the values, and the line each key is on.

    Raises :class:`FrontMatterError` for anything outside the subset.
    """
    values: dict[str, Any] = {}
    where: dict[str, int] = {}
    current: list[Any] | None = None
    for number, raw in enumerate(text.split("\n"), start=first_line):
        line = raw.rstrip(" \t\r")
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        item = _ITEM.match(line)
        if item is not None and current is not None:
            current.append(_scalar(item.group(2) or "", number))
            continue
        if line[0] in " \t":
            raise FrontMatterError(
                "indented line outside a list: nested values are not read", number
            )
        key = _KEY.match(line)
        if key is None:
            raise FrontMatterError(f"not a 'key: value' line: {line[:40]!r}", number)
        name, rest = key.group(1), (key.group(2) or "").strip()
        if name in values:
            raise FrontMatterError(f"the key {name!r} appears twice", number)
        where[name] = number
        if not rest or rest.startswith("#"):
            values[name] = current = []
        elif rest.startswith("["):
            values[name], current = _flow_list(rest, number), None
        else:
            values[name], current = _scalar(rest, number), None
    return values, where


def _scalar(text: str, line: int) -> object:
    text = text.strip()
    if text.startswith('"'):
        end = _closing_double(text, line)
        _only_comment(text[end + 1 :], line)
        try:
            return orjson.loads(_yaml_escapes(text[: end + 1], line))
        except orjson.JSONDecodeError as exc:
            raise FrontMatterError(f"bad double-quoted string: {exc}", line) from None
    if text.startswith("'"):
        match = re.match(r"'((?:[^']|'')*)'", text)
        if match is None:
            raise FrontMatterError("unclosed single-quoted string", line)
        _only_comment(text[match.end() :], line)
        return match.group(1).replace("''", "'")
    text = _strip_comment(text)
    if _PLAIN_BAD.search(text) or text.startswith(("{", "[", '"', "'")):
        raise FrontMatterError(f"unsupported YAML value {text[:40]!r}: quote it", line)
    if _INT.fullmatch(text):
        if len(text.lstrip("+-")) > _MAX_DIGITS:
            # int() refuses over 4,300 digits (ValueError, an internal error before).
            raise FrontMatterError(f"a number of {len(text)} digits: too long", line)
        return int(text)
    if text in ("null", "~", "Null", "NULL"):
        return None  # YAML's null: a date or word count left empty
    return text


def _strip_comment(text: str) -> str:
    """``text`` without a trailing ``  # comment`` (a ``#`` after white space).

    Found with one linear search: ``re.sub(r"\\s+#.*$", …)`` retried its white
    space run from every position in it, so 160,000 spaces then ``x`` took
    23.5 s (quadratic).
    """
    match = _COMMENT.search(text)
    return text if match is None else text[: match.start()].rstrip()


def _closing_double(text: str, line: int, index: int = 0) -> int:
    """The index of the ``"`` closing the string that opens at ``text[index]``."""
    index += 1
    while index < len(text):
        if text[index] == "\\":
            index += 2
            continue
        if text[index] == '"':
            return index
        index += 1
    raise FrontMatterError("unclosed double-quoted string", line)


_YAML_ONLY = {
    "0": "\\u0000",
    "a": "\\u0007",
    "v": "\\u000b",
    "e": "\\u001b",
    " ": " ",
    "N": "\\u0085",
    "_": "\\u00a0",
    "L": "\\u2028",
    "P": "\\u2029",
    "/": "/",
}


def _yaml_escapes(text: str, line: int) -> str:
    """YAML's double-quoted escapes, rewritten as JSON ones for the JSON decoder."""

    def swap(match: re.Match[str]) -> str:
        code = match.group(1)
        if code in _YAML_ONLY:
            return _YAML_ONLY[code]
        if code[0] == "x":
            return f"\\u00{code[1:]}"
        if code[0] == "U":
            value = int(code[1:], 16)
            if value > 0x10FFFF:
                raise FrontMatterError(f"\\U{code[1:]} is not a character", line)
            return orjson.dumps(chr(value)).decode()[1:-1]
        return "\\" + code

    return re.sub(r"\\(x[0-9A-Fa-f]{2}|U[0-9A-Fa-f]{8}|u[0-9A-Fa-f]{4}|.)", swap, text)


def _only_comment(rest: str, line: int) -> None:
    if rest.strip() and not rest.lstrip().startswith("#"):
        raise FrontMatterError(f"unexpected text after a quoted string: {rest[:40]!r}", line)


def _flow_list(text: str, line: int) -> list[Any]:
    # Positions, not slices: slicing the rest after each item copied it, so a
    # line of 500,000 items cost quadratic time.
    # Linear: a match can start only at a "]", and each scans its own run of spaces.
    text = re.sub(r"\]\s+#.*$", "]", text)
    if not text.endswith("]"):
        raise FrontMatterError("a flow list must close on its line with ']'", line)
    inner = text[1:-1]
    items: list[Any] = []
    index, size = _skip_space(inner, 0), len(inner)
    while index < size:
        if inner[index] == '"':
            end = _closing_double(inner, line, index) + 1
        elif inner[index] == "'":
            match = _SINGLE.match(inner, index)
            end = match.end() if match else size
        else:
            comma = inner.find(",", index)
            end = comma if comma >= 0 else size
        items.append(_scalar(inner[index:end], line))
        index = _skip_space(inner, end)
        if index < size and inner[index] == ",":
            index = _skip_space(inner, index + 1)
        elif index < size:
            raise FrontMatterError(f"unexpected {inner[index : index + 20]!r} in a flow list", line)
    return items


def _skip_space(text: str, index: int) -> int:
    match = _SPACES.match(text, index)
    return match.end() if match else index
