"""The archive text format itself: one record per file, read by the text parser."""

from __future__ import annotations

from typing import TYPE_CHECKING

from archivekit.record.parse import parse

if TYPE_CHECKING:
    # Not at run time: validating archive files never needs pydantic (start-up time).
    from archivekit.diagnostics import ParseResult
    from archivekit.formats import FormatOptions
    from archivekit.record.model import Record


def load(data: bytes, path: str, options: FormatOptions) -> tuple[ParseResult]:
    """The one record of an archive text file."""
    return (parse(data, path=path, options=options.rules, keep_record=options.keep_records),)


def dump(record: Record, options: FormatOptions) -> bytes:
    """The canonical archive text of ``record``."""
    from archivekit.record.write import dump_bytes

    return dump_bytes(record)
