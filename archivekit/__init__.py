"""archivekit: validate and convert news-archive record files.

The public API, importable from here::

    from archivekit import parse, dumps, validate_paths, Record

Names are loaded on first use, so that ``archive --version`` stays fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from archivekit.formats import (
        ArchiveKitError,
        Diagnostic,
        InputError,
        ParseResult,
        Record,
        Rule,
        RuleOptions,
        Severity,
        UsageError,
        check_file,
        dump_bytes,
        dumps,
        iter_files,
        parse,
        validate_paths,
    )

__all__ = [
    "ArchiveKitError", "Diagnostic", "InputError", "ParseResult", "Record", "Rule",
    "RuleOptions", "Severity", "UsageError", "__version__", "check_file", "dump_bytes",
    "dumps", "iter_files", "parse", "validate_paths",
]  # fmt: skip


def __getattr__(name: str) -> Any:
    if name in __all__:
        from archivekit import formats

        return getattr(formats, name)
    raise AttributeError(f"module 'archivekit' has no attribute {name!r}")
