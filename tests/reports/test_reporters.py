"""Each report format, produced by ``archive validate --format`` and parsed back."""

from __future__ import annotations

import gzip
import io
import os
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import orjson
import pytest

from archivekit.diagnostics import Diagnostic
from archivekit.reports import REPORTER_BY_NAME, ReportContext
from archivekit.reports.github import annotation
from archivekit.reports.text import TextReporter, format_diagnostic, source_excerpt
from archivekit.rules import RULES, Severity
from archivekit.validate import validate_paths
from tests.conftest import SHARED
from tests.support import Cli, make_batch

SARIF_SCHEMA = SHARED / "vendor-schemas" / "sarif-schema-2.1.0.json"


@pytest.fixture
def batch(tmp_path: Path) -> dict[str, Path]:
    return make_batch(tmp_path / "batch")


def test_registry_names_match_the_cli_help(cli: Cli) -> None:
    result = cli("validate", "--help")
    assert result.exit_code == 0
    assert list(REPORTER_BY_NAME) == ["text", "json", "github", "sarif", "junit", "gitlab"]
    for name in REPORTER_BY_NAME:
        assert name in result.stdout


def test_text_is_the_default(cli: Cli, batch: dict[str, Path]) -> None:
    result = cli("validate", str(batch["good"].parent))
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert f"{batch['bad']}:4:6: error[date-invalid] " in lines[0]
    assert lines[1].startswith(f"{batch['warn']}:6:")
    assert lines[-1] == "3 files, 1 error, 1 warning"


def test_text_shows_the_source_line_with_a_caret() -> None:
    d = Diagnostic("date-invalid", Severity.ERROR, "no such day", "a.txt", 4, 6, 8, "date")
    assert source_excerpt("Aug. 32, 2011", d) == " 4 | Aug. 32, 2011\n   |      ^^"


def test_text_cuts_a_long_line_around_the_column() -> None:
    line = "x" * 500 + "\x00" + "y" * 500
    d = Diagnostic("control-char", Severity.ERROR, "NUL", "a.txt", 6, 501, 502, "body")
    shown, carets = source_excerpt(line, d).split("\n")
    assert len(shown) < 120
    assert "\x00" not in shown
    assert shown[carets.index("^")] == "\N{REPLACEMENT CHARACTER}"


def test_text_reporter_reads_the_line_back(batch: dict[str, Path]) -> None:
    stream = io.StringIO()
    reporter = TextReporter(stream, ReportContext(show_source=True))
    for result in validate_paths([str(batch["bad"])]):
        reporter.add(result)
    assert stream.getvalue().splitlines()[1:] == [" 4 | Aug. 32, 2011", "   |      ^^"]


def test_no_excerpt_from_a_fifo_or_a_compressed_file(tmp_path: Path) -> None:
    """Reading the line back went through open(): a FIFO blocked the report for ever."""
    fifo = tmp_path / "f.txt"
    os.mkfifo(fifo)
    packed = tmp_path / "b.txt.gz"
    packed.write_bytes(gzip.compress(b"http://e.com/a\nH\n\nAug. 32, 2011\n1\nBody"))
    stream = io.StringIO()
    reporter = TextReporter(stream, ReportContext(show_source=True))
    for result in validate_paths([str(fifo), str(packed)]):
        reporter.add(result)
    # One line per finding, no excerpt: the FIFO is not opened, the .gz not shown raw.
    assert [line.split(" ")[1] for line in stream.getvalue().splitlines()] == [
        "error[read-error]",
        "error[date-invalid]",
    ]


def test_json_holds_every_finding_and_the_totals(cli: Cli, batch: dict[str, Path]) -> None:
    result = cli("validate", str(batch["good"].parent), "--format", "json")
    assert result.exit_code == 1
    doc = orjson.loads(result.stdout)
    assert doc["version"] == 1
    assert [f["code"] for f in doc["findings"]] == ["date-invalid", "final-newline"]
    first = doc["findings"][0]
    assert first == {
        "path": str(batch["bad"]),
        "line": 4,
        "column": 6,
        "end_column": 8,
        "code": "date-invalid",
        "severity": "error",
        "field": "date",
        "message": first["message"],
    }
    assert "Aug. 32, 2011" in first["message"]
    assert doc["totals"] == {
        "files": 3,
        "records": 3,
        "errors": 1,
        "warnings": 1,
        "baselined": 0,
        "failed": True,
        "by_rule": {"date-invalid": 1, "final-newline": 1},
    }


def test_json_with_no_findings_is_still_one_document(cli: Cli, batch: dict[str, Path]) -> None:
    result = cli("validate", str(batch["good"]), "-f", "json")
    assert result.exit_code == 0
    assert orjson.loads(result.stdout)["findings"] == []


