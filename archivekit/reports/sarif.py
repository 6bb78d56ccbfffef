"""The SARIF 2.1.0 report, as GitHub code scanning and other analysis dashboards read it."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import quote

import orjson

from archivekit.reports.base import Reporter, Totals, root_relative
from archivekit.rules import FIXABLE, RULES, Rule, explain

if TYPE_CHECKING:
    from archivekit.diagnostics import Diagnostic, ParseResult

SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
INFORMATION_URI = "https://pypi.org/project/archivekit/"
#: The base every artifact URI is relative to: the repository root.
SRCROOT = "%SRCROOT%"


def rule_name(code: str) -> str:
    """SARIF wants a PascalCase name beside the id: ``date-invalid`` -> ``DateInvalid``."""
    return "".join(part.capitalize() for part in code.split("-"))


def rule_descriptor(rule: Rule) -> dict[str, Any]:
    """A ``reportingDescriptor``: id, name, descriptions, help with examples, default level."""
    # The help is archive explain's text, whole: no helpUri to a site that may not exist.
    text = explain(rule.code)
    bad, good = rule.bad or "(empty)", rule.good or "(empty)"
    markdown = (
        f"**{rule.summary}**\n\n{rule.details}\n\nBad:\n\n```\n{bad}\n```\n\n"
        f"Good:\n\n```\n{good}\n```\n\n`archive explain {rule.code}` prints this help."
    )
    return {
        "id": rule.code,
        "name": rule_name(rule.code),
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": rule.details or rule.summary},
        "help": {"text": text, "markdown": markdown},
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


def artifact_location(path: str, root: str | None = None) -> dict[str, str]:
    """An ``artifactLocation``: relative to the repository root (``%SRCROOT%``) when below it.

    Relative to the root, not to the current folder: a job run under
    ``working-directory: sub`` still names ``sub/a.txt``, the path code
    scanning knows. A file outside the root gets an absolute ``file://`` URI.
    """
    rel = root_relative(path, root)
    if rel.startswith("/"):
        return {"uri": artifact_uri(rel)}
    return {"uri": artifact_uri(rel), "uriBaseId": SRCROOT}


def result_object(d: Diagnostic, index: int, root: str | None = None) -> dict[str, Any]:
    """One SARIF ``result`` for a finding."""
    result: dict[str, Any] = {
        "ruleId": d.code,
        "ruleIndex": index,
        "level": d.severity.value,
        "message": {"text": d.message},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": artifact_location(d.path, root),
                    "region": {
                        "startLine": d.line,
                        "startColumn": d.column,
                        "endColumn": max(d.end_column, d.column + 1),
                    },
                }
            }
        ],
    }
    if d.related is not None:
        result["relatedLocations"] = [
            {
                "id": 1,
                "message": {"text": "the first record with this URL"},
                "physicalLocation": {
                    "artifactLocation": artifact_location(d.related, root),
                    "region": {"startLine": 1},
                },
            }
        ]
    return result


#: Fixes that change one field line (1 to 5) and nothing else.
_LINE_FIXES = frozenset(
    {
        "date-noncanonical",
        "date-unrecognized",
        "whitespace",
        "keyword-empty",
        "keyword-duplicate",
        "word-count-noncanonical",
    }
)


class _FileFix:
    """What ``archive validate --fix`` would write for one file: its lines before and after."""

    def __init__(self, path: str) -> None:
        from archivekit.files.read import DEFAULT_MAX_BYTES, over_limit, read_file
        from archivekit.fixes import fix_bytes

        self.before = b""
        self.after = b""
        try:
            data, size = read_file(path, DEFAULT_MAX_BYTES)
        except OSError:
            return
        if over_limit(data, size, DEFAULT_MAX_BYTES):
            return
        after, fixes = fix_bytes(data)
        if fixes:
            self.before, self.after = data, after
        text = self.before.decode("utf-8", "replace").removeprefix("\ufeff")
        self.old = [line.removesuffix("\r") for line in text.split("\n", 5)]
        self.new = self.after.decode("utf-8", "replace").split("\n", 5)

    def replacement(self, d: Diagnostic) -> dict[str, Any] | None:
        """The SARIF ``replacement`` that fixes ``d``, or None if --fix would not."""
        if not self.after:
            return None
        line = d.line
        if d.code in _LINE_FIXES and line <= 5 and len(self.old) == len(self.new) == 6:
            old, new = self.old[line - 1], self.new[line - 1]
            if old == new:
                return None
            region = {"startLine": line, "startColumn": 1, "endColumn": len(old) + 1}
            return {"deletedRegion": region, "insertedContent": {"text": new}}
        # A BOM, line ends, the final newline or the body: the file's bytes, whole.
        return {
            "deletedRegion": {"byteOffset": 0, "byteLength": len(self.before)},
            "insertedContent": {"text": self.after.decode("utf-8")},
        }


def fixes_for(d: Diagnostic, fix: _FileFix, root: str | None) -> list[dict[str, Any]]:
    """The SARIF ``fixes`` of a finding that ``archive validate --fix`` repairs."""
    replacement = fix.replacement(d)
    if replacement is None:
        return []
    whole = "byteOffset" in replacement["deletedRegion"]
    also = " (rewriting the whole file, its other fixable findings too)" if whole else ""
    return [
        {
            "description": {"text": f"archive validate --fix repairs {d.code}{also}"},
            "artifactChanges": [
                {"artifactLocation": artifact_location(d.path, root), "replacements": [replacement]}
            ],
        }
    ]


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
        root = os.path.realpath(self.context.root) if self.context.root else os.getcwd()
        folder = os.fsencode(os.path.join(root, "").replace(os.sep, "/"))  # bytes: any name
        base = {SRCROOT: {"uri": "file://" + quote(folder)}}
        run = orjson.dumps(
            {
                "tool": {"driver": driver},
                "originalUriBaseIds": base,
                "columnKind": "unicodeCodePoints",
            }
        )
        self.stream.write(f'{head},"runs":[{run.decode()[:-1]},"results":[')

    def add(self, result: ParseResult) -> None:
        """Write one SARIF result per finding."""
        if not self._started:
            self._start()
        fix: _FileFix | None = None
        for d in result.diagnostics:
            self.stream.write(",\n" if self._count else "\n")
            self._count += 1
            found = result_object(d, self._index.get(d.code, -1), self.context.root)
            if d.code in FIXABLE and result.index is None and result.path != "<stdin>":
                fix = fix or _FileFix(result.path)
                if changes := fixes_for(d, fix, self.context.root):
                    found["fixes"] = changes
            self.stream.write(orjson.dumps(found).decode())

    def close(self, totals: Totals) -> None:
        """Close the results and the run."""
        if not self._started:
            self._start()
        self.stream.write('\n],"invocations":[{"executionSuccessful":true}]}]}\n')
