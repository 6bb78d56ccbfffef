"""``archive validate`` as CI users drive it: statistics, rule selection, settings, CI formats."""

from __future__ import annotations

import subprocess
from pathlib import Path

import orjson
import pytest

from tests.conftest import SEED, SEEDS, SHARED
from tests.support import Cli, seed_with

SARIF_SCHEMA = SHARED / "vendor-schemas" / "sarif-schema-2.1.0.json"


@pytest.fixture
def mixed(tmp_path: Path) -> Path:
    """Two files with an error, three with warnings of two rules."""
    folder = tmp_path / "archive"
    folder.mkdir()
    for name in ("a", "b"):
        (folder / f"{name}.txt").write_text(
            seed_with(url=f"http://e.com/{name}", date="Aug. 32, 2011"), encoding="utf-8"
        )
    for name in ("c", "d"):
        (folder / f"{name}.txt").write_text(
            seed_with(url=f"http://e.com/{name}", suffix="\n"), encoding="utf-8"
        )
    (folder / "e.txt").write_text(seed_with(url="http://e.com/e", date="AUG. 25, 2011"))
    return folder


def test_statistics_one_line_per_rule_most_frequent_first(cli: Cli, mixed: Path) -> None:
    result = cli("validate", mixed, "--statistics")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert [line.split()[:3] for line in lines] == [
        ["2", "date-invalid", "error"],
        ["2", "final-newline", "warning"],
        ["1", "date-noncanonical", "warning"],
    ]
    assert lines[0].endswith("The date is not a real calendar day.")
    # Reports to files are still written beside it; one on standard output is refused.
    report = mixed.parent / "r.json"
    result = cli("validate", mixed, "--statistics", "-f", f"json:{report}")
    assert orjson.loads(report.read_bytes())["totals"]["errors"] == 2
    result = cli("validate", mixed, "--statistics", "-f", "json")
    assert result.exit_code == 2
    assert "give that report a :PATH" in result.stderr


def test_select_and_ignore(cli: Cli, mixed: Path) -> None:
    result = cli("validate", mixed, "--select", "final-newline,date-noncanonical", "--strict")
    assert result.exit_code == 1
    assert "date-invalid" not in result.stdout
    assert result.stdout.endswith("5 files, 0 errors, 3 warnings\n")
    result = cli("validate", mixed, "--ignore", "date-invalid", "--ignore", "final-newline")
    assert (result.exit_code, result.stdout.splitlines()[-1]) == (
        0,
        "5 files, 0 errors, 1 warning",
    )
    # An opt-in rule selected is turned on.
    result = cli("validate", SEED, "--select", "word-count-mismatch")
    assert "word-count-mismatch" in result.stdout
    result = cli("validate", mixed, "--select", "")
    assert result.exit_code == 2
    assert "at least one rule code" in result.stderr
    result = cli("validate", mixed, "--ignore", "final-newlin")
    assert result.exit_code == 2
    assert "did you mean final-newline?" in result.stderr


