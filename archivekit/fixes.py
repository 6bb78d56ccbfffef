"""``archive validate --fix``: the repairs that have one obvious result, errors included.

A repair works on the text of a record file, field by field, and never loses
text: a file that is not UTF-8 is left alone, and so is anything no rule
knows how to mend (a control character, an empty headline). Safe repairs:
a byte order mark, CRLF line ends, the final newline, spaces around a field
or a keyword, empty and duplicate keyword entries, leading zeros of the word
count, a body over several lines joined into one, and every date archivekit
can read without guessing, in any accepted shape or with a label or a time
around it (``Published: June 29, 2013``, ``April 28, 2019 at 6:01 am``).
``unsafe`` adds the ambiguous all-figures dates (``12.16.14 9:30AM``, read
month first). Files are written back through :func:`archivekit.reformat.write_back`,
the path ``archive fmt`` writes through.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass

from archivekit.record.dates import DateProblem, format_ap, parse_date, repair_date, repair_numeric
from archivekit.text import quote

#: What ends a sentence: a body line ending in one is joined to the next without
#: a space (the archive's paragraphs run together, like the seed's); any other
#: line break was inside a paragraph, and becomes one space.
_SENTENCE_END = tuple(".!?:;\"'”’)]…")


@dataclass(frozen=True, slots=True)
class Fix:
    """One repair made to a file: the rule it answers, and what changed."""

    code: str
    message: str
    line: int = 1
    unsafe: bool = False


@dataclass(frozen=True, slots=True)
class FixOutcome:
    """What ``--fix`` did to one file: the repairs, and the bytes before and after.

    ``error`` says why the repaired file could not be written back (it is left
    as it was); ``skipped`` why no repair was tried (not UTF-8, too large).
    """

    path: str
    fixes: tuple[Fix, ...] = ()
    before: bytes = b""
    after: bytes = b""
    error: str | None = None
    skipped: str | None = None

    @property
    def changed(self) -> bool:
        """True when the file's bytes were (or would be) changed."""
        return bool(self.fixes) and self.before != self.after


class _Fixes(list[Fix]):
    """The repairs made so far; a rule turned off is never repaired."""

    def __init__(self, off: frozenset[str]) -> None:
        super().__init__()
        self.off = off

    def allows(self, code: str) -> bool:
        return code not in self.off


def fix_text(
    text: str,
    *,
    unsafe: bool = False,
    final_newline: bool = False,
    off: frozenset[str] = frozenset(),
) -> tuple[str, list[Fix]]:
    """``text`` with every obvious repair made, and the list of repairs.

    ``off`` names rules turned off for this file (``[tool.archive.rules]``,
    ``--ignore``): what they would find is left as it is.
    """
    fixes = _Fixes(off)
    if text.startswith("\ufeff") and fixes.allows("bom"):
        text = text[1:]
        fixes.append(Fix("bom", "removed the byte order mark"))
    if "\r\n" in text and fixes.allows("crlf"):
        fixes.append(Fix("crlf", f"CRLF to LF ({text.count(chr(13) + chr(10))} line ends)"))
        text = text.replace("\r\n", "\n")
    lines = text.split("\n", 5)
    if len(lines) < 6:
        return text, fixes  # fields are missing: nothing more is obvious
    url, headline, keywords, date, count, body = lines
    had_newline = body.endswith("\n") and not body.endswith("\n\n")
    body = body[:-1] if had_newline else body
    fields = [
        _trimmed("url", url, 1, fixes),
        _trimmed("headline", headline, 2, fixes),
        _keywords(keywords, fixes),
        _date(date, unsafe, fixes),
        _count(count, fixes),
        _body(body, fixes),
    ]
    ending = "\n" if had_newline else ""
    if fixes.allows("final-newline"):
        if had_newline and not final_newline:
            fixes.append(Fix("final-newline", "removed the final newline", 6))
        elif final_newline and not had_newline:
            fixes.append(Fix("final-newline", "added the final newline (final-newline = true)", 6))
        ending = "\n" if final_newline else ""
    return "\n".join(fields) + ending, list(fixes)


def fix_bytes(
    data: bytes,
    *,
    unsafe: bool = False,
    final_newline: bool = False,
    off: frozenset[str] = frozenset(),
) -> tuple[bytes, list[Fix]]:
    """``data`` repaired (see :func:`fix_text`); unchanged, with no repair, if not UTF-8."""
    if _canonical(data, final_newline):
        return data, []
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return data, []
    fixed, fixes = fix_text(text, unsafe=unsafe, final_newline=final_newline, off=off)
    after = fixed.encode("utf-8")
    return (after, fixes) if after != data else (data, [])


def _canonical(data: bytes, final_newline: bool) -> bool:
    """True for a file already in canonical form (most of an archive): nothing to repair.

    The parser's own cheap test (:func:`~archivekit.record.fields.canonical_values`),
    so that ``--fix`` on a clean archive costs a read and a few comparisons per file.
    """
    from archivekit.record.fields import canonical_values

    if data.startswith(b"\xef\xbb\xbf") or b"\r" in data:
        return False
    if final_newline:
        if not data.endswith(b"\n"):
            return False
        data = data[:-1]
    if data.endswith(b"\n"):
        return False
    parts = data.split(b"\n", 5)
    if len(parts) < 6:
        return False
    try:
        lines = [part.decode("utf-8") for part in parts]
    except UnicodeDecodeError:
        return False
    return canonical_values(lines) is not None


