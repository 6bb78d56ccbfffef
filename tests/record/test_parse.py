"""The text parser: positions, messages, normalisation, and every finding in a file."""

from __future__ import annotations

import pytest

from archivekit.record.parse import MAX_PER_RULE, parse
from archivekit.record.write import dumps
from archivekit.rules import RuleOptions

GOOD = (
    "http://www.nytimes.com/2011/08/26/world/americas/26drugs.html\n"
    "U.S. Widens Role - The New York Times\n"
    "Drug Cartels,Mexico,Calderon  Felipe\n"
    "Aug. 25, 2011\n"
    "8304\n"
    "WASHINGTON — The Obama administration.Mexican commandos."
)


def lines(**changes: str) -> str:
    names = ["url", "headline", "keywords", "date", "word_count", "body"]
    parts = GOOD.split("\n")
    for name, value in changes.items():
        parts[names.index(name)] = value
    return "\n".join(parts)


def codes(text: str | bytes) -> list[str]:
    return [d.code for d in parse(text).diagnostics]


def test_good_text_round_trips() -> None:
    result = parse(GOOD)
    assert result.diagnostics == ()
    assert result.record is not None
    assert dumps(result.record) == GOOD
    assert result.record.keywords == ("Drug Cartels", "Mexico", "Calderon  Felipe")


def test_date_invalid_points_at_the_day_with_the_documented_message() -> None:
    (d,) = parse(lines(date="Aug. 32, 2011"), path="seeds/invalid/date-invalid.txt").diagnostics
    assert str(d) == (
        'seeds/invalid/date-invalid.txt:4:6: error[date-invalid] "Aug. 32, 2011": '
        "August has 31 days"
    )
    assert d.field == "date"
    assert d.end_column == 8


def test_all_findings_of_a_file_are_reported_in_order() -> None:
    text = lines(url="ftp://x", headline="", date="soon", word_count="many", body=" ")
    result = parse(text)
    assert [d.code for d in result.diagnostics] == [
        "url-invalid",
        "headline-empty",
        "date-unrecognized",
        "word-count-invalid",
        "body-empty",
    ]
    assert [d.line for d in result.diagnostics] == [1, 2, 4, 5, 6]
    assert result.record is None


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"url": ""}, "url-invalid"),
        ({"url": "www.nytimes.com/a.html"}, "url-invalid"),
        ({"url": "//www.nytimes.com/a.html"}, "url-invalid"),
        ({"url": "http:///a.html"}, "url-invalid"),
        ({"url": "http://www.nytimes.com/a b.html"}, "url-invalid"),
        ({"url": "mailto:a@b.com"}, "url-invalid"),
        ({"url": "http://[::1/a"}, "url-invalid"),
        ({"url": "http://host:99999/a"}, "url-invalid"),
        ({"headline": " \t "}, "headline-empty"),
        ({"date": ""}, "date-empty"),
        ({"word_count": ""}, "word-count-invalid"),
        ({"word_count": "-5"}, "word-count-invalid"),
        ({"word_count": "12.5"}, "word-count-invalid"),
        ({"word_count": "many"}, "word-count-invalid"),
        ({"word_count": "٣"}, "word-count-invalid"),
        ({"word_count": "+5"}, "word-count-invalid"),
        ({"word_count": "9" * 5000}, "word-count-invalid"),
        ({"word_count": "99999999999999999999"}, "word-count-invalid"),
        ({"headline": "a\x00b"}, "control-char"),
        ({"body": "a\x1bb"}, "control-char"),
        ({"keywords": "a\rb"}, "control-char"),
        ({"body": "a\u0085b"}, "control-char"),
    ],
)
def test_errors(changes: dict[str, str], code: str) -> None:
    result = parse(lines(**changes))
    assert code in [d.code for d in result.errors]
    assert result.record is None


def test_https_and_tab_and_unicode_are_fine() -> None:
    result = parse(
        lines(
            url="HTTPS://www.Example.com:8080/a?b=c#d",
            headline="a\tb ünï",
            keywords="",
            body="line\twith tab",
        )
    )
    assert result.diagnostics == ()
    assert result.record is not None
    assert result.record.url == "HTTPS://www.Example.com:8080/a?b=c#d"
    assert result.record.keywords == ()


