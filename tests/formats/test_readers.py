"""The readers report bad input as diagnostics with rule codes, paths and lines."""

from __future__ import annotations

import datetime as dt
import io

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from archivekit.convert.outputs import record_name
from archivekit.diagnostics import ParseResult
from archivekit.formats import FORMAT_BY_NAME, FORMATS, FormatOptions, format_for_name, frontmatter
from archivekit.formats.json import key_columns
from archivekit.formats.markdown import join_paragraphs, split_paragraphs
from archivekit.record.model import Record
from archivekit.record.parse import parse
from archivekit.rules import RULE_BY_CODE
from tests.conftest import SEED
from tests.strategies import keyword
from tests.support import write_many

OPTIONS = FormatOptions()
GOOD = (
    b'{"url":"http://a.com/x","headline":"H","keywords":["k"],"date":"2011-08-25",'
    b'"word_count":3,"body":"B."}'
)


def read(name: str, data: bytes, options: FormatOptions = OPTIONS) -> list[ParseResult]:
    return list(FORMAT_BY_NAME[name].read(io.BytesIO(data), "in", options))


def codes(result: ParseResult) -> list[str]:
    return [d.code for d in result.diagnostics]


def seed() -> Record:
    record = parse(SEED.read_bytes()).record
    assert record is not None
    return record


def test_every_new_code_is_a_registered_rule() -> None:
    for code in (
        "json-invalid",
        "field-type",
        "csv-header",
        "csv-row",
        "front-matter-invalid",
        "field-unknown",
    ):
        rule = RULE_BY_CODE[code]
        assert rule.bad != rule.good


def test_registry_names_extensions_and_holds() -> None:
    assert [f.name for f in FORMATS] == [
        "archive",
        "json",
        "jsonl",
        "csv",
        "md",
        "parquet",
        "sqlite",
    ]
    assert {f.name: f.holds for f in FORMATS}["json"] == "one or many"
    assert format_for_name("a/B.NDJSON.gz") is FORMAT_BY_NAME["jsonl"]
    assert format_for_name("notes.rtf") is None


def test_jsonl_reports_each_bad_line_with_its_number() -> None:
    data = GOOD + b"\n\n{not json\n" + GOOD.replace(b'"H"', b"5") + b"\n" + b"[1]\n" + GOOD
    results = read("jsonl", data)
    assert [r.ok for r in results] == [True, False, False, False, True]
    assert codes(results[1]) == ["json-invalid"]
    assert results[1].diagnostics[0].line == 3
    assert codes(results[2]) == ["field-type"]
    assert results[2].line == 4
    assert results[2].index == 3
    assert codes(results[3]) == ["json-invalid"]


def test_jsonl_findings_point_at_their_field() -> None:
    # At the field's key on the line (in characters), not at the start of the line.
    line = b'{"url":"http://e.com/\xc3\xa9","headline":"{H}","date":"soon","keywords":["k"],'
    line += b'"word_count":3,"body":"b","author":"x"}'
    (result,) = read("jsonl", b"\n" + line + b"\n")
    text = line.decode()
    places = {d.code: (d.line, d.column) for d in result.diagnostics}
    assert places == {
        "date-unrecognized": (2, text.index('"date"') + 1),
        "field-unknown": (2, text.index('"author"') + 1),
    }


@given(
    st.dictionaries(
        st.text(max_size=8),
        st.recursive(
            st.none() | st.integers(-(2**63), 2**63 - 1) | st.text(),
            lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=4), c, max_size=3),
        ),
        max_size=6,
    ),
    st.sampled_from([0, orjson.OPT_INDENT_2]),
)
def test_key_columns_point_at_each_key(value: dict[str, object], option: int) -> None:
    line = orjson.dumps(value, option=option).replace(b"\n", b" ")
    text = line.decode()
    columns = key_columns(line)
    assert set(columns) == set(value)
    for key, column in columns.items():
        assert text[column - 1 :].startswith(orjson.dumps(key).decode())


def test_json_fields_use_the_text_rules() -> None:
    value = GOOD.replace(b'"2011-08-25"', b'"Aug. 32, 2011"').replace(b'"H"', b'"  "')
    (result,) = read("json", value)
    assert sorted(codes(result)) == ["date-invalid", "headline-empty"]
    (result,) = read("json", GOOD.replace(b'"word_count":3', b'"word_count":-3'))
    assert codes(result) == ["word-count-invalid"]
    (result,) = read("json", GOOD.replace(b'["k"]', b'["a, b"]'))
    assert codes(result) == ["keyword-invalid"]
    (result,) = read("json", GOOD.replace(b'"word_count":3,', b'"author":"x",'))
    assert sorted(codes(result)) == ["field-missing", "field-unknown"]


def test_json_ap_date_is_a_warning_and_iso_is_canonical() -> None:
    (result,) = read("json", GOOD.replace(b'"2011-08-25"', b'"Aug. 25, 2011"'))
    assert result.ok
    assert codes(result) == ["date-noncanonical"]
    assert "2011-08-25" in result.diagnostics[0].message


