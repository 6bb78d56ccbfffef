"""The JSON report: one document with a version, every finding, and the totals."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

import orjson

from archivekit.reports.base import Reporter, Totals
from archivekit.text import safe_path

if TYPE_CHECKING:
    from archivekit.diagnostics import Diagnostic, ParseResult

#: Bumped when a field changes meaning or goes away; new fields may come without it.
VERSION = 1


def finding(d: Diagnostic) -> dict[str, Any]:
    """One finding as a JSON object."""
    return {
        "path": safe_path(d.path),
        "line": d.line,
        "column": d.column,
        "end_column": d.end_column,
        "code": d.code,
        "severity": d.severity.value,
        "message": d.message,
        "field": d.field,
    }


class JsonReporter(Reporter):
    """A single JSON document, written as the findings come so memory stays flat."""

    name: ClassVar[str] = "json"
    description: ClassVar[str] = "one JSON document: version, findings, totals"
    _count = 0

    def add(self, result: ParseResult) -> None:
        """Write the file's findings into the ``findings`` array."""
        for d in result.diagnostics:
            self.stream.write(",\n" if self._count else self._head() + "\n")
            self._count += 1
            self.stream.write(orjson.dumps(finding(d)).decode())

    def _head(self) -> str:
        head = {"version": VERSION, "tool": {"name": "archivekit", "version": self.context.version}}
        return orjson.dumps(head).decode()[:-1] + ',"findings":['

    def close(self, totals: Totals) -> None:
        """Close the array and write the totals."""
        if self._count == 0:
            self.stream.write(self._head())
        document = {
            "files": totals.files,
            "records": totals.records,
            "errors": totals.errors,
            "warnings": totals.warnings,
            "baselined": totals.baselined,
            "failed": totals.failed(strict=self.context.strict),
            "by_rule": dict(sorted(totals.by_rule.items())),
        }
        self.stream.write('\n],"totals":' + orjson.dumps(document).decode() + "}\n")
