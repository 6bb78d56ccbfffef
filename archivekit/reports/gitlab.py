"""The GitLab Code Quality report: a JSON array of issues, as merge requests show them."""

from __future__ import annotations

import hashlib
from collections import Counter
from typing import TYPE_CHECKING, Any, ClassVar

import orjson

from archivekit.reports.base import Reporter, Totals, root_relative
from archivekit.text import safe_path

if TYPE_CHECKING:
    from archivekit.diagnostics import Diagnostic, ParseResult

#: Code Quality severities: info, minor, major, critical, blocker.
SEVERITY = {"error": "major", "warning": "minor"}


def fingerprint(path: str, d: Diagnostic, occurrence: int) -> str:
    """Stable across runs and unique in one: the file, rule, field, message and occurrence.

    Not the line: a finding that moves with an edit above it stays the same issue.
    """
    key = "\0".join((path, d.code, d.field or "", d.message, str(occurrence)))
    return hashlib.sha256(key.encode("utf-8", "surrogateescape")).hexdigest()


def issue(d: Diagnostic, path: str, occurrence: int) -> dict[str, Any]:
    """One Code Quality issue."""
    return {
        "description": f"{d.message} [{d.code}]",
        "check_name": d.code,
        "fingerprint": fingerprint(path, d, occurrence),
        "severity": SEVERITY.get(d.severity.value, "minor"),
        "location": {"path": path, "lines": {"begin": d.line}},
    }


class GitlabReporter(Reporter):
    """A JSON array of Code Quality issues, written as the findings come."""

    name: ClassVar[str] = "gitlab"
    description: ClassVar[str] = "GitLab Code Quality JSON (artifacts:reports:codequality)"
    _count = 0

    def add(self, result: ParseResult) -> None:
        """Write one issue per finding."""
        if not result.diagnostics:
            return
        path = safe_path(root_relative(result.path, self.context.root))
        seen: Counter[tuple[str, str | None, str]] = Counter()
        for d in result.diagnostics:
            key = (d.code, d.field, d.message)
            seen[key] += 1
            self.stream.write(",\n" if self._count else "[\n")
            self._count += 1
            # A record of a many-record file: its index keeps the fingerprint unique.
            where = path if result.index is None else f"{path}#{result.index}"
            item = issue(d, path, seen[key])
            item["fingerprint"] = fingerprint(where, d, seen[key])
            self.stream.write(orjson.dumps(item).decode())

    def close(self, totals: Totals) -> None:
        """Close the array (``[]`` when nothing was found)."""
        self.stream.write("\n]\n" if self._count else "[]\n")