def test_warnings_normalise_the_record() -> None:
    text = (
        "\ufeff"
        + lines(
            url=" http://a.com/x ",
            keywords=" b , a,,b,",
            date="2011-08-25",
            word_count="007",
            body="one\ntwo",
        )
        + "\n"
    )
    result = parse(text.replace("\n", "\r\n").encode())
    assert result.ok
    assert result.record is not None
    assert sorted({d.code for d in result.diagnostics}) == [
        "body-multiline",
        "bom",
        "crlf",
        "date-noncanonical",
        "final-newline",
        "keyword-duplicate",
        "keyword-empty",
        "whitespace",
        "word-count-noncanonical",
    ]
    assert dumps(result.record) == lines(
        url="http://a.com/x", keywords="b,a", word_count="7", body="one\ntwo"
    )


def test_missing_fields_are_each_named() -> None:
    result = parse("http://a.com/x\nHeadline")
    missing = [d for d in result.diagnostics if d.code == "field-missing"]
    assert [d.field for d in missing] == ["keywords", "date", "word_count", "body"]
    assert [d.line for d in missing] == [3, 4, 5, 6]
    assert "line 6 (body) is missing" in missing[-1].message


def test_empty_file_and_bom_only_file() -> None:
    assert codes(b"") == ["file-empty"]
    assert codes(b"\xef\xbb\xbf") == ["bom", "file-empty"]


def test_a_sixth_empty_line_is_an_empty_body_not_a_final_newline() -> None:
    assert codes(GOOD.rsplit("\n", 1)[0] + "\n") == ["body-empty"]


def test_invalid_utf8_gives_offset_line_and_column() -> None:
    data = lines(headline="Caf\udce9 au lait").encode("utf-8", "surrogateescape")
    result = parse(data)
    (d,) = result.errors
    assert d.code == "utf8-invalid"
    assert (d.line, d.column) == (2, 4)
    offset = data.index(b"\xe9")
    assert f"byte offset {offset}" in d.message
    assert "Windows-1252" in d.message


def test_utf16_is_recognised() -> None:
    result = parse(GOOD.encode("utf-16"))
    assert "UTF-16" in result.errors[0].message


def test_findings_of_one_rule_are_capped_per_file() -> None:
    result = parse(lines(body="x" + "\x00" * 50))
    found = [d for d in result.diagnostics if d.code == "control-char"]
    assert len(found) == MAX_PER_RULE
    assert "40 more like it in the body" in found[-1].message


def test_columns_count_characters_not_bytes() -> None:
    (d,) = parse(lines(headline="Ünïcödé\x00")).diagnostics
    assert (d.line, d.column) == (2, 8)


def test_word_count_mismatch_is_opt_in_with_tolerance() -> None:
    text = lines(word_count="10", body="one two three four five six seven eight nine ten eleven")
    assert codes(text) == []
    opt = RuleOptions(enable=frozenset({"word-count-mismatch"}), word_count_tolerance=0.05)
    assert [d.code for d in parse(text, options=opt).diagnostics] == ["word-count-mismatch"]
    loose = RuleOptions(enable=frozenset({"word-count-mismatch"}), word_count_tolerance=0.1)
    assert parse(text, options=loose).diagnostics == ()


def test_unknown_opt_in_rule_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown rule"):
        RuleOptions(enable=frozenset({"no-such-rule"}))


def test_keywords_like_calderon_felipe_keep_their_double_space() -> None:
    result = parse(lines(keywords="Calderon  Felipe"))
    assert result.record is not None
    assert result.record.keywords == ("Calderon  Felipe",)


def test_a_mixed_file_is_not_sent_to_iconv() -> None:
    # Converting a file that is partly UTF-8 already would garble that part.
    data = lines(headline="Caf\udce9 — Mexico’s").encode("utf-8", "surrogateescape")
    (d,) = parse(data).errors
    assert "fix this byte by hand" in d.message
    assert '"é"' in d.message
    assert "iconv" not in d.message


def test_a_pure_windows_1252_file_is_sent_to_iconv() -> None:
    data = lines(headline="\u201cQuoted\u201d café").encode("cp1252")
    assert all("iconv -f WINDOWS-1252" in d.message for d in parse(data).errors)
