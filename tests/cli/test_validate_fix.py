"""``archive validate --fix``: repairs written back as ``archive fmt`` writes, then the rest."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import SEED
from tests.support import SEED_TEXT, Cli, seed_with


def test_fix_repairs_errors_and_warnings_then_reports_what_is_left(
    cli: Cli, tmp_path: Path
) -> None:
    fixable = tmp_path / "a.txt"
    fixable.write_text(seed_with(date="Published: June 29, 2013", suffix="\n"), encoding="utf-8")
    os.chmod(fixable, 0o640)
    left = tmp_path / "b.txt"
    left.write_text(seed_with(url="http://e.com/b", date="Feb. 30, 2012"), encoding="utf-8")
    ambiguous = tmp_path / "c.txt"
    ambiguous.write_text(seed_with(url="http://e.com/c", date="12.16.14 9:30AM"))
    result = cli("validate", tmp_path, "--fix", "--show-fixes")
    assert result.exit_code == 1
    assert fixable.read_text(encoding="utf-8") == seed_with(date="June 29, 2013")
    assert os.stat(fixable).st_mode & 0o777 == 0o640
    assert ambiguous.read_text().split("\n")[3] == "12.16.14 9:30AM"  # not without --unsafe-fixes
    out = result.stdout
    assert (
        f'{fixable}:4: date-unrecognized: date "Published: June 29, 2013" -> "June 29, 2013"' in out
    )
    assert f"{fixable}:6: final-newline: removed the final newline" in out
    assert "Fixed 2 problems in 1 file:" in out
    assert f"{left}:4:" in out
    assert f"{fixable}:" not in out.split("Fixed")[0]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt", "b.txt", "c.txt"]

    result = cli("validate", ambiguous, "--fix", "--unsafe-fixes", "--show-fixes")
    assert result.exit_code == 0
    assert "(read month first: an unsafe fix)" in result.stdout
    assert ambiguous.read_text().split("\n")[3] == "Dec. 16, 2014"


def test_fix_without_show_fixes_says_how_many(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(SEED_TEXT.replace("Aug. 25, 2011", "AUG. 25, 2011"))
    result = cli("validate", tmp_path, "--fix")
    assert result.exit_code == 0
    assert result.stdout == "1 file, 0 errors, 0 warnings\n"
    assert "fixed 1 file (--show-fixes lists the changes)" in result.stderr


def test_fix_never_touches_a_file_it_cannot_repair_without_loss(cli: Cli, tmp_path: Path) -> None:
    latin1 = tmp_path / "a.txt"
    data = seed_with(date="Published: June 29, 2013").encode().replace(b"\xe2\x80\x94", b"\x97")
    latin1.write_bytes(data)
    os.utime(latin1, (1_000_000, 1_000_000))
    result = cli("validate", latin1, "--fix")
    assert result.exit_code == 1
    assert latin1.read_bytes() == data
    assert os.stat(latin1).st_mtime == 1_000_000


def test_fix_options_need_fix(cli: Cli) -> None:
    for option in ("--unsafe-fixes", "--show-fixes"):
        result = cli("validate", SEED, option)
        assert result.exit_code == 2
        assert "--fix" in result.stderr


def test_fix_follows_rule_levels(cli: Cli, tmp_path: Path) -> None:
    target = tmp_path / "a.txt"
    target.write_text(SEED_TEXT + "\n")
    result = cli("validate", target, "--fix", "--ignore", "final-newline")
    assert result.exit_code == 0
    assert target.read_text() == SEED_TEXT + "\n"


def test_fix_and_fmt_agree_on_the_canonical_form(cli: Cli, tmp_path: Path) -> None:
    one, two = tmp_path / "one", tmp_path / "two"
    for folder in (one, two):
        folder.mkdir()
        (folder / "a.txt").write_bytes(
            b"\xef\xbb\xbf"
            + SEED.read_bytes().replace(b"\n", b"\r\n").replace(b"Aug. 25, 2011", b"2011-08-25")
        )
    assert cli("validate", one, "--fix").exit_code == 0
    assert cli("fmt", two).exit_code == 0
    assert (one / "a.txt").read_bytes() == (two / "a.txt").read_bytes() == SEED.read_bytes()


def test_final_newline_setting_flips_the_rule_for_validate_fmt_and_fix(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.archive]\nfinal-newline = true\n")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.txt").write_bytes(SEED.read_bytes())
    (tmp_path / "b.txt").write_bytes(SEED.read_bytes().replace(b"http://", b"https://"))
    result = cli("validate", ".")
    assert "a.txt:6:7518: warning[final-newline] the file does not end with a newline" in (
        result.stdout
    )
    assert cli("fmt", "a.txt").exit_code == 0
    assert cli("validate", "b.txt", "--fix").exit_code == 0
    for name in ("a.txt", "b.txt"):
        assert (tmp_path / name).read_bytes().endswith(b"resolved.\xe2\x80\x9d\n")
    assert cli("validate", ".", "--strict").stdout == "2 files, 0 errors, 0 warnings\n"
    assert cli("fmt", "--check", ".").exit_code == 0
    result = cli("fmt", "-", input=SEED.read_bytes())
    assert result.stdout_bytes == SEED.read_bytes() + b"\n"
    (tmp_path / "pyproject.toml").write_text("[tool.archive]\nfinal-newline = 1\n")
    result = cli("validate", ".")
    assert result.exit_code == 2
    assert "final-newline must be true or false" in result.stderr
