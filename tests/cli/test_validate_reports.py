"""``archive validate`` never lets a report eat a record, and counts each file once."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import orjson
import pytest

from tests.conftest import SEED
from tests.support import Cli, seed_with

ARCHIVE = Path(sys.executable).parent / "archive"


def test_a_report_naming_an_input_is_refused_and_the_input_kept(cli: Cli, tmp_path: Path) -> None:
    record = tmp_path / "a.txt"
    record.write_bytes(SEED.read_bytes())
    for spec in (f"sarif:{record}", f"json:{tmp_path}/./a.txt"):
        result = cli("validate", record, "--format", spec)
        assert result.exit_code == 2
        assert "is also an input" in result.stderr
        assert record.read_bytes() == SEED.read_bytes()


def test_a_report_over_a_record_of_a_walked_folder_is_refused(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The record is not named, only the folder it is in: it is an input all the same.
    record = tmp_path / "a.txt"
    record.write_bytes(SEED.read_bytes())
    monkeypatch.chdir(tmp_path)
    for spec in ("sarif:a.txt", "json:./a.txt", f"text:{record}"):
        result = cli("validate", "--format", spec, ".")
        assert result.exit_code == 2, spec
        assert "a.txt: is also an input" in result.stderr
        assert record.read_bytes() == SEED.read_bytes()


def test_two_reports_on_one_path_are_refused(cli: Cli, tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    result = cli("validate", SEED, "-f", f"json:{out}", "-f", f"sarif:{tmp_path}/./r.json")
    assert result.exit_code == 2
    assert "name one file" in result.stderr
    assert not out.exists()


def test_a_report_inside_the_checked_folder_is_never_checked(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_bytes(SEED.read_bytes())
    report = tmp_path / "report.txt"
    for _ in range(2):  # the second run finds last run's report in the folder
        result = cli("validate", tmp_path, "--format", f"json:{report}")
        assert result.exit_code == 0, result.output
        document = orjson.loads(report.read_bytes())
        assert document["totals"]["files"] == 1
        assert document["findings"] == []
    # No temporary is left beside it.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt", "report.txt"]


def test_an_interrupted_run_leaves_the_previous_report_whole(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_bytes(SEED.read_bytes())
    report = tmp_path / "report.json"
    report.write_bytes(b'{"previous": true}')
    # Standard input left open blocks the run mid-way, after the report is opened.
    run = subprocess.Popen(
        [str(ARCHIVE), "validate", str(tmp_path / "a.txt"), "-", "-f", f"json:{report}"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    time.sleep(1.5)
    run.send_signal(signal.SIGINT)
    run.communicate(timeout=30)
    assert run.returncode != 0
    assert report.read_bytes() == b'{"previous": true}'
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt", "report.json"]


def test_one_file_spelled_two_ways_is_checked_once(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "archive" / "0000"
    folder.mkdir(parents=True)
    (folder / "x.txt").write_bytes(SEED.read_bytes())
    (folder / "y.txt").write_text(seed_with(url="http://example.com/y"), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = cli("validate", "archive/0000", "./archive/0000/x.txt", "archive/../archive")
    assert result.exit_code == 0, result.output
    assert result.output == "2 files, 0 errors, 0 warnings\n"
    out = tmp_path / "out"
    result = cli(
        "convert", "archive/0000", "./archive/0000/x.txt", "--to", "archive", "--output-dir", out
    )
    assert result.exit_code == 0, result.output
    assert len(list(out.rglob("*.txt"))) == 2


@pytest.mark.parametrize("colour", [False, True])
def test_the_text_report_keeps_the_line_number_in_colour_too(
    cli: Cli, tmp_path: Path, colour: bool
) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_text(seed_with(date="Aug. 32, 2011"), encoding="utf-8")
    env = {"FORCE_COLOR": "1"} if colour else {"NO_COLOR": "1"}
    result = cli("validate", bad, env=env)
    plain = result.stdout.replace("\x1b[1m", "").replace("\x1b[0m", "")
    assert f"{bad}:4:6:" in plain
    assert ("\x1b[" in result.stdout) is colour


def test_duplicate_url_sees_committed_files_when_files_are_named_one_by_one(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # pre-commit passes only the staged file; the project is the configuration's folder.
    (tmp_path / "pyproject.toml").write_text('[tool.archive]\ninclude = ["archive/**"]\n')
    (tmp_path / "archive").mkdir()
    (tmp_path / "archive" / "old.txt").write_bytes(SEED.read_bytes())
    (tmp_path / "archive" / "new.txt").write_bytes(SEED.read_bytes())
    (tmp_path / "notes.txt").write_bytes(SEED.read_bytes())  # outside include: not a record
    monkeypatch.chdir(tmp_path)
    result = cli("validate", "archive/new.txt", "--strict")
    assert result.exit_code == 1
    assert "archive/new.txt:1:1: warning[duplicate-url]" in result.stdout
    assert "is also the URL of archive/old.txt" in result.stdout
    assert "notes.txt" not in result.stdout
    assert result.stdout.endswith("1 file, 0 errors, 1 warning\n")
    # Named together, the pair is still one duplicate, reported once.
    result = cli("validate", "archive/old.txt", "archive/new.txt")
    assert result.stdout.count("duplicate-url") == 1


def test_duplicate_url_under_a_git_work_tree_without_configuration(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    (tmp_path / "sub").mkdir()
    (tmp_path / "a.txt").write_bytes(SEED.read_bytes())
    (tmp_path / "sub" / "b.txt").write_bytes(SEED.read_bytes())
    monkeypatch.chdir(tmp_path / "sub")
    result = cli("validate", "b.txt")
    assert "b.txt:1:1: warning[duplicate-url]" in result.stdout
    assert (
        "is also the URL of ../a.txt" in result.stdout or str(tmp_path / "a.txt") in result.stdout
    )


def test_on_a_real_terminal_the_location_keeps_its_line(tmp_path: Path) -> None:
    # pre-commit runs hooks in a pseudo-terminal: this is the shape it shows.
    script = shutil.which("script")
    if script is None:
        pytest.skip("script(1) is not installed: no pseudo-terminal to run in")
    bad = tmp_path / "bad.txt"
    bad.write_text(seed_with(date="Aug. 32, 2011"), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    done = subprocess.run(
        [script, "-qc", f"{ARCHIVE} validate bad.txt", "/dev/null"],
        cwd=tmp_path,
        env={**env, "TERM": "xterm"},
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert "\x1b[" in done.stdout  # coloured: a terminal
    plain = re.sub(r"\x1b\[[0-9;]*m", "", done.stdout)
    assert "bad.txt:4:6: error[date-invalid]" in plain
    assert " 4 | Aug. 32, 2011" in plain  # the source excerpt, with its caret below