def test_ignore_wins_over_the_configuration_and_its_overrides(
    cli: Cli, mixed: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (mixed.parent / "pyproject.toml").write_text(
        '[tool.archive.rules]\ndate-invalid = "error"\n'
        '[[tool.archive.overrides]]\npaths = ["archive/a.txt"]\n'
        'rules = { final-newline = "error" }\n'
    )
    monkeypatch.chdir(mixed.parent)
    result = cli("validate", "archive", "--ignore", "date-invalid,final-newline")
    assert result.exit_code == 0
    assert result.stdout.endswith("5 files, 0 errors, 1 warning\n")


def test_show_settings(cli: Cli, mixed: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(mixed.parent)
    result = cli("validate", "--show-settings")
    assert result.exit_code == 0
    assert "configuration: none (defaults)" in result.stdout
    (mixed.parent / "pyproject.toml").write_text(
        '[tool.archive]\ninclude = ["archive/**"]\n[tool.archive.rules]\ncrlf = "error"\n'
    )
    result = cli("validate", "--show-settings", "--ignore", "bom")
    text = result.stdout
    assert f"configuration: {mixed.parent / 'pyproject.toml'}" in text
    assert f"project root: {mixed.parent}" in text
    assert "include: archive/**" in text
    settings = dict(line.split() for line in text.splitlines() if line.startswith("  "))
    assert settings["crlf"] == "error"
    assert settings["bom"] == "off"
    assert settings["word-count-mismatch"] == "off"
    assert settings["date-invalid"] == "error"


def test_no_path_checks_the_current_folder_under_the_include_globs(
    cli: Cli, mixed: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (mixed.parent / "requirements.txt").write_text("pytest\n")
    (mixed.parent / "pyproject.toml").write_text('[tool.archive]\ninclude = ["archive/**"]\n')
    monkeypatch.chdir(mixed.parent)
    result = cli("validate")
    assert result.stdout.endswith("5 files, 2 errors, 3 warnings\n")
    assert "requirements.txt" not in result.stdout


def test_github_actions_is_detected_and_files_are_grouped(cli: Cli, mixed: Path) -> None:
    result = cli("validate", mixed, env={"GITHUB_ACTIONS": "true"})
    lines = result.stdout.splitlines()
    assert lines[0] == f"::group::{mixed / 'a.txt'}"
    assert lines[1].startswith(f"::error file={mixed / 'a.txt'},line=4,col=6,")
    assert lines[2] == "::endgroup::"
    assert lines.count("::endgroup::") == 5
    assert result.stdout.endswith("::endgroup::\n5 files, 2 errors, 3 warnings\n")
    # An explicit --format wins.
    result = cli("validate", mixed, "-f", "text", env={"GITHUB_ACTIONS": "true"})
    assert "::group::" not in result.stdout


def test_gitlab_code_quality(cli: Cli, mixed: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(mixed.parent)
    (mixed / "f.txt").write_text(seed_with(url="http://e.com/a"))  # a duplicate of a.txt
    report = mixed.parent / "gl.json"
    assert cli("validate", "archive", "-f", f"gitlab:{report}").exit_code == 1
    issues = orjson.loads(report.read_bytes())
    assert len(issues) == 6
    first = issues[0]
    assert set(first) == {"description", "check_name", "fingerprint", "severity", "location"}
    assert first["check_name"] == "date-invalid"
    assert first["severity"] == "major"
    assert first["location"] == {"path": "archive/a.txt", "lines": {"begin": 4}}
    assert {i["severity"] for i in issues} == {"major", "minor"}
    assert len({i["fingerprint"] for i in issues}) == len(issues)
    # Stable across runs.
    cli("validate", "archive", "-f", f"gitlab:{report}")
    assert orjson.loads(report.read_bytes()) == issues


def test_gitlab_fingerprints_are_stable_and_unique(cli: Cli, tmp_path: Path) -> None:
    # Two identical findings in one file (JSON Lines: two records) stay two issues.
    line = orjson.dumps(
        {
            "url": "http://a.com",
            "headline": "H",
            "keywords": [],
            "date": "x",
            "word_count": 1,
            "body": "B",
        }
    )
    (tmp_path / "a.jsonl").write_bytes(line + b"\n" + line + b"\n")
    runs = [
        orjson.loads(cli("validate", tmp_path / "a.jsonl", "-f", "gitlab").stdout) for _ in range(2)
    ]
    prints = [[i["fingerprint"] for i in run] for run in runs]
    assert prints[0] == prints[1]
    assert len(set(prints[0])) == len(prints[0]) >= 2


def test_rules_as_json(cli: Cli) -> None:
    rules = orjson.loads(cli("rules", "--format", "json").stdout)
    codes = [rule["code"] for rule in rules]
    assert "date-invalid" in codes
    assert "duplicate-url" in codes
    mismatch = next(rule for rule in rules if rule["code"] == "word-count-mismatch")
    assert (mismatch["opt_in"], mismatch["default_level"]) == (True, "off")
    assert set(rules[0]) >= {"code", "severity", "summary", "details", "bad", "good", "fixable"}


def test_sarif_paths_are_relative_to_the_repository_root(
    cli: Cli, mixed: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = mixed.parent
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    (mixed / "f.txt").write_text(seed_with(url="http://e.com/c"))  # a duplicate of c.txt
    monkeypatch.chdir(mixed)  # as a job with working-directory: archive
    result = cli("validate", ".", "-f", "sarif")
    log = orjson.loads(result.stdout)
    run = log["runs"][0]
    real_root = root.resolve()
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == f"file://{real_root}/"
    locations = [r["locations"][0]["physicalLocation"]["artifactLocation"] for r in run["results"]]
    assert {"uri": "archive/a.txt", "uriBaseId": "%SRCROOT%"} in locations
    duplicate = next(r for r in run["results"] if r["ruleId"] == "duplicate-url")
    related = duplicate["relatedLocations"][0]["physicalLocation"]["artifactLocation"]
    assert related == {"uri": "archive/c.txt", "uriBaseId": "%SRCROOT%"}
    help_text = run["tool"]["driver"]["rules"][0]["help"]["text"]
    assert help_text == cli("explain", run["tool"]["driver"]["rules"][0]["id"]).stdout
    assert "helpUri" not in run["tool"]["driver"]["rules"][0]
    if SARIF_SCHEMA.exists():
        import jsonschema

        jsonschema.Draft7Validator(orjson.loads(SARIF_SCHEMA.read_bytes())).validate(log)


def test_every_seed_rule_in_statistics_has_a_summary(cli: Cli) -> None:
    result = cli("validate", SEEDS, "--statistics")
    for line in result.stdout.splitlines():
        count, code, level, summary = line.split(maxsplit=3)
        assert int(count) >= 1, code
        assert level in ("error", "warning")
        assert summary


def test_full_runs_respect_gitignore(
    cli: Cli, mixed: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = mixed.parent
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    (root / ".gitignore").write_text("archive/a.txt\nbuild/\n")
    (root / "build").mkdir()
    (root / "build" / "junk.txt").write_text("")
    monkeypatch.chdir(root)
    result = cli("validate", ".")
    assert result.stdout.endswith("4 files, 1 error, 3 warnings\n")
    assert "junk.txt" not in result.stdout
    assert "a.txt" not in result.stdout
    # Named one by one, an ignored file is checked; --no-gitignore checks everything.
    assert "archive/a.txt:4:6" in cli("validate", "archive/a.txt").stdout
    result = cli("validate", ".", "--no-gitignore")
    assert result.stdout.endswith("6 files, 3 errors, 3 warnings\n")
    assert "gitignore: respected" in cli("validate", "--show-settings").stdout
    assert "archive/a.txt" not in cli("fmt", "--check", "archive").stdout
    assert "archive/a.txt: invalid" in cli("fmt", "--check", ".", "--no-gitignore").stdout


def test_sarif_offers_the_fixes_of_fixable_findings(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(seed_with(date="Published: June 29, 2013", suffix="\n"))
    (tmp_path / "b.txt").write_text(seed_with(url="http://e.com/b", date="Feb. 30, 2012"))
    log = orjson.loads(cli("validate", tmp_path, "-f", "sarif").stdout)
    results = {r["ruleId"]: r for r in log["runs"][0]["results"]}
    date = results["date-unrecognized"]["fixes"][0]["artifactChanges"][0]["replacements"][0]
    assert date["deletedRegion"] == {"startLine": 4, "startColumn": 1, "endColumn": 25}
    assert date["insertedContent"] == {"text": "June 29, 2013"}
    ending = results["final-newline"]["fixes"][0]["artifactChanges"][0]["replacements"][0]
    assert ending["deletedRegion"]["byteOffset"] == 0
    assert ending["insertedContent"]["text"] == seed_with(date="June 29, 2013")
    assert "fixes" not in results["date-invalid"]  # no obvious repair, none offered
    if SARIF_SCHEMA.exists():
        import jsonschema

        jsonschema.Draft7Validator(orjson.loads(SARIF_SCHEMA.read_bytes())).validate(log)
