"""Findings about a record: what is wrong, where, how bad; and the one way to build one."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

from archivekit.rules import RULE_BY_CODE, Severity

if TYPE_CHECKING:  # not at run time: validating alone never imports pydantic
    from archivekit.record.model import Record


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One finding: a rule code, where it is (1-based line and column), and a message."""

    code: str
    severity: Severity
    message: str
    path: str
    line: int
    column: int
    end_column: int
    field: str | None = None
    #: Another file the finding is about (duplicate-url: the first file with the URL).
    related: str | None = None

    # Pickled by the constructor: the generated __setstate__ of a slots dataclass
    # calls dataclasses.fields() for every object, the largest cost of sending
    # results back from worker processes (cProfile of archive convert).
    def __reduce__(self) -> tuple[type[Diagnostic], tuple[object, ...]]:
        return (
            Diagnostic,
            (
                self.code,
                self.severity,
                self.message,
                self.path,
                self.line,
                self.column,
                self.end_column,
                self.field,
                self.related,
            ),
        )

    def __str__(self) -> str:
        return (
            f"{self.path}:{self.line}:{self.column}: "
            f"{self.severity.value}[{self.code}] {self.message}"
        )


def finding(
    code: str,
    message: str,
    path: str,
    line: int = 1,
    column: int = 1,
    length: int = 1,
    field: str | None = None,
    *,
    severity: Severity | None = None,
    related: str | None = None,
) -> Diagnostic:
    """A finding of rule ``code`` at ``line``:``column``, ``length`` characters long.

    The one way archivekit builds a :class:`Diagnostic`: the severity is the
    rule's (configuration levels are applied later, by the validate pipeline),
    or ``severity`` when a profile lowers it (``--profile scraped``).
    """
    return Diagnostic(
        code,
        severity or RULE_BY_CODE[code].severity,
        message,
        path,
        line,
        column,
        column + max(length, 1),
        field,
        related,
    )


@dataclass(frozen=True, slots=True)
class ParseResult:
    """What reading one record gave: every finding, and the record if none is an error.

    ``record`` is also ``None`` when the caller asked not to keep records
    (validation only); ``ok`` says whether the record was valid either way.
    ``index`` is the 1-based number of the record inside a file that holds
    many (JSON array, JSON Lines, CSV), ``None`` for a file of one record;
    ``line`` is the line it starts on.
    """

    path: str
    record: Record | None
    diagnostics: tuple[Diagnostic, ...]
    index: int | None = None
    line: int = 1

    def __reduce__(self) -> tuple[type[ParseResult], tuple[object, ...]]:  # see Diagnostic
        return (ParseResult, (self.path, self.record, self.diagnostics, self.index, self.line))

    @property
    def ok(self) -> bool:
        """True when no finding is an error: the record is valid."""
        return not any(d.severity is Severity.ERROR for d in self.diagnostics)

    @property
    def errors(self) -> tuple[Diagnostic, ...]:
        """The findings that make the record invalid."""
        return tuple(d for d in self.diagnostics if d.severity is Severity.ERROR)

    @property
    def warnings(self) -> tuple[Diagnostic, ...]:
        """The findings that leave the record valid."""
        return tuple(d for d in self.diagnostics if d.severity is Severity.WARNING)


def failed(
    path: str,
    code: str,
    message: str,
    line: int = 1,
    column: int = 1,
    *,
    index: int | None = None,
) -> ParseResult:
    """The result of a record (or file) that could not be read at all: one finding."""
    return ParseResult(path, None, (finding(code, message, path, line, column),), index, line)


def unreadable(label: str, exc: BaseException, *, path: str | None = None) -> ParseResult:
    """The ``read-error`` result of an input that cannot be read (``path``: its file, if any)."""
    reason = getattr(exc, "strerror", None) or str(exc)
    what = "the folder" if path and os.path.isdir(path) else "the file"
    return failed(label, "read-error", f"cannot read {what}: {reason}")
