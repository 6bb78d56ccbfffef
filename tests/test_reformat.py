"""``archive fmt``: valid files rewritten in canonical form, atomically; invalid ones untouched."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from archivekit.record.parse import parse
from archivekit.record.write import dump_bytes
from archivekit.reformat import FmtStatus, format_bytes, unified_diff
from tests.conftest import SEED, SEEDS
from tests.helpers import run

VALID = sorted((SEEDS / "valid").glob("*.txt"))
INVALID = sorted((SEEDS / "invalid").glob("*.txt"))


@pytest.fixture
def seeds(tmp_path: Path) -> Path:
    if not VALID or not INVALID:
        pytest.skip("no per-rule seeds")
    for path in VALID + INVALID:
        shutil.copy(path, tmp_path / f"{path.parent.name}-{path.name}")
    return tmp_path


def test_fmt_makes_every_accepted_seed_canonical(seeds: Path) -> None:
    before = {p.name: p.read_bytes() for p in seeds.iterdir()}
    code, out, _ = run("fmt", str(seeds))
    assert code == 1  # the invalid seeds could not be formatted
    assert "invalid, left untouched" in out  # beside its findings
    for name, data in before.items():
        now = (seeds / name).read_bytes()
        result = parse(data)
        if result.record is None:
            assert now == data, f"{name}: an invalid file was touched"
            continue
        assert now == dump_bytes(result.record), name
        # Canonical now: reading it back warns of nothing the writer could have fixed.
        codes = {d.code for d in parse(now).diagnostics}
        assert codes <= {"body-multiline"}, (name, codes)
        if now != data:
            assert f"reformatted {seeds / name}" in out
    assert "8 files reformatted" in out
    # A second run has nothing left to do.
    code, out, _ = run("fmt", str(seeds), "--check")
    assert code == 1  # still the invalid ones
    assert "0 files would be reformatted" in out


def test_check_changes_nothing_and_fails_on_a_non_canonical_file(tmp_path: Path) -> None:
    target = tmp_path / "a.txt"
    data = SEED.read_bytes() + b"\n"
    target.write_bytes(data)
    code, out, _ = run("fmt", str(target), "--check")
    assert code == 1
    assert out.startswith(f"would reformat {target}\n")
    assert target.read_bytes() == data
    target.write_bytes(SEED.read_bytes())
    assert run("fmt", str(target), "--check")[:2] == (
        0,
        "0 files would be reformatted, 1 unchanged, 0 invalid or unreadable (left untouched)\n",
    )


def test_diff_shows_the_change_and_writes_nothing(tmp_path: Path) -> None:
    target = tmp_path / "a.txt"
    data = SEED.read_bytes().replace(b"Aug. 25, 2011", b"2011-08-25").replace(b"\n", b"\r\n")
    target.write_bytes(data)
    (tmp_path / "0-broken.txt").write_bytes(b"")  # walked first
    code, out, err = run("fmt", str(tmp_path), "--diff")
    assert code == 1  # 0-broken.txt
    assert out.startswith("--- ")  # a clean patch: the findings went to standard error
    assert "error[file-empty]" in err
    assert "-2011-08-25\\r\n" in out
    assert "+Aug. 25, 2011\n" in out
    assert "1 file would be reformatted" in err
    assert target.read_bytes() == data


def test_fmt_keeps_permissions_and_leaves_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "a.txt"
    target.write_bytes(b"\xef\xbb\xbf" + SEED.read_bytes())
    target.chmod(0o640)
    assert run("fmt", str(target))[0] == 0
    assert target.read_bytes() == SEED.read_bytes()
    assert (target.stat().st_mode & 0o777) == 0o640
    assert os.listdir(tmp_path) == ["a.txt"]


def test_a_failed_write_keeps_the_file_and_leaves_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "a.txt"
    target.write_bytes(SEED.read_bytes() + b"\n")

    def disk_full(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("archivekit.files.atomic.os.replace", disk_full)
    code, _, err = run("fmt", str(target))
    assert code == 1
    assert "cannot format: No space left on device" in err
    assert target.read_bytes() == SEED.read_bytes() + b"\n"
    assert os.listdir(tmp_path) == ["a.txt"]


def test_format_bytes_outcomes() -> None:
    seed = SEED.read_bytes()
    assert format_bytes(seed).status is FmtStatus.UNCHANGED
    invalid = format_bytes(b"")
    assert invalid.status is FmtStatus.INVALID
    assert [d.code for d in invalid.diagnostics] == ["file-empty"]
    changed = format_bytes(b"\xef\xbb\xbf" + seed, path="x.txt")
    assert (changed.status, changed.after) == (FmtStatus.REFORMATTED, seed)
    assert "-<U+FEFF>http" in unified_diff(changed)


def test_fmt_filters_standard_input() -> None:
    from typer.testing import CliRunner

    from archivekit.cli.app import app

    seed = SEED.read_bytes()
    result = CliRunner().invoke(app, ["fmt", "-"], input=seed.replace(b"\n", b"\r\n"))
    assert (result.exit_code, result.stdout_bytes) == (0, seed)
    result = CliRunner().invoke(app, ["fmt", "-", "--check"], input=seed + b"\n")
    assert (result.exit_code, result.stdout_bytes) == (1, b"")
    result = CliRunner().invoke(app, ["fmt", "-"], input=b"http://x\n")
    assert (result.exit_code, result.stdout_bytes) == (1, b"http://x\n")
    assert "error[field-missing]" in result.stderr


def test_fmt_refuses_mixed_standard_input_and_missing_paths(tmp_path: Path) -> None:
    assert run("fmt", "-", str(SEED))[0] == 2
    code, _, err = run("fmt", str(tmp_path / "missing.txt"))
    assert code == 2
    assert "no such file" in err


def test_fmt_honours_the_configured_exclude(tmp_path: Path) -> None:
    (tmp_path / "archive.toml").write_text('exclude = ["frozen/**"]\n', encoding="utf-8")
    (tmp_path / "frozen").mkdir()
    frozen, live = tmp_path / "frozen" / "a.txt", tmp_path / "b.txt"
    for target in (frozen, live):
        target.write_bytes(SEED.read_bytes() + b"\n")
    code, out, _ = run("fmt", str(tmp_path), "--config", str(tmp_path / "archive.toml"))
    assert code == 0
    assert out.startswith(f"reformatted {live}\n1 file reformatted")
    assert frozen.read_bytes() == SEED.read_bytes() + b"\n"
    assert live.read_bytes() == SEED.read_bytes()


def test_fmt_writes_through_a_symbolic_link(tmp_path: Path) -> None:
    from archivekit.reformat import format_file

    target = tmp_path / "t.txt"
    target.write_bytes((SEEDS / "valid" / "crlf.txt").read_bytes())
    link = tmp_path / "l.txt"
    link.symlink_to(target)
    format_file(str(link))
    assert link.is_symlink()
    assert b"\r" not in target.read_bytes()