def test_github_writes_workflow_commands_and_a_summary(
    cli: Cli, batch: dict[str, Path], tmp_path: Path
) -> None:
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n", encoding="utf-8")
    result = cli(
        "validate",
        str(batch["good"].parent),
        "--format",
        "github",
        env={"GITHUB_STEP_SUMMARY": str(summary)},
    )
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    # Each file's annotations inside a group, as yamllint writes them.
    assert lines[0] == f"::group::{batch['bad']}"
    assert lines[1].startswith(
        f"::error file={batch['bad']},line=4,col=6,endColumn=8,title=archive date-invalid::"
    )
    assert lines[2] == "::endgroup::"
    assert lines[3] == f"::group::{batch['warn']}"
    assert lines[4].startswith("::warning file=")
    text = summary.read_text(encoding="utf-8")
    assert text.startswith("earlier step\n## archive validate")
    assert "| `date-invalid` | 1 |" in text
    assert f"| `{batch['bad']}` | 1 |" in text
    assert "not annotated" not in text


def test_github_escapes_what_would_break_a_command() -> None:
    d = Diagnostic("x", Severity.WARNING, "50% off\nnow", "./a,b:c.txt", 1, 1, 2)
    assert annotation(d) == (
        "::warning file=a%2Cb%3Ac.txt,line=1,col=1,endColumn=2,title=archive x::50%25 off%0Anow"
    )


def test_github_summary_counts_what_was_not_annotated(cli: Cli, tmp_path: Path) -> None:
    root = tmp_path / "many"
    root.mkdir()
    for i in range(12):
        (root / f"{i:02}.txt").write_text("", encoding="utf-8")
    summary = tmp_path / "summary.md"
    result = cli("validate", str(root), "-f", "github", env={"GITHUB_STEP_SUMMARY": str(summary)})
    assert result.exit_code == 1
    assert "2 findings not annotated" in summary.read_text(encoding="utf-8")


