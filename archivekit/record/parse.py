"""Read archive record text into a record, or into diagnostics that say what is wrong."""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

from archivekit.diagnostics import Diagnostic, ParseResult, failed, finding
from archivekit.files.read import too_large_message
from archivekit.record import fast, fields
from archivekit.record.fields import FIELDS, LABELS
from archivekit.rules import NULLABLE, RULE_BY_CODE, RuleOptions, Severity
from archivekit.text import line_col, quote, word_count

if TYPE_CHECKING:
    # Imported when a record is built, not before: validation alone never
    # needs pydantic, and importing it costs a tenth of a second per process.
    from archivekit.record.model import Record

_BOM = "\ufeff"
#: A URL line longer than this is no URL worth comparing (and not worth keeping).
MAX_URL = 4096
_DEFAULT_OPTIONS = RuleOptions()
#: A file with thousands of bad bytes would drown the report: after this many
#: findings of one rule in one file, the rest are counted in one last finding.
MAX_PER_RULE = 10
#: The bytes of every character that text.CONTROL matches, in UTF-8: C0 but tab
#: and line feed, DEL, and C1 (U+0080..U+009F, encoded C2 80..C2 9F).
_CONTROL_BYTES = bytes((*range(0x09), *range(0x0B, 0x20), 0x7F))
_C1_BYTES = re.compile(b"\xc2[\x80-\x9f]")


class _Report(Protocol):
    def __call__(
        self,
        code: str,
        message: str,
        line: int,
        column: int,
        length: int = 1,
        field: str | None = None,
        *,
        severity: Severity | None = None,
    ) -> None: ...


def parse(
    data: bytes | str,
    *,
    path: str = "<string>",
    options: RuleOptions | None = None,
    keep_record: bool = True,
) -> ParseResult:
    """Read one record from the bytes (or text) of an archive file.

    Never raises for bad input: every problem becomes a :class:`Diagnostic`, and
    ``result.record`` is ``None`` when any of them is an error. Input longer
    than ``options.max_bytes`` is refused unread (``file-too-large``). Without
    ``keep_record`` the record is checked but not built (validation only).
    """
    options = options or _DEFAULT_OPTIONS
    limit = options.max_bytes
    if len(data) > limit:  # for text, characters: never more than its UTF-8 bytes
        size = len(data) if isinstance(data, bytes) else None
        return failed(path, "file-too-large", too_large_message(size, limit))
    # A canonical record, proven so at the byte level: nothing to build or report.
    if (
        not keep_record
        and isinstance(data, bytes)
        and fast.applies(options)
        and fast.check(data) is not None
    ):
        return ParseResult(path, None, ())
    # One pass over the bytes tells whether the file holds any control
    # character at all; most files hold none, and then no field needs a scan.
    clean = isinstance(data, bytes) and _no_controls(data)
    if clean:
        assert isinstance(data, bytes)  # for mypy
        quick = _parse_clean(data, path, options, keep_record)
        if quick is not None:
            return quick
    found: list[Diagnostic] = []

    def report(
        code: str,
        message: str,
        line: int,
        column: int,
        length: int = 1,
        field: str | None = None,
        *,
        severity: Severity | None = None,
    ) -> None:
        found.append(finding(code, message, path, line, column, length, field, severity=severity))

    text = _decode(data, report) if isinstance(data, bytes) else data
    clean = clean and not found
    if text.startswith(_BOM):
        report("bom", "the file starts with a byte order mark (U+FEFF): remove it", 1, 1)
        text = text[1:]
    if not text:
        report(
            "file-empty",
            "the file is empty: a record has six lines "
            "(url, headline, keywords, date, word count, body)",
            1,
            1,
        )
        return ParseResult(path, None, tuple(found))
    crlf = text.find("\r\n")
    if crlf >= 0:
        line, column = line_col(text, crlf)
        report(
            "crlf", f"CRLF line ends ({text.count(chr(13) + chr(10))}): use LF only", line, column
        )
        text = text.replace("\r\n", "\n")
    # With fewer than six line breaks the last one ends the word count and the
    # body is empty: that is an empty body, not a final newline.
    if text.endswith("\n") and text.count("\n") > 5:
        if not options.final_newline:
            line, column = line_col(text, len(text) - 1)
            report("final-newline", "the file ends with a newline: remove it", line, column)
        text = text[:-1]
    elif options.final_newline and text.count("\n") >= 5:
        line, column = line_col(text, len(text))
        message = "the file does not end with a newline (final-newline = true): add one"
        report("final-newline", message, line, column)
    values = _check_fields(text, report, options, clean)
    if not found:  # the common clean file: nothing to sort, cap or look at
        return ParseResult(path, _record(values, found) if keep_record else None, ())
    found.sort(key=lambda d: (d.line, d.column))
    return ParseResult(path, _record(values, found) if keep_record else None, _capped(found))


