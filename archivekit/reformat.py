"""Rewrite valid record files into canonical form (`archive fmt`); invalid ones are untouched."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from enum import StrEnum

from archivekit.diagnostics import Diagnostic
from archivekit.files.atomic import write_atomic
from archivekit.record.parse import parse
from archivekit.record.write import dump_bytes


class FmtStatus(StrEnum):
    """What formatting did (or would do) to one file."""

    UNCHANGED = "unchanged"
    REFORMATTED = "reformatted"
    INVALID = "invalid"


@dataclass(frozen=True, slots=True)
class FmtOutcome:
    """One file's outcome; ``before``/``after`` are kept only when they differ."""

    path: str
    status: FmtStatus
    diagnostics: tuple[Diagnostic, ...] = ()
    before: bytes = b""
    after: bytes = b""


def format_bytes(data: bytes, *, path: str = "<string>") -> FmtOutcome:
    """The canonical form of ``data`` (``dumps(parse(data))``), or INVALID with the errors."""
    result = parse(data, path=path)
    if result.record is None:
        return FmtOutcome(path, FmtStatus.INVALID, result.errors)
    canonical = dump_bytes(result.record)
    if canonical == data:
        return FmtOutcome(path, FmtStatus.UNCHANGED)
    return FmtOutcome(path, FmtStatus.REFORMATTED, result.diagnostics, data, canonical)


def format_file(path: str, *, write: bool = True) -> FmtOutcome:
    """Format the file at ``path`` in place (atomically) when ``write``; raises OSError."""
    with open(path, "rb") as handle:
        data = handle.read()
    outcome = format_bytes(data, path=path)
    if write and outcome.status is FmtStatus.REFORMATTED:
        write_atomic(path, outcome.after)
    return outcome


def unified_diff(outcome: FmtOutcome) -> str:
    """A unified diff from the file as it is to its canonical form.

    Line ends and a byte order mark are shown escaped, since a diff of
    invisible characters would show nothing.
    """

    def lines(data: bytes) -> list[str]:
        text = data.decode("utf-8", "replace")
        text = text.replace("\ufeff", "<U+FEFF>").replace("\r", "\\r")
        return [line + "\n" for line in text.split("\n")]

    before, after = lines(outcome.before), lines(outcome.after)
    return "".join(
        difflib.unified_diff(
            before, after, f"{outcome.path} (before)", f"{outcome.path} (canonical)"
        )
    )