def test_json_array_reports_the_line_of_a_bad_element() -> None:
    data = b"[\n  " + GOOD + b",\n  " + GOOD.replace(b'"B."', b'""') + b"\n]"
    results = read("json", data)
    assert [r.ok for r in results] == [True, False]
    assert results[1].diagnostics[0].line == 3
    assert results[1].index == 2
    (broken,) = read("json", b"[" + GOOD)
    assert codes(broken) == ["json-invalid"]


def test_csv_header_rows_and_line_numbers() -> None:
    (bad,) = read("csv", b"link,title\r\nx,y\r\n")
    assert codes(bad) == ["csv-header"]
    head = b"url,headline,keywords,date,word_count,body\r\n"
    row = b'http://a.com/x,H,"a,b",2011-08-25,3,"multi\nline ""quoted"", body"\r\n'
    results = read("csv", head + row + b"http://a.com/x,H\r\n" + row.replace(b",3,", b",x,"))
    assert [r.ok for r in results] == [True, False, False]
    assert results[0].record is not None
    assert results[0].record.keywords == ("a", "b")
    assert results[0].record.body == 'multi\nline "quoted", body'
    assert (results[1].line, codes(results[1])) == (4, ["csv-row"])
    assert (results[2].line, codes(results[2])) == (5, ["word-count-invalid", "body-multiline"])


def test_csv_json_keywords_and_excel_guard() -> None:
    record = seed().model_copy(update={"headline": "=HYPERLINK(1)", "keywords": ("a, b?",)})
    with pytest.raises(ValueError, match="keyword"):
        Record.model_validate(record.model_dump())
    record = seed().model_copy(update={"headline": "=HYPERLINK(1)", "keywords": ("-x", "y")})
    options = FormatOptions(csv_keywords="json", excel=True)
    data = write_many(FORMAT_BY_NAME["csv"], [record], options)
    assert data.startswith(b"\xef\xbb\xbfurl,")
    assert b"'=HYPERLINK(1)" in data
    assert b'"[""-x"",""y""]"' in data  # the JSON list, quoted as a CSV cell
    (back,) = read("csv", data, options)
    # Lossy by design: the guard stays in the headline.
    assert back.record is not None
    assert back.record.headline == "'=HYPERLINK(1)"
    assert back.record.keywords == ("-x", "y")


def test_markdown_front_matter_fields() -> None:
    data = FORMAT_BY_NAME["md"].dump(seed(), OPTIONS)  # type: ignore[misc]
    text = data.decode()
    assert text.startswith('---\ntitle: "U.S. Widens Role')
    assert "\ndate: 2011-08-25\n" in text
    assert '\nsource_url: "http://www.nytimes.com/2011/08/26/world/americas/26drugs.html"' in text
    assert "\nword_count: 8304\n" in text
    assert '\ntags:\n  - "Drug Cartels"\n' in text
    # The title is the front matter's alone: a Hugo theme shows it once.
    assert "\n# " not in text
    assert text.split("\n---\n\n", 1)[1].startswith(seed().body[:40])
    with_heading = FORMAT_BY_NAME["md"].dump(seed(), FormatOptions(heading=True))  # type: ignore[misc]
    assert "\n---\n\n# U.S. Widens Role in Mexico’s Fight" in with_heading.decode()
    # Both read back as the same record.
    assert read("md", data)[0].record == read("md", with_heading)[0].record == seed()


def test_a_body_starting_with_its_own_heading_survives() -> None:
    record = seed().model_copy(update={"body": f"# {seed().headline}\n\nText."})
    data = FORMAT_BY_NAME["md"].dump(record, OPTIONS)  # type: ignore[misc]
    assert read("md", data)[0].record == record


@pytest.mark.parametrize(
    ("body", "split"),
    [
        ("café.Then it", "café.\n\nThen it"),
        ("señor.Él dijo", "señor.\n\nÉl dijo"),
        ("prêt.«Alors", "prêt.\n\n«Alors"),
        ("řekl.”Pak", "řekl.”\n\nPak"),
        ("U.S.Mexico and the D.E.A.", "U.S.Mexico and the D.E.A."),
        ("3.5 million", "3.5 million"),
    ],
)
def test_paragraphs_split_after_any_script_and_closing_quotes(body: str, split: str) -> None:
    assert split_paragraphs(body) == split
    assert join_paragraphs(split) == body


def test_markdown_reader_takes_hand_written_front_matter() -> None:
    text = (
        "---\ntitle: 'It''s here'   # a comment\ndate: 2011-08-25\ntags: [Mexico, \"U.S.\"]\n"
        "source_url: http://a.com/x\nword_count: 12\ndraft: false\n---\n\n# It's here\n\n"
        "Body line one.\nLine two.\n"
    )
    (result,) = read("md", text.encode())
    assert codes(result) == ["field-unknown", "body-multiline"]
    record = result.record
    assert record is not None
    assert (record.headline, record.keywords) == ("It's here", ("Mexico", "U.S."))
    assert (record.url, record.word_count) == ("http://a.com/x", 12)
    assert record.date == dt.date(2011, 8, 25)
    assert record.body == "Body line one.\nLine two."


