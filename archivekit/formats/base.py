"""Shared by every format: raw field values to a checked record, and a record to plain values."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal

from archivekit.diagnostics import Diagnostic, ParseResult, failed, finding
from archivekit.formats import FormatOptions
from archivekit.record import fields
from archivekit.record.fields import FIELDS, LABELS
from archivekit.record.model import Record
from archivekit.rules import NULLABLE, RULE_BY_CODE, RuleOptions, Severity
from archivekit.text import quote

Where = Callable[[str], tuple[int, int]]
"""Maps a field name to the (line, column) where its entry starts in the input.

Findings are reported there (a JSON Lines record: at the key), never inside the value: a value's
characters do not map to columns of the file (JSON escapes, CSV quotes), so a
column computed from them would point at the wrong place. The message names the
field instead."""


def record_from_values(
    values: Mapping[str, Any],
    *,
    path: str,
    where: Where,
    date_style: Literal["iso", "ap"] = "iso",
    known: Sequence[str] = FIELDS,
    index: int | None = None,
    line: int = 1,
    keep: bool = True,
    options: RuleOptions | None = None,
) -> ParseResult:
    """Check raw values (from JSON, CSV, front matter) with the text parser's field rules.

    Strings go through the same checks as the text format; JSON-typed values
    (a keyword list, an integer word count) must have the right type. Keys in
    ``values`` outside ``known`` are reported as ``field-unknown`` warnings.
    ``index`` and ``line`` say where the record is in its file; without
    ``keep`` the record is checked but not built. Under the scraped profile
    (``options.profile``) a null, missing or unreadable date or word count is
    kept as null with a warning.
    """
    found: list[Diagnostic] = []
    rules = options or _STRICT

    def report(code: str, message: str, name: str | None, severity: Severity | None = None) -> None:
        line, column = where(name or "")
        found.append(finding(code, message, path, line, column, 1, name, severity=severity))

    for key in values:
        if key not in known:
            report(
                "field-unknown",
                f"unknown field {quote(str(key))}: it is not carried over",
                str(key),
            )
    checked: dict[str, Any] = {}
    nulls: set[str] = set()
    for name in FIELDS:
        if name not in values and not rules.nullable(name, ()):
            hint = " ([] if there are none)" if name == "keywords" else ""
            report("field-missing", f"no {name!r} field: add it{hint}", name)
            continue
        problems: list[tuple[str, str]] = []
        value = _check(name, values.get(name), date_style, functools.partial(_collect, problems))
        null = value is None and rules.nullable(name, (c for c, _ in problems if _is_error(c)))
        for code, message in problems:
            if null and code in NULLABLE[name]:
                report(code, f"{message} (kept as null: scraped profile)", name, Severity.WARNING)
            else:
                report(code, message, name)
        if null:
            nulls.add(name)
        checked[name] = value
    found.sort(key=lambda d: (d.line, d.column))
    errors = any(d.severity is Severity.ERROR for d in found)
    if (
        errors
        or len(checked) < len(FIELDS)
        or any(v is None for k, v in checked.items() if k not in nulls)
    ):
        return ParseResult(path, None, tuple(found), index, line)
    record = Record.model_construct(**checked) if keep else None
    return ParseResult(path, record, tuple(found), index, line)


def record_from_json(
    value: object,
    *,
    path: str,
    options: FormatOptions,
    line: int = 1,
    index: int | None = None,
    where: Where | None = None,
) -> ParseResult:
    """Check one decoded JSON value as a record object; ``where`` places its fields' findings.

    By default a finding is placed at the start of ``line``.
    """
    if not isinstance(value, dict):
        what = f"record {index}" if index is not None else "the document"
        message = f"{what} is not a JSON object with the six record fields"
        return failed(path, "json-invalid", message, line, index=index)
    return record_from_values(
        value,
        path=path,
        where=where or (lambda _name: (line, 1)),
        index=index,
        line=line,
        keep=options.keep_records,
        options=options.rules,
    )


def _collect(into: list[tuple[str, str]], code: str, message: str, name: str | None) -> None:
    into.append((code, message))


def _is_error(code: str) -> bool:
    return RULE_BY_CODE[code].severity is Severity.ERROR


def _check(name: str, raw: object, date_style: str, report: Callable[..., None]) -> object:
    problems: list[fields.Problem]
    value: object
    if raw is None and name in NULLABLE:
        raw = ""  # null (or absent, under the scraped profile): an empty field
    if name == "keywords":
        if (
            isinstance(raw, str)
            or not isinstance(raw, list | tuple)
            or not all(isinstance(k, str) for k in raw)
        ):
            report("field-type", f"the keywords must be a list of strings, not {_kind(raw)}", name)
            return None
        value, problems = fields.check_keywords(raw)
    elif name == "word_count":
        if isinstance(raw, bool) or not isinstance(raw, int | str):
            report("field-type", f"the word count must be a whole number, not {_kind(raw)}", name)
            return None
        value, problems = fields.check_word_count(raw)
    elif name == "date" and isinstance(raw, dt.date) and not isinstance(raw, dt.datetime):
        value, problems = raw, []
    elif name == "date" and isinstance(raw, int | float) and not isinstance(raw, bool):
        report("field-type", f"the date must be a string, not a number{_epoch_hint(raw)}", name)
        return None
    elif not isinstance(raw, str):
        report("field-type", f"the {LABELS[name]} must be a string, not {_kind(raw)}", name)
        return None
    elif name == "url":
        value, problems = fields.check_url(raw)
    elif name == "date":
        value, problems = _check_date(raw, date_style)
    else:
        value, problems = fields.check_text(
            name, raw, empty_code=f"{name}-empty", multiline=name == "body"
        )
    for problem in problems:
        # The text format's messages rely on the line to say which field: say it here.
        report(problem.code, f"{name}: {problem.message}", name)
    return value


def _epoch_hint(raw: float) -> str:
    """What a number in the date field most likely is: pandas' ``to_json`` writes epoch ms."""
    for unit, scale in (("milliseconds", 1000), ("seconds", 1)):
        seconds = raw / scale
        # 1900-01-01 .. 2100-01-01: a plausible news date in that unit.
        if -2_208_988_800 <= seconds <= 4_102_444_800 and (scale == 1 or abs(raw) >= 1e11):
            day = dt.datetime.fromtimestamp(seconds, dt.UTC).date().isoformat()
            return (
                f" ({raw} looks like epoch {unit}, {day}: write {quote(day)}; from pandas, "
                "to_json(date_format='iso') or to_csv)"
            )
    return ""


