"""Read archive record text into a record, or into diagnostics that say what is wrong."""

from __future__ import annotations

from collections import Counter
from typing import Any

from archivekit.formats import fields
from archivekit.formats.diagnostics import Diagnostic, ParseResult
from archivekit.formats.limits import default_max_bytes, too_large_message
from archivekit.formats.model import Record
from archivekit.formats.rules import RULE_BY_CODE, RuleOptions, Severity
from archivekit.formats.text import line_col

FIELDS = ("url", "headline", "keywords", "date", "word_count", "body")
_LABELS = ("url", "headline", "keywords", "date", "word count", "body")
_BOM = "\ufeff"
_DEFAULT_OPTIONS = RuleOptions()
#: A file with thousands of bad bytes would drown the report: after this many
#: findings of one rule in one file, the rest are counted in one last finding.
MAX_PER_RULE = 10


def parse(data: bytes | str, *, path: str = "<string>", options: RuleOptions | None = None
          ) -> ParseResult:  # fmt: skip
    """Read one record from the bytes (or text) of an archive file.

    Never raises for bad input: every problem becomes a :class:`Diagnostic`, and
    ``result.record`` is ``None`` when any of them is an error. Input longer
    than ``options.max_bytes`` is refused unread (``file-too-large``).
    """
    limit = options.max_bytes if options is not None else default_max_bytes()
    if len(data) > limit:  # for text, characters: never more than its UTF-8 bytes
        size = len(data) if isinstance(data, bytes) else None
        return ParseResult(path, None, (Diagnostic(
            "file-too-large", Severity.ERROR, too_large_message(size, limit), path, 1, 1, 2),))
    found: list[Diagnostic] = []

    def report(code: str, message: str, line: int, column: int, length: int = 1,
               field: str | None = None) -> None:  # fmt: skip
        found.append(Diagnostic(code, RULE_BY_CODE[code].severity, message, path, line,
                                column, column + max(length, 1), field))  # fmt: skip

    text = _decode(data, report) if isinstance(data, bytes) else data
    if text.startswith(_BOM):
        report("bom", "the file starts with a byte order mark (U+FEFF): remove it", 1, 1)
        text = text[1:]
    if not text:
        report("file-empty", "the file is empty: a record has six lines "
               "(url, headline, keywords, date, word count, body)", 1, 1)  # fmt: skip
        return ParseResult(path, None, tuple(found))
    crlf = text.find("\r\n")
    if crlf >= 0:
        line, column = line_col(text, crlf)
        report("crlf", f"CRLF line ends ({text.count(chr(13) + chr(10))}): use LF only",
               line, column)  # fmt: skip
        text = text.replace("\r\n", "\n")
    if text.endswith("\n"):
        line, column = line_col(text, len(text) - 1)
        report("final-newline", "the file ends with a newline: remove it", line, column)
        text = text[:-1]
    values = _check_fields(text, report, options or _DEFAULT_OPTIONS)
    found.sort(key=lambda d: (d.line, d.column))
    return ParseResult(path, _record(values, found), _capped(found))


def _decode(data: bytes, report: Any) -> str:
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
            message = f"byte 0x{data[bad]:02X} at byte offset {bad} is not UTF-8: {hint}"
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


def _encoding_hint(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "the file is UTF-16; convert it (iconv -f UTF-16 -t UTF-8)"
    try:
        data.decode("cp1252")
    except UnicodeDecodeError:
        return "save the file as UTF-8"
    return "the file looks like Windows-1252; convert it (iconv -f WINDOWS-1252 -t UTF-8)"


def _check_fields(text: str, report: Any, options: RuleOptions) -> dict[str, Any] | None:
    lines = text.split("\n", 5)
    for number in range(len(lines) + 1, 7):
        report("field-missing",
               f"line {number} ({_LABELS[number - 1]}) is missing: the file has "
               f"{len(lines)} line{'s' if len(lines) > 1 else ''}, a record has six",
               number, 1, field=FIELDS[number - 1])  # fmt: skip
    checks = (
        fields.check_url,
        lambda t: fields.check_text("headline", t, empty_code="headline-empty"),
        fields.check_keywords,
        fields.check_date,
        fields.check_word_count,
        lambda t: fields.check_text("body", t, empty_code="body-empty", multiline=True),
    )
    values: dict[str, Any] = {}
    start = 0
    for name, line_text, check in zip(FIELDS, lines, checks, strict=False):
        value, problems = check(line_text)
        for problem in problems:
            line, column = line_col(text, start + problem.offset)
            report(problem.code, problem.message, line, column, problem.length, name)
        values[name] = value
        start += len(line_text) + 1
    if len(values) < len(FIELDS) or any(v is None for v in values.values()):
        return None
    if "word-count-mismatch" in options.enable:
        _check_word_count(values, text, report, options.word_count_tolerance)
    return values


def _check_word_count(values: dict[str, Any], text: str, report: Any, tolerance: float) -> None:
    declared, actual = values["word_count"], len(values["body"].split())
    if abs(declared - actual) > tolerance * actual:
        line = 5
        report("word-count-mismatch",
               f"declared {declared} words, the body has {actual} "
               f"(more than {tolerance:.0%} apart)", line, 1, len(str(declared)),
               "word_count")  # fmt: skip


def _record(values: dict[str, Any] | None, found: list[Diagnostic]) -> Record | None:
    if values is None or any(d.severity is Severity.ERROR for d in found):
        return None
    # The field checks above are the model's own validators, already run:
    # model_construct skips running them a second time on the hot path.
    return Record.model_construct(**values)


def _capped(found: list[Diagnostic]) -> tuple[Diagnostic, ...]:
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
            kept.append(Diagnostic(diagnostic.code, diagnostic.severity,
                                   f"{diagnostic.message} (and {rest - 1} more like it in "
                                   "this file, not shown)", diagnostic.path, diagnostic.line,
                                   diagnostic.column, diagnostic.end_column,
                                   diagnostic.field))  # fmt: skip
    return tuple(kept)
