"""The fast path: a record in canonical form checked and rendered from its bytes, no model built.

Most files of a real archive are canonical: six lines, no finding at all.
For them the full parser (record/parse.py) decodes, splits and checks every
field and builds a record that a writer then turns back into bytes; here a
few byte-level tests prove the record canonical, and JSON Lines, CSV and
JSON array elements are rendered straight from the checked bytes. Anything
these tests are unsure of returns ``None``: the caller then takes the full
parser, which reports exactly. The test suite proves the two paths equal
(findings and output bytes) under hypothesis, on canonical and mutated records.

It applies only with the default rule options (any opt-in rule, profile or
other setting goes the full way; the size limit is checked by the caller)
and to the output formats and settings listed in :func:`renderer`; Parquet
takes :func:`check`'s fields as they are and builds its Arrow columns of
them (record/arrow.py, proven equal to pyarrow's own conversion of the record).
"""

from __future__ import annotations

import binascii
import dataclasses
import re
import zlib
from collections.abc import Callable
from typing import TYPE_CHECKING

from archivekit.record.dates import format_ap, parse_date

if TYPE_CHECKING:
    from archivekit.formats import FormatOptions
    from archivekit.rules import RuleOptions

#: A canonical record's fields as bytes: URL, headline, keywords line, the date
#: in ISO 8601 (the form every output format writes), word count, body.
Fields = tuple[bytes, bytes, bytes, bytes, bytes, bytes]

#: Every byte that is not part of a control character (text.CONTROL) in UTF-8,
#: nor the lead byte 0xC2 of the C1 controls: deleting these leaves nothing
#: from a clean file (one C loop; a regex scan is many times slower).
_NOT_SUSPECT = bytes(
    b for b in range(256) if not (b < 0x20 and b not in (0x09, 0x0A)) and b not in (0x7F, 0xC2)
)
_C1 = re.compile(b"\xc2[\x80-\x9f]")
#: URLs the full check accepts without a word (fields._CANONICAL_URL), in bytes:
#: no ASCII space after the host, and (_SPACES) no Unicode one either.
_URL = re.compile(rb"[hH][tT][tT][pP][sS]?://[A-Za-z0-9.-]+(?:[/?#][!-~\x80-\xff]*)?")
#: The UTF-8 of every non-ASCII character ``str.isspace`` accepts (U+0085 is C1).
_SPACES = re.compile(
    rb"\xc2[\x85\xa0]|\xe1\x9a\x80|\xe2\x80[\x80-\x8a\xa8\xa9\xaf]|\xe2\x81\x9f|\xe3\x80\x80"
)
#: A word count with no leading zero that fits in 63 bits (18 digits always do).
_COUNT = re.compile(rb"0|[1-9][0-9]{0,17}")
#: Most keywords a record may hold (fields.MAX_KEYWORDS; imported lazily there).
_MAX_KEYWORDS = 10_000
#: Distinct date lines remembered: real archives carry tens of thousands of days
#: (20,000 generated records hold about 14,600); a full cache is emptied.
_DATE_CACHE_SIZE = 1 << 16
_dates: dict[bytes, bytes | None] = {}
_ASCII_SPACE = frozenset(b" \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f")
#: The Unicode spaces led by 0xE2 (U+2000 to U+200A, U+2028, U+2029, U+202F,
#: U+205F): one literal-prefixed scan, where _SPACES has no prefix to look for.
_E2_SPACES = re.compile(rb"\xe2(?:\x80[\x80-\x8a\xa8\xa9\xaf]|\x81\x9f)")


def applies(options: RuleOptions) -> bool:
    """True when the rule options are the defaults (the size limit aside): the fast path's own."""
    return options == _defaults(options.max_bytes)


def _defaults(max_bytes: int) -> RuleOptions:
    default = _DEFAULTS.get(max_bytes)
    if default is None:
        from archivekit.rules import RuleOptions

        default = _DEFAULTS[max_bytes] = dataclasses.replace(RuleOptions(), max_bytes=max_bytes)
    return default


_DEFAULTS: dict[int, RuleOptions] = {}


