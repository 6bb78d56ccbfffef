"""The SARIF 2.1.0 report, as GitHub code scanning and other analysis dashboards read it."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import quote

import orjson

from archivekit.reports.base import Reporter, Totals
from archivekit.rules import RULES, Rule

if TYPE_CHECKING:
    from archivekit.diagnostics import Diagnostic, ParseResult

SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
INFORMATION_URI = "https://pypi.org/project/archivekit/"


def rule_name(code: str) -> str:
    """SARIF wants a PascalCase name beside the id: ``date-invalid`` -> ``DateInvalid``."""
    return "".join(part.capitalize() for part in code.split("-"))


def rule_descriptor(rule: Rule) -> dict[str, Any]:
    """A ``reportingDescriptor``: id, name, descriptions, help with examples, default level."""
    bad, good = rule.bad or "(empty)", rule.good or "(empty)"
    return {
        "id": rule.code,
        "name": rule_name(rule.code),
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": rule.summary},
        "help": {
            "text": f"{rule.summary}\nBad: {bad}\nGood: {good}\n"
            f"Details: archive explain {rule.code}",
            "markdown": f"{rule.summary}\n\nBad:\n\n```\n{bad}\n```\n\nGood:\n\n```\n{good}\n```",
        },
        "defaultConfiguration": {"level": rule.severity.value, "enabled": not rule.opt_in},
        "properties": {"tags": ["archive", "opt-in" if rule.opt_in else rule.severity.value]},
    }


def artifact_uri(path: str) -> str:
    """A URI reference for ``path``: relative stays relative (GitHub resolves it from the
    repository root), ``./`` and ``..`` folded, POSIX slashes; absolute becomes ``file://``.

    The name's own bytes are percent-encoded (``os.fsencode``), so a name that
    is not UTF-8 still gives a valid URI that names that very file.
    """
    uri = quote(os.fsencode(os.path.normpath(path).replace(os.sep, "/")), safe="/")
    return "file://" + uri if os.path.isabs(path) else uri


def result_object(d: Diagnostic, index: int) -> dict[str, Any]:
    """One SARIF ``result`` for a finding."""
    return {
        "ruleId": d.code,
        "ruleIndex": index,
        "level": d.severity.value,
        "message": {"text": d.message},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": artifact_uri(d.path)},
                    "region": {
                        "startLine": d.line,
                        "startColumn": d.column,
                        "endColumn": max(d.end_column, d.column + 1),
                    },
                }
            }
        ],
    }


class SarifReporter(Reporter):
    """One SARIF log with one run; results are written as they come."""

    name: ClassVar[str] = "sarif"
    description: ClassVar[str] = "SARIF 2.1.0 (GitHub code scanning)"
    _started = False
    _count = 0

    def _start(self) -> None:
        self._started = True
        self._index = {rule.code: i for i, rule in enumerate(RULES)}
        driver = {
            "name": "archivekit",
            "version": self.context.version,
            "semanticVersion": self.context.version,
            "informationUri": INFORMATION_URI,
            "rules": [rule_descriptor(rule) for rule in RULES],
        }
        head = orjson.dumps({"$schema": SCHEMA, "version": "2.1.0"}).decode()[:-1]
        run = orjson.dumps({"tool": {"driver": driver}, "columnKind": "unicodeCodePoints"})
        self.stream.write(f'{head},"runs":[{run.decode()[:-1]},"results":[')

    def add(self, result: ParseResult) -> None:
        """Write one SARIF result per finding."""
        if not self._started:
            self._start()
        for d in result.diagnostics:
            self.stream.write(",\n" if self._count else "\n")
            self._count += 1
            self.stream.write(orjson.dumps(result_object(d, self._index.get(d.code, -1))).decode())

    def close(self, totals: Totals) -> None:
        """Close the results and the run."""
        if not self._started:
            self._start()
        self.stream.write('\n],"invocations":[{"executionSuccessful":true}]}]}\n')
