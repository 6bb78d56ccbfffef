"""Every machine-readable report parses back to the findings it was given, whatever their text."""

from __future__ import annotations

import io
import posixpath
import xml.etree.ElementTree as ET
from dataclasses import replace
from urllib.parse import unquote

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from archivekit.diagnostics import Diagnostic, ParseResult
from archivekit.reports import REPORTER_BY_NAME, ReportContext, write_report
from archivekit.reports.github import annotation
from archivekit.rules import RULES, Severity
from archivekit.text import safe_path

pytestmark = pytest.mark.property

# Paths and messages as hostile as a file system and a quoted field allow.
texts = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), min_size=1, max_size=40)
paths = texts.filter(lambda p: "\x00" not in p and not p.startswith("/"))


@st.composite
def results(draw: st.DrawFn) -> list[ParseResult]:
    out = []
    for path in draw(st.lists(paths, min_size=1, max_size=4, unique=True)):
        found = tuple(
            Diagnostic(
                draw(st.sampled_from(RULES)).code,
                draw(st.sampled_from(Severity)),
                draw(texts),
                path,
                line,
                column,
                column + draw(st.integers(1, 5)),
                draw(st.none() | st.sampled_from(["url", "date", "body"])),
            )
            for line, column in draw(
                st.lists(st.tuples(st.integers(1, 99), st.integers(1, 99)), max_size=3)
            )
        )
        out.append(ParseResult(path, None, found))
    return out


def render(name: str, batch: list[ParseResult]) -> str:
    stream = io.StringIO()
    write_report(REPORTER_BY_NAME[name](stream, ReportContext()), iter(batch))
    return stream.getvalue()


def flat(batch: list[ParseResult]) -> list[Diagnostic]:
    return [d for result in batch for d in result.diagnostics]


@given(results())
def test_json_round_trips_every_finding(batch: list[ParseResult]) -> None:
    doc = orjson.loads(render("json", batch))
    back = [
        Diagnostic(
            f["code"],
            Severity(f["severity"]),
            f["message"],
            f["path"],
            f["line"],
            f["column"],
            f["end_column"],
            f["field"],
        )
        for f in doc["findings"]
    ]
    # Names are escaped as every report escapes them (safe_path): a control
    # character or an undecodable byte is shown, never passed on raw.
    assert back == [replace(d, path=safe_path(d.path)) for d in flat(batch)]
    assert doc["totals"]["files"] == len(batch)


@given(results())
def test_sarif_round_trips_every_finding(batch: list[ParseResult]) -> None:
    results_ = orjson.loads(render("sarif", batch))["runs"][0]["results"]
    expected = flat(batch)
    assert len(results_) == len(expected)
    for result, d in zip(results_, expected, strict=True):
        location = result["locations"][0]["physicalLocation"]
        assert (result["ruleId"], result["level"], result["message"]["text"]) == (
            d.code,
            d.severity.value,
            d.message,
        )
        assert location["region"]["startLine"] == d.line
        uri = unquote(location["artifactLocation"]["uri"])
        assert uri == posixpath.normpath(d.path)  # the strategy's paths are all relative


@given(results())
def test_junit_parses_with_one_case_per_file(batch: list[ParseResult]) -> None:
    suite = ET.fromstring(render("junit", batch)).find("testsuite")
    assert suite is not None
    cases = suite.findall("testcase")
    assert len(cases) == len(batch) == int(suite.get("tests", "-1"))
    failing = sum(1 for r in batch if r.errors)
    assert sum(1 for c in cases if c.find("failure") is not None) == failing


@given(results())
def test_github_writes_one_command_line_per_finding(batch: list[ParseResult]) -> None:
    # The runner splits its log on LF only (not on U+2028 and kin, as splitlines would).
    lines = render("github", batch).split("\n")
    commands = [line for line in lines if line.startswith(("::error ", "::warning "))]
    assert len(commands) == len(flat(batch))
    for line, d in zip(commands, flat(batch), strict=True):
        assert line == annotation(d)
        props, message = line[2:].split("::", 1)
        decoded = message.replace("%0A", "\n").replace("%0D", "\r").replace("%25", "%")
        assert decoded == d.message
        assert props.startswith(("error file=", "warning file="))
