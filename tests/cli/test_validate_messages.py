"""The messages of ``archive validate`` as a CI user reads them: advice that is right."""

from __future__ import annotations

from pathlib import Path

import orjson

from tests.conftest import SEED
from tests.support import SEED_TEXT, Cli


def test_an_empty_word_count_is_never_told_to_be_zero(cli: Cli, tmp_path: Path) -> None:
    lines = SEED_TEXT.split("\n", 5)
    lines[4] = ""
    (tmp_path / "a.txt").write_text("\n".join(lines), encoding="utf-8")
    result = cli("validate", tmp_path / "a.txt")
    assert "0 if unknown" not in result.stdout
    assert "count the body's words" in result.stdout


def test_lines_are_counted_as_wc_does(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_bytes(b"http://a.com/x\nHeadline\n")
    result = cli("validate", tmp_path / "a.txt")
    assert "the file has 2 lines, a record has six" in result.stdout


def test_json_messages_speak_iso_and_name_the_missing_field(cli: Cli, tmp_path: Path) -> None:
    record = {"url": "http://a.com/x", "headline": "H", "word_count": 3, "body": "B"}
    (tmp_path / "a.json").write_bytes(orjson.dumps({**record, "date": "Published June 3, 2011"}))
    (tmp_path / "b.json").write_bytes(orjson.dumps({**record, "date": 1314230400000}))
    result = cli("validate", tmp_path / "a.json", tmp_path / "b.json")
    assert "the keywords is missing" not in result.stdout
    assert "no 'keywords' field: add it ([] if there are none)" in result.stdout
    assert 'write only the date, "2011-06-03"' in result.stdout
    assert "AP style" not in result.stdout
    assert "looks like epoch milliseconds, 2011-08-25" in result.stdout


def test_a_csv_with_a_wrong_header_counts_no_record(cli: Cli, tmp_path: Path) -> None:
    rows = "".join(f"http://a.com/{i},H,,2011-08-25,3,B\n" for i in range(50))
    (tmp_path / "a.csv").write_text("link,title,tags,date,n,body\n" + rows, encoding="utf-8")
    (tmp_path / "b.txt").write_bytes(SEED.read_bytes())
    result = cli("validate", tmp_path, "--glob", "*")
    assert result.stdout.endswith("2 files (1 record), 1 error, 0 warnings\n")


def test_update_baseline_counts_this_run_only(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_bytes(b"")
    (tmp_path / "b.txt").write_bytes(b"")
    base = tmp_path / "base.json"
    cli("validate", tmp_path, "--baseline", base, "--update-baseline")
    result = cli("validate", tmp_path / "a.txt", "--baseline", base, "--update-baseline")
    assert "recorded 1 finding of this run" in result.stderr
    assert "kept 1 finding of files not checked" in result.stderr


def test_option_mistakes_are_usage_errors_that_help(cli: Cli) -> None:
    result = cli("validate", SEED, "--enable", "word-count-mismtach")
    assert result.exit_code == 2
    assert "did you mean word-count-mismatch?" in result.stderr
    result = cli("validate", SEED, "--word-count-tolerance", "0.2")
    assert result.exit_code == 2
    assert "add --enable word-count-mismatch" in result.stderr
    result = cli(
        "validate", SEED, "--word-count-tolerance", "0.2", "--enable", "word-count-mismatch"
    )
    assert result.exit_code == 0


def test_help_shows_no_typer_internals_and_no_docs_paths(cli: Cli) -> None:
    for command in ("validate", "fmt", "convert", "explain"):
        text = cli(command, "--help", env={"COLUMNS": "200"}).stdout
        for internal in ("<str>", "<int", "x>="):
            assert internal not in text, command
        assert "docs/" not in text, command
    assert "docs/" not in cli("--help").stdout
    for topic in ("format", "exit-codes", "config"):
        result = cli("explain", topic)
        assert result.exit_code == 0, topic
        assert result.stdout.strip(), topic