def check(data: bytes) -> Fields | None:
    """The fields of ``data`` when it is a canonical record with no finding at all, else None.

    None means only "not sure": the full parser decides. The caller has
    already checked the size limit.
    """
    checked = _check(data)
    return None if checked is None else checked[0]


def measured(data: bytes) -> tuple[Fields, int, int] | None:
    """:func:`check`, and the words and characters of the body (``archive stats``).

    One ``translate`` of the record serves both: its classes (:func:`counts`)
    mark the control characters the check looks for, and give the body's
    whitespace; the check decodes the record anyway, which gives its characters.
    """
    classes = data.translate(_RECORD_CLASSES)
    checked = _check(data, classes)
    if checked is None:
        return None
    fields, characters = checked
    url, headline, keywords, _, _, body = fields
    # The other lines' bytes less their characters (the date and count lines are ASCII).
    extra = _continuation(url) + _continuation(headline) + _continuation(keywords)
    characters -= len(data) - len(body) - extra
    head = len(data) - len(body)
    words, _ = _counts(body, characters, classes[head:])
    return fields, words, characters


def _continuation(value: bytes) -> int:
    """How many more bytes than characters a short valid UTF-8 field has."""
    return 0 if value.isascii() else len(value) - len(value.decode("utf-8"))


def _check(data: bytes, classes: bytes | None = None) -> tuple[Fields, int] | None:
    """:func:`check`'s work: the fields, and the characters of the whole record.

    ``classes``: ``data.translate(_RECORD_CLASSES)``, when made: a control character is a 3.
    """
    if not data or data[-1] == 0x0A or data[:3] == b"\xef\xbb\xbf":
        return None  # empty, a final newline, a byte order mark: findings
    if classes is None:
        suspects = data.translate(None, _NOT_SUSPECT)
        if suspects and (suspects.strip(b"\xc2") or _C1.search(data) is not None):
            return None  # a control character somewhere
    elif b"3" in classes or (b"\xc2" in data and _C1.search(data) is not None):
        return None  # the same test, on the classes
    parts = data.split(b"\n", 5)
    if len(parts) != 6:
        return None
    url, headline, keywords, date, count, body = parts
    if 0x0A in body or _URL.fullmatch(url) is None or _COUNT.fullmatch(count) is None:
        return None
    if not url.isascii() and _SPACES.search(url) is not None:
        return None
    iso = _dates.get(date, b"")
    if iso == b"":
        iso = _iso_date(date)
    if iso is None:
        return None
    try:
        # Valid UTF-8 as a whole (a line feed byte never sits inside a character).
        characters = len(data.decode("utf-8"))
    except UnicodeDecodeError:
        return None
    if not (_bare(headline) and _bare(body)):
        return None
    if keywords:
        pieces = keywords.split(b",")
        if len(pieces) > _MAX_KEYWORDS or len(set(pieces)) != len(pieces):
            return None
        for piece in pieces:
            if not _bare(piece):
                return None
    return (url, headline, keywords, iso, count, body), characters


def counts(value: bytes, characters: int | None = None) -> tuple[int, int]:
    """``(len(text.split()), len(text))`` of the valid UTF-8 ``value``, without decoding it.

    ``characters``: ``len(text)`` when already known (:func:`measured`), which saves a pass.

    Python's loops that count or find a frequent byte (``bytes.count(b" ")``,
    ``b"  " in body``) branch on every byte and run at about 0.5 GB/s on text;
    every pass here is branch-free or looks for a rare byte. One ``translate``
    classes each byte (``1``: ASCII whitespace, ``2``: a UTF-8 continuation
    byte, ``0``: any other); their sum (Adler-32's, in C) gives the whitespace
    and the characters; ``unhexlify`` of the classes, at even and odd offsets,
    makes a byte of every two neighbours, so that two whitespace bytes side
    by side are one rare byte (``0x11``) to look for. Words are then the
    whitespace bytes plus one (less a whitespace byte at either end); with
    whitespace side by side, they are the places where whitespace is followed
    by something else. A field holding a non-ASCII space (U+00A0, U+3000 ...)
    is decoded and split, as the definition says.
    """
    return _counts(value, characters, None)


