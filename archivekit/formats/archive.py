"""The archive text format itself: one record per file, read by the text parser."""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO

from archivekit.formats.base import FormatOptions, Read
from archivekit.record.model import Record
from archivekit.record.parse import parse
from archivekit.record.write import dump_bytes


def read(stream: BinaryIO, path: str, options: FormatOptions) -> Iterator[Read]:
    """The one record of an archive text file."""
    yield Read(parse(stream.read(), path=path))


def dump(record: Record, options: FormatOptions) -> bytes:
    """The canonical archive text of ``record``."""
    return dump_bytes(record)
