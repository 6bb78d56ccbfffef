"""AP-style dates: the canonical spelling, and the other shapes we accept."""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import re
from typing import NamedTuple

from archivekit.text import quote

# AP style abbreviates the long month names and spells out the short ones.
AP_MONTHS = (
    "Jan.",
    "Feb.",
    "March",
    "April",
    "May",
    "June",
    "July",
    "Aug.",
    "Sept.",
    "Oct.",
    "Nov.",
    "Dec.",
)

_MONTH_BY_NAME: dict[str, int] = {}
for _number, _name in enumerate(calendar.month_name[1:], start=1):
    _MONTH_BY_NAME[_name.lower()] = _number
    _MONTH_BY_NAME[_name[:3].lower()] = _number
_MONTH_BY_NAME["sept"] = 9

# "Aug. 25, 2011", "SEPT. 15, 2016", "Sep 15, 2016", "September 15, 2016".
_WORDY = re.compile(r"\b([A-Za-z]+)(\.?) ([0-9]{1,2}), ([0-9]{4})\b")
_EXAMPLE = '"Aug. 25, 2011"'
_ISO = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")


class DateProblem(NamedTuple):
    """Why a date line was refused: a rule code, a message, and where in the text."""

    code: str
    message: str
    offset: int
    length: int


def format_ap(value: dt.date) -> str:
    """Spell ``value`` the AP way: ``Aug. 25, 2011``, ``March 3, 1999``."""
    return f"{AP_MONTHS[value.month - 1]} {value.day}, {value.year:04d}"


@functools.lru_cache(maxsize=4096)
def parse_date(text: str) -> dt.date | DateProblem:
    """Read a date in any accepted shape, or say why it is not one.

    The caller decides whether a non-canonical spelling deserves a warning by
    comparing ``text`` with :func:`format_ap` of the result. Results are
    immutable and cached: a batch holds the same few thousand days again and again.
    """
    match = _WORDY.fullmatch(text)
    if match is not None:
        name, dot, day_text, year_text = match.groups()
        month = _MONTH_BY_NAME.get(name.lower())
        if month is None or (dot and len(name) != 3 and name.lower() != "sept"):
            # "Sepx. 5, 2011", or a full name with a period ("August. 5").
            return DateProblem(
                "date-unrecognized",
                f"{quote(text)}: {quote(name + dot)} is not a month; write the date "
                f"in AP style, like {_EXAMPLE}",
                0,
                len(name) + len(dot),
            )
        return _calendar_day(text, int(year_text), month, int(day_text), match.start(3))
    match = _ISO.fullmatch(text)
    if match is not None:
        year, month, day = (int(part) for part in match.groups())
        if not 1 <= month <= 12:
            return DateProblem("date-invalid", f"{quote(text)}: there is no month {month}", 5, 2)
        return _calendar_day(text, year, month, day, 8)
    return DateProblem(
        "date-unrecognized",
        f"{quote(text)} is not a date in an accepted shape: write {_suggest(text)}",
        0,
        len(text),
    )


def _suggest(text: str) -> str:
    """The AP spelling of a date found inside ``text`` ("Published: June 29, 2013")."""
    for match in (*_WORDY.finditer(text), *_ISO.finditer(text)):
        found = parse_date(match.group())
        if isinstance(found, dt.date):
            return f"only the date, {quote(format_ap(found))}"
    return f"it in AP style, like {_EXAMPLE}"


def _calendar_day(
    text: str, year: int, month: int, day: int, day_offset: int
) -> dt.date | DateProblem:
    if year < 1:
        return DateProblem("date-invalid", f"{quote(text)}: there is no year 0", 0, len(text))
    days = calendar.monthrange(year, month)[1]
    if 1 <= day <= days:
        return dt.date(year, month, day)
    if day == 0:
        reason = "there is no day 0"
    elif month == 2 and days == 28 and day == 29:
        reason = f"{year} is not a leap year, February has 28 days"
    elif month == 2:
        reason = f"February {year} has {days} days"
    else:
        reason = f"{calendar.month_name[month]} has {days} days"
    return DateProblem("date-invalid", f"{quote(text)}: {reason}", day_offset, len(str(day)))