def _iso_hint(problem: fields.Problem, raw: str) -> fields.Problem:
    """The date problem with an ISO suggestion: ISO, not AP style, is canonical in these formats."""
    from archivekit.record.dates import find_date

    if problem.code == "date-empty":
        return problem._replace(
            message='the date is empty: give it as an ISO date, like "2011-08-25"'
        )
    if problem.code != "date-unrecognized":
        return problem
    found = find_date(raw)
    if found is not None:
        write = f"only the date, {quote(found.isoformat())}"
    elif raw.strip().lstrip("-").isdigit() and _epoch_hint(int(raw.strip())):
        return problem._replace(message=f"{quote(raw)} is not a date{_epoch_hint(int(raw))}")
    else:
        write = 'it as an ISO date, like "2011-08-25"'
    return problem._replace(
        message=f"{quote(raw)} is not a date in an accepted shape: write {write}"
    )


def _check_date(raw: str, style: str) -> tuple[dt.date | None, list[fields.Problem]]:
    """The text parser's date check, with ISO 8601 as the canonical spelling when asked."""
    value, problems = fields.check_date(raw)
    if style == "iso":
        problems = [_iso_hint(p, raw) for p in problems]
    if style != "iso" or value is None:
        return value, problems
    kept = [p for p in problems if p.code != "date-noncanonical"]
    if raw.strip() != value.isoformat():
        kept.append(
            fields.Problem(
                "date-noncanonical",
                "date",
                f"{quote(raw.strip())} is not an ISO date: write {quote(value.isoformat())}",
                0,
                len(raw),
            )
        )
    return value, kept


def _kind(value: object) -> str:
    names = {
        str: "a string",
        int: "a number",
        float: "a number",
        bool: "true/false",
        list: "a list",
        dict: "an object",
        type(None): "null",
    }
    return names.get(type(value), type(value).__name__)


_STRICT = RuleOptions()


def record_values(record: Record) -> dict[str, Any]:
    """The record as JSON values, in field order: ISO date, keyword list."""
    return {
        "url": record.url,
        "headline": record.headline,
        "keywords": list(record.keywords),
        "date": None if record.date is None else record.date.isoformat(),
        "word_count": record.word_count,
        "body": record.body,
    }


def stopped_message(what: str, rows_read: int, exc: BaseException) -> str:
    """The ``read-error`` of a many-record file that fails part-way: what was not read.

    A damaged container gives its first rows and then an error: the rest of the
    file is lost, which must not read like one bad record.
    """
    if rows_read == 0:
        return f"cannot read the {what}: {exc}"
    return (
        f"the {what} is damaged: reading stopped at row {rows_read + 1} "
        f"({rows_read} rows read), the rest of the file was not read: {exc}"
    )


def stopped_part_way(result: ParseResult) -> bool:
    """Is ``result`` the ``read-error`` of a many-record file read part-way (rows lost)?

    Rows before it were read; the rest of the file was not. Unlike one bad record
    (or one unreadable file), that loss cannot be skipped silently.
    """
    return (result.index or 0) > 1 and any(d.code == "read-error" for d in result.diagnostics)
