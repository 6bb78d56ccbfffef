"""Output names that the file system refuses fail their record, not the batch."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from tests.conftest import SEED
from tests.support import Cli, files, temporaries

pytestmark = pytest.mark.hostile


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        (["d.txt", "d.txt/x.txt"], "stands where a folder"),
        (["n" * 300 + ".txt"], "File name too long"),
    ],
    ids=["file-where-a-folder-goes", "300-characters"],
)
def test_a_member_whose_output_cannot_be_named_is_a_finding_skip_invalid_skips(
    cli: Cli, tmp_path: Path, bad: list[str], reason: str
) -> None:
    # Before: the whole batch stopped (exit 2) even with --skip-invalid, and the
    # message showed the internal staging path.
    archive = tmp_path / "in.zip"
    with zipfile.ZipFile(archive, "w") as handle:
        for name in [*bad, "ok.txt"]:
            handle.writestr(name, SEED.read_bytes())
    out = tmp_path / "out"
    skipped = cli("convert", archive, "--to", "archive", "--output-dir", out, "--skip-invalid")
    assert skipped.exit_code == 0, skipped.output
    assert "output-name" in skipped.output
    assert reason in skipped.output
    assert ".archive-convert-" not in skipped.output
    assert "ok.txt" in files(out)
    assert temporaries(tmp_path) == []
    strict = cli("convert", archive, "--to", "archive", "--output-dir", tmp_path / "out2")
    assert strict.exit_code == 1, strict.output  # a bad record, not a usage error
    assert not (tmp_path / "out2").exists()
