"""AP dates: every accepted shape, the canonical spelling, and impossible days."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from archivekit.record.dates import DateProblem, format_ap, parse_date


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Aug. 25, 2011", "Aug. 25, 2011"),
        ("Sept. 5, 2001", "Sept. 5, 2001"),
        ("March 3, 1999", "March 3, 1999"),
        ("SEPT. 15, 2016", "Sept. 15, 2016"),
        ("Sep 15, 2016", "Sept. 15, 2016"),
        ("Sept 15, 2016", "Sept. 15, 2016"),
        ("September 15, 2016", "Sept. 15, 2016"),
        ("sep. 15, 2016", "Sept. 15, 2016"),
        ("2016-09-15", "Sept. 15, 2016"),
        ("Aug. 05, 2011", "Aug. 25, 2011".replace("25", "5")),
        ("May 1, 2020", "May 1, 2020"),
        ("JUNE 30, 2020", "June 30, 2020"),
        ("Feb. 29, 2012", "Feb. 29, 2012"),
    ],
)
def test_accepted_shapes(text: str, expected: str) -> None:
    value = parse_date(text)
    assert isinstance(value, dt.date)
    assert format_ap(value) == expected


@pytest.mark.parametrize(
    ("text", "code", "says"),
    [
        ("Aug. 32, 2011", "date-invalid", "August has 31 days"),
        ("Feb. 30, 2012", "date-invalid", "February 2012 has 29 days"),
        ("Feb. 29, 2011", "date-invalid", "2011 is not a leap year"),
        ("Aug. 0, 2011", "date-invalid", "no day 0"),
        ("2011-13-01", "date-invalid", "no month 13"),
        ("Jan. 1, 0000", "date-invalid", "no year 0"),
        ("Published: June 29, 2013", "date-unrecognized", '"June 29, 2013"'),
        ("Monday, December 29, 2014", "date-unrecognized", '"Dec. 29, 2014"'),
        ("12.16.14 9:30AM", "date-unrecognized", "AP style"),
        ("Augu. 25, 2011", "date-unrecognized", "not a month"),
        ("March. 3, 1999", "date-unrecognized", "not a month"),
        ("Aug. 25 2011", "date-unrecognized", '"Aug. 25, 2011"'),
    ],
)
def test_refused(text: str, code: str, says: str) -> None:
    problem = parse_date(text)
    assert isinstance(problem, DateProblem)
    assert problem.code == code
    assert says in problem.message
    assert f'"{text}"' in problem.message


def test_the_day_is_pointed_at() -> None:
    problem = parse_date("Aug. 32, 2011")
    assert isinstance(problem, DateProblem)
    assert (problem.offset, problem.length) == (5, 2)


@pytest.mark.property
@given(st.dates(min_value=dt.date(1, 1, 1)))
def test_format_then_parse_is_identity(day: dt.date) -> None:
    assert parse_date(format_ap(day)) == day
    assert parse_date(day.isoformat()) == day