def _no_controls(data: bytes) -> bool:
    """No byte of ``data`` belongs to a character that text.CONTROL matches (CR included)."""
    return len(data.translate(None, _CONTROL_BYTES)) == len(data) and (
        b"\xc2" not in data or _C1_BYTES.search(data) is None
    )


def _parse_clean(
    data: bytes, path: str, options: RuleOptions, keep_record: bool
) -> ParseResult | None:
    """The result for a file without a single finding, or None: then take the full path.

    Most files of a real batch are clean, and for them the full path's work
    is waste: decoding the whole text and then splitting it copies the ~10 KB
    body twice (a str slice rescans it for its widest character), and the
    finding positions are never needed. Here the bytes are split first and
    each line decoded once (UTF-8 is valid as a whole exactly when each
    line is: a line feed byte is never part of a multi-byte character). The
    field checks are the same functions the full path runs, so at the first
    problem of any kind this gives up and the full path reports it with its
    line and column.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        return None  # a BOM: a finding
    if options.final_newline:
        if not data.endswith(b"\n"):
            return None  # no final newline where one is canonical: a finding
        data = data[:-1]
    if data.endswith(b"\n"):
        return None  # a final newline (or, with final_newline, a second one): findings
    parts = data.split(b"\n", 5)
    if len(parts) < len(FIELDS):
        return None
    try:
        lines = [part.decode("utf-8") for part in parts]
    except UnicodeDecodeError:
        return None
    values = fields.canonical_values(lines)
    if values is None:  # not plainly canonical: ask the checks themselves
        values = {}
        for name, line, check in zip(FIELDS, lines, fields.CLEAN_CHECKS, strict=True):
            value, problems = check(line)
            if problems or value is None:
                return None
            values[name] = value
    if "word-count-mismatch" in options.enable:
        mismatch: list[str] = []

        def report(
            code: str,
            message: str,
            line: int,
            column: int,
            length: int = 1,
            field: str | None = None,
            *,
            severity: Severity | None = None,
        ) -> None:
            mismatch.append(code)

        _check_word_count(values, "", report, options.word_count_tolerance)
        if mismatch:
            return None
    return ParseResult(path, _record(values, []) if keep_record else None, ())


def _decode(data: bytes, report: _Report) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    hint = _encoding_hint(data)
    start = 0
    for reported in range(1, MAX_PER_RULE + 1):
        try:
            data[start:].decode("utf-8")
            break
        except UnicodeDecodeError as exc:
            bad = start + exc.start
            start = start + exc.end
            line_start = data.rfind(b"\n", 0, bad) + 1
            column = len(data[line_start:bad].decode("utf-8", "replace")) + 1
            message = f"byte 0x{data[bad]:02X} at byte offset {bad} is not UTF-8: {hint(data[bad])}"
            # Each search above re-reads the rest of the file: stop after a
            # few, and count the others in one linear pass.
            rest = _count_invalid(data[start:]) if reported == MAX_PER_RULE else 0
            if rest:
                message += f" (and {rest} more like it in this file, not shown)"
            report("utf8-invalid", message, data.count(b"\n", 0, bad) + 1, column)
    return data.decode("utf-8", "replace")


def _count_invalid(data: bytes) -> int:
    # "replace" puts one U+FFFD per invalid sequence, the same sequences a
    # strict decode raises for; U+FFFD written in the file itself is not one.
    return data.decode("utf-8", "replace").count("\ufffd") - data.count(b"\xef\xbf\xbd")


def _encoding_hint(data: bytes) -> Callable[[int], str]:
    """What to do about a bad byte, knowing the whole file."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return lambda byte: "the file is UTF-16; convert it (iconv -f UTF-16 -t UTF-8)"
    if _UTF8_MULTIBYTE.search(data) is not None:
        # Part of the file is UTF-8 already: converting the whole file from
        # another encoding would garble that part ("’" into "â€™") with no
        # finding left to tell. Only the bad bytes need mending, by hand.
        return lambda byte: (
            f"the rest of the file is UTF-8, so fix this byte by hand "
            f"({_as_cp1252(byte)}); do not convert the whole file"
        )
    try:
        data.decode("cp1252")
    except UnicodeDecodeError:
        return lambda byte: (
            "the file looks like ISO-8859-1; convert it (iconv -f ISO-8859-1 -t UTF-8)"
        )
    return lambda byte: (
        "the file looks like Windows-1252; convert it (iconv -f WINDOWS-1252 -t UTF-8)"
    )