@pytest.mark.parametrize(
    "front",
    [
        "title: !!python/object:os.system ls",
        "title: &a x",
        "title: *a",
        "nested:\n  key: 1",
        "title: a: b",
        'title: "open',
        "title: [a, b",
    ],
)
def test_markdown_refuses_yaml_outside_the_subset(front: str) -> None:
    (result,) = read("md", f"---\n{front}\n---\n\nBody.".encode())
    assert codes(result) == ["front-matter-invalid"]


def test_markdown_without_front_matter() -> None:
    (result,) = read("md", b"# Title\n\nBody.")
    assert codes(result) == ["front-matter-invalid"]


@pytest.mark.property
@given(
    st.lists(
        st.tuples(
            st.from_regex(r"[a-z_][a-z0-9_]{0,8}", fullmatch=True),
            st.one_of(st.text(), st.integers(), st.lists(st.text())),
        ),
        unique_by=lambda kv: kv[0],
    )
)
def test_front_matter_dumps_then_loads_gives_the_values(items: list[tuple[str, object]]) -> None:
    values, _ = frontmatter.loads(frontmatter.dumps(items))
    assert values == dict(items)


def test_paragraph_restoration_keeps_abbreviations_and_reverses() -> None:
    body = (
        "By the U.S. and the D.E.A. agents, officials said.Mexican police agreed."
        "The U.S.Army? No.“Quoted,” he said.Then 2011.Next"
    )
    split = split_paragraphs(body)
    assert split.split("\n\n") == [
        "By the U.S. and the D.E.A. agents, officials said.",
        "Mexican police agreed.",
        "The U.S.Army? No.",
        "“Quoted,” he said.",
        "Then 2011.",
        "Next",
    ]
    assert join_paragraphs(split) == body


@pytest.mark.property
@given(st.text(st.sampled_from("aZ.?!“”\"' 9U"), max_size=60))
def test_paragraph_restoration_always_reverses(body: str) -> None:
    assert join_paragraphs(split_paragraphs(body)) == body


def test_markdown_paragraphs_option_is_undone_on_reading() -> None:
    record = seed()
    options = FormatOptions(paragraphs=True)
    data = FORMAT_BY_NAME["md"].dump(record, options)  # type: ignore[misc]
    assert b'\nparagraphs: "split"\n' in data
    assert data.count(b"\n\n") > 5
    (result,) = read("md", data)  # reading needs no option: the front matter says it
    assert result.record == record


@pytest.mark.property
@given(keyword)
def test_record_names_are_safe_file_names(word: str) -> None:
    record = seed().model_copy(
        update={"url": f"http://a.com/{word.replace(' ', '%20')}", "headline": word}
    )
    name = record_name(record, ".md")
    assert name.startswith("2011-08-25-")
    assert name.endswith(".md")
    assert "/" not in name
    assert ".." not in name
    assert len(name) <= 100


def test_record_name_comes_from_the_url() -> None:
    assert record_name(seed(), ".md") == "2011-08-25-26drugs.md"


def test_json_with_a_bom_and_csv_with_bad_utf8() -> None:
    (result,) = read("json", b"\xef\xbb\xbf" + GOOD)
    assert result.ok
    head = b"url,headline,keywords,date,word_count,body\r\n"
    (bad,) = read("csv", head + b"http://a.com/x,H\xe9,,2011-08-25,3,B.\r\n")
    assert codes(bad) == ["utf8-invalid"]


@pytest.mark.hostile
@pytest.mark.parametrize("fmt", ["json", "jsonl"])
def test_a_key_given_twice_is_a_warning(fmt: str) -> None:
    # Before: orjson kept the last value silently: one tool saw one URL, archivekit another.
    record = (
        b'{"url": "http://www.nytimes.com/2011/08/25/a.html", "headline": "H - The New York '
        b'Times", "keywords": [], "date": "2011-08-25", "word_count": 1, "body": "B", '
    )
    twice = record + b'"url": "http://www.nytimes.com/2011/08/25/b.html"}'
    escaped = record + b'"\\u0075rl": "http://www.nytimes.com/2011/08/25/c.html"}'
    once = record.rstrip(b", ") + b"}"
    lines = [twice, once, escaped]
    data = b"\n".join(lines) if fmt == "jsonl" else b"[" + b",\n".join(lines) + b"]"
    results = list(FORMAT_BY_NAME[fmt].read(io.BytesIO(data), "x", FormatOptions()))
    codes = [[d.code for d in r.diagnostics] for r in results]
    assert codes == [["json-duplicate-key"], [], ["json-duplicate-key"]]
    assert [r.line for r in results if r.diagnostics] == [1, 3]  # where each record starts
    assert 'key "url" is given more than once' in results[0].diagnostics[0].message
    assert results[0].record is not None
    assert results[0].record.url.endswith("/b.html")  # the last value, as every JSON reader
