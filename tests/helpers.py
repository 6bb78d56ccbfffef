"""Small builders shared by the CI-report tests: record files made from the seed."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from archivekit.cli.app import app
from tests.conftest import SEED

SEED_TEXT = SEED.read_text(encoding="utf-8")


def seed_with(*, url: str | None = None, date: str | None = None, suffix: str = "") -> str:
    """The seed's text with its URL or date line replaced, and ``suffix`` appended."""
    lines = SEED_TEXT.split("\n", 5)
    if url is not None:
        lines[0] = url
    if date is not None:
        lines[3] = date
    return "\n".join(lines) + suffix


def make_batch(root: Path) -> dict[str, Path]:
    """Three files: clean, one error (date-invalid), one warning (final-newline)."""
    root.mkdir(parents=True, exist_ok=True)
    files = {
        "good": root / "good.txt",
        "bad": root / "bad.txt",
        "warn": root / "warn.txt",
    }
    files["good"].write_text(SEED_TEXT, encoding="utf-8")
    files["bad"].write_text(
        seed_with(url="http://example.com/bad", date="Aug. 32, 2011"), encoding="utf-8"
    )
    files["warn"].write_text(
        seed_with(url="http://example.com/warn", suffix="\n"), encoding="utf-8"
    )
    return files


def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    """Run ``archive ARGS`` in-process: exit code, standard output, standard error."""
    result = CliRunner().invoke(app, list(args), env=env)
    return result.exit_code, result.stdout, result.stderr