def _counts(value: bytes, characters: int | None, classes: bytes | None) -> tuple[int, int]:
    """:func:`counts`; ``classes``: those of ``value`` when made (its ASCII whitespace a 1)."""
    size = len(value)
    plain = value.isascii()
    if not plain and (
        (b"\xe2" in value and _E2_SPACES.search(value) is not None)
        or (b"\xc2" in value and (b"\xc2\xa0" in value or b"\xc2\x85" in value))
        or (b"\xe1" in value and b"\xe1\x9a\x80" in value)
        or (b"\xe3" in value and b"\xe3\x80\x80" in value)
    ):
        text = value.decode("utf-8")
        return len(text.split()), len(text)
    if not size:
        return 0, 0
    if classes is None:
        classes = value.translate(_CLASSES)
    if plain:
        continuation = 0
    elif characters is not None:
        continuation = size - characters
    else:
        continuation = classes.count(b"2")  # rare: a predictable loop, but one more pass
    spaces = _total(classes, 0x30) - 2 * continuation
    if not spaces:
        return 1, size - continuation
    view = memoryview(classes)
    even = binascii.unhexlify(view[: size & ~1])
    odd = binascii.unhexlify(view[1 : 1 + ((size - 1) & ~1)])
    first = classes[0] == 0x31
    if b"\x11" not in even and b"\x11" not in odd:
        # No two whitespace bytes side by side: one word more than the gaps between them.
        return spaces + 1 - first - (classes[-1] == 0x31), size - continuation
    # Whitespace then something else (0x10, 0x12) ends a gap before a word.
    gaps = _total((even + odd).translate(_GAP_ENDS), 0)
    return gaps + (not first), size - continuation


def _total(data: bytes, base: int) -> int:
    """The sum of ``data``'s bytes less ``base`` each, when each is ``base`` to ``base + 2``.

    Adler-32's first half is 1 plus the bytes' sum modulo 65,521: exact for
    blocks short enough that the sum above ``base`` stays below it.
    """
    if len(data) <= _BLOCK:  # most fields: one call
        return ((zlib.adler32(data) & 0xFFFF) - 1 - base * len(data)) % 65521
    view = memoryview(data)
    total = 0
    for start in range(0, len(data), _BLOCK):
        block = view[start : start + _BLOCK]
        total += ((zlib.adler32(block) & 0xFFFF) - 1 - base * len(block)) % 65521
    return total


#: Bytes summed by one Adler-32 call: at most 2 above the base each, under 65,521 in all.
_BLOCK = 32_000
#: Each byte's class, as a hex digit: ASCII whitespace (str.isspace), a UTF-8
#: continuation byte, or any other.
_CLASSES = bytes(
    0x31 if chr(b).isspace() else 0x32 if 0x80 <= b < 0xC0 else 0x30 for b in range(128)
) + bytes(0x32 if b < 0xC0 else 0x30 for b in range(128, 256))
#: The classes of a whole record's bytes: the same, but a control character (what
#: check() refuses: text.CONTROL's C0 controls, DEL) is a 3, and a line feed a 1.
_RECORD_CLASSES = bytes(
    0x33 if (b < 0x20 and b not in (0x09, 0x0A)) or b == 0x7F else c for b, c in enumerate(_CLASSES)
)
#: Two neighbours' classes (unhexlified): whitespace then not -> 1, else 0.
_GAP_ENDS = bytes(1 if b in (0x10, 0x12) else 0 for b in range(256))


def _iso_date(line: bytes) -> bytes | None:
    """The ISO form of a canonical AP date line, else None; remembered either way."""
    iso = None
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    if text is not None:
        # Not through parse_date's own cache: _dates is this path's (one entry a day, not
        # two: memory in every worker grows with the distinct days met).
        parsed = parse_date.__wrapped__(text)
        if not isinstance(parsed, tuple) and format_ap(parsed) == text:
            iso = parsed.isoformat().encode("ascii")
    if len(_dates) >= _DATE_CACHE_SIZE:
        _dates.clear()
    _dates[line] = iso
    return iso