def test_sarif_lists_every_rule_and_locates_each_finding(cli: Cli, batch: dict[str, Path]) -> None:
    result = cli("validate", str(batch["good"].parent), "--format", "sarif")
    assert result.exit_code == 1
    log = orjson.loads(result.stdout)
    assert log["version"] == "2.1.0"
    run_ = log["runs"][0]
    rules = run_["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == [rule.code for rule in RULES]
    for descriptor, rule in zip(rules, RULES, strict=True):
        assert descriptor["name"]
        assert descriptor["help"]["text"]
        assert descriptor["defaultConfiguration"]["level"] == rule.severity.value
    first = run_["results"][0]
    assert rules[first["ruleIndex"]]["id"] == first["ruleId"] == "date-invalid"
    region = first["locations"][0]["physicalLocation"]["region"]
    assert region == {"startLine": 4, "startColumn": 6, "endColumn": 8}
    assert len(run_["results"]) == 2


def test_sarif_is_valid_against_the_oasis_schema(cli: Cli, batch: dict[str, Path]) -> None:
    if not SARIF_SCHEMA.exists():
        pytest.skip("no copy of the SARIF schema beside the project")
    import jsonschema

    schema = orjson.loads(SARIF_SCHEMA.read_bytes())
    for paths in ([batch["good"].parent], [batch["good"]]):
        result = cli("validate", *map(str, paths), "-f", "sarif")
        log = orjson.loads(result.stdout)
        jsonschema.Draft7Validator(schema).validate(log)
    # The schema would catch a broken log: a result without a message.
    del log["runs"][0]["tool"]["driver"]["name"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft7Validator(schema).validate(log)


def test_junit_has_one_test_case_per_file(cli: Cli, batch: dict[str, Path]) -> None:
    result = cli("validate", str(batch["good"].parent), "--format", "junit")
    assert result.exit_code == 1
    root = ET.fromstring(result.stdout)
    suite = root.find("testsuite")
    assert suite is not None
    assert (suite.get("tests"), suite.get("failures")) == ("3", "1")
    cases = {case.get("name"): case for case in suite.iter("testcase")}
    assert set(cases) == {str(p) for p in batch.values()}
    failure = cases[str(batch["bad"])].find("failure")
    assert failure is not None
    assert failure.get("type") == "date-invalid"
    assert cases[str(batch["good"])].find("failure") is None
    assert cases[str(batch["warn"])].find("failure") is None
    assert "final-newline" in (cases[str(batch["warn"])].findtext("system-out") or "")


def test_junit_survives_markup_and_control_chars_in_paths(cli: Cli, tmp_path: Path) -> None:
    bad = tmp_path / 'a&<"b>\x01.txt'
    bad.write_text("", encoding="utf-8")
    result = cli("validate", str(bad), "-f", "junit")
    case = ET.fromstring(result.stdout).find("testsuite/testcase")
    assert case is not None
    assert case.get("name") == str(tmp_path / 'a&<"b>\\x01.txt')  # escaped as text shows it
    assert "file-empty" in (case.findtext("failure") or "")


def test_several_formats_at_once_to_files(cli: Cli, batch: dict[str, Path], tmp_path: Path) -> None:
    sarif, junit = tmp_path / "out.sarif", tmp_path / "junit.xml"
    result = cli(
        "validate",
        str(batch["good"].parent),
        "-f",
        "github",
        "-f",
        f"sarif:{sarif}",
        "-f",
        f"junit:{junit}",
    )
    assert result.exit_code == 1
    assert result.stdout.startswith("::group::")
    assert len(orjson.loads(sarif.read_bytes())["runs"][0]["results"]) == 2
    assert ET.parse(junit).getroot().tag == "testsuites"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-f", "yaml"], "unknown report format 'yaml'"),
        (["-f", "json", "-f", "text"], "only one --format can write to standard output"),
        (["-f", "json:"], "give a file after the colon"),
    ],
)
def test_bad_format_options_are_usage_errors(
    cli: Cli, batch: dict[str, Path], args: list[str], message: str
) -> None:
    result = cli("validate", str(batch["good"]), *args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert result.stdout == ""


def test_exit_zero_reports_but_passes(cli: Cli, batch: dict[str, Path]) -> None:
    result = cli("validate", str(batch["bad"]), "--exit-zero")
    assert result.exit_code == 0
    assert "error[date-invalid]" in result.stdout


def test_the_cli_module_stays_light() -> None:
    # `archive --version` and pre-commit's many short runs pay for every import.
    import subprocess
    import sys

    code = (
        "import sys, archivekit.cli.app; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "{'pydantic', 'rich', 'orjson', 'xml', 'tomllib'} "
        "or m.startswith('archivekit.reports')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize(
    ("path", "uri"),
    [
        ("./data/a b.txt", "data/a%20b.txt"),
        ("data/../x/%.txt", "x/%25.txt"),
        ("/srv/archive/a.txt", "file:///srv/archive/a.txt"),
    ],
)
def test_sarif_uris(path: str, uri: str) -> None:
    from archivekit.reports.sarif import artifact_uri

    assert artifact_uri(path) == uri


def test_totals_keep_only_the_worst_files() -> None:
    from archivekit.diagnostics import ParseResult
    from archivekit.reports import Totals

    totals = Totals()
    d = Diagnostic("x", Severity.WARNING, "m", "p", 1, 1, 2)
    for i in range(100):
        totals.add(ParseResult(f"f{i}", None, (d,) * (i % 13)))
    assert totals.files == 100
    assert totals.warnings == sum(i % 13 for i in range(100))
    assert totals.worst() == [
        ("f12", 12),
        ("f25", 12),
        ("f38", 12),
        ("f51", 12),
        ("f64", 12),
        ("f77", 12),
        ("f90", 12),
        ("f11", 11),
        ("f24", 11),
        ("f37", 11),
    ]
    assert len(totals._worst) == 10


def test_an_unwritable_step_summary_is_a_clear_error(
    cli: Cli, batch: dict[str, Path], tmp_path: Path
) -> None:
    result = cli(
        "validate",
        str(batch["good"]),
        "-f",
        "github",
        env={"GITHUB_STEP_SUMMARY": str(tmp_path / "no" / "such" / "file")},
    )
    assert result.exit_code == 2
    assert "cannot write the report" in result.stderr


def test_junit_strict_turns_warnings_into_failures(cli: Cli, batch: dict[str, Path]) -> None:
    result = cli("validate", str(batch["warn"]), "-f", "junit", "--strict")
    case = ET.fromstring(result.stdout).find("testsuite/testcase")
    assert case is not None
    failure = case.find("failure")
    assert failure is not None
    assert failure.get("type") == "final-newline"


def test_the_coloured_text_has_the_same_location_as_the_plain_one() -> None:
    """The colour branch dropped the line: `bad.txt:6:` on a terminal, `bad.txt:4:6:` in a pipe."""
    d = Diagnostic("date-invalid", Severity.ERROR, "m", "bad.txt", 4, 6, 8, "date")
    plain = format_diagnostic(d)
    coloured = format_diagnostic(d, colour=True)
    assert plain == "bad.txt:4:6: error[date-invalid] m"
    assert re.sub(r"\x1b\[[0-9;]*m", "", coloured) == plain


@pytest.mark.hostile
def test_a_name_that_is_not_utf8_is_escaped_in_every_report(cli: Cli, tmp_path: Path) -> None:
    # Before: json, sarif, the job summary and convert --rejects ended in
    # "internal error" with truncated files (the name holds lone surrogates).
    folder = tmp_path / "in"
    folder.mkdir()
    name = os.fsdecode(b"bad-\xff\xfe.txt")
    (folder / name).write_bytes(b"")
    summary = tmp_path / "summary.md"
    formats = ("text", "json", "sarif", "junit", "github", "gitlab")
    specs = [f"{f}:{tmp_path / f}" for f in formats]
    args = [a for spec in specs for a in ("-f", spec)]
    result = cli("validate", folder, *args, env={"GITHUB_STEP_SUMMARY": str(summary)})
    assert result.exit_code == 1, result.output
    shown = str(folder / "bad-\\udcff\\udcfe.txt")  # one escaping (safe_path), every format
    assert (tmp_path / "text").read_text(encoding="utf-8").startswith(shown + ":1:1:")
    report = orjson.loads((tmp_path / "json").read_bytes())
    assert [f["path"] for f in report["findings"]] == [shown]
    sarif = orjson.loads((tmp_path / "sarif").read_bytes())
    uri = sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert uri["uri"].endswith("/bad-%FF%FE.txt")  # the file's own bytes, percent-encoded
    case = ET.parse(tmp_path / "junit").getroot().find(".//testcase")
    assert case is not None
    assert case.get("name") == shown
    assert f"file={shown}" in (tmp_path / "github").read_text(encoding="utf-8")
    gitlab = orjson.loads((tmp_path / "gitlab").read_bytes())
    assert gitlab[0]["location"]["path"].endswith("in/bad-\\udcff\\udcfe.txt")
    assert f"`{shown}`" in summary.read_text(encoding="utf-8")
    rejects = tmp_path / "rejects.jsonl"
    converted = cli(
        "convert",
        folder,
        "--to",
        "jsonl",
        "-o",
        tmp_path / "out.jsonl",
        "--skip-invalid",
        "--rejects",
        rejects,
    )
    assert converted.exit_code == 0, converted.output
    assert orjson.loads(rejects.read_bytes())["path"] == shown


@pytest.mark.hostile
@pytest.mark.parametrize(
    "name",
    [
        "<img src=x onerror=alert(1)>.txt",
        "[click](https--evil.example).txt",
        "a`b``c|d.txt",
        "`edge`.txt",
        "**bold** <!-- x.txt",
    ],
)
def test_job_summary_shows_names_as_code_never_markup(cli: Cli, tmp_path: Path, name: str) -> None:
    # Before: the summary took Markdown and HTML from file names.
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / name).write_bytes(b"")
    summary = tmp_path / "summary.md"
    result = cli("validate", folder, "-f", "github", env={"GITHUB_STEP_SUMMARY": str(summary)})
    assert result.exit_code == 1
    row = next(line for line in summary.read_text(encoding="utf-8").splitlines() if "in/" in line)
    cell = row[2 : row.rindex(" | ")]
    fence = re.match("`+", cell)
    assert fence is not None
    assert cell.endswith(fence.group())
    inner = cell[len(fence.group()) : -len(fence.group())]
    assert fence.group() not in inner  # the span cannot close early
    assert "|" not in inner.replace("\\|", "")  # nor can the table cell
    assert inner.strip().replace("\\|", "|").endswith(name)