def fix_file(
    path: str,
    *,
    unsafe: bool = False,
    final_newline: bool = False,
    max_bytes: int | None = None,
    write: bool = True,
    off: frozenset[str] = frozenset(),
) -> FixOutcome:
    """Repair the record file at ``path`` in place (atomically) when ``write``.

    Read by the bounded reader: a file over the size limit, a FIFO or a device
    is skipped, as is a file that is not UTF-8 (a repair could lose text).
    """
    from archivekit.files.read import DEFAULT_MAX_BYTES, over_limit, read_file

    limit = max_bytes or DEFAULT_MAX_BYTES
    try:
        # Taken before the read: an edit saved after it is seen before the rename.
        before = os.stat(path)
        data, size = read_file(path, limit)
    except OSError as exc:
        return FixOutcome(path, skipped=exc.strerror or str(exc))
    if over_limit(data, size, limit):
        return FixOutcome(path, skipped="over the size limit")
    after, fixes = fix_bytes(data, unsafe=unsafe, final_newline=final_newline, off=off)
    if not fixes:
        return FixOutcome(path, before=data, after=data)
    outcome = FixOutcome(path, tuple(fixes), data, after)
    if write:
        # Imported only for a file to write: archive fmt's module builds records
        # (pydantic), which a run over a clean archive never needs.
        from archivekit.reformat import write_back

        error = write_back(path, after, unchanged_since=before)
        if error is not None:
            return FixOutcome(path, tuple(fixes), data, after, error=error)
    return outcome


def _trimmed(field: str, text: str, line: int, fixes: _Fixes) -> str:
    stripped = text.strip()
    if stripped != text and stripped and fixes.allows("whitespace"):
        fixes.append(Fix("whitespace", f"trimmed the spaces around the {field}", line))
        return stripped
    return text


def _keywords(text: str, fixes: _Fixes) -> str:
    if not text.strip():
        if text and fixes.allows("whitespace"):
            fixes.append(Fix("whitespace", "emptied a keywords line of only spaces", 3))
            return ""
        return text
    if "\n" in text or text.count(",") >= 10_000:
        return text  # keyword-invalid, keyword-too-many: errors with no obvious repair
    pieces = text.split(",")
    if fixes.allows("whitespace") and any(p.strip() != p for p in pieces):
        fixes.append(Fix("whitespace", "trimmed the spaces around the keywords", 3))
        pieces = [piece.strip() for piece in pieces]
    empty = sum(1 for piece in pieces if not piece.strip())
    if empty and fixes.allows("keyword-empty"):
        fixes.append(Fix("keyword-empty", f"dropped {_n(empty, 'empty keyword entry')}", 3))
        pieces = [piece for piece in pieces if piece.strip()]
    kept = list(dict.fromkeys(pieces))
    duplicates = len(pieces) - len(kept)
    if duplicates and fixes.allows("keyword-duplicate"):
        fixes.append(Fix("keyword-duplicate", f"dropped {_n(duplicates, 'duplicate keyword')}", 3))
        pieces = kept
    return ",".join(pieces)


def _n(count: int, what: str) -> str:
    return f"{count} {what}" if count == 1 else f"{count} {what.replace('entry', 'entrie')}s"


def _date(text: str, unsafe: bool, fixes: _Fixes) -> str:
    value = text.strip()
    if not value:
        return text
    parsed = parse_date(value)
    if isinstance(parsed, dt.date):
        canonical = format_ap(parsed)
        if canonical != value and not fixes.allows("date-noncanonical"):
            return text
        if value != text and not fixes.allows("whitespace"):
            return text
        if canonical != text:
            fixes.append(Fix("date-noncanonical", f"date {quote(text)} -> {quote(canonical)}", 4))
        return canonical
    if isinstance(parsed, DateProblem) and parsed.code != "date-unrecognized":
        return text  # not a calendar day (Feb. 30): no repair is obvious
    if not fixes.allows("date-unrecognized"):
        return text
    found = repair_date(value, unsafe=unsafe)
    if found is None:
        return text
    canonical = format_ap(found)
    guessed = unsafe and repair_date(value) is None and repair_numeric(value) == found
    note = " (read month first: an unsafe fix)" if guessed else ""
    fixes.append(
        Fix("date-unrecognized", f"date {quote(text)} -> {quote(canonical)}{note}", 4, guessed)
    )
    return canonical


def _count(text: str, fixes: _Fixes) -> str:
    value = text.strip()
    if value != text and value:
        if not fixes.allows("whitespace"):
            return text
        fixes.append(Fix("whitespace", "trimmed the spaces around the word count", 5))
    if (
        value.isascii()
        and value.isdigit()
        and len(value) <= 19
        and value != str(int(value))
        and fixes.allows("word-count-noncanonical")
    ):
        fixes.append(Fix("word-count-noncanonical", f"word count {value} -> {int(value)}", 5))
        return str(int(value))
    return value if value else text


def _body(text: str, fixes: _Fixes) -> str:
    stripped = text.strip()
    if not stripped:
        return text
    if stripped != text and not fixes.allows("whitespace"):
        return text
    if "\n" in stripped:
        if not fixes.allows("body-multiline"):
            return text if stripped == text else stripped
        parts = [line.strip() for line in stripped.split("\n")]
        parts = [part for part in parts if part]
        joined = parts[0]
        for part in parts[1:]:
            joined += ("" if joined.endswith(_SENTENCE_END) else " ") + part
        fixes.append(Fix("body-multiline", f"joined the body's {len(parts)} lines into one", 6))
        return joined
    if stripped != text:
        fixes.append(Fix("whitespace", "trimmed the spaces around the body", 6))
    return stripped
