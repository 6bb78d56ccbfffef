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


@functools.lru_cache(maxsize=1 << 16)  # real archives hold tens of thousands of days
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
    found = find_date(text)
    if found is not None:
        return f"only the date, {quote(format_ap(found))}"
    numeric = repair_numeric(text)
    if numeric is not None:
        return (
            f"it in AP style, like {_EXAMPLE} ({quote(text)} is ambiguous: month first would "
            f"be {quote(format_ap(numeric))}; archive validate --fix --unsafe-fixes writes that)"
        )
    return f"it in AP style, like {_EXAMPLE}"


# Day before month: "15 September 2016", "Thursday 27 July 2017".
_DAY_FIRST = re.compile(r"\b([0-9]{1,2})(?:st|nd|rd|th)? ([A-Za-z]+)\.?,? ([0-9]{4})\b")
# Month, day and year without the comma: "September 14 2016".
_NO_COMMA = re.compile(r"\b([A-Za-z]+)\.? ([0-9]{1,2}) ([0-9]{4})\b")
# Month/day/year in figures: "12.16.14 9:30AM", "6/29/2013".
_NUMERIC = re.compile(r"\b([0-9]{1,2})([./-])([0-9]{1,2})\2([0-9]{4}|[0-9]{2})\b")


def _day(year: int, month: int | None, day: int) -> dt.date | None:
    if month is None:
        return None
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def find_date(text: str) -> dt.date | None:
    """The one calendar day written inside ``text`` in words or ISO, or None.

    Finds a date with a label or a time around it (``Published: June 29,
    2013``, ``Last updated September 14, 2016``, ``April 28, 2019 at 6:01
    am``, ``Thursday 27 July 2017``, ``15 September 2016``,
    ``2019-04-28T06:01:00Z``). None when there is none, or when the text names
    two different days: then no repair is obvious.
    """
    days: set[dt.date] = set()
    for match in _WORDY.finditer(text):
        found = parse_date(match.group())
        if isinstance(found, dt.date):
            days.add(found)
    for match in _ISO.finditer(text):
        found = parse_date(match.group())
        if isinstance(found, dt.date):
            days.add(found)
    for pattern, order in ((_DAY_FIRST, (1, 2, 3)), (_NO_COMMA, (2, 1, 3))):
        for match in pattern.finditer(text):
            day_text, name, year_text = (match.group(i) for i in order)
            month = _MONTH_BY_NAME.get(name.lower())
            found_day = _day(int(year_text), month, int(day_text))
            if found_day is not None:
                days.add(found_day)
    return days.pop() if len(days) == 1 else None


def repair_numeric(text: str) -> dt.date | None:
    """An all-figures date read month first (``12.16.14 9:30AM`` -> Dec. 16, 2014), or None.

    Ambiguous by nature (16.12.14 is day first): an unsafe repair, made only
    when asked. A two-digit year is read as the nearest past year (14 -> 2014,
    98 -> 1998); a first number over 12 is read as the day.
    """
    matches = list(_NUMERIC.finditer(text))
    if len(matches) != 1:
        return None
    first, _, second, year_text = matches[0].groups()
    year = int(year_text)
    if len(year_text) == 2:
        this_year = dt.date.today().year
        year += 2000 if 2000 + year <= this_year else 1900
    month, day = int(first), int(second)
    if month > 12:
        month, day = day, month
    return _day(year, month if 1 <= month <= 12 else None, day)


def repair_date(text: str, *, unsafe: bool = False) -> dt.date | None:
    """The calendar day ``text`` means when exactly one repair is obvious, else None.

    Any accepted shape, then a date found inside the text (:func:`find_date`);
    with ``unsafe``, also an ambiguous all-figures date (:func:`repair_numeric`).
    """
    parsed = parse_date(text.strip())
    if isinstance(parsed, dt.date):
        return parsed
    found = find_date(text)
    if found is None and unsafe:
        found = repair_numeric(text)
    return found


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
