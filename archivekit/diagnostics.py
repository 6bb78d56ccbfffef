"""Findings about a record: what is wrong, where, and how bad it is."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from archivekit.rules import Severity

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
            ),
        )

    def __str__(self) -> str:
        return (
            f"{self.path}:{self.line}:{self.column}: "
            f"{self.severity.value}[{self.code}] {self.message}"
        )


@dataclass(frozen=True, slots=True)
class ParseResult:
    """What reading one record gave: every finding, and the record if none is an error.

    ``record`` is also ``None`` when the caller asked not to keep records
    (validation only); ``ok`` says whether the record was valid either way.
    """

    path: str
    record: Record | None
    diagnostics: tuple[Diagnostic, ...]

    def __reduce__(self) -> tuple[type[ParseResult], tuple[object, ...]]:  # see Diagnostic
        return (ParseResult, (self.path, self.record, self.diagnostics))

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
