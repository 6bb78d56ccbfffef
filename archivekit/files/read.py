"""Size limits that keep hostile input from exhausting memory or time."""

from __future__ import annotations

import os
import re

#: Largest record file read by default: 64 MiB, hundreds of times the largest
#: real article, small enough that a worker holds it (bytes and text) easily.
DEFAULT_MAX_BYTES = 64 * 2**20
#: Most keywords one record may hold. Real records have a few dozen; each
#: keyword costs a few hundred bytes of Python objects, so a file of commas
#: could otherwise grow a million-fold in memory.
MAX_KEYWORDS = 10_000

#: Most bytes one ``.gz`` file, or all the members of one ``.tar``/``.zip``
#: together, may decompress to (environment variable ``ARCHIVEKIT_MAX_TOTAL``).
#: Members are held in memory one at a time, each under the file-size limit;
#: this bounds the time and the disk a hostile archive can cost.
DEFAULT_MAX_TOTAL = 2**30
#: Largest decompressed-to-compressed ratio past the first MiB (environment
#: variable ``ARCHIVEKIT_MAX_RATIO``). Text compresses 3 to 10 times; a run of
#: zeros, the stuff of decompression bombs, about a thousand times.
DEFAULT_MAX_RATIO = 100.0

_SIZE = re.compile(r"\s*([0-9]+)\s*([kmgt]?)(i?b)?\s*", re.IGNORECASE)
_UNITS = {"": 1, "k": 2**10, "m": 2**20, "g": 2**30, "t": 2**40}

_default_max_bytes = DEFAULT_MAX_BYTES


def parse_size(text: str) -> int:
    """Read a size: ``1000``, ``64K``, ``64M``, ``1G`` (binary units; ``MiB``, ``MB`` alike).

    Raises ValueError for anything else, or for a size below 1.
    """
    match = _SIZE.fullmatch(text)
    if match is None:
        raise ValueError(f"{text!r} is not a size: write bytes, or a number with K, M or G")
    size = int(match.group(1)) * _UNITS[match.group(2).lower()]
    if size < 1:
        raise ValueError(f"{text!r}: the size must be at least 1 byte")
    return size


def default_max_bytes() -> int:
    """The file-size limit used when :class:`RuleOptions` is given none."""
    return _default_max_bytes


def set_default_max_bytes(size: int) -> None:
    """Change the process-wide default file-size limit (the CLI's ``--max-bytes``)."""
    global _default_max_bytes
    if size < 1:
        raise ValueError("the size limit must be at least 1 byte")
    _default_max_bytes = size


def format_size(size: int) -> str:
    """``512 bytes``, ``64 MiB``, ``100.0 MiB``: a size for a message."""
    for unit, scale in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if size >= scale:
            value = size / scale
            return f"{value:.0f} {unit}" if size % scale == 0 else f"{value:.1f} {unit}"
    return f"{size} byte{'' if size == 1 else 's'}"


def too_large_message(size: int | None, limit: int) -> str:
    """The ``file-too-large`` message; ``size`` is None when only "over" is known."""
    what = f"the file is {format_size(size)}, over" if size is not None else "the file is over"
    return (
        f"{what} the {format_size(limit)} limit ({limit} bytes): "
        "split it, or raise the limit with --max-bytes"
    )


def bomb_limits() -> tuple[int, float]:
    """(total, ratio) limits on decompression, from the environment or the defaults.

    Raises ValueError for a value that is not a size (total) or a number of at
    least 1 (ratio).
    """
    total = os.environ.get("ARCHIVEKIT_MAX_TOTAL", "").strip()
    ratio_text = os.environ.get("ARCHIVEKIT_MAX_RATIO", "").strip()
    try:
        ratio = float(ratio_text) if ratio_text else DEFAULT_MAX_RATIO
    except ValueError:
        ratio = 0.0
    if not ratio >= 1:  # NaN too
        raise ValueError(f"ARCHIVEKIT_MAX_RATIO={ratio_text!r}: give a number of at least 1")
    try:
        size = parse_size(total) if total else DEFAULT_MAX_TOTAL
    except ValueError as exc:
        raise ValueError(f"ARCHIVEKIT_MAX_TOTAL: {exc}") from None
    return size, ratio
