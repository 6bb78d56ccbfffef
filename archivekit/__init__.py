"""archivekit: validate and convert news-archive record files.

The public API, importable from here::

    from archivekit import parse, dumps, validate_paths, Validation, Record
    from archivekit import read_records, to_arrow, ARROW_SCHEMA  # to_arrow: archivekit[parquet]

Names are loaded on first use, so that ``archive --version`` stays fast.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from archivekit.convert import Conversion, ConvertOptions
    from archivekit.diagnostics import Diagnostic, ParseResult
    from archivekit.errors import ArchiveKitError, InputError, UsageError
    from archivekit.files.walk import iter_files
    from archivekit.record.arrow import ARROW_SCHEMA, to_arrow
    from archivekit.record.model import Record
    from archivekit.record.parse import parse
    from archivekit.record.write import dump_bytes, dumps
    from archivekit.rules import Rule, RuleOptions, Severity
    from archivekit.sources.batch import parse_batch
    from archivekit.sources.reading import read_records
    from archivekit.validate import Validation, check_file, validate_paths

#: Where each public name lives.
_HOME = {
    "ARROW_SCHEMA": "record.arrow",
    "ArchiveKitError": "errors",
    "Conversion": "convert",
    "ConvertOptions": "convert",
    "Diagnostic": "diagnostics",
    "InputError": "errors",
    "ParseResult": "diagnostics",
    "Record": "record.model",
    "Rule": "rules",
    "RuleOptions": "rules",
    "Severity": "rules",
    "UsageError": "errors",
    "Validation": "validate",
    "check_file": "validate",
    "dump_bytes": "record.write",
    "dumps": "record.write",
    "iter_files": "files.walk",
    "parse": "record.parse",
    "parse_batch": "sources.batch",
    "read_records": "sources.reading",
    "to_arrow": "record.arrow",
    "validate_paths": "validate",
}

__all__ = [
    "ARROW_SCHEMA",
    "ArchiveKitError",
    "Conversion",
    "ConvertOptions",
    "Diagnostic",
    "InputError",
    "ParseResult",
    "Record",
    "Rule",
    "RuleOptions",
    "Severity",
    "UsageError",
    "Validation",
    "__version__",
    "check_file",
    "dump_bytes",
    "dumps",
    "iter_files",
    "parse",
    "parse_batch",
    "read_records",
    "to_arrow",
    "validate_paths",
]


def __getattr__(name: str) -> Any:
    module = _HOME.get(name)
    if module is None:
        raise AttributeError(f"module 'archivekit' has no attribute {name!r}")
    return getattr(importlib.import_module(f"archivekit.{module}"), name)
