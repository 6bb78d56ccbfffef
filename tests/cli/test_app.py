"""The ``archive`` command as a user runs it: output, exit codes, help."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import orjson
import pytest

from archivekit import __version__
from archivekit.cli import app
from tests.conftest import SEED, SEEDS
from tests.support import Cli


def test_the_seed_is_clean(cli: Cli) -> None:
    result = cli("validate", str(SEED))
    assert result.exit_code == 0
    assert result.output == "1 file, 0 errors, 0 warnings\n"


def test_each_invalid_seed_fails_with_its_code(cli: Cli) -> None:
    for path in sorted((SEEDS / "invalid").glob("*.txt")):
        result = cli("validate", str(path))
        assert result.exit_code == 1, path
        assert f"error[{path.stem}]" in result.output
        assert result.output.startswith(f"{path}:")


def test_a_folder_with_warnings_only_passes_unless_strict(cli: Cli, tmp_path: Path) -> None:
    for path in (SEEDS / "valid").glob("*.txt"):
        shutil.copy(path, tmp_path / path.name)
    result = cli("validate", str(tmp_path))
    assert result.exit_code == 0
    # One warning per seed: each has its own URL, so no duplicate-url.
    assert result.output.endswith("10 files, 0 errors, 9 warnings\n")
    assert "duplicate-url" not in result.output
    assert cli("validate", str(tmp_path), "--strict").exit_code == 1
    result = cli("validate", str(tmp_path), "--quiet")
    assert (result.exit_code, result.output) == (0, "")
    result = cli("validate", str(tmp_path), "--quiet", "--strict")
    assert result.exit_code == 1
    assert len(result.output.splitlines()) == 9


def test_glob_picks_other_names(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "a.rec").write_bytes(SEED.read_bytes())
    (tmp_path / "b.txt").write_bytes(b"")
    result = cli("validate", str(tmp_path), "--glob", "*.rec")
    assert (result.exit_code, result.output) == (0, "1 file, 0 errors, 0 warnings\n")


def test_standard_input(cli: Cli) -> None:
    result = cli("validate", "-", input=SEED.read_bytes()[:-5] + b"\x00")
    assert result.exit_code == 1
    assert result.output.startswith("<stdin>:6:")


def test_usage_errors_exit_2(cli: Cli) -> None:
    result = cli("validate", "no/such/path.txt")
    assert result.exit_code == 2
    assert "no/such/path.txt: no such file or directory" in result.output
    assert cli("validate", str(SEED), "--no-such-option").exit_code == 2
    result = cli("validate", str(SEED), "--enable", "nope")
    assert result.exit_code == 2
    assert "unknown rule" in result.output


def test_enable_word_count_mismatch(cli: Cli) -> None:
    result = cli("validate", str(SEED), "--enable", "word-count-mismatch")
    assert result.exit_code == 0
    assert "warning[word-count-mismatch] declared 8304 words, the body has 1168" in result.output


def test_schema_prints_the_committed_schema(cli: Cli) -> None:
    result = cli("schema")
    assert result.exit_code == 0
    assert orjson.loads(result.output)["title"] == "Record"


def test_rules_lists_every_rule(cli: Cli) -> None:
    from archivekit.rules import RULES

    result = cli("rules")
    assert result.exit_code == 0
    assert [line.split()[0] for line in result.output.splitlines()] == [r.code for r in RULES]


def test_version(cli: Cli) -> None:
    result = cli("--version")
    assert (result.exit_code, result.output) == (0, f"archive (archivekit) {__version__}\n")


def test_every_command_has_help_with_examples(cli: Cli) -> None:
    import importlib

    from archivekit.cli.app import COMMANDS

    listed = cli("--help").output
    for name in COMMANDS:
        assert f" {name} " in listed, name
        result = cli(name, "--help")
        assert result.exit_code == 0, name
        assert "Example" in result.output, name
        # Each command is the function of the same name in archivekit/cli/<name>.py.
        assert getattr(importlib.import_module(f"archivekit.cli.{name}"), name).__doc__
    assert app.info.name == "archive"


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


def test_a_folder_with_nothing_to_check_is_a_usage_error(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "notes.rst").write_text("x")
    result = cli("validate", str(tmp_path))
    assert result.exit_code == 2
    assert "no files to check" in result.output
    # Files named one by one (as pre-commit passes them) never trip it.
    assert cli("validate", str(SEED)).exit_code == 0


def test_validating_one_file_imports_only_what_it_uses(tmp_path: Path) -> None:
    # Start-up: no other report format, no tomllib without a configuration file, no
    # multiprocessing for one file, neither convert nor fmt, no cache for a few files.
    from archivekit.record.write import dump_bytes
    from bench.generate import make_record

    (tmp_path / "a.txt").write_bytes(dump_bytes(make_record(0)))
    code = (
        "import sys\nsys.argv = ['archive', 'validate', 'a.txt']\n"
        "from archivekit.cli.app import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print(' '.join(sys.modules), file=sys.stderr)"
    )
    run = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=True
    )
    loaded = set(run.stderr.split())
    assert "archivekit.reports.text" in loaded
    unwanted = {
        "tomllib",
        "multiprocessing",
        "hashlib",
        "archivekit.reports.junit",
        "archivekit.reports.sarif",
        "archivekit.reports.json",
        "archivekit.reports.github",
        "archivekit.cli.convert",
        "archivekit.cli.fmt",
        "pydantic",
    }
    assert loaded & unwanted == set()


def test_version_builds_no_command() -> None:
    # Every command's module is imported (and its options built) only when it runs.
    code = (
        "import sys\nsys.argv = ['archive', '--version']\n"
        "from archivekit.cli.app import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print(' '.join(m for m in sys.modules if m.startswith('archivekit.cli.')))"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    modules = set(run.stdout.splitlines()[-1].split())
    assert "archivekit.cli.app" in modules
    assert modules <= {"archivekit.cli.app", "archivekit.cli.guard", "archivekit.cli.console"}


@pytest.mark.hostile
def test_jobs_far_above_the_cpu_count_are_capped_with_a_note(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Before: --jobs 100000 forked that many processes, silently.
    import archivekit.workers as workers

    started: list[int] = []
    real = workers.Workers.__init__

    def spy(self: object, func: object, count: int) -> None:
        started.append(count)
        assert count <= 16, f"{count} workers asked for"  # never fork that many here
        real(self, func, count)  # type: ignore[arg-type]

    monkeypatch.setattr(workers.Workers, "__init__", spy)
    monkeypatch.setattr(os, "cpu_count", lambda: 1)
    for number in range(300):  # enough for the pool
        (tmp_path / f"{number}.txt").write_bytes(SEED.read_bytes())
    result = cli("validate", tmp_path, "--jobs", "100000")
    assert result.exit_code == 0, result.output
    assert "archive: note: --jobs 100000 capped at 4 (4 per CPU)" in result.stderr
    assert started == [4]


def test_help_shows_no_typer_internals_and_every_format(cli: Cli) -> None:
    from archivekit.cli.app import COMMANDS
    from archivekit.formats import FORMAT_BY_NAME

    for name in COMMANDS:
        out = cli(name, "--help").output
        assert "<str>" not in out, name
        assert "<int" not in out, name
        assert "x>=" not in out, name
    assert "--limit   -n      N " in cli("search", "--help").output
    assert "0 is not 1 or more" in cli("search", "x.db", "q", "-n", "0").output
    listed = " ".join(cli("--help").output.split())
    for fmt in FORMAT_BY_NAME:
        assert fmt in listed.split("convert", 1)[1].split("(see: archive formats)")[0], fmt


def test_formats_table_columns_line_up(cli: Cli) -> None:
    rows = cli("formats").stdout.split("\n\n")[0].splitlines()
    assert len(rows) >= 7
    # The third and fourth columns start at the same place on every row.
    holds = {re.search(r"  (?=one|many)", row).end() for row in rows}  # type: ignore[union-attr]
    assert len(holds) == 1, rows
