"""The repairs of ``archive validate --fix``: one obvious result each, and no text lost."""

from __future__ import annotations

import pytest

from archivekit.fixes import fix_bytes, fix_text
from archivekit.record.parse import parse
from archivekit.rules import RuleOptions
from tests.support import SEED_TEXT, seed_with


def with_lines(**changes: str) -> str:
    lines = SEED_TEXT.split("\n", 5)
    names = ["url", "headline", "keywords", "date", "count", "body"]
    for name, value in changes.items():
        lines[names.index(name)] = value
    return "\n".join(lines)


@pytest.mark.parametrize(
    ("written", "canonical"),
    [
        ("Published: June 29, 2013", "June 29, 2013"),
        ("Last updated September 14, 2016", "Sept. 14, 2016"),
        ("April 28, 2019 at 6:01 am", "April 28, 2019"),
        ("Thursday 27 July 2017", "July 27, 2017"),
        ("15 September 2016", "Sept. 15, 2016"),
        ("Published 29th December 2014", "Dec. 29, 2014"),
        ("SEPT. 15, 2016", "Sept. 15, 2016"),
        ("2011-08-25", "Aug. 25, 2011"),
        ("  Aug 25, 2011 ", "Aug. 25, 2011"),
    ],
)
def test_safe_date_repairs(written: str, canonical: str) -> None:
    fixed, fixes = fix_text(with_lines(date=written))
    assert fixed.split("\n")[3] == canonical
    assert fixes
    assert not any(f.unsafe for f in fixes)
    assert parse(fixed).diagnostics == ()


@pytest.mark.parametrize(
    "written",
    ["12.16.14 9:30AM", "Feb. 30, 2012", "19 hours ago", "June 3, 2011 or June 4, 2011", ""],
)
def test_no_safe_repair_without_one_obvious_result(written: str) -> None:
    text = with_lines(date=written)
    fixed, fixes = fix_text(text)
    assert fixed == text
    assert fixes == []


def test_ambiguous_numeric_dates_only_with_unsafe() -> None:
    fixed, fixes = fix_text(with_lines(date="12.16.14 9:30AM"), unsafe=True)
    assert fixed.split("\n")[3] == "Dec. 16, 2014"
    assert [f.unsafe for f in fixes] == [True]


def test_every_cosmetic_repair_at_once() -> None:
    text = with_lines(
        url=" http://a.com/x ",
        keywords=" Mexico, ,Smuggling,Mexico,",
        count="0042",
        body=" First.\nSecond part\nof it. ",
    )
    data = b"\xef\xbb\xbf" + (text + "\n").replace("\n", "\r\n").encode()
    fixed, fixes = fix_bytes(data)
    assert (
        fixed
        == with_lines(
            url="http://a.com/x",
            keywords="Mexico,Smuggling",
            count="42",
            body="First.Second part of it.",
        ).encode()
    )
    assert {f.code for f in fixes} == {
        "bom",
        "crlf",
        "whitespace",
        "keyword-empty",
        "keyword-duplicate",
        "word-count-noncanonical",
        "body-multiline",
        "final-newline",
    }
    assert parse(fixed).diagnostics == ()


def test_final_newline_setting_adds_one() -> None:
    fixed, fixes = fix_text(SEED_TEXT, final_newline=True)
    assert fixed == SEED_TEXT + "\n"
    assert [f.code for f in fixes] == ["final-newline"]
    assert fix_text(SEED_TEXT + "\n", final_newline=True) == (SEED_TEXT + "\n", [])
    options = RuleOptions(final_newline=True)
    assert parse(fixed, options=options).diagnostics == ()


def test_rules_turned_off_are_not_repaired() -> None:
    text = with_lines(body="One.\nTwo.")
    assert fix_text(text, off=frozenset({"body-multiline"})) == (text, [])


def test_what_cannot_be_repaired_without_losing_text_is_left() -> None:
    latin1 = (
        seed_with(date="Published: June 29, 2013").encode("utf-8").replace(b"\xe2\x80\x94", b"\x97")
    )
    assert fix_bytes(latin1) == (latin1, [])
    short = "http://a.com/x\nHeadline\n"
    assert fix_text(short) == (short, [])
    control = with_lines(headline="Head\x00line", date="Published: June 29, 2013")
    fixed, _ = fix_text(control)
    assert "\x00" in fixed
    assert fixed.split("\n")[3] == "June 29, 2013"