@pytest.mark.hostile
def test_no_job_summary_for_a_usage_error(cli: Cli, tmp_path: Path) -> None:
    # Before: "no files to check" exited 2 after writing "**passed**" to the summary.
    (tmp_path / "empty").mkdir()
    summary = tmp_path / "summary.md"
    result = cli(
        "validate", tmp_path / "empty", "-f", "github", env={"GITHUB_STEP_SUMMARY": str(summary)}
    )
    assert result.exit_code == 2
    assert not summary.exists()


@pytest.mark.hostile
def test_a_baseline_over_the_size_limit_is_refused_unread(cli: Cli, tmp_path: Path) -> None:
    # Before: the baseline was read whole, whatever its size (140 MB cost 1.35 GB).
    make_batch(tmp_path / "batch")
    baseline = tmp_path / "base.json"
    baseline.write_bytes(b'{"version": 1, "findings": [' + b" " * 4096 + b"]}")
    for extra in ([], ["--update-baseline"]):
        result = cli(
            "--max-bytes", "1K", "validate", tmp_path / "batch", "--baseline", baseline, *extra
        )
        assert result.exit_code == 2, result.output
        assert "the baseline is 4.0 KiB (4,126 bytes), over the limit of 1 KiB" in result.stderr
    assert cli("validate", tmp_path / "batch", "--baseline", baseline).exit_code == 1  # read
