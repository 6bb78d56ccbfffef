"""The ``archive`` command as a user runs it: output, exit codes, help."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from archivekit import __version__
from archivekit.cli import app
from tests.conftest import SEED, SEEDS

runner = CliRunner()


def run(*args: str, stdin: bytes | None = None) -> tuple[int, str]:
    result = runner.invoke(app, list(args), input=stdin)
    return result.exit_code, result.output


def test_the_seed_is_clean() -> None:
    code, out = run("validate", str(SEED))
    assert code == 0
    assert out == "1 file, 0 errors, 0 warnings\n"


def test_each_invalid_seed_fails_with_its_code() -> None:
    for path in sorted((SEEDS / "invalid").glob("*.txt")):
        code, out = run("validate", str(path))
        assert code == 1, path
        assert f"error[{path.stem}]" in out
        assert out.startswith(f"{path}:")


def test_a_folder_with_warnings_only_passes_unless_strict(tmp_path: Path) -> None:
    for path in (SEEDS / "valid").glob("*.txt"):
        shutil.copy(path, tmp_path / path.name)
    code, out = run("validate", str(tmp_path))
    assert code == 0
    # One warning per seed: each has its own URL, so no duplicate-url.
    assert out.endswith("10 files, 0 errors, 9 warnings\n")
    assert "duplicate-url" not in out
    assert run("validate", str(tmp_path), "--strict")[0] == 1
    code, out = run("validate", str(tmp_path), "--quiet")
    assert (code, out) == (0, "")
    code, out = run("validate", str(tmp_path), "--quiet", "--strict")
    assert code == 1
    assert len(out.splitlines()) == 9


def test_glob_picks_other_names(tmp_path: Path) -> None:
    (tmp_path / "a.rec").write_bytes(SEED.read_bytes())
    (tmp_path / "b.txt").write_bytes(b"")
    code, out = run("validate", str(tmp_path), "--glob", "*.rec")
    assert (code, out) == (0, "1 file, 0 errors, 0 warnings\n")


def test_standard_input() -> None:
    code, out = run("validate", "-", stdin=SEED.read_bytes()[:-5] + b"\x00")
    assert code == 1
    assert out.startswith("<stdin>:6:")


def test_usage_errors_exit_2() -> None:
    code, out = run("validate", "no/such/path.txt")
    assert code == 2
    assert "no/such/path.txt: no such file or directory" in out
    assert run("validate", str(SEED), "--no-such-option")[0] == 2
    assert run("validate")[0] == 2
    code, out = run("validate", str(SEED), "--enable", "nope")
    assert code == 2
    assert "unknown rule" in out


def test_enable_word_count_mismatch() -> None:
    code, out = run("validate", str(SEED), "--enable", "word-count-mismatch")
    assert code == 0
    assert "warning[word-count-mismatch] declared 8304 words, the body has 1168" in out


def test_schema_prints_the_committed_schema() -> None:
    code, out = run("schema")
    assert code == 0
    assert orjson.loads(out)["title"] == "Record"


def test_rules_lists_every_rule() -> None:
    from archivekit.rules import RULES

    code, out = run("rules")
    assert code == 0
    assert [line.split()[0] for line in out.splitlines()] == [r.code for r in RULES]


def test_version() -> None:
    assert run("--version") == (0, f"archive (archivekit) {__version__}\n")


def test_every_command_has_help_with_examples() -> None:
    names = [c.name or getattr(c.callback, "__name__", "") for c in app.registered_commands]
    assert names
    for name in names:
        code, out = run(name, "--help")
        assert code == 0, name
        assert "Example" in out, name
    for command in app.registered_commands:
        assert command.callback is not None
        assert command.callback.__doc__


def _installed(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    exe = Path(sys.executable).with_name("archive")
    return subprocess.run(
        [str(exe), *args],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, **(env or {})},
    )


@pytest.mark.skipif(
    not Path(sys.executable).with_name("archive").exists(),
    reason="the archive command is not installed in this environment",
)
def test_installed_command_colour_and_no_color() -> None:
    bad = str(SEEDS / "invalid" / "date-invalid.txt")
    plain = _installed("validate", bad)
    assert plain.returncode == 1
    assert "\x1b[" not in plain.stdout  # not a terminal: no colour
    forced = _installed("validate", bad, env={"FORCE_COLOR": "1"})
    assert "\x1b[1;31merror" in forced.stdout
    both = _installed("validate", bad, env={"FORCE_COLOR": "1", "NO_COLOR": "1"})
    assert "\x1b[" not in both.stdout


def test_a_folder_with_nothing_to_check_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "notes.md").write_text("x")
    code, out = run("validate", str(tmp_path))
    assert code == 2
    assert "no files to check" in out
    # Files named one by one (as pre-commit passes them) never trip it.
    assert run("validate", str(SEED))[0] == 0