def _as_cp1252(byte: int) -> str:
    try:
        return f"in Windows-1252 it would be {quote(bytes([byte]).decode('cp1252'))}"
    except UnicodeDecodeError:
        return "it is no character in Windows-1252 either"


#: A well-formed multi-byte UTF-8 sequence (overlong and surrogate forms aside).
_UTF8_MULTIBYTE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)


def _check_fields(
    text: str, report: _Report, options: RuleOptions, clean: bool = False
) -> dict[str, Any] | None:
    lines = text.split("\n", 5)
    # Counted as wc -l and editors count them: a final newline ends the last line.
    counted = len(lines) - (len(lines) > 1 and lines[-1] == "")
    for number in range(len(lines) + 1, 7):
        report(
            "field-missing",
            f"line {number} ({LABELS[FIELDS[number - 1]]}) is missing: the file has "
            f"{counted} line{'s' if counted != 1 else ''}, a record has six",
            number,
            1,
            field=FIELDS[number - 1],
        )
    checks = fields.CLEAN_CHECKS if clean else fields.CHECKS
    values: dict[str, Any] = {}
    nulls: set[str] = set()
    start = 0
    for name, line_text, check in zip(FIELDS, lines, checks, strict=False):
        value, problems = check(line_text)
        null = value is None and options.nullable(name, _error_codes(problems))
        for problem in problems:
            line, column = line_col(text, start + problem.offset)
            if null and problem.code in NULLABLE[name]:
                report(
                    problem.code,
                    f"{problem.message} (kept as null: scraped profile)",
                    line,
                    column,
                    problem.length,
                    name,
                    severity=Severity.WARNING,
                )
            else:
                report(problem.code, problem.message, line, column, problem.length, name)
        if null:
            nulls.add(name)
        values[name] = value
        start += len(line_text) + 1
    if len(values) < len(FIELDS) or any(v is None for k, v in values.items() if k not in nulls):
        return None
    if "word-count-mismatch" in options.enable and values["word_count"] is not None:
        _check_word_count(values, text, report, options.word_count_tolerance)
    return values


def _error_codes(problems: list[fields.Problem]) -> list[str]:
    return [p.code for p in problems if RULE_BY_CODE[p.code].severity is Severity.ERROR]


def _check_word_count(values: dict[str, Any], text: str, report: _Report, tolerance: float) -> None:
    declared, actual = values["word_count"], word_count(values["body"])
    if abs(declared - actual) > tolerance * actual:
        line = 5
        report(
            "word-count-mismatch",
            f"declared {declared} words, the body has {actual} (more than {tolerance:.0%} apart)",
            line,
            1,
            len(str(declared)),
            "word_count",
        )


def _record(values: dict[str, Any] | None, found: list[Diagnostic]) -> Record | None:
    if values is None or any(d.severity is Severity.ERROR for d in found):
        return None
    # The field checks above are the model's own validators, already run:
    # model_construct skips running them a second time on the hot path.
    from archivekit.record.model import Record

    return Record.model_construct(**values)


def _capped(found: list[Diagnostic]) -> tuple[Diagnostic, ...]:
    if len(found) <= MAX_PER_RULE:
        return tuple(found)
    counts = Counter(d.code for d in found)
    if max(counts.values(), default=0) <= MAX_PER_RULE:
        return tuple(found)
    kept: list[Diagnostic] = []
    seen: Counter[str] = Counter()
    for diagnostic in found:
        seen[diagnostic.code] += 1
        if seen[diagnostic.code] <= MAX_PER_RULE:
            kept.append(diagnostic)
        elif seen[diagnostic.code] == MAX_PER_RULE + 1:
            rest = counts[diagnostic.code] - MAX_PER_RULE
            more = f"(and {rest - 1} more like it in this file, not shown)"
            kept.append(dataclasses.replace(diagnostic, message=f"{diagnostic.message} {more}"))
    return tuple(kept)


def url_line(data: bytes) -> str | None:
    """The URL line of a record file holding ``data``, trimmed; None if there is none.

    Read from the bytes even when the record is invalid, for ``duplicate-url``:
    the worker processes take it from the bytes they have already read, so
    that the parent need not read every file a second time.
    """
    line = data[: MAX_URL + 4].split(b"\n", 1)[0]
    url = line.decode("utf-8", "replace").removeprefix("\ufeff").strip()
    return url if url and len(url) <= MAX_URL else None
