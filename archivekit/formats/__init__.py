"""The archivekit library: the record model, its text format, rules and checks.

Everything public is importable from here (or from :mod:`archivekit`); modules
are loaded on first use so that importing one piece does not pay for all.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from archivekit.formats.diagnostics import Diagnostic, ParseResult
    from archivekit.formats.errors import ArchiveKitError, InputError, UsageError
    from archivekit.formats.model import Record
    from archivekit.formats.parser import parse
    from archivekit.formats.rules import Rule, RuleOptions, Severity
    from archivekit.formats.validate import check_file, validate_paths
    from archivekit.formats.walk import iter_files
    from archivekit.formats.writer import dump_bytes, dumps

_HOME = {
    "Diagnostic": "diagnostics", "ParseResult": "diagnostics",
    "ArchiveKitError": "errors", "InputError": "errors", "UsageError": "errors",
    "Record": "model", "parse": "parser",
    "Rule": "rules", "RuleOptions": "rules", "Severity": "rules",
    "check_file": "validate", "validate_paths": "validate", "iter_files": "walk",
    "dump_bytes": "writer", "dumps": "writer",
}  # fmt: skip

__all__ = [
    "ArchiveKitError", "Diagnostic", "InputError", "ParseResult", "Record", "Rule",
    "RuleOptions", "Severity", "UsageError", "check_file", "dump_bytes", "dumps",
    "iter_files", "parse", "validate_paths",
]  # fmt: skip


def __getattr__(name: str) -> Any:
    module = _HOME.get(name)
    if module is None:
        raise AttributeError(f"module 'archivekit.formats' has no attribute {name!r}")
    return getattr(importlib.import_module(f"archivekit.formats.{module}"), name)