def _bare(value: bytes) -> bool:
    """Not empty, no whitespace at either end (``str.strip`` would change nothing)."""
    if not value:
        return False
    first, last = value[0], value[-1]
    if first < 0x80 and last < 0x80:
        return first not in _ASCII_SPACE and last not in _ASCII_SPACE
    # A non-ASCII character at an end may be a Unicode space (U+00A0, U+3000 ...).
    try:
        text = value[:4].decode("utf-8", "ignore")[:1] + value[-4:].decode("utf-8", "ignore")[-1:]
    except IndexError:  # pragma: no cover - decode never raises with "ignore"
        return False
    return len(text) == 2 and not text[0].isspace() and not text[1].isspace()


def _escaped(value: bytes) -> bytes:
    """``value`` inside a JSON string as orjson writes it: quotes, backslash and tab escaped.

    No other byte needs it: the check let no other control character through,
    and orjson writes non-ASCII characters (U+2028 too) and DEL as they are.
    """
    if b"\\" in value:
        value = value.replace(b"\\", b"\\\\")
    if b'"' in value:
        value = value.replace(b'"', b'\\"')
    if b"\t" in value:
        value = value.replace(b"\t", b"\\t")
    return value


def _json_parts(fields: Fields) -> list[bytes]:
    # One list joined once: the ~10 KB body is copied once (twice if it needs escapes).
    url, headline, keywords, iso, count, body = fields
    listed = b'","'.join([_escaped(k) for k in keywords.split(b",")]) if keywords else b""
    return [
        b'{"url":"',
        _escaped(url),
        b'","headline":"',
        _escaped(headline),
        b'","keywords":[' + (b'"' + listed + b'"' if keywords else b"") + b'],"date":"',
        iso,
        b'","word_count":',
        count,
        b',"body":"',
        _escaped(body),
    ]


def _json_object(fields: Fields) -> bytes:
    parts = _json_parts(fields)
    parts.append(b'"}')
    return b"".join(parts)


def _csv_cell(cell: bytes) -> bytes:
    # formats.csv._cell on bytes: quote a cell with a quote, a comma or a line break.
    if b'"' in cell:
        return b'"' + cell.replace(b'"', b'""') + b'"'
    if b"," in cell or b"\r" in cell or b"\n" in cell:
        return b'"' + cell + b'"'
    return cell


def _jsonl_row(fields: Fields) -> bytes:
    parts = _json_parts(fields)
    parts.append(b'"}\n')
    return b"".join(parts)


def _csv_row(fields: Fields) -> bytes:
    return b",".join([_csv_cell(cell) for cell in fields]) + b"\r\n"


#: Each format's row renderer and the bytes between two rows (formats.X.rows).
_ROWS: dict[str, tuple[Callable[[Fields], bytes], bytes]] = {
    "jsonl": (_jsonl_row, b""),
    "csv": (_csv_row, b""),
    "json": (_json_object, b",\n"),
}


def renderer(name: str, options: FormatOptions) -> Callable[[Fields], bytes] | None:
    """How to render one canonical record as a row of format ``name``, or None: use the format's.

    Known: JSON Lines, CSV and JSON array elements, with the default settings
    (CSV keywords joined by commas, no spreadsheet guard) and rule options.
    """
    known = _ROWS.get(name)
    if known is None or not applies(options.rules):
        return None
    # Every other reader and writer setting at its default (the rules and whether
    # records are kept aside): a setting added later takes the full path until
    # this module learns it.
    plain = dataclasses.replace(options, rules=_defaults(options.rules.max_bytes))
    if dataclasses.replace(plain, keep_records=True, paragraphs=False) != _plain_options(plain):
        return None
    return known[0]


def _plain_options(like: FormatOptions) -> FormatOptions:
    from archivekit.formats import FormatOptions

    return FormatOptions(rules=like.rules)


def separator(name: str) -> bytes:
    """The bytes between two rendered rows of format ``name`` (``,\\n`` for JSON arrays)."""
    known = _ROWS.get(name)
    return known[1] if known is not None else b""
