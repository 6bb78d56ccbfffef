"""Per-field checks: each takes a field as written and returns its normal form and problems.

The text parser, the other formats' readers and the model's own validators all
call these, so that a field means the same thing wherever it comes from.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import re
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple
from urllib.parse import urlsplit

from archivekit.record.dates import DateProblem, format_ap, parse_date
from archivekit.rules import RULES, Severity
from archivekit.text import CONTROL, CONTROL_RANGES, char_name, quote

#: The six fields of a record, in file order: line 1 is the URL, line 6 (to the end) the body.
FIELDS = ("url", "headline", "keywords", "date", "word_count", "body")
#: Each field's name in a message ("the word count is empty").
LABELS = {
    "url": "URL",
    "headline": "headline",
    "keywords": "keywords",
    "date": "date",
    "word_count": "word count",
    "body": "body",
}

#: Most keywords one record may hold. Real records have a few dozen; each
#: keyword costs a few hundred bytes of Python objects, so a file of commas
#: could otherwise grow a million-fold in memory.
MAX_KEYWORDS = 10_000

#: The largest word count we accept: a signed 64-bit integer, so that every
#: spreadsheet, database and JSON reader downstream can hold it.
MAX_WORD_COUNT = 2**63 - 1

#: Findings of one kind listed per field; the last one counts the rest.
MAX_LISTED = 10

#: Deletes what CONTROL matches: str.translate counts them far faster than a regex.
_NO_CONTROLS: dict[int, None] = dict.fromkeys(c for a, b in CONTROL_RANGES for c in range(a, b + 1))

_DIGITS = re.compile(r"[0-9]+")
#: URLs that urlsplit would surely accept, with a host: a plain ASCII host
#: name, no user, port or brackets. Most URLs look like this, and matching
#: them here is five times cheaper than urlsplit.
_PLAIN_URL = re.compile(r"[hH][tT][tT][pP][sS]?://[A-Za-z0-9.-]+(?:[/?#].*)?", re.DOTALL)
_SPACE = re.compile(r"\s")


class Problem(NamedTuple):
    """A finding about one field; ``offset`` counts characters into the field as written."""

    code: str
    field: str
    message: str
    offset: int = 0
    length: int = 0


def _controls(field: str, text: str) -> list[Problem]:
    problems = [
        Problem(
            "control-char",
            field,
            f"{char_name(m.group())} in the {LABELS[field]}: remove it",
            m.start(),
            1,
        )
        for m in itertools.islice(CONTROL.finditer(text), MAX_LISTED)
    ]
    if len(problems) == MAX_LISTED:
        # A field of a million NULs must not become a million findings (each
        # later placed by a scan of the text): count the rest in one pass.
        last = problems[-1]
        tail = text[last.offset + 1 :]
        rest = len(tail) - len(tail.translate(_NO_CONTROLS))
        if rest:
            problems[-1] = last._replace(
                message=f"{last.message} (and {rest} more like it in "
                f"the {LABELS[field]}, not shown)"
            )
    return problems


def _trim(field: str, text: str) -> tuple[str, list[Problem]]:
    """Strip surrounding whitespace, with a warning when there was any."""
    stripped = text.strip()
    if stripped == text or not stripped:
        return stripped, []
    lead = len(text) - len(text.lstrip())
    offset = 0 if lead else len(stripped)
    return stripped, [
        Problem(
            "whitespace",
            field,
            f"spaces around the {LABELS[field]} {quote(stripped)}: remove them",
            offset,
            lead or len(text) - len(stripped),
        )
    ]


def check_url(text: str) -> tuple[str | None, list[Problem]]:
    """An absolute http(s) URL with a host, kept exactly as written (but trimmed)."""
    return _url(text, _controls("url", text))


# The private twins of the checks (_url, _text, _keywords_line, _date,
# _word_count) take the control-character findings as an argument: the parser
# passes [] when one scan of the whole file's bytes found no control at all,
# which spares a regex pass over every field (the body is ~10 KB).


def _url(text: str, problems: list[Problem]) -> tuple[str | None, list[Problem]]:
    value, trimmed = _trim("url", text)
    problems += trimmed
    lead = len(text) - len(text.lstrip())

    def bad(message: str, offset: int = 0, length: int = 0) -> tuple[None, list[Problem]]:
        return None, [*problems, Problem("url-invalid", "url", message, lead + offset, length)]

    if not value:
        return bad("the URL line is empty: give the article's absolute http:// or https:// URL")
    space = _SPACE.search(value)
    if space is not None:
        return bad(
            f"{quote(value)} holds whitespace: percent-encode it as %20 or remove it",
            space.start(),
            1,
        )
    scheme, sep, _ = value.partition("://")
    if not sep or scheme.lower() not in ("http", "https"):
        hint = "it has no scheme" if value.startswith("//") or not sep else "only http and https"
        return bad(
            f"{quote(value)} is not an absolute http(s) URL ({hint}): "
            f"write it as http://… or https://…",
            0,
            len(value),
        )
    if _PLAIN_URL.fullmatch(value) is not None:
        return (None if _has_error(problems) else value), problems
    try:
        parts = urlsplit(value)
        host, _port = parts.hostname, parts.port  # .port raises on a bad port
    except ValueError as exc:
        return bad(f"{quote(value)} is not a well-formed URL: {exc}", 0, len(value))
    if not host:
        return bad(f"{quote(value)} has no host: write it as http://host/path", len(scheme) + 3, 1)
    return (None if _has_error(problems) else value), problems


def check_text(
    field: str, text: str, *, empty_code: str, multiline: bool = False
) -> tuple[str | None, list[Problem]]:
    """A free-text field (headline, body): not blank, no controls."""
    return _text(field, text, empty_code, multiline, _controls(field, text))


def _text(
    field: str, text: str, empty_code: str, multiline: bool, problems: list[Problem]
) -> tuple[str | None, list[Problem]]:
    if not multiline and "\n" in text:
        problems.append(
            Problem(
                "control-char",
                field,
                f"a line break in the {LABELS[field]}: join the lines",
                text.index("\n"),
                1,
            )
        )
    value, trimmed = _trim(field, text)
    problems += trimmed
    if not value:
        what = "empty" if not text else "blank"
        problems.append(
            Problem(
                empty_code,
                field,
                f"the {LABELS[field]} is {what}: give the article's {LABELS[field]}",
                0,
                len(text),
            )
        )
    elif multiline and "\n" in value:
        first = text.index("\n")
        problems.append(
            Problem(
                "body-multiline",
                field,
                f"the body runs over {value.count(chr(10)) + 1} lines: join them into one line",
                first,
                1,
            )
        )
    return (None if _has_error(problems) else value), problems


def check_keywords(text: str | Sequence[str]) -> tuple[tuple[str, ...] | None, list[Problem]]:
    """Keywords from a comma-separated line, or from a list (other formats)."""
    if isinstance(text, str):
        return _keywords_line(text, _controls("keywords", text))
    if (too_many := _too_many(len(text))) is not None:
        return too_many
    problems: list[Problem] = []
    pieces = [(piece, 0) for piece in text]
    for index, piece in enumerate(text):
        bad = next((c for c in (",", "\n", "\r") if c in piece), None)
        if bad is not None:
            problems.append(
                Problem(
                    "keyword-invalid",
                    "keywords",
                    f"keyword {index + 1} {quote(piece)} holds "
                    f"{'a comma' if bad == ',' else 'a line break'}: "
                    'a keyword cannot, write it as "Last  First"',
                )
            )
        problems += [p._replace(offset=0) for p in _controls("keywords", piece)]
    return _keywords(pieces, problems)


def _too_many(count: int) -> tuple[None, list[Problem]] | None:
    """Refuse a keyword list too long to hold (a file of commas would grow a million-fold)."""
    if count <= MAX_KEYWORDS:
        return None
    return None, [
        Problem(
            "keyword-too-many",
            "keywords",
            f"{count} keyword entries: a record holds at most {MAX_KEYWORDS}",
            0,
            1,
        )
    ]


def _keywords_line(
    text: str, problems: list[Problem]
) -> tuple[tuple[str, ...] | None, list[Problem]]:
    if (too_many := _too_many(text.count(",") + 1)) is not None:
        return too_many
    if "\n" in text:
        problems.append(
            Problem(
                "keyword-invalid", "keywords", "a line break in the keywords", text.index("\n"), 1
            )
        )
    pieces: list[tuple[str, int]] = []
    start = 0
    if text.strip():
        for piece in text.split(","):
            pieces.append((piece, start))
            start += len(piece) + 1
    elif text:
        problems.append(
            Problem(
                "whitespace",
                "keywords",
                "the keywords line holds only spaces: leave it empty",
                0,
                len(text),
            )
        )
    return _keywords(pieces, problems)


def _keywords(
    pieces: list[tuple[str, int]], problems: list[Problem]
) -> tuple[tuple[str, ...] | None, list[Problem]]:
    keywords: list[str] = []
    seen: set[str] = set()
    spaced: list[tuple[str, int]] = []
    empty: list[int] = []
    duplicate: list[tuple[str, int]] = []
    for piece, offset in pieces:
        value = piece.strip()
        if value != piece and value:
            spaced.append((piece, offset))
        if not value:
            empty.append(offset)
        elif value in seen:
            duplicate.append((value, offset))
        else:
            seen.add(value)
            keywords.append(value)
    if spaced:
        piece, offset = spaced[0]
        problems.append(
            Problem(
                "whitespace",
                "keywords",
                f"spaces around {_count(len(spaced), 'keyword')} "
                f"(first {quote(piece)}): remove the spaces around the commas",
                offset,
                len(piece),
            )
        )
    if empty:
        entries = _count(len(empty), "empty keyword entry", "empty keyword entries")
        problems.append(
            Problem(
                "keyword-empty",
                "keywords",
                f"{entries} (a doubled or trailing comma): remove them",
                empty[0],
                1,
            )
        )
    if duplicate:
        names = ", ".join(quote(value) for value, _ in duplicate[:3])
        problems.append(
            Problem(
                "keyword-duplicate",
                "keywords",
                f"{names} {'appears' if len(duplicate) == 1 else 'appear'} twice: keep one",
                duplicate[0][1],
                len(duplicate[0][0]),
            )
        )
    return (None if _has_error(problems) else tuple(keywords)), problems


def check_date(text: str | dt.date) -> tuple[dt.date | None, list[Problem]]:
    """A calendar day, written in AP style (other accepted shapes give a warning)."""
    if isinstance(text, dt.date):
        return text, []
    return _date(text, _controls("date", text))


def _date(text: str, problems: list[Problem]) -> tuple[dt.date | None, list[Problem]]:
    value, problems_trim = _trim("date", text)
    problems += problems_trim
    lead = len(text) - len(text.lstrip())
    if not value:
        problems.append(
            Problem(
                "date-empty", "date", 'the date is empty: give it in AP style, like "Aug. 25, 2011"'
            )
        )
        return None, problems
    parsed = parse_date(value)
    if isinstance(parsed, DateProblem):
        problems.append(
            Problem(parsed.code, "date", parsed.message, lead + parsed.offset, parsed.length)
        )
        return None, problems
    canonical = format_ap(parsed)
    if canonical != value:
        problems.append(
            Problem(
                "date-noncanonical",
                "date",
                f"{quote(value)} is not in AP style: write {quote(canonical)}",
                lead,
                len(value),
            )
        )
    return (None if _has_error(problems) else parsed), problems


def check_word_count(text: str | int) -> tuple[int | None, list[Problem]]:
    """A plain decimal integer >= 0, as the source declared it."""
    if isinstance(text, int) and not isinstance(text, bool):
        if 0 <= text <= MAX_WORD_COUNT:
            return text, []
        return None, [
            Problem(
                "word-count-invalid",
                "word_count",
                f"{text} is out of range: give a count from 0 to {MAX_WORD_COUNT}",
            )
        ]
    if not isinstance(text, str):
        return None, [
            Problem("word-count-invalid", "word_count", f"{quote(str(text))} is not a whole number")
        ]
    return _word_count(text, _controls("word_count", text))


def _word_count(text: str, problems: list[Problem]) -> tuple[int | None, list[Problem]]:
    value, trimmed = _trim("word_count", text)
    problems += trimmed
    lead = len(text) - len(text.lstrip())
    if not _DIGITS.fullmatch(value):
        if not value:
            why = (
                "the word count is empty: copy the count the source declared; if it declared "
                "none, count the body's words (wc -w), never 0"
            )
        elif value.startswith("-") and _DIGITS.fullmatch(value[1:]):
            why = f"{quote(value)} is negative: a word count is 0 or more"
        else:
            why = f"{quote(value)} is not a plain whole number: write digits only, like 1168"
        problems.append(Problem("word-count-invalid", "word_count", why, lead, len(value)))
        return None, problems
    if len(value) > 19 or int(value) > MAX_WORD_COUNT:
        problems.append(
            Problem(
                "word-count-invalid",
                "word_count",
                f"{quote(value)} is too large: at most {MAX_WORD_COUNT}",
                lead,
                len(value),
            )
        )
        return None, problems
    number = int(value)
    if value != str(number):
        problems.append(
            Problem(
                "word-count-noncanonical",
                "word_count",
                f"{quote(value)} has leading zeros: write {number}",
                lead,
                len(value),
            )
        )
    return (None if _has_error(problems) else number), problems


#: The URLs _url accepts without a word: a plain host, then no whitespace.
_CANONICAL_URL = re.compile(r"[hH][tT][tT][pP][sS]?://[A-Za-z0-9.-]+(?:[/?#]\S*)?")


def _bare(text: str) -> bool:
    """Not empty, and no whitespace at either end: ``text.strip() == text != ""``."""
    return bool(text) and not text[0].isspace() and not text[-1].isspace()


@functools.lru_cache(maxsize=1 << 16)  # real archives hold tens of thousands of days
def _canonical_date(text: str) -> dt.date | None:
    parsed = parse_date(text)
    return parsed if isinstance(parsed, dt.date) and format_ap(parsed) == text else None


def canonical_values(lines: list[str]) -> dict[str, object] | None:
    """The six fields of a record already in canonical form, or None.

    For the parser's clean-file path (no control character anywhere; six
    lines as split from a file, so only the body may hold a line feed): a
    few cheap tests that together imply every check above finds nothing and
    returns the line unchanged (or its plain int/date/tuple).
    None means only "not sure": the caller then runs the checks themselves.
    The test suite compares this path with the full one under hypothesis.
    """
    url, headline, keywords, date_line, count, body = lines
    if _CANONICAL_URL.fullmatch(url) is None or not _bare(headline):
        return None
    if not _bare(body) or "\n" in body:
        return None
    if not (
        count.isascii()
        and count.isdigit()
        and len(count) <= 18
        and (count[0] != "0" or count == "0")
    ):
        return None
    date = _canonical_date(date_line)
    if date is None:
        return None
    pieces = keywords.split(",") if keywords else []
    if len(pieces) > MAX_KEYWORDS:
        return None
    if not all(_bare(piece) for piece in pieces) or len(set(pieces)) != len(pieces):
        return None
    return {
        "url": url,
        "headline": headline,
        "keywords": tuple(pieces),
        "date": date,
        "word_count": int(count),
        "body": body,
    }


_ERROR_CODES = frozenset(rule.code for rule in RULES if rule.severity is Severity.ERROR)


def _has_error(problems: list[Problem]) -> bool:
    # Called six times per file, nearly always with no problem at all.
    return bool(problems) and any(p.code in _ERROR_CODES for p in problems)


def _count(n: int, singular: str, plural: str | None = None) -> str:
    return f"{n} {singular if n == 1 else plural or singular + 's'}"


#: The six field checks for a file in which one scan found no control
#: character at all: the same checks, without a regex pass over every field.
CLEAN_CHECKS: tuple[Callable[[str], tuple[Any, list[Problem]]], ...] = (
    lambda t: _url(t, []),
    lambda t: _text("headline", t, "headline-empty", False, []),
    lambda t: _keywords_line(t, []),
    lambda t: _date(t, []),
    lambda t: _word_count(t, []),
    lambda t: _text("body", t, "body-empty", True, []),
)

#: The six field checks of the text format, in file order.
CHECKS: tuple[Callable[[str], tuple[Any, list[Problem]]], ...] = (
    check_url,
    lambda t: check_text("headline", t, empty_code="headline-empty"),
    check_keywords,
    check_date,
    check_word_count,
    lambda t: check_text("body", t, empty_code="body-empty", multiline=True),
)
