"""Write a record in the canonical archive text form."""

from __future__ import annotations

from archivekit.record.dates import format_ap
from archivekit.record.model import Record


def dumps(record: Record, *, final_newline: bool = False) -> str:
    """The canonical text of ``record``: LF line ends, AP date, no final newline.

    A null date or word count is an empty line. ``final_newline`` (``[tool.archive]
    final-newline = true``) ends it with one LF.
    """
    text = "\n".join(
        (
            record.url,
            record.headline,
            ",".join(record.keywords),
            "" if record.date is None else format_ap(record.date),
            "" if record.word_count is None else str(record.word_count),
            record.body,
        )
    )
    return text + "\n" if final_newline else text


def dump_bytes(record: Record, *, final_newline: bool = False) -> bytes:
    """The canonical file content of ``record``, UTF-8 encoded, no BOM."""
    return dumps(record, final_newline=final_newline).encode("utf-8")
